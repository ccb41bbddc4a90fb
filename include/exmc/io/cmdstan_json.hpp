#pragma once
// Data files in CmdStan's JSON format: one top-level object, one field per data variable.
// This header is the only place exmc uses nlohmann-json; nothing else includes it.
//
// Conventions followed (those of CmdStan's reader):
//   - integers must be written as JSON integers: 2.0 or 2e0 for an int is an error, as in CmdStan;
//   - reals may be JSON numbers or the strings "NaN", "Inf", "+Inf", "-Inf", "Infinity",
//     "+Infinity", "-Infinity" (any letter case), which is how CmdStan's writers encode them;
//   - containers are nested arrays, matrices as arrays of rows; an empty array is a container of
//     size zero;
//   - a scalar and a length-1 array are interchangeable (R writers cannot tell them apart).
#include <Eigen/Core>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "../core/error.hpp"

namespace exmc {

class data_file {
 public:
  // Parses JSON text; `source` names the text in error messages (usually the file path).
  static data_file parse(std::string_view text, std::string source = "<string>") {
    data_file d;
    d.source_ = std::move(source);
    // Duplicate top-level keys are an error, not "last one wins": a silently dropped value is
    // exactly the kind of data bug this reader should expose.
    std::set<std::string> seen;
    std::string duplicate;
    const auto on_event = [&](int depth, nlohmann::json::parse_event_t ev, nlohmann::json& v) {
      if (ev == nlohmann::json::parse_event_t::key && depth == 1 && v.is_string()) {
        const auto& k = v.get_ref<const std::string&>();
        if (!seen.insert(k).second && duplicate.empty()) duplicate = k;
      }
      return true;
    };
    try {
      d.root_ = nlohmann::json::parse(text.begin(), text.end(), on_event);
    } catch (const nlohmann::json::exception& e) {
      throw model_error(d.where() + ": not valid JSON: " + e.what());
    }
    if (!d.root_.is_object())
      throw model_error(d.where() + ": the top level must be a JSON object {...}, found " +
                        std::string(d.root_.type_name()));
    if (!duplicate.empty())
      throw model_error(d.where() + ": field '" + duplicate + "' appears more than once");
    return d;
  }

  static data_file from_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw model_error("data file '" + path + "': cannot be opened for reading");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw model_error("data file '" + path + "': read error");
    return parse(text.str(), path);
  }

  const std::string& source() const { return source_; }

  bool contains(std::string_view name) const { return root_.contains(name); }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& item : root_.items()) out.push_back(item.key());
    return out;
  }

  // The fields holding one integer, with their values: the candidates for sizes, which error
  // messages about a bad size name.
  std::vector<std::pair<std::string, long long>> integer_scalars() const {
    std::vector<std::pair<std::string, long long>> out;
    for (const auto& item : root_.items()) {
      const nlohmann::json* v = &item.value();
      if (v->is_array() && v->size() == 1) v = &(*v)[0];
      if (v->is_number_integer() || v->is_number_unsigned()) out.emplace_back(item.key(), v->get<long long>());
    }
    return out;
  }

  double real(std::string_view name) const {
    return to_real(scalar_node(name), name, "");
  }

  int integer(std::string_view name) const {
    return to_int(scalar_node(name), name, "");
  }

  Eigen::VectorXd vector(std::string_view name) const {
    const auto elems = flat_nodes(name);
    Eigen::VectorXd out(static_cast<Eigen::Index>(elems.size()));
    for (std::size_t i = 0; i < elems.size(); ++i)
      out[static_cast<Eigen::Index>(i)] = to_real(*elems[i], name, index_text(i));
    return out;
  }
  Eigen::VectorXd vector(std::string_view name, Eigen::Index expected_size) const {
    auto v = vector(name);
    check_size(name, v.size(), expected_size);
    return v;
  }

  Eigen::VectorXi int_vector(std::string_view name) const {
    const auto elems = flat_nodes(name);
    Eigen::VectorXi out(static_cast<Eigen::Index>(elems.size()));
    for (std::size_t i = 0; i < elems.size(); ++i)
      out[static_cast<Eigen::Index>(i)] = to_int(*elems[i], name, index_text(i));
    return out;
  }
  Eigen::VectorXi int_vector(std::string_view name, Eigen::Index expected_size) const {
    auto v = int_vector(name);
    check_size(name, v.size(), expected_size);
    return v;
  }

  // A matrix is an array of rows, each an array of numbers of one common length. An empty
  // array is a 0 x 0 matrix; [[], []] is 2 x 0.
  Eigen::MatrixXd matrix(std::string_view name) const {
    const auto& node = field(name);
    if (!node.is_array())
      throw model_error(where(name) + ": expected a matrix (array of rows), found " +
                        describe(node));
    const auto rows = static_cast<Eigen::Index>(node.size());
    if (rows == 0) return Eigen::MatrixXd(0, 0);
    Eigen::Index cols = -1;
    Eigen::MatrixXd out;
    for (Eigen::Index r = 0; r < rows; ++r) {
      const auto& row = node[static_cast<std::size_t>(r)];
      if (!row.is_array())
        throw model_error(where(name) + ": expected a matrix (array of rows), but row " +
                          std::to_string(r) + " is " + describe(row));
      const auto n = static_cast<Eigen::Index>(row.size());
      if (cols < 0) {
        cols = n;
        out.resize(rows, cols);
      } else if (n != cols) {
        throw model_error(where(name) + ": ragged matrix: row 0 has " + std::to_string(cols) +
                          " entries but row " + std::to_string(r) + " has " + std::to_string(n));
      }
      for (Eigen::Index c = 0; c < cols; ++c)
        out(r, c) = to_real(row[static_cast<std::size_t>(c)], name,
                            index_text(static_cast<std::size_t>(r)) + index_text(static_cast<std::size_t>(c)));
    }
    return out;
  }
  Eigen::MatrixXd matrix(std::string_view name, Eigen::Index rows, Eigen::Index cols) const {
    auto m = matrix(name);
    // An empty JSON array cannot say how many columns it has: accept it for any 0-row shape.
    if (rows == 0 && m.rows() == 0) return Eigen::MatrixXd(0, cols);
    if (m.rows() != rows || m.cols() != cols)
      throw model_error(where(name) + ": expected a " + std::to_string(rows) + " x " +
                        std::to_string(cols) + " matrix, found " + std::to_string(m.rows()) +
                        " x " + std::to_string(m.cols()));
    return m;
  }

 private:
  data_file() = default;

  std::string where() const { return "data file '" + source_ + "'"; }
  std::string where(std::string_view name) const {
    return where() + ", field '" + std::string(name) + "'";
  }
  // Built by appending: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string&&.
  static std::string index_text(std::size_t i) {
    std::string s(1, '[');
    s.append(std::to_string(i)).push_back(']');
    return s;
  }

  // What a value is, for error messages; short values are quoted whole.
  static std::string describe(const nlohmann::json& v) {
    std::string text = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    const std::string type = v.type_name();
    const bool vowel = type[0] == 'a' || type[0] == 'o';
    return std::string(vowel ? "an " : "a ") + type + " (" + text + ")";
  }

  const nlohmann::json& field(std::string_view name) const {
    const auto it = root_.find(name);
    if (it == root_.end()) throw model_error(where() + ": no field named '" + std::string(name) + "'");
    return *it;
  }

  // A scalar, or the single element of a length-1 array.
  const nlohmann::json& scalar_node(std::string_view name) const {
    const auto& node = field(name);
    if (!node.is_array()) return node;
    if (node.size() == 1 && !node[0].is_array()) return node[0];
    throw model_error(where(name) + ": expected a single value, found an array of " +
                      std::to_string(node.size()) + " entries");
  }

  // Elements of a one-dimensional array (a lone scalar counts as length 1).
  std::vector<const nlohmann::json*> flat_nodes(std::string_view name) const {
    const auto& node = field(name);
    std::vector<const nlohmann::json*> out;
    if (!node.is_array()) {
      out.push_back(&node);
      return out;
    }
    out.reserve(node.size());
    for (std::size_t i = 0; i < node.size(); ++i) {
      if (node[i].is_array())
        throw model_error(where(name) + ": expected a one-dimensional array, but entry " +
                          std::to_string(i) + " is itself an array");
      out.push_back(&node[i]);
    }
    return out;
  }

  static bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
        return false;
    return true;
  }

  double to_real(const nlohmann::json& v, std::string_view name, const std::string& index) const {
    if (v.is_number_float()) return v.get<double>();
    if (v.is_number_integer() || v.is_number_unsigned()) return v.get<double>();
    if (v.is_string()) {
      std::string_view s = v.get_ref<const std::string&>();
      if (iequals(s, "nan")) return std::numeric_limits<double>::quiet_NaN();
      double sign = 1.0;
      if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        sign = s[0] == '-' ? -1.0 : 1.0;
        s.remove_prefix(1);
      }
      if (iequals(s, "inf") || iequals(s, "infinity"))
        return sign * std::numeric_limits<double>::infinity();
    }
    throw model_error(where(name) + index + ": expected a real number, found " + describe(v));
  }

  int to_int(const nlohmann::json& v, std::string_view name, const std::string& index) const {
    if (v.is_number_unsigned()) {
      const auto u = v.get<std::uint64_t>();
      if (u <= static_cast<std::uint64_t>(std::numeric_limits<int>::max())) return static_cast<int>(u);
    } else if (v.is_number_integer()) {
      const auto i = v.get<std::int64_t>();
      if (i >= std::numeric_limits<int>::min() && i <= std::numeric_limits<int>::max())
        return static_cast<int>(i);
    } else {
      std::string hint;
      if (v.is_number_float()) hint = " (integers must be written without a decimal point or exponent)";
      throw model_error(where(name) + index + ": expected an integer, found " + describe(v) + hint);
    }
    throw model_error(where(name) + index + ": integer " + v.dump() + " does not fit in a 32-bit int");
  }

  void check_size(std::string_view name, Eigen::Index found, Eigen::Index expected) const {
    if (found != expected)
      throw model_error(where(name) + ": expected " + std::to_string(expected) +
                        " entries, found " + std::to_string(found));
  }

  nlohmann::json root_;
  std::string source_;
};

}  // namespace exmc
