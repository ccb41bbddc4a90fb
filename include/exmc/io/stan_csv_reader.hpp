#pragma once
// Reads Stan CSV files, ours or CmdStan's, back into an exmc::fit so that summary() and
// diagnose() work on them:
//
//   exmc::fit f = exmc::read_stan_csv({"out_1.csv", "out_2.csv"});
//   std::cout << exmc::summary(f);
//
// Accepted: the `# key = value` header (keys kept flat, first occurrence wins: `data file` comes
// before `output file`), comment lines anywhere, save_warmup rows before `# Adaptation
// terminated`, the adaptation block, and a missing timing footer or a last line cut off mid-row
// (a run that was killed). Quantity names come back 0-based: `theta.1` -> `theta[0]`.
// exmc's `# exmc_status = ok|stopped|failed` and `# exmc_message = why` lines give each
// chain's fate: a failed chain's file may hold no column names at all, and its reason is
// passed on in fit::status.
#include <Eigen/Core>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "../core/draws.hpp"
#include "../core/error.hpp"
#include "../nuts/fit.hpp"
#include "names.hpp"

namespace exmc {

// One chain's file as written.
struct stan_csv_file {
  std::string path;
  std::map<std::string, std::string> config;  // e.g. config["num_warmup"] == "1000"
  std::vector<std::string> columns;           // as in the file: lp__, ..., theta.1
  Eigen::MatrixXd warmup;                     // rows before "Adaptation terminated" (save_warmup)
  Eigen::MatrixXd draws;                      // rows after it
  double step_size = std::numeric_limits<double>::quiet_NaN();
  Eigen::VectorXd inv_metric_diag;            // empty when the file has none (or unit metric)
  Eigen::MatrixXd inv_metric_dense;           // dense_e only
  low_rank_factors inv_metric_low_rank;       // low_rank_e only (exmc's "Low-rank" lines)
  double warmup_seconds = std::numeric_limits<double>::quiet_NaN();
  double sampling_seconds = std::numeric_limits<double>::quiet_NaN();
  bool complete = false;                      // has the Elapsed Time footer
  std::string status;                         // exmc_status: "ok", "stopped", "failed" ("" if absent)
  std::string message;                        // exmc_message: why it stopped or failed

  // Integer setting from the header, or `fallback` when absent.
  long setting(const std::string& key, long fallback) const {
    const auto it = config.find(key);
    if (it == config.end()) return fallback;
    if (it->second == "true") return 1;
    if (it->second == "false") return 0;
    long v = 0;
    const auto r = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
    if (r.ec != std::errc()) throw model_error("Stan CSV '" + path + "': setting " + key + " = '" + it->second + "' is not an integer");
    return v;
  }
};

namespace io {

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

inline bool parse_number(std::string_view t, double& out) {
  t = trim(t);
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  if (t.empty()) return false;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), out);
  return r.ec == std::errc() && r.ptr == t.data() + t.size();
}

// Comma-separated numbers; false when one is not a number.
inline bool parse_numbers(std::string_view line, std::vector<double>& out) {
  out.clear();
  while (true) {
    const auto comma = line.find(',');
    double v = 0.0;
    if (!parse_number(line.substr(0, comma), v)) return false;
    out.push_back(v);
    if (comma == std::string_view::npos) return true;
    line.remove_prefix(comma + 1);
  }
}

inline Eigen::MatrixXd to_matrix(const std::vector<std::vector<double>>& rows, std::size_t cols) {
  Eigen::MatrixXd m(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(cols));
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t j = 0; j < cols; ++j) m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = rows[i][j];
  return m;
}

}  // namespace io

inline stan_csv_file read_stan_csv_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw model_error("Stan CSV '" + path + "': cannot be opened for reading");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();

  stan_csv_file f;
  f.path = path;
  std::vector<std::vector<double>> warm, post;
  std::vector<double> values;
  enum class stage { header, warmup, adaptation, draws, footer } at = stage::header;
  bool dense_metric = false;
  std::vector<std::vector<double>> dense_rows, low_rank_columns;
  std::size_t pos = 0;
  long line_no = 0;
  while (pos < text.size()) {
    const auto nl = text.find('\n', pos);
    if (nl == std::string::npos) break;  // a last line without newline was cut off mid-write
    const std::string_view line = io::trim(std::string_view(text).substr(pos, nl - pos));
    pos = nl + 1;
    ++line_no;
    const auto where = [&] { return "Stan CSV '" + path + "' line " + std::to_string(line_no); };
    if (line.empty()) continue;
    if (line.front() == '#') {
      const std::string_view c = io::trim(line.substr(1));
      if (c.starts_with("exmc_status") || c.starts_with("exmc_message")) {
        const auto eq = c.find('=');
        const std::string value(eq == std::string_view::npos ? std::string_view{} : io::trim(c.substr(eq + 1)));
        (c.starts_with("exmc_status") ? f.status : f.message) = value;
      } else if (at == stage::header) {
        const auto eq = c.find('=');
        if (eq == std::string_view::npos) continue;
        std::string key(io::trim(c.substr(0, eq)));
        std::string value(io::trim(c.substr(eq + 1)));
        if (const auto d = value.find("(Default)"); d != std::string::npos) value = std::string(io::trim(std::string_view(value).substr(0, d)));
        f.config.emplace(std::move(key), std::move(value));
      } else if (c.starts_with("Adaptation terminated")) {
        at = stage::adaptation;
      } else if (c.starts_with("Elapsed Time")) {
        at = stage::footer;
        double v = 0.0;
        const auto colon = c.find(':'), sec = c.find("seconds");
        if (colon != std::string_view::npos && sec != std::string_view::npos && io::parse_number(c.substr(colon + 1, sec - colon - 1), v))
          f.warmup_seconds = v;
      } else if (at == stage::footer && c.find("(Sampling)") != std::string_view::npos) {
        double v = 0.0;
        if (io::parse_number(c.substr(0, c.find("seconds")), v)) f.sampling_seconds = v;
        f.complete = true;
      } else if (at == stage::adaptation) {
        if (c.starts_with("Step size")) {
          const auto eq = c.find('=');
          double v = 0.0;
          if (eq != std::string_view::npos && io::parse_number(c.substr(eq + 1), v)) f.step_size = v;
        } else if (c.starts_with("Diagonal elements")) {
          dense_metric = false;
        } else if (c.starts_with("Elements of inverse")) {
          dense_metric = true;
        } else if (c.starts_with("Low-rank ")) {
          const auto colon = c.find(':');
          if (colon != std::string_view::npos) {
            const std::string_view what = c.substr(9, colon - 9), rest = c.substr(colon + 1);
            if (!io::parse_numbers(rest, values)) values.clear();
            const Eigen::Map<const Eigen::VectorXd> v(values.data(), static_cast<Eigen::Index>(values.size()));
            if (what == "D") f.inv_metric_low_rank.diag = v;
            else if (what == "values") f.inv_metric_low_rank.values = v;
            else if (what == "vector") low_rank_columns.push_back(values);
          }
        } else if (io::parse_numbers(c, values)) {
          if (dense_metric) dense_rows.push_back(values);
          else f.inv_metric_diag = Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
        }
      }
      continue;
    }
    if (f.columns.empty()) {  // the first line that is not a comment names the columns
      std::string_view rest = line;
      while (true) {
        const auto comma = rest.find(',');
        f.columns.emplace_back(io::trim(rest.substr(0, comma)));
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
      for (std::size_t j = 0; j < f.columns.size(); ++j)
        for (std::size_t k = 0; k < j; ++k)
          if (f.columns[j] == f.columns[k])
            throw model_error(where() + ": column '" + f.columns[j] + "' appears twice (columns " + std::to_string(k + 1) +
                              " and " + std::to_string(j + 1) + ")");
      at = stage::warmup;
      continue;
    }
    if (!io::parse_numbers(line, values))
      throw model_error(where() + ": not a row of numbers: '" + std::string(line.substr(0, 80)) + "'");
    if (values.size() != f.columns.size())
      throw model_error(where() + ": " + std::to_string(values.size()) + " values, the header names " + std::to_string(f.columns.size()) + " columns");
    if (at == stage::adaptation) at = stage::draws;
    (at == stage::warmup ? warm : post).push_back(values);
  }
  if (f.columns.empty()) {
    if (f.status == "failed") return f;  // failed before its first draw: only the reason is there
    throw model_error("Stan CSV '" + path + "': no header line with the column names");
  }
  // Without save_warmup every row is a draw, even when the adaptation block is missing
  // (warmup = 0 in older files, or a file written by hand).
  const bool save_warmup = f.setting("save_warmup", 0) != 0;
  // With save_warmup but no adaptation block the run was cut off in warmup: all rows are warmup.
  if (!save_warmup) {
    warm.insert(warm.end(), post.begin(), post.end());
    post.swap(warm);
    warm.clear();
  }
  f.warmup = io::to_matrix(warm, f.columns.size());
  f.draws = io::to_matrix(post, f.columns.size());
  auto bad_metric = [&](const std::string& what) {
    throw model_error("read_stan_csv: '" + path + "': the adaptation block's " + what);
  };
  if (!dense_rows.empty()) {
    for (const auto& r : dense_rows)
      if (r.size() != dense_rows.size()) bad_metric("inverse mass matrix is not square");
    f.inv_metric_dense = io::to_matrix(dense_rows, dense_rows.size());
    f.inv_metric_diag = f.inv_metric_dense.diagonal();
  }
  low_rank_factors& lr = f.inv_metric_low_rank;
  for (const auto& c : low_rank_columns)
    if (c.size() != static_cast<std::size_t>(lr.diag.size())) bad_metric("low-rank vectors do not match its D");
  if (static_cast<Eigen::Index>(low_rank_columns.size()) != lr.values.size()) bad_metric("low-rank vectors do not match its values");
  lr.vectors = io::to_matrix(low_rank_columns, static_cast<std::size_t>(lr.diag.size())).transpose();
  return f;
}

// Several chains' files as one fit: posterior (names 0-based), sample_stats (the `__` columns),
// warmup draws when the files saved them, step sizes, inverse metrics and timings per chain.
// Chain k is the k-th file (counted from 1 in messages). All files must have the same columns,
// and complete files the same number of draws. A failed chain (exmc_status = failed) and a
// chain without draws contribute no draws but keep their status; a file without its footer or
// with exmc_status = stopped is a chain that stopped early (status `stopped`, with the reason).
// When no file holds draws the fit has no chains (chain_ids empty) and the statuses say why.
inline fit read_stan_csv(const std::vector<std::string>& paths) {
  if (paths.empty()) throw model_error("read_stan_csv: no files given");
  fit out;
  std::vector<Eigen::Index> stat_cols, post_cols;
  std::vector<std::string> first_columns;
  std::string first_path, complete_path;
  Eigen::Index complete_draws = -1;
  for (std::size_t c = 0; c < paths.size(); ++c) {
    const stan_csv_file f = read_stan_csv_file(paths[c]);
    const std::string label = "'" + f.path + "': ";
    chain_status s;
    if (f.status == "failed") {
      s.outcome = chain_outcome::failed;
      s.message = label + (f.message.empty() ? "the chain failed (no reason recorded)" : f.message);
    } else if (f.status == "stopped" || !f.complete) {
      s.outcome = chain_outcome::stopped;
      s.message = label + (!f.message.empty() ? f.message
                           : f.status == "stopped" ? std::string("the chain stopped early")
                                                   : std::string("no timing footer: the run was interrupted, killed or is still running"));
    }
    if (!f.columns.empty() && first_columns.empty()) {
      first_columns = f.columns;
      first_path = f.path;
      for (std::size_t j = 0; j < f.columns.size(); ++j) {
        const std::string& n = f.columns[j];
        const bool stat = n.size() > 2 && n.ends_with("__");
        (stat ? stat_cols : post_cols).push_back(static_cast<Eigen::Index>(j));
        (stat ? out.sample_stats.names : out.posterior.names).push_back(stat ? n : io::from_stan_name(n));
      }
      out.warmup_posterior.names = out.posterior.names;
      out.warmup_sample_stats.names = out.sample_stats.names;
      out.max_depth = static_cast<int>(f.setting("max_depth", 10));
      const auto m = f.config.find("metric");
      out.metric = m == f.config.end() || m->second == "diag_e" ? metric_kind::diag
                   : m->second == "dense_e"                     ? metric_kind::dense
                                                                : metric_kind::unit;
      if (f.config.count("exmc_metric") && f.config.at("exmc_metric") == "low_rank") out.metric = metric_kind::low_rank;
      out.adaptation = f.config.count("exmc_adaptation") && f.config.at("exmc_adaptation") == "gradient"
                           ? adaptation_kind::gradient : adaptation_kind::windowed;
    } else if (!f.columns.empty() && f.columns != first_columns) {
      throw model_error("read_stan_csv: '" + f.path + "' has other columns than '" + first_path + "'");
    }
    if (s.outcome == chain_outcome::ok && f.status != "failed") {
      if (complete_draws >= 0 && f.draws.rows() != complete_draws)
        throw model_error("read_stan_csv: '" + f.path + "' has " + std::to_string(f.draws.rows()) + " draws but '" +
                          complete_path + "' has " + std::to_string(complete_draws) +
                          "; complete files of one run have the same length (are they from different runs?)");
      complete_draws = f.draws.rows();
      complete_path = f.path;
    }
    const auto pick = [](const Eigen::MatrixXd& m, const std::vector<Eigen::Index>& cols) {
      Eigen::MatrixXd r(m.rows(), static_cast<Eigen::Index>(cols.size()));
      for (std::size_t j = 0; j < cols.size(); ++j) r.col(static_cast<Eigen::Index>(j)) = m.col(cols[j]);
      return r;
    };
    if (s.outcome != chain_outcome::failed && f.draws.rows() > 0) {
      out.posterior.chains.push_back(pick(f.draws, post_cols));
      out.sample_stats.chains.push_back(pick(f.draws, stat_cols));
      if (f.warmup.rows() > 0) {
        out.warmup_posterior.chains.push_back(pick(f.warmup, post_cols));
        out.warmup_sample_stats.chains.push_back(pick(f.warmup, stat_cols));
      }
      out.chain_ids.push_back(static_cast<int>(c));
      for (std::size_t j = 0; j < stat_cols.size(); ++j)
        if (out.sample_stats.names[j] == "divergent__")
          s.divergent = static_cast<std::size_t>((out.sample_stats.chains.back().col(static_cast<Eigen::Index>(j)).array() != 0.0).count());
    } else if (s.outcome == chain_outcome::ok) {
      s.outcome = chain_outcome::stopped;
      s.message = label + "the file holds no draws";
    }
    out.step_size.push_back(f.step_size);
    out.inv_metric_diag.push_back(f.inv_metric_diag);
    out.inv_metric_dense.push_back(f.inv_metric_dense);
    out.inv_metric_low_rank.push_back(f.inv_metric_low_rank);
    out.warmup_seconds.push_back(f.warmup_seconds);
    out.sampling_seconds.push_back(f.sampling_seconds);
    out.grad_evals_warmup.push_back(0);
    out.grad_evals_sampling.push_back(0);
    out.status.push_back(std::move(s));
  }
  if (out.warmup_posterior.chains.size() != out.posterior.chains.size()) {
    out.warmup_posterior.chains.clear();
    out.warmup_sample_stats.chains.clear();
  }
  return out;
}

}  // namespace exmc
