#pragma once
// Reads the CSV fixtures written by scripts/diagnostics-fixtures.R.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace exmc::test {

inline std::string fixture_path(const std::string& file) {
  return std::string(EXMC_DIAGNOSTICS_FIXTURES) + "/" + file;
}

// R writes NA for a missing value; the C++ side uses NaN for it.
inline double parse_number(const std::string& s) {
  if (s == "NA" || s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (s == "Inf") return std::numeric_limits<double>::infinity();
  if (s == "-Inf") return -std::numeric_limits<double>::infinity();
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0') throw std::runtime_error("fixture: cannot parse number '" + s + "'");
  return v;
}

inline std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) out.push_back(cell);
  return out;
}

// A numeric CSV with one header line, as a matrix (rows = lines).
inline Eigen::MatrixXd read_matrix(const std::string& file, std::vector<std::string>* header = nullptr) {
  std::ifstream in(fixture_path(file));
  if (!in) throw std::runtime_error("fixture: cannot open " + fixture_path(file));
  std::string line;
  std::getline(in, line);
  if (header) *header = split_csv_line(line);
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<double> row;
    for (const auto& cell : split_csv_line(line)) row.push_back(parse_number(cell));
    rows.push_back(std::move(row));
  }
  Eigen::MatrixXd m(static_cast<Eigen::Index>(rows.size()), rows.empty() ? 0 : static_cast<Eigen::Index>(rows[0].size()));
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t j = 0; j < rows[i].size(); ++j)
      m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = rows[i][j];
  return m;
}

// reference.csv: case,quantity,value -> reference[case][quantity].
inline const std::map<std::string, std::map<std::string, double>>& reference() {
  static const auto table = [] {
    std::map<std::string, std::map<std::string, double>> t;
    std::ifstream in(fixture_path("reference.csv"));
    if (!in) throw std::runtime_error("fixture: cannot open reference.csv");
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      const auto cells = split_csv_line(line);
      if (cells.size() == 3) t[cells[0]][cells[1]] = parse_number(cells[2]);
    }
    return t;
  }();
  return table;
}

inline double ref(const std::string& case_name, const std::string& quantity) {
  const auto& t = reference();
  const auto c = t.find(case_name);
  if (c == t.end()) throw std::runtime_error("fixture: no case " + case_name);
  const auto q = c->second.find(quantity);
  if (q == c->second.end()) throw std::runtime_error("fixture: no " + quantity + " in case " + case_name);
  return q->second;
}

}  // namespace exmc::test

namespace exmc::test {

// Number-for-number agreement with R: NaN matches NA, infinities match themselves, finite
// values agree to `rel` relative to max(|expected|, scale).
inline bool agrees(double actual, double expected, double rel = 1e-8, double scale = 1e-300) {
  if (std::isnan(expected)) return std::isnan(actual);
  if (std::isinf(expected)) return actual == expected;
  return std::abs(actual - expected) <= rel * std::max(std::abs(expected), scale);
}

}  // namespace exmc::test
