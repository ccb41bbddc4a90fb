#pragma once
// Stan CSV output as CmdStan writes it, one file per chain, streamed while sampling runs:
//
//   exmc::stan_csv_writer csv(options, {.path = "out.csv", .model = "eight_schools"});
//   options.callback = csv.callback();          // or exmc::callbacks({csv.callback(), ...})
//   exmc::fit f = exmc::sample(density, options);
//   csv.finish(f);                               // timing footer
//
// Files are written as `out_1.csv.partial` and renamed onto `out_1.csv` by finish() only when
// the run completed, so a failed or interrupted run never replaces earlier results
// (io/output_file.hpp). Layout (CmdStan 2.33): a `# key = value` configuration header, the column names (`lp__`,
// `accept_stat__`, `stepsize__`, `treedepth__`, `n_leapfrog__`, `divergent__`, `energy__`, then
// the quantities with Stan's 1-based names `theta.1`), the adaptation block after warmup
// (`# Adaptation terminated`, step size, inverse metric), one row per kept draw and the
// chain's status (`# exmc_status = ok`, `stopped` or `failed`, with `# exmc_message = why`)
// and the `Elapsed Time` footer. Every row is flushed as it is written, so a run that is killed
// keeps the draws it made in the .partial file (the footer is then missing, which the readers
// accept and report as an interrupted run).
#include <Eigen/Core>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "../core/error.hpp"
#include "../nuts/fit.hpp"
#include "../nuts/options.hpp"
#include "names.hpp"
#include "output_file.hpp"

namespace exmc {

struct stan_csv_options {
  std::string path{};               // "out.csv"; with several chains chain k goes to out_k.csv (1-based)
  std::string model = "exmc_model"; // recorded as `model = ...`
  std::string data{};               // data file name, recorded as `data file = ...`
  int sig_figs = -1;                // -1: shortest text that reads back bit-identical; else 1..18
};

namespace io {

// Shortest round-trip text of x (sig_figs < 0) or x to sig_figs significant digits; nan, inf
// and -inf as CmdStan writes them.
inline std::string format_number(double x, int sig_figs = -1) {
  char buf[64];
  const auto r = sig_figs < 0 ? std::to_chars(buf, buf + sizeof buf, x)
                              : std::to_chars(buf, buf + sizeof buf, x, std::chars_format::general, sig_figs);
  return std::string(buf, r.ptr);
}

// "out.csv", chain 2 of 4 -> "out_3.csv"; one chain keeps the name (CmdStan's convention).
inline std::string chain_path(const std::string& path, int chain, int chains) {
  if (chains == 1) return path;
  const auto slash = path.find_last_of('/');
  const auto dot = path.find_last_of('.');
  const bool has_ext = dot != std::string::npos && (slash == std::string::npos || dot > slash + 1);
  const std::string stem = has_ext ? path.substr(0, dot) : path;
  const std::string ext = has_ext ? path.substr(dot) : "";
  return stem + "_" + std::to_string(chain + 1) + ext;
}

}  // namespace io

class stan_csv_writer {
 public:
  // Checks the options and creates one `<name>.partial` file per chain with the configuration
  // header; throws model_error for bad options and io_error naming the file when one cannot be
  // created. Nothing is written at the final names until finish().
  stan_csv_writer(const sample_options& o, stan_csv_options w) : o_(o), w_(std::move(w)) {
    if (w_.path.empty()) throw model_error("stan_csv_writer: path is empty");
    if (w_.sig_figs == 0 || w_.sig_figs > 18) throw model_error("stan_csv_writer: sig_figs must be -1 or 1..18 (got " + std::to_string(w_.sig_figs) + ")");
    if (o_.chains < 1) throw model_error("stan_csv_writer: chains must be at least 1 (got " + std::to_string(o_.chains) + ")");
    for (int c = 0; c < o_.chains; ++c) {
      chain_file f;
      f.path = io::chain_path(w_.path, c, o_.chains);
      f.partial = io::partial_path(f.path);
      io::check_writable(f.path, "stan_csv_writer");
      files_.push_back(std::move(f));
    }
    for (int c = 0; c < o_.chains; ++c) {
      chain_file& f = files_[static_cast<std::size_t>(c)];
      f.file.reset(std::fopen(f.partial.c_str(), "wb"));
      if (!f.file) throw io_error("stan_csv_writer: cannot open '" + f.partial + "' for writing: " + std::strerror(errno));
      write(c, config_header(c));
    }
  }
  stan_csv_writer(const stan_csv_writer&) = delete;
  stan_csv_writer& operator=(const stan_csv_writer&) = delete;

  // Without finish() (an exception ended the run): files holding draws stay at `<name>.partial`,
  // the others are removed.
  ~stan_csv_writer() {
    if (finished_) return;
    for (auto& f : files_) {
      f.file.reset();
      std::error_code ec;
      if (f.rows == 0) std::filesystem::remove(f.partial, ec);
    }
  }

  // Where each chain's file is now: `<name>.partial` until finish() commits the run, the final
  // names after. Chains whose file was removed (they never started) are left out.
  std::vector<std::string> paths() const {
    std::vector<std::string> p;
    for (const auto& f : files_)
      if (!f.removed) p.push_back(committed_ ? f.path : f.partial);
    return p;
  }
  // The final names, out_1.csv ... (whether or not the run got there).
  std::vector<std::string> final_paths() const {
    std::vector<std::string> p;
    for (const auto& f : files_) p.push_back(f.path);
    return p;
  }
  bool committed() const { return committed_; }

  // The callback to give sample(); the writer must outlive the sampling run.
  draw_callback callback() {
    return [this](const draw_event& ev) { on_draw(ev); return true; };
  }

  // Ends every file with its chain's status (`# exmc_status = ok|stopped|failed`, and
  // `# exmc_message = why`) and the timing footer, and closes it. When the run completed (no
  // chain stopped early, at least one chain did not fail) the files are then renamed onto their
  // final names; otherwise they stay at `<name>.partial` and an earlier result at the final
  // names is kept. A chain that never started leaves no file. Returns committed().
  bool finish(const fit& f) {
    finished_ = true;
    bool complete = false, stopped = false;
    for (std::size_t c = 0; c < files_.size(); ++c) {
      const chain_outcome outcome = c < f.status.size() ? f.status[c].outcome : chain_outcome::stopped;
      complete = complete || outcome == chain_outcome::ok;
      stopped = stopped || outcome == chain_outcome::stopped;
    }
    complete = complete && !stopped;
    for (std::size_t c = 0; c < files_.size(); ++c) {
      chain_file& file = files_[c];
      if (!file.file) continue;
      chain_status st;
      if (c < f.status.size()) st = f.status[c];
      else st.outcome = chain_outcome::stopped, st.message = "no status recorded for this chain";
      if (!file.header_done && st.outcome != chain_outcome::failed) {  // never started
        file.file.reset();
        std::error_code ec;
        std::filesystem::remove(file.partial, ec);
        file.removed = true;
        continue;
      }
      std::string tail = "# exmc_status = " + std::string(to_string(st.outcome)) + "\n";
      if (!st.message.empty()) tail += "# exmc_message = " + one_line(st.message) + "\n";
      const double warm = c < f.warmup_seconds.size() ? f.warmup_seconds[c] : 0.0;
      const double samp = c < f.sampling_seconds.size() ? f.sampling_seconds[c] : 0.0;
      tail += "# \n#  Elapsed Time: " + seconds(warm) + " seconds (Warm-up)\n";
      tail += "#                " + seconds(samp) + " seconds (Sampling)\n";
      tail += "#                " + seconds(warm + samp) + " seconds (Total)\n# \n";
      write(static_cast<int>(c), tail);
      if (std::fclose(file.file.release()) != 0) throw io_error("stan_csv_writer: closing '" + file.partial + "' failed");
    }
    if (complete) {
      for (const auto& file : files_)
        if (!file.removed) io::commit(file.partial, file.path);
      committed_ = true;
    }
    return committed_;
  }

 private:
  struct closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  struct chain_file {
    std::string path, partial;
    std::unique_ptr<std::FILE, closer> file;
    bool header_done = false;
    bool adaptation_done = false;
    bool removed = false;
    long rows = 0;  // draw rows written (warmup included)
  };

  void on_draw(const draw_event& ev) {
    if (ev.chain < 0 || ev.chain >= static_cast<int>(files_.size())) return;
    chain_file& f = files_[static_cast<std::size_t>(ev.chain)];
    if (!f.file) return;
    std::string out;
    if (!f.header_done) {
      out += "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__";
      if (ev.names)
        for (const auto& n : *ev.names) out += "," + io::to_stan_name(n);
      out += '\n';
      f.header_done = true;
    }
    if (!ev.warmup && !f.adaptation_done) {
      out += adaptation_block(ev);
      f.adaptation_done = true;
    }
    const long phase = ev.warmup ? ev.iteration : ev.iteration - o_.warmup;
    if (phase % o_.thin == 0 && (!ev.warmup || o_.save_warmup)) {
      out += num(ev.lp) + "," + num(ev.accept_stat) + "," + num(ev.step_size) + "," + std::to_string(ev.treedepth) +
             "," + std::to_string(ev.n_leapfrog) + "," + (ev.divergent ? "1" : "0") + "," + num(ev.energy);
      for (double v : ev.values) out += "," + num(v);
      out += '\n';
      ++f.rows;
    }
    if (!out.empty()) write(ev.chain, out);
  }

  std::string adaptation_block(const draw_event& ev) const {
    std::string s = "# Adaptation terminated\n# Step size = " + num(ev.step_size) + "\n";
    if (o_.metric == metric_kind::unit) return s + "# No free parameters for unit metric\n";
    if (o_.metric == metric_kind::dense && ev.inv_metric_dense) {
      s += "# Elements of inverse mass matrix:\n";
      const Eigen::MatrixXd& m = *ev.inv_metric_dense;
      for (Eigen::Index i = 0; i < m.rows(); ++i) {
        s += "# ";
        for (Eigen::Index j = 0; j < m.cols(); ++j) s += (j ? ", " : "") + num(m(i, j));
        s += '\n';
      }
      return s;
    }
    s += "# Diagonal elements of inverse mass matrix:\n# ";
    if (ev.inv_metric_diag)
      for (Eigen::Index i = 0; i < ev.inv_metric_diag->size(); ++i) s += (i ? ", " : "") + num((*ev.inv_metric_diag)[i]);
    s += "\n";
    if (o_.metric == metric_kind::low_rank && ev.inv_metric_low_rank) {
      // exmc's low-rank metric, M^-1 = D^1/2 (I + U (Lambda - I) U') D^1/2; each line starts with a
      // word, so readers that take the line above as the diagonal are not misled.
      const low_rank_factors& f = *ev.inv_metric_low_rank;
      auto row = [&](const char* label, auto&& v) {
        s += std::string("# ") + label;
        for (Eigen::Index i = 0; i < v.size(); ++i) s += (i ? ", " : " ") + num(v[i]);
        s += '\n';
      };
      row("Low-rank D:", f.diag);
      row("Low-rank values:", f.values);
      for (Eigen::Index j = 0; j < f.vectors.cols(); ++j) row("Low-rank vector:", f.vectors.col(j));
    }
    return s;
  }

  std::string config_header(int chain) const {
    const sample_options& o = o_;
    const auto b = [](bool x) { return std::string(x ? "1" : "0"); };
    const auto d = [](bool is_default) { return std::string(is_default ? " (Default)" : ""); };
    // Stan knows no low-rank metric: its files say diag_e (the block below gives the full inverse
    // metric's diagonal) and exmc_metric says which it was; the low-rank parts follow the diagonal.
    const char* metric = o.metric == metric_kind::unit ? "unit_e" : o.metric == metric_kind::dense ? "dense_e" : "diag_e";
    const char* adaptation = o.adaptation == adaptation_kind::windowed ? "windowed"
                             : o.adaptation == adaptation_kind::gradient ? "gradient"
                             : o.metric == metric_kind::diag || o.metric == metric_kind::low_rank ? "gradient" : "windowed";
    std::string s;
    s += "# stan_version_major = 2\n# stan_version_minor = 33\n# stan_version_patch = 0\n";
    s += "# model = " + w_.model + "\n";
    s += "# method = sample (Default)\n#   sample\n";
    s += "#     num_samples = " + std::to_string(o.draws) + d(o.draws == 1000) + "\n";
    s += "#     num_warmup = " + std::to_string(o.warmup) + d(o.warmup == 1000) + "\n";
    s += "#     save_warmup = " + b(o.save_warmup) + d(!o.save_warmup) + "\n";
    s += "#     thin = " + std::to_string(o.thin) + d(o.thin == 1) + "\n";
    s += "#     adapt\n#       engaged = " + b(o.warmup > 0) + "\n";
    s += "#       gamma = 0.05 (Default)\n";
    s += "#       delta = " + num(o.target_accept) + d(o.target_accept == 0.8) + "\n";
    s += "#       kappa = 0.75 (Default)\n#       t0 = 10 (Default)\n";
    s += "#       init_buffer = 75 (Default)\n#       term_buffer = 50 (Default)\n#       window = 25 (Default)\n";
    s += "#       exmc_adaptation = " + std::string(adaptation) + "\n";
    s += "#     algorithm = hmc (Default)\n#       hmc\n#         engine = nuts (Default)\n#           nuts\n";
    s += "#             max_depth = " + std::to_string(o.max_depth) + d(o.max_depth == 10) + "\n";
    s += "#         metric = " + std::string(metric) + d(o.metric == metric_kind::low_rank) + "\n";
    s += "#         exmc_metric = " + std::string(to_string(o.metric)) + d(o.metric == metric_kind::low_rank) + "\n";
    s += "#         metric_file =  (Default)\n";
    s += "#         stepsize = " + num(o.step_size) + d(o.step_size == 1.0) + "\n";
    s += "#         stepsize_jitter = 0 (Default)\n";
    s += "#     num_chains = " + std::to_string(o.chains) + "\n";
    s += "# id = " + std::to_string(chain + 1) + "\n";
    s += "# data\n#   file = " + w_.data + "\n";
    s += "# init = " + num(o.init_radius) + d(o.init_radius == 2.0) + "\n";
    s += "# random\n#   seed = " + std::to_string(o.seed) + "\n";
    s += "# output\n#   file = " + io::chain_path(w_.path, chain, o.chains) + "\n";
    s += "#   diagnostic_file =  (Default)\n#   refresh = 100 (Default)\n";
    s += "#   sig_figs = " + std::to_string(w_.sig_figs) + d(w_.sig_figs == -1) + "\n";
    s += "# num_threads = " + std::to_string(o.threads) + "\n";
    s += "# exmc_version = 0.1.0\n";
    return s;
  }

  void write(int chain, const std::string& text) {
    chain_file& f = files_[static_cast<std::size_t>(chain)];
    if (std::fwrite(text.data(), 1, text.size(), f.file.get()) != text.size() || std::fflush(f.file.get()) != 0)
      throw io_error("stan_csv_writer: cannot write to '" + f.partial + "': " + std::strerror(errno));
  }

  std::string num(double x) const { return io::format_number(x, w_.sig_figs); }
  // Fixed point: rstan reads the footer by deleting everything but digits and dots.
  static std::string seconds(double s) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, s, std::chars_format::fixed, 3);
    return std::string(buf, r.ptr);
  }
  static std::string one_line(std::string m) {
    for (char& c : m)
      if (c == '\n' || c == '\r') c = ' ';
    return m;
  }

  sample_options o_;
  stan_csv_options w_;
  std::vector<chain_file> files_;
  bool finished_ = false, committed_ = false;
};

}  // namespace exmc
