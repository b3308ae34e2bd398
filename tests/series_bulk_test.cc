// `vigil series --bulk` (series/series_table.h, app/series_command.h): the
// bulk CSV's parsing and errors, and that every column of a bulk call gets
// exactly the rows (byte for byte) the single-series form gives that column
// alone, for every method and parameter set of the R reference cases.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app/series_command.h"
#include "series/series_csv.h"
#include "series/series_table.h"
#include "test_events.h"

namespace {

using vigil::testing::TempDir;

const std::string kReferenceDir = std::string(VIGIL_SHARED_DIR "/reference/surveillance/");

std::string parse_error(const std::string& text) {
  auto table = vigil::parse_series_table(text, 52);
  return table.is_ok() ? "(parsed)" : table.error().message;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

struct Run {
  int status = -1;
  std::string out, err;
};

Run run(const std::string& method, const std::string& input, const std::string& range,
        const std::vector<std::string>& params, bool bulk) {
  vigil::SeriesOptions options;
  options.method = method;
  options.input_csv = input;
  options.range = range;
  options.params = params;
  options.bulk = bulk;
  std::ostringstream out, err;
  Run result;
  result.status = vigil::run_series(options, out, err);
  result.out = out.str();
  result.err = err.str();
  return result;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

struct Case {
  std::string input, method, range;
  std::vector<std::string> params;
};

// The reference cases of cases.tsv (method, input, range, params).
const std::vector<Case> kCases = {
    {"salmonella_agona.csv", "farringtonFlexible", "209:312",
     {"b=3", "w=3", "reweight=TRUE", "weightsThreshold=1", "alpha=0.05", "trend=TRUE",
      "pThresholdTrend=0.05", "limit54=5,4", "powertrans=2/3", "noPeriods=1",
      "pastWeeksNotIncluded=3", "thresholdMethod=delta"}},
    {"salmNewport_DE.csv", "farringtonFlexible", "366:417",
     {"b=3", "w=3", "reweight=TRUE", "weightsThreshold=2.58", "alpha=0.05", "trend=TRUE",
      "pThresholdTrend=1", "limit54=5,4", "powertrans=2/3", "noPeriods=10",
      "pastWeeksNotIncluded=26", "thresholdMethod=nbPlugin"}},
    {"salmNewport_DE.csv", "earsC1", "366:417",
     {"method=C1", "baseline=7", "minSigma=0", "alpha=0.001"}},
    {"salmNewport_DE.csv", "earsC2", "366:417",
     {"method=C2", "baseline=7", "minSigma=0", "alpha=0.001"}},
    {"salmNewport_DE.csv", "earsC3", "366:417", {"baseline=7", "alpha=0.001"}},
    {"ha_aggregated.csv", "glrnb", "209:290",
     {"c.ARL=5", "S=1", "trend=FALSE", "change=intercept", "ret=cases", "dir=inc"}},
    {"ha_aggregated.csv", "cusum", "209:290", {"k=1.04", "h=2.26", "trans=rossi"}},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(series_bulk_test)

BOOST_AUTO_TEST_CASE(parses_named_columns_in_any_order_with_optional_t) {
  auto table = vigil::parse_series_table(
      "\xEF\xBB\xBF\"north\",epoch,t,\"east, coast\"\r\n4,2024-01-01,1,0\r\n5,2024-01-08,2,7\r\n",
      52);
  BOOST_REQUIRE_MESSAGE(table.is_ok(), (table.is_ok() ? "" : table.error().message));
  const vigil::SeriesTable& t = table.value();
  BOOST_TEST(t.names == (std::vector<std::string>{"north", "east, coast"}),
             boost::test_tools::per_element());
  BOOST_TEST(t.size() == 2u);
  BOOST_TEST(t.counts[0] == (std::vector<double>{4, 5}), boost::test_tools::per_element());
  BOOST_TEST(t.counts[1] == (std::vector<double>{0, 7}), boost::test_tools::per_element());
  BOOST_TEST(t.epochs.dated());
  BOOST_TEST(t.epochs.epoch_labels[1] == "2024-01-08");
  BOOST_TEST(t.epochs.observed.empty());

  auto undated = vigil::parse_series_table("epoch,a\nw1,3\nw2,4\n", 12);
  BOOST_REQUIRE(undated.is_ok());
  BOOST_TEST(!undated.value().epochs.dated());
  BOOST_TEST(undated.value().epochs.freq == 12);
}

BOOST_AUTO_TEST_CASE(malformed_csv_names_line_and_column) {
  BOOST_TEST(parse_error("") == "line 1: empty file, expected the header epoch,SERIES...");
  BOOST_TEST(parse_error("epoch,a\n") == "line 1: header only, the series have no rows");
  BOOST_TEST(parse_error("t,a,b\n1,2,3\n") ==
             "line 1: missing column 'epoch' (header must be epoch,SERIES[,SERIES...])");
  BOOST_TEST(parse_error("t,epoch\n1,1\n") ==
             "line 1: no series columns (header must be epoch,SERIES[,SERIES...])");
  BOOST_TEST(parse_error("epoch,a,a\n1,2,3\n") == "line 1, column 3: column name 'a' repeated");
  BOOST_TEST(parse_error("epoch,a,,b\n1,2,3,4\n") ==
             "line 1, column 3: empty column name (every series needs one)");
  BOOST_TEST(parse_error("epoch,a,b\n1,2,3\n2,5,x\n") ==
             "line 3, column 3: (series 'b') count 'x' is not a finite count >= 0 "
             "(NA is not supported)");
  BOOST_TEST(parse_error("epoch,a,b\n1,2,3\n2,NA,1\n") ==
             "line 3, column 2: (series 'a') count 'NA' is not a finite count >= 0 "
             "(NA is not supported)");
  BOOST_TEST(parse_error("epoch,a,b\n1,2,-1\n") ==
             "line 2, column 3: (series 'b') count '-1' is not a finite count >= 0 "
             "(NA is not supported)");
  BOOST_TEST(parse_error("epoch,a,b\n1,2,3\n2,5\n") == "line 3: 2 fields, the header has 3");
  BOOST_TEST(parse_error("epoch,a\n1,2\n,3\n") == "line 3, column 1: epoch is empty");
  BOOST_TEST(parse_error("a,t,epoch\n2,1,x\n3,3,y\n") ==
             "line 3, column 2: t is '3', expected 2 (t must be the 1-based row index)");
  BOOST_TEST(parse_error("epoch,a\n1,\"2\n") == "line 2, column 2: unterminated quoted field");
  BOOST_TEST(parse_error("epoch,a\n2024-01-01,1\nw2,2\n") ==
             "line 3: epoch 'w2' is not an ISO date (YYYY-MM-DD) but line 2's is; epochs must "
             "be all dates or all labels");
  BOOST_TEST(parse_error("epoch,a\n2024-01-08,1\n2024-01-01,2\n") ==
             "line 3: epoch 2024-01-01 is not after the previous epoch");
}

BOOST_AUTO_TEST_CASE(command_errors_name_the_file_and_the_series) {
  const TempDir dir;
  const std::string bad = dir.sub("bad.csv");
  write_file(bad, "epoch,a,b\n1,2,3\n2,5,x\n");
  Run r = run("earsC1", bad, "1:2", {}, true);
  BOOST_TEST(r.status == 1);
  BOOST_TEST(r.out.empty());
  BOOST_TEST(r.err == "vigil series: " + bad +
                          ": line 3, column 3: (series 'b') count 'x' is not a finite count >= 0 "
                          "(NA is not supported)\n");

  const std::string shortcsv = dir.sub("short.csv");
  write_file(shortcsv, "epoch,a,b\n1,2,3\n2,5,6\n");
  r = run("earsC1", shortcsv, "1:3", {}, true);
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.err == "vigil series: --range 1:3 ends after the last time point 2 of " +
                          shortcsv + "\n");
  // A method's own error names the series it failed on; nothing is written.
  r = run("earsC1", shortcsv, "1:2", {}, true);
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.out.empty());
  BOOST_TEST(r.err.find("vigil series: earsC1 on series 'a': ") == 0u, r.err);
}

BOOST_AUTO_TEST_CASE(every_column_equals_the_single_series_run) {
  const TempDir dir;
  for (const Case& c : kCases) {
    BOOST_TEST_CONTEXT(c.method << " on " << c.input) {
      auto reference = vigil::read_series_csv(kReferenceDir + c.input, 52);
      BOOST_REQUIRE(reference.is_ok());
      const vigil::CountSeries& s = reference.value();
      // Four columns: the reference counts and three variants of them.
      const std::vector<std::string> names = {"reference", "doubled", "\"shifted\", wobbly",
                                              "reversed"};
      std::vector<std::vector<double>> columns(names.size());
      for (std::size_t i = 0; i < s.size(); ++i) {
        columns[0].push_back(s.observed[i]);
        columns[1].push_back(2 * s.observed[i]);
        columns[2].push_back(s.observed[i] + static_cast<double>(i % 3));
        columns[3].push_back(s.observed[s.size() - 1 - i]);
      }
      std::ostringstream bulk;
      bulk << "epoch,reference,doubled,\"\"\"shifted\"\", wobbly\",reversed\n";
      for (std::size_t i = 0; i < s.size(); ++i) {
        bulk << s.epoch_labels[i];
        for (const auto& column : columns) bulk << ',' << vigil::format_series_number(column[i]);
        bulk << '\n';
      }
      const std::string bulk_path = dir.sub("bulk.csv");
      write_file(bulk_path, bulk.str());
      const Run together = run(c.method, bulk_path, c.range, c.params, true);
      BOOST_REQUIRE_MESSAGE(together.status == 0, together.err);
      const auto bulk_lines = lines_of(together.out);
      BOOST_REQUIRE(!bulk_lines.empty());
      BOOST_TEST(bulk_lines[0] == "series,t,epoch,observed,upperbound,alarm");

      std::size_t next = 1;
      for (std::size_t col = 0; col < names.size(); ++col) {
        std::ostringstream single;
        single << "t,epoch,observed\n";
        for (std::size_t i = 0; i < s.size(); ++i) {
          single << i + 1 << ',' << s.epoch_labels[i] << ','
                 << vigil::format_series_number(columns[col][i]) << '\n';
        }
        const std::string single_path = dir.sub("single.csv");
        write_file(single_path, single.str());
        const Run alone = run(c.method, single_path, c.range, c.params, false);
        BOOST_REQUIRE_MESSAGE(alone.status == 0, alone.err);
        const auto single_lines = lines_of(alone.out);
        const std::string prefix =
            col == 2 ? std::string("\"\"\"shifted\"\", wobbly\",") : names[col] + ",";
        for (std::size_t row = 1; row < single_lines.size(); ++row, ++next) {
          BOOST_REQUIRE(next < bulk_lines.size());
          BOOST_TEST(bulk_lines[next] == prefix + single_lines[row]);
        }
      }
      BOOST_TEST(next == bulk_lines.size());
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
