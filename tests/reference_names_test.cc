#include "review/reference_names.h"

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "test_events.h"

namespace vigil {
namespace {

std::string write_file(const testing::TempDir& dir, const std::string& name,
                       const std::string& text) {
  const std::string path = dir.sub(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string name_or_none(const ReferenceNames& names, std::string_view dim, std::string_view code) {
  const auto n = names.name(dim, code);
  return n ? std::string(*n) : std::string("<none>");
}

BOOST_AUTO_TEST_SUITE(reference_names_test)

BOOST_AUTO_TEST_CASE(reads_code_and_name_with_quotes) {
  testing::TempDir dir;
  const std::string path = write_file(dir, "orgs.csv",
                                      "code,name,postcode\r\n"
                                      "RXX,Plain Hospital NHS Trust,AB1 2CD\r\n"
                                      "RYY,\"Quoted, With Comma NHS Foundation Trust\",EF3 4GH\r\n"
                                      "RZZ,\"Say \"\"Hello\"\" NHS Trust\",\r\n"
                                      "\r\n"
                                      "RWW,\"Two\nLines\",X\n"
                                      "RVV,,no name\n");
  ReferenceNames names;
  BOOST_REQUIRE_MESSAGE(names.load_csv("org", path).is_ok(), "load");
  BOOST_TEST(name_or_none(names, "org", "RXX") == "Plain Hospital NHS Trust");
  BOOST_TEST(name_or_none(names, "org", "RYY") == "Quoted, With Comma NHS Foundation Trust");
  BOOST_TEST(name_or_none(names, "org", "RZZ") == "Say \"Hello\" NHS Trust");
  BOOST_TEST(name_or_none(names, "org", "RWW") == "Two\nLines");
  BOOST_TEST(name_or_none(names, "org", "RVV") == "<none>");     // empty name: stays a code
  BOOST_TEST(name_or_none(names, "region", "RXX") == "<none>");  // other dimension
  BOOST_TEST(names.label("org", "RXX") == "Plain Hospital NHS Trust (RXX)");
  BOOST_TEST(names.label("org", "R00") == "R00");
}

BOOST_AUTO_TEST_CASE(columns_in_any_order_and_a_bom) {
  testing::TempDir dir;
  const std::string path = write_file(
      dir, "devices.csv", "\xEF\xBB\xBFName,extra,Code\nInfusion pump,1,0501234567890\n");
  ReferenceNames names;
  BOOST_REQUIRE(names.load_csv("device", path).is_ok());
  BOOST_TEST(name_or_none(names, "device", "0501234567890") == "Infusion pump");
}

BOOST_AUTO_TEST_CASE(later_tables_and_adds_override) {
  testing::TempDir dir;
  ReferenceNames names;
  names.add("region", "Y56", "Old name");
  const uint64_t before = names.fingerprint();
  BOOST_REQUIRE(
      names.load_csv("region", write_file(dir, "r.csv", "code,name\nY56,London\n")).is_ok());
  BOOST_TEST(name_or_none(names, "region", "Y56") == "London");
  BOOST_TEST(names.fingerprint() != before);
  ReferenceNames same;
  same.add("region", "Y56", "London");
  BOOST_TEST(same.fingerprint() == names.fingerprint());
}

std::string load_error(const std::string& text) {
  testing::TempDir dir;
  const std::string path = write_file(dir, "bad.csv", text);
  ReferenceNames names;
  names.add("org", "RXX", "kept");
  const Status st = names.load_csv("org", path);
  BOOST_REQUIRE(!st.is_ok());
  BOOST_TEST((st.error().kind == ErrorKind::kInvalidArgument));
  BOOST_TEST(name_or_none(names, "org", "RXX") == "kept");  // a bad file adds nothing
  BOOST_TEST(name_or_none(names, "org", "RAA") == "<none>");
  // The message names the file; strip its directory for the comparison.
  const std::string& m = st.message();
  BOOST_TEST(m.starts_with(path + ":"));
  return m.substr(dir.path().size() + 1);
}

BOOST_AUTO_TEST_CASE(errors_name_file_and_line) {
  BOOST_TEST(load_error("code,label\nRXX,x\n") ==
             "bad.csv:1: the header needs the columns code and name");
  BOOST_TEST(load_error("") == "bad.csv:1: no header line (expected columns code,name)");
  BOOST_TEST(load_error("code,name\nRAA,A\nRBB\n") ==
             "bad.csv:3: expected at least 2 fields, found 1");
  BOOST_TEST(load_error("code,name\nRAA,A\n\"RBB,B\nRCC,C\n") ==
             "bad.csv:3: quoted field is not closed");
  BOOST_TEST(load_error("code,name\nRAA,\"A\"x\n") == "bad.csv:2: text after a closing quote");
  BOOST_TEST(load_error("code,name\nRAA,A \"B\"\n") == "bad.csv:2: quote inside an unquoted field");
  BOOST_TEST(load_error("code,name\nRAA,\"two\nlines\"\n,nameless\n") == "bad.csv:4: empty code");
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_an_io_error) {
  ReferenceNames names;
  const Status st = names.load_csv("org", "/nonexistent/vigil/orgs.csv");
  BOOST_REQUIRE(!st.is_ok());
  BOOST_TEST((st.error().kind == ErrorKind::kIo));
  BOOST_TEST(st.message() == "cannot read reference table /nonexistent/vigil/orgs.csv");
}

BOOST_AUTO_TEST_CASE(the_shipped_samples_load) {
  const std::filesystem::path dir = std::filesystem::path(VIGIL_SOURCE_DIR) / "config/reference";
  ReferenceNames names;
  for (const std::string dim : {"org", "region", "medication", "device", "category"}) {
    const Status st = names.load_csv(dim, (dir / (dim + ".csv")).string());
    BOOST_TEST(st.is_ok(), dim << ": " << st.message());
  }
  BOOST_TEST(name_or_none(names, "region", "Y56") == "London");
  BOOST_TEST(name_or_none(names, "region", "Y63") == "North East and Yorkshire");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace vigil
