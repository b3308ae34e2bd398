// `vigil series` against the R surveillance 1.20.3 reference runs listed in
// shared/reference/surveillance/cases.tsv: every row is one test case, run
// through run_series exactly as the command line would, and compared with the
// expected CSV: same t, epoch and observed, upperbound within 1e-6 relative
// (NA where R gives NA), identical alarms.
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app/series_command.h"

namespace {

const std::string kReferenceDir = std::string(VIGIL_SHARED_DIR "/reference/surveillance/");
constexpr double kRelativeTolerance = 1e-6;


struct ReferenceCase {
  std::string name, input, method, range, expected;
  std::vector<std::string> params;
};

std::ostream& operator<<(std::ostream& os, const ReferenceCase& c) { return os << c.name; }

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, separator)) parts.push_back(part);
  if (!text.empty() && text.back() == separator) parts.emplace_back();
  return parts;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// All rows of cases.tsv; an unreadable file yields a row that fails below.
std::vector<ReferenceCase> load_cases() {
  std::vector<ReferenceCase> cases;
  const auto lines = read_lines(kReferenceDir + "cases.tsv");
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto fields = split(lines[i], '\t');
    ReferenceCase c;
    if (fields.size() != 6) {
      c.name = "malformed cases.tsv line " + std::to_string(i + 1);
      cases.push_back(c);
      continue;
    }
    c = {fields[0], fields[1], fields[2], fields[3], fields[4], {}};
    for (const auto& p : split(fields[5], ' ')) {
      if (!p.empty()) c.params.push_back(p);
    }
    cases.push_back(c);
  }
  if (cases.empty()) cases.push_back({"cases.tsv missing or empty", "", "", "", "", {}});
  return cases;
}

struct Row {
  std::string t, epoch, observed, upperbound, alarm;
};

// Parses `t,epoch,observed,upperbound,alarm[,...]` text.
std::vector<Row> parse_result(const std::vector<std::string>& lines) {
  std::vector<Row> rows;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto f = split(lines[i], ',');
    BOOST_REQUIRE_MESSAGE(f.size() >= 5, "short result line: " << lines[i]);
    rows.push_back({f[0], f[1], f[2], f[3], f[4]});
  }
  return rows;
}

std::vector<std::string> to_lines(const std::string& text) {
  std::vector<std::string> lines;
  for (auto& line : split(text, '\n')) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(series_reference_test)

BOOST_AUTO_TEST_CASE(cases_file_lists_every_method_and_is_complete) {
  const auto cases = load_cases();
  BOOST_TEST(cases.size() >= 8u);
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      BOOST_TEST(!c.method.empty());
      BOOST_TEST(read_lines(kReferenceDir + c.expected).size() > 1u);
    }
  }
}

BOOST_DATA_TEST_CASE(reference_case, boost::unit_test::data::make(load_cases()), c) {
  BOOST_REQUIRE_MESSAGE(!c.method.empty(), c.name);
  vigil::SeriesOptions options;
  options.method = c.method;
  options.input_csv = kReferenceDir + c.input;
  options.range = c.range;
  options.params = c.params;
  std::ostringstream out, err;
  const int status = vigil::run_series(options, out, err);
  BOOST_REQUIRE_MESSAGE(status == 0, c.name << ": exit " << status << ": " << err.str());
  BOOST_TEST(err.str().empty());

  const auto got_lines = to_lines(out.str());
  const auto want_lines = read_lines(kReferenceDir + c.expected);
  BOOST_REQUIRE(!got_lines.empty());
  BOOST_TEST(got_lines[0] == "t,epoch,observed,upperbound,alarm");
  const auto got = parse_result(got_lines);
  const auto want = parse_result(want_lines);
  BOOST_REQUIRE_EQUAL(got.size(), want.size());

  double max_relative_error = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    BOOST_TEST_CONTEXT(c.name << " t=" << want[i].t) {
      BOOST_TEST(got[i].t == want[i].t);
      BOOST_TEST(got[i].epoch == want[i].epoch);
      BOOST_TEST(std::stod(got[i].observed) == std::stod(want[i].observed));
      BOOST_TEST(got[i].alarm == want[i].alarm);
      if (want[i].upperbound == "NA") {
        BOOST_TEST(got[i].upperbound == "NA");
        continue;
      }
      BOOST_REQUIRE(got[i].upperbound != "NA");
      const double u_got = std::stod(got[i].upperbound);
      const double u_want = std::stod(want[i].upperbound);
      const double relative =
          u_want == 0 ? std::fabs(u_got) : std::fabs(u_got - u_want) / std::fabs(u_want);
      max_relative_error = std::max(max_relative_error, relative);
      BOOST_TEST(relative <= kRelativeTolerance, "upperbound " << u_got << " vs R " << u_want);
    }
  }
  BOOST_TEST_MESSAGE(c.name << ": " << want.size() << " points, max relative error of upperbound "
                            << max_relative_error);
}

// Invariants R's own test suite states for every method: never an alarm when
// the count is 0, and an alarm exactly when the count exceeds the bound (no
// alarm where there is no bound).
BOOST_DATA_TEST_CASE(alarm_invariants, boost::unit_test::data::make(load_cases()), c) {
  BOOST_REQUIRE_MESSAGE(!c.method.empty(), c.name);
  vigil::SeriesOptions options{c.method, kReferenceDir + c.input, c.range, c.params, 52};
  std::ostringstream out, err;
  BOOST_REQUIRE_MESSAGE(vigil::run_series(options, out, err) == 0, err.str());
  for (const auto& row : parse_result(to_lines(out.str()))) {
    BOOST_TEST_CONTEXT(c.name << " t=" << row.t) {
      const double y = std::stod(row.observed);
      if (y == 0) BOOST_TEST(row.alarm == "0");
      const bool exceeds = row.upperbound != "NA" && y > std::stod(row.upperbound);
      BOOST_TEST(row.alarm == (exceeds ? "1" : "0"));
    }
  }
}

namespace {

struct Run {
  int status;
  std::string out, err;
};

Run run(const std::string& method, const std::string& input, const std::string& range,
        std::vector<std::string> params = {}, int freq = 52) {
  std::ostringstream out, err;
  const int status = vigil::run_series({method, input, range, std::move(params), freq}, out, err);
  return {status, out.str(), err.str()};
}

// Writes `content` to a fresh file in the temporary directory.
std::string temp_csv(const std::string& name, const std::string& content) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("vigil_series_test_" + std::to_string(::getpid()) + "_" + name + ".csv");
  std::ofstream(path) << content;
  return path.string();
}

const std::string kNewport = kReferenceDir + "salmNewport_DE.csv";

}  // namespace

BOOST_AUTO_TEST_CASE(usage_errors_exit_2_with_one_line_naming_the_problem) {
  const std::vector<std::pair<Run, std::string>> cases = {
      {run("earsC9", kNewport, "366:417"), "known: earsC1, earsC2, earsC3"},
      {run("earsC1", kNewport, "366-417"), "--range"},
      {run("earsC1", kNewport, "0:3"), "--range"},
      {run("earsC1", kNewport, "20:10"), "--range"},
      {run("earsC1", kNewport, "366:417", {"baseline"}), "NAME=VALUE"},
      {run("earsC1", kNewport, "366:417", {"alpha=0.1", "alpha=0.2"}), "more than once"},
      {run("earsC1", kNewport, "366:417", {"k=1"}), "k"},
      {run("earsC1", kNewport, "366:417", {"baseline=x"}), "baseline"},
      {run("earsC1", kNewport, "366:417", {}, 0), "--freq"},
      {run("earsC1", kNewport, "366:600"), "ends after the last time point 528"},
      {run("earsC1", kNewport, "7:10"), "needs 7 earlier counts"},
      {run("earsC3", kNewport, "11:20"), "needs 11 earlier counts"},
  };
  for (const auto& [result, needle] : cases) {
    BOOST_TEST_CONTEXT(needle) {
      BOOST_TEST(result.status == 2);
      BOOST_TEST(result.out.empty());
      BOOST_TEST(result.err.find(needle) != std::string::npos, result.err);
      BOOST_TEST(std::count(result.err.begin(), result.err.end(), '\n') == 1);
    }
  }
}

BOOST_AUTO_TEST_CASE(bad_input_exits_1_naming_the_line) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"t,epoch,observed\n1,a,1\n3,b,2\n", "line 3: t is '3', expected 2"},
      {"t,epoch,observed\n1,a,1\n2,b,-2\n", "line 3: observed '-2'"},
      {"t,epoch,observed\n1,a,1\n2,b,NA\n", "line 3: observed 'NA'"},
      {"t,epoch,observed\n1,2011-01-03,1\n2,b,2\n", "line 3: epoch 'b' is not an ISO date"},
      {"t,epoch,observed\n1,2011-01-10,1\n2,2011-01-03,2\n",
       "line 3: epoch 2011-01-03 is not after"},
      {"t,epoch,count\n1,a,1\n", "line 1: unknown column 'count'"},
      {"t,epoch\n1,a\n", "line 1: missing column 'observed'"},
      {"t,epoch,observed\n1,a,1\n2,b\n", "line 3: 2 fields"},
      {"t,epoch,observed\n", "no rows"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::string path = temp_csv(std::to_string(i), cases[i].first);
    const auto result = run("earsC1", path, "1:1");
    std::filesystem::remove(path);
    BOOST_TEST_CONTEXT(cases[i].second) {
      BOOST_TEST(result.status == 1);
      BOOST_TEST(result.out.empty());
      BOOST_TEST(result.err.find(cases[i].second) != std::string::npos, result.err);
    }
  }
  const auto missing = run("earsC1", "/nonexistent/vigil/series.csv", "8:9");
  BOOST_TEST(missing.status == 1);
  BOOST_TEST(missing.err.find("cannot open") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(quoted_crlf_input_with_mu0_is_accepted) {
  std::string csv = "\xEF\xBB\xBF\"t\",\"epoch\",\"observed\",\"mu0\"\r\n";
  for (int t = 1; t <= 12; ++t) {
    csv += std::to_string(t) + ",\"w" + std::to_string(t) + "\"," + std::to_string(t % 3) +
           ",1.5\r\n";
  }
  const std::string path = temp_csv("quoted", csv);
  const auto result = run("earsC1", path, "8:12");
  std::filesystem::remove(path);
  BOOST_TEST(result.status == 0, result.err);
  const auto lines = to_lines(result.out);
  BOOST_TEST(lines.size() == 6u);
  BOOST_TEST(lines[1].rfind("8,w8,2,", 0) == 0u, lines[1]);
}

BOOST_AUTO_TEST_SUITE_END()
