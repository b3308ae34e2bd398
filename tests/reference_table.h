// Test helper: the small reference CSVs under shared/reference written by R
// (header line, unquoted comma-separated fields, NA and Inf as R prints them).
#pragma once

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace vigil::testing {

using ReferenceRow = std::map<std::string, std::string>;

inline std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  std::string field;
  while (std::getline(in, field, ',')) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

// Every data row keyed by the header's column names. Fails the test when the
// file is missing, empty or has a row of the wrong width.
inline std::vector<ReferenceRow> read_reference_table(const std::string& path) {
  std::ifstream in(path);
  BOOST_TEST_REQUIRE(in.good(), "cannot open " << path);
  std::string line;
  BOOST_TEST_REQUIRE(static_cast<bool>(std::getline(in, line)), "empty file " << path);
  const std::vector<std::string> header = split_csv_line(line);
  std::vector<ReferenceRow> rows;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::vector<std::string> fields = split_csv_line(line);
    BOOST_TEST_REQUIRE(fields.size() == header.size(), path << ": bad row " << line);
    ReferenceRow row;
    for (size_t i = 0; i < header.size(); ++i) row[header[i]] = fields[i];
    rows.push_back(std::move(row));
  }
  BOOST_TEST_REQUIRE(!rows.empty(), "no rows in " << path);
  return rows;
}

// R's printed number: NA -> NaN, Inf/-Inf -> infinities.
inline double reference_number(const std::string& text) {
  if (text == "NA" || text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "Inf") return std::numeric_limits<double>::infinity();
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  return std::stod(text);
}

// Checks `got` against the reference text: NaN where NA, the same infinity
// where Inf, otherwise relative error <= tolerance (absolute when want == 0).
inline void check_reference_value(const std::string& what, double got, const std::string& text,
                                  double tolerance) {
  const double want = reference_number(text);
  if (std::isnan(want)) {
    BOOST_TEST(std::isnan(got), what << ": want NA, got " << got);
  } else if (std::isinf(want)) {
    BOOST_TEST(got == want, what << ": want " << text << ", got " << got);
  } else {
    const double error = want == 0 ? std::abs(got) : std::abs(got - want) / std::abs(want);
    BOOST_TEST(error <= tolerance,
               what << ": want " << text << ", got " << got << " (relative error " << error << ")");
  }
}

}  // namespace vigil::testing
