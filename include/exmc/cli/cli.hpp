#pragma once
// A CmdStan-like command line for a model written in C++:
//
//   auto make(const exmc::data_file& d) { ... return exmc::model(...); }   // or any LogDensity
//   int main(int argc, char** argv) { return exmc::cli::run(make, argc, argv); }
//   // or simply: EXMC_MAIN(make)
//
//   ./eight_schools sample --data data.json --chains 4 --warmup 1000 --draws 1000 --seed 1
//                          --output out.csv --netcdf out.nc
//   ./eight_schools summary out_1.csv out_2.csv out_3.csv out_4.csv
//   ./eight_schools diagnose out_*.csv
//   ./eight_schools report out_*.csv -o report.html        # plots in one self-contained HTML file
//
// Exit status (docs/cli.md): 0 success; 1 the run failed (every chain failed, a file could not
// be written); 2 bad command line, options or data (the message names the culprit); 3 results
// incomplete (a chain failed or stopped early; summary/diagnose of such files); 128 + signal
// when SIGINT (130) or SIGTERM (143) interrupted sampling. --netcdf needs <exmc/io/netcdf.hpp>
// included before this header and -lnetcdf; --dashboard PORT (a live web page of the run) needs
// <exmc/dashboard/dashboard.hpp> included before it and exmc::dashboard.
//
// Top layer: may include everything.
#include <CLI/CLI.hpp>
#include <signal.h>

#include <atomic>
#include <concepts>
#include <new>
#include <iostream>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "../core/error.hpp"
#include "../core/log_density.hpp"
#include "../dashboard/report.hpp"
#include "../diagnostics/diagnostics.hpp"
#include "../io/callbacks.hpp"
#include "../io/cmdstan_json.hpp"
#include "../io/output_file.hpp"
#include "../io/progress.hpp"
#include "../io/stan_csv_reader.hpp"
#include "../io/stan_csv_writer.hpp"
#include "../model/compiled.hpp"
#include "../nuts/sample.hpp"
#include "../optimize/laplace.hpp"
#include "../optimize/optimize.hpp"
#include "../predictive/predictive.hpp"
#include "../variational/advi.hpp"
#include "../variational/pathfinder.hpp"
#include <fstream>

namespace exmc::cli {

// What the sample subcommand was asked for.
struct sample_request {
  sample_options options;
  std::string data;
  std::string output = "output.csv";
  std::string netcdf;
  std::string progress = "auto";
  std::string init;  // a JSON file of initial values by name, or a number (the init radius)
  int sig_figs = -1;
  bool quiet = false;
  int dashboard = -1;                    // --dashboard PORT (-1: none)
  std::string dashboard_host = "127.0.0.1";
  double dashboard_linger = 0.0;
};

// Exit statuses (docs/cli.md).
enum exit_status : int {
  exit_ok = 0,
  exit_failed = 1,      // nothing usable: every chain failed, or a file could not be written
  exit_usage = 2,       // bad command line, options or data
  exit_incomplete = 3,  // a chain failed or stopped early; the results are partial
};

namespace detail {

// The factory's result as a log density: a DSL model is compiled (with `terms`), a density is
// used as is (then only the default terms can be asked for).
// The factory's model from the data, with a failure that comes from a size read from the data
// (a negative size, or one too large to allocate) traced back to the data's integer fields.
template <class Factory>
auto make_model(Factory& make, const data_file& data) {
  const auto integer_fields = [&](auto keep) {
    std::string s;
    for (const auto& [name, value] : data.integer_scalars())
      if (keep(value)) s += (s.empty() ? "" : ", ") + name + " = " + std::to_string(value);
    return s;
  };
  try {
    return make(data);
  } catch (const std::bad_alloc&) {
    const std::string big = integer_fields([](long long v) { return v >= 1'000'000; });
    throw model_error("data file '" + data.source() + "': building the model ran out of memory" +
                      (big.empty() ? std::string() : "; sizes read from the data: " + big + " (is one of them wrong?)"));
  } catch (const std::length_error& e) {
    throw model_error("data file '" + data.source() + "': a size read from the data is too large (" + e.what() +
                      "); integer fields: " + integer_fields([](long long) { return true; }));
  } catch (const model_error& e) {
    const std::string bad = integer_fields([](long long v) { return v < 1; });
    if (bad.empty() || std::string_view(e.what()).find("size") == std::string_view::npos) throw;
    throw model_error(std::string(e.what()) + " (data file '" + data.source() + "' gives " + bad + ")");
  }
}

template <class Factory>
auto load_density(Factory& make, const data_file& data, const compile_options& terms = {}) {
  using made = std::decay_t<std::invoke_result_t<Factory&, const data_file&>>;
  if constexpr (LogDensity<made>) {
    if (!terms.jacobian || !terms.priors)
      throw model_error("--jacobian / --mle need a DSL model; this program's factory returns a hand-written density");
    return make_model(make, data);
  } else {
    static_assert(requires(const made& m) { compile<double>(m); },
                  "exmc::cli::run: the model factory must return an exmc::model(...) or a type meeting exmc::LogDensity");
    try {
      return compile<double>(make_model(make, data), terms);
    } catch (const std::bad_alloc&) {
      throw model_error("data file '" + data.source() + "': compiling the model ran out of memory; check the sizes in the data");
    }
  }
}

inline data_file read_data(const std::string& path) {
  return path.empty() ? data_file::parse("{}", "<no --data given>") : data_file::from_file(path);
}

inline progress_mode parse_progress(const std::string& s) {
  if (s == "terminal") return progress_mode::terminal;
  if (s == "plain") return progress_mode::plain;
  if (s == "none") return progress_mode::silent;
  return progress_mode::automatic;
}

// Draws of a method other than NUTS as CSV: Stan's names (theta.1), one row per draw. Written to
// `<path>.partial` and renamed onto `path` when complete (io/output_file.hpp).
inline void write_draws_csv(const std::string& path, const draws& d, int sig_figs) {
  const std::string partial = io::partial_path(path);
  {
    std::ofstream f(partial);
    if (!f) throw io_error("cannot write '" + partial + "'");
    f.precision(sig_figs > 0 ? sig_figs : 17);
    for (std::size_t k = 0; k < d.names.size(); ++k) f << (k ? "," : "") << io::to_stan_name(d.names[k]);
    f << "\n";
    for (const auto& chain : d.chains)
      for (Eigen::Index r = 0; r < chain.rows(); ++r) {
        for (Eigen::Index k = 0; k < chain.cols(); ++k) f << (k ? "," : "") << chain(r, k);
        f << "\n";
      }
    f.close();
    if (!f) throw io_error("writing '" + partial + "' failed");
  }
  io::commit(partial, path);
}

// Where the draws went: the final names, or the .partial files of a run that did not complete.
inline void report_files(std::ostream& os, const stan_csv_writer& csv) {
  const auto paths = csv.paths();
  if (csv.committed()) {
    os << "Draws written to";
    for (const auto& p : paths) os << " " << p;
    os << "\n";
    return;
  }
  os << "The run did not complete: ";
  if (paths.empty()) {
    os << "no draws were written";
  } else {
    os << "what it drew is in";
    for (const auto& p : paths) os << " " << p;
  }
  os << "; any earlier results at";
  for (const auto& p : csv.final_paths()) os << " " << p;
  os << " were left as they were\n";
}

// What optimize / variational / pathfinder were asked for.
struct approx_request {
  std::string data, output;
  std::uint64_t seed = 0;
  bool jacobian = false, mle = false;  // optimize
  std::string algorithm = "meanfield";  // variational
  int draws = 1000, paths = 4;
  int sig_figs = -1;
};

template <class Factory>
int optimize_command(Factory& make, const approx_request& r, std::ostream& out, std::ostream& err) {
  auto density = load_density(make, read_data(r.data), compile_options{.jacobian = r.jacobian, .priors = !r.mle});
  if (!r.output.empty()) io::check_writable(r.output, "--output");
  optimize_options o;
  o.seed = r.seed;
  const optimize_result m = optimize(density, o);
  out << (r.mle ? "maximum likelihood" : r.jacobian ? "mode in unconstrained space" : "posterior mode (MAP)") << ": "
      << m.message << ", " << m.iterations << " iterations, log density " << m.lp << "\n";
  for (std::size_t k = 0; k < m.names.size(); ++k) out << "  " << m.names[k] << " = " << m.values[static_cast<Eigen::Index>(k)] << "\n";
  if (!r.output.empty()) {
    draws d;
    d.names = m.names;
    d.chains.push_back(m.values.transpose());
    write_draws_csv(r.output, d, r.sig_figs);
  }
  if (!m.converged()) {
    err << "error: " << m.message << "\n";
    return 1;
  }
  return 0;
}

// One line on how far an approximation can be trusted, from its Pareto k (Yao et al. 2018).
inline std::string pareto_k_verdict(double k) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", k);
  if (std::isnan(k)) return "Pareto k not estimated (fewer than 25 draws)";
  if (k == -std::numeric_limits<double>::infinity()) return "Pareto k -inf: all importance ratios equal, the approximation is exact";
  if (k <= 0.5) return std::string("Pareto k ") + buf + ": the approximation is close to the posterior";
  // Yao et al.: between 0.5 and 0.7 only importance-reweighted (PSIS) estimates are reliable;
  // the draws printed here are the approximation's own.
  if (k <= 0.7)
    return std::string("WARNING: Pareto k ") + buf +
           " > 0.5: these draws are the approximation's, not the posterior's; do not trust their means or intervals "
           "(only PSIS-reweighted estimates are usable; sample with NUTS)";
  return std::string("WARNING: Pareto k ") + buf +
         " > 0.7: the approximation is far from the posterior; do not trust its means or intervals (sample with NUTS)";
}

template <class Factory>
int approx_command(Factory& make, const approx_request& r, const std::string& method, std::ostream& out, std::ostream& err) {
  auto density = load_density(make, read_data(r.data));
  if (!r.output.empty()) io::check_writable(r.output, "--output");
  draws d;
  double k = 0.0;
  if (method == "pathfinder") {
    pathfinder_options o;
    o.seed = r.seed;
    o.paths = r.paths;
    o.draws = r.draws;
    const pathfinder_result p = pathfinder(density, o);
    out << "pathfinder: " << r.paths << " paths, " << p.grad_evals << " gradients\n";
    d = p.posterior;
    k = p.pareto_k;
  } else if (method == "laplace") {
    laplace_options o;
    o.seed = r.seed;
    o.draws = r.draws;
    const optimize_result mode = optimize(density, o);
    if (!mode.converged()) {
      err << "error: laplace: no mode to approximate around: " << mode.message << "\n";
      return exit_failed;
    }
    const laplace_result l = laplace(density, mode, o);
    out << "laplace: normal at the mode in unconstrained space, log density " << mode.lp << "\n";
    d = l.posterior;
    k = l.pareto_k;
  } else {
    advi_options o;
    o.seed = r.seed;
    o.family = r.algorithm == "fullrank" ? advi_family::fullrank : advi_family::meanfield;
    o.output_draws = r.draws;
    const advi_fit f = advi(density, o);
    out << "advi (" << r.algorithm << "): " << f.message << "\n";
    d = f.posterior;
    k = f.pareto_k;
  }
  const std::string verdict = pareto_k_verdict(k);
  out << verdict << "\n" << summary(d) << "\n";
  if (verdict.starts_with("WARNING")) err << verdict << "\n";
  if (!r.output.empty()) write_draws_csv(r.output, d, r.sig_figs);
  return exit_ok;
}

// SIGINT and SIGTERM during sampling: the first one asks every chain to stop after its current
// iteration (the files then say why); a second one ends the program at once (SA_RESETHAND).
inline std::atomic<int>& interrupt_signal() {
  static std::atomic<int> sig{0};
  return sig;
}
inline void on_interrupt(int sig) { interrupt_signal().store(sig); }

class interrupt_guard {
 public:
  interrupt_guard() {
    interrupt_signal().store(0);
    struct sigaction a{};
    a.sa_handler = on_interrupt;
    sigemptyset(&a.sa_mask);
    a.sa_flags = SA_RESETHAND;
    ::sigaction(SIGINT, &a, &old_int_);
    ::sigaction(SIGTERM, &a, &old_term_);
  }
  ~interrupt_guard() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
  }
  interrupt_guard(const interrupt_guard&) = delete;
  interrupt_guard& operator=(const interrupt_guard&) = delete;
  int signal() const { return interrupt_signal().load(); }
  static draw_callback callback() {
    return [](const draw_event&) { return interrupt_signal().load(std::memory_order_relaxed) == 0; };
  }
  static std::string name(int sig) { return sig == SIGINT ? "SIGINT (Ctrl-C)" : sig == SIGTERM ? "SIGTERM" : "signal " + std::to_string(sig); }

 private:
  struct sigaction old_int_{}, old_term_{};
};

// A data field as a flat vector: a scalar or an array as it is, a matrix row after row.
inline Eigen::VectorXd flat_values(const data_file& file, const std::string& name) {
  try {
    return file.vector(name);
  } catch (const model_error&) {  // not a scalar or a flat array
    const Eigen::MatrixXd m = file.matrix(name);
    Eigen::VectorXd v(m.size());
    for (Eigen::Index i = 0, k = 0; i < m.rows(); ++i)
      for (Eigen::Index j = 0; j < m.cols(); ++j) v[k++] = m(i, j);
    return v;
  }
}

// Initial values: a JSON file (CmdStan's init file, values by name on the constrained scale;
// matrices as arrays of rows) or a number, the radius of uniform initial values.
inline void apply_init(const std::string& init, sample_options& o) {
  if (init.empty()) return;
  double radius = 0.0;
  if (io::parse_number(init, radius)) {
    o.init_radius = radius;
    return;
  }
  const data_file file = data_file::from_file(init);
  for (const auto& name : file.names()) o.init[name] = flat_values(file, name);
}

// Complete: no chain stopped early and at least one has draws (the rule of stan_csv_writer).
inline bool run_complete(const fit& f) {
  for (const auto& s : f.status)
    if (s.outcome == chain_outcome::stopped) return false;
  return !f.chain_ids.empty();
}

#ifdef EXMC_HAS_NETCDF
// The fit as InferenceData, with observed_data (the data file's fields named like the model's
// observed nodes) and log_likelihood (pointwise, for loo) when the model is a DSL model and
// every quantity was kept.
template <class Density>
inference_data netcdf_groups(const Density& density, const data_file& data, const fit& f, const sample_options& o) {
  inference_data d = to_inference_data(f);
  if constexpr (PredictiveModel<Density>) {
    for (const auto& [name, size] : density.observed()) {
      if (data.contains(name)) d.observed_data.emplace_back(name, flat_values(data, name));
    }
    if (o.keep.empty() && !f.chain_ids.empty()) d.log_likelihood = log_likelihood(density, f.posterior, o.threads);
  }
  return d;
}
#endif

template <class Factory>
int sample_command(Factory& make, const std::string& program, const sample_request& r, std::ostream& out, std::ostream& err) {
  const data_file data = read_data(r.data);
  auto density = load_density(make, data);
  sample_options o = r.options;
  // Everything is checked before any file is touched: a typo must not cost the last run's results.
  apply_init(r.init, o);
  if (o.draws < 1) throw model_error("sample: --draws must be at least 1 (got " + std::to_string(o.draws) + ")");
  check_options(density, o);
  if (r.sig_figs == 0 || r.sig_figs < -1 || r.sig_figs > 18)
    throw model_error("sample: --sig-figs must be -1 or 1..18 (got " + std::to_string(r.sig_figs) + ")");
  if (!r.netcdf.empty()) io::check_writable(r.netcdf, "--netcdf");
  std::optional<stan_csv_writer> csv;
  if (!r.output.empty()) {
    std::string model = program.substr(program.find_last_of('/') + 1);
    csv.emplace(o, stan_csv_options{.path = r.output, .model = model, .data = r.data, .sig_figs = r.sig_figs});
  }
  progress_display progress(o, {.mode = parse_progress(r.progress), .out = &err});
  interrupt_guard interrupt;
  o.callback = callbacks({progress.callback(), csv ? csv->callback() : draw_callback{}, interrupt_guard::callback()});
#ifdef EXMC_HAS_DASHBOARD
  std::optional<dashboard> live;
  if (r.dashboard >= 0) {
    live.emplace(o, dashboard_options{.port = r.dashboard, .host = r.dashboard_host, .allow_remote = !dash::is_loopback(r.dashboard_host),
                                      .title = program.substr(program.find_last_of('/') + 1), .log = &err});
    live->attach(o);
  }
#endif
  fit f = sample(density, o);
  const int sig = interrupt.signal();
  if (sig != 0)
    for (auto& s : f.status) {
      const auto at = s.message.find("a callback asked to stop");
      if (at != std::string::npos) s.message.replace(at, std::string::npos, "interrupted by " + interrupt_guard::name(sig));
    }
#ifdef EXMC_HAS_DASHBOARD
  if (live) live->finish(f);
#endif
  progress.finish(f);
  if (csv) csv->finish(f);
#ifdef EXMC_HAS_NETCDF
  // An incomplete run's NetCDF goes to <file>.partial, like its CSV files.
  if (!r.netcdf.empty() && !f.chain_ids.empty())
    write_netcdf(run_complete(f) ? r.netcdf : io::partial_path(r.netcdf), netcdf_groups(density, data, f, o));
#endif
  for (const auto& s : f.status)
    if (!s.message.empty()) err << s.message << "\n";
  if (f.chain_ids.empty()) {
    err << "error: every chain failed\n";
    if (csv) report_files(err, *csv);
    return exit_failed;
  }
  if (!r.quiet) {
    out << summary(f, true) << "\n" << diagnose(f).verdict() << "\n";
    if (csv && csv->committed()) report_files(out, *csv);
  }
  if (csv && !csv->committed()) report_files(err, *csv);
#ifdef EXMC_HAS_DASHBOARD
  if (live && r.dashboard_linger > 0 && sig == 0) live->linger(r.dashboard_linger);
#endif
  if (sig != 0) {
    err << "error: interrupted by " << interrupt_guard::name(sig) << "\n";
    return 128 + sig;
  }
  return f.all_ok() ? exit_ok : exit_incomplete;
}

// summary / diagnose / report of Stan CSV files: an incomplete set of files says so first, loudly.
struct files_request {
  enum class action { summary, diagnose, report } what = action::diagnose;
  int sig_figs = 3;
  std::string report_path = "report.html";
  std::string title;
};
inline int files_command(const std::vector<std::string>& files, const files_request& q, std::ostream& out, std::ostream& err) {
  const fit f = read_stan_csv(files);
  for (const auto& s : f.status)
    if (!s.message.empty()) err << s.message << "\n";
  if (f.chain_ids.empty()) {
    err << "error: no file holds any draws\n";
    return exit_failed;
  }
  if (q.what == files_request::action::summary) {
    if (!f.all_ok()) {
      out << "WARNING: these files are not a complete run (see the messages above); the summary uses the "
          << f.posterior.num_chains() << " chains with draws, cut to the shortest (" << f.posterior.num_draws()
          << " draws each).\n";
    }
    print(out, summary(f, true), q.sig_figs);
  } else if (q.what == files_request::action::report) {
    write_report(f, q.report_path, {.title = q.title});
    out << "report written to " << q.report_path << "\n";
  } else {
    out << diagnose(f).verdict() << "\n";
  }
  return f.all_ok() ? exit_ok : exit_incomplete;
}

template <class Factory>
int describe_command(Factory& make, const std::string& data_path, std::ostream& out) {
  const data_file data = read_data(data_path);
  const auto density = load_density(make, data);
  if constexpr (requires { density.describe(); }) {
    out << density.describe();
  } else {
    out << "hand-written density: dim " << density.dim() << "\n";
    if constexpr (ConstrainedLogDensity<std::decay_t<decltype(density)>>) {
      out << "  quantities:";
      for (const auto& n : density.param_names()) out << " " << n;
      out << "\n";
    }
  }
  return exit_ok;
}

}  // namespace detail

template <class Factory>
  requires std::invocable<Factory&, const data_file&>
int run(Factory&& make, int argc, const char* const* argv, std::ostream& out = std::cout, std::ostream& err = std::cerr) {
  const std::string program = argc > 0 ? argv[0] : "model";
  CLI::App app{"Bayesian inference for this model with exmc (NUTS, Stan CSV and NetCDF output).", program};
  app.require_subcommand(1);
  app.set_version_flag("--version", "exmc 0.1.0");

  sample_request r;
  sample_options& o = r.options;
  CLI::App* s = app.add_subcommand("sample", "Draw from the posterior with NUTS");
  std::string metric = "low_rank", adaptation = "auto";
  s->add_option("--data", r.data, "CmdStan JSON data file")->check(CLI::ExistingFile);
  s->add_option("--chains", o.chains, "Number of chains")->capture_default_str();
  s->add_option("--warmup", o.warmup, "Warmup iterations per chain")->capture_default_str();
  s->add_option("--draws", o.draws, "Draws per chain after warmup")->capture_default_str();
  s->add_option("--seed", o.seed, "Random seed, 0 .. 2^64-1 (same seed, same draws)")->check(CLI::NonNegativeNumber)->capture_default_str();
  s->add_option("--thin", o.thin, "Keep every n-th draw")->capture_default_str();
  s->add_option("--target-accept", o.target_accept, "Target acceptance statistic (Stan's adapt delta)")->capture_default_str();
  s->add_option("--max-depth", o.max_depth, "Maximum tree depth")->capture_default_str();
  s->add_option("--metric", metric, "unit, diag, dense or low_rank")
      ->check(CLI::IsMember({"unit", "diag", "dense", "low_rank"}))->capture_default_str();
  s->add_option("--adaptation", adaptation, "auto, windowed or gradient")
      ->check(CLI::IsMember({"auto", "windowed", "gradient"}))->capture_default_str();
  s->add_option("--threads", o.threads, "Worker threads (0: one per core)")->capture_default_str();
  s->add_option("--init", r.init, "JSON file of initial values by name (constrained), or a number: the init radius");
  s->add_option("--init-radius", o.init_radius, "Initial values uniform in (-r, r), unconstrained")->capture_default_str();
  s->add_option("--keep", o.keep, "Keep only these quantities (e.g. mu theta, or theta[0])");
  s->add_flag("--save-warmup", o.save_warmup, "Also write warmup draws");
  s->add_option("--output,-o", r.output, "Stan CSV file; with several chains out_1.csv, out_2.csv, ... ('' for none)")->capture_default_str();
  s->add_option("--netcdf", r.netcdf, "Also write ArviZ InferenceData as NetCDF-4 to this file");
  s->add_option("--sig-figs", r.sig_figs, "Significant digits in the CSV (-1: exact)")->capture_default_str();
  s->add_option("--progress", r.progress, "Progress on stderr: auto, terminal, plain or none")
      ->check(CLI::IsMember({"auto", "terminal", "plain", "none"}))->capture_default_str();
  s->add_flag("--quiet,-q", r.quiet, "Do not print the summary");
  s->add_option("--dashboard", r.dashboard, "Serve a live web page of the run on this port (0: any free port)")->check(CLI::Range(0, 65535));
  s->add_option("--dashboard-host", r.dashboard_host, "Address the page is served on (not 127.0.0.1: visible to other machines)")->capture_default_str();
  s->add_option("--dashboard-linger", r.dashboard_linger, "Seconds to keep serving the page after the run")->check(CLI::NonNegativeNumber);

  std::vector<std::string> files;
  CLI::App* sum = app.add_subcommand("summary", "Posterior summary of Stan CSV files (one per chain)");
  sum->add_option("files", files, "Stan CSV files")->required()->check(CLI::ExistingFile);
  int sig = 3;
  sum->add_option("--sig-figs", sig, "Significant digits shown")->check(CLI::Range(1, 15))->capture_default_str();
  CLI::App* diag = app.add_subcommand("diagnose", "Sampler and convergence checks of Stan CSV files");
  diag->add_option("files", files, "Stan CSV files")->required()->check(CLI::ExistingFile);
  CLI::App* rep = app.add_subcommand("report", "Plots of Stan CSV files in one self-contained HTML file");
  rep->add_option("files", files, "Stan CSV files")->required()->check(CLI::ExistingFile);
  std::string report_path = "report.html";
  rep->add_option("--output,-o", report_path, "HTML file to write")->capture_default_str();
  std::string describe_data;
  CLI::App* desc = app.add_subcommand("describe", "Print the model: parameters, sizes, transforms, priors, likelihood");
  desc->add_option("--data", describe_data, "CmdStan JSON data file")->check(CLI::ExistingFile);

  detail::approx_request a;
  CLI::App* opt = app.add_subcommand("optimize", "Posterior mode (MAP) or maximum likelihood by L-BFGS");
  CLI::App* vi = app.add_subcommand("variational", "ADVI: a Gaussian approximation of the posterior");
  CLI::App* pf = app.add_subcommand("pathfinder", "Pathfinder: L-BFGS paths, importance-resampled draws");
  CLI::App* lp = app.add_subcommand("laplace", "Laplace approximation: a normal at the mode (unconstrained space)");
  for (CLI::App* c : {opt, vi, pf, lp}) {
    c->add_option("--data", a.data, "CmdStan JSON data file")->check(CLI::ExistingFile);
    c->add_option("--seed", a.seed, "Random seed")->check(CLI::NonNegativeNumber)->capture_default_str();
    c->add_option("--output,-o", a.output, "CSV file for the result (Stan's names)");
    c->add_option("--sig-figs", a.sig_figs, "Significant digits in the CSV (-1: exact)")->capture_default_str();
  }
  opt->add_flag("--jacobian", a.jacobian, "Keep the transforms' Jacobian: the mode in unconstrained space");
  opt->add_flag("--mle", a.mle, "Drop the priors and the Jacobian: maximum likelihood");
  vi->add_option("--algorithm", a.algorithm, "meanfield or fullrank")->check(CLI::IsMember({"meanfield", "fullrank"}))->capture_default_str();
  for (CLI::App* c : {vi, pf, lp}) c->add_option("--draws", a.draws, "Approximate draws to return")->check(CLI::PositiveNumber)->capture_default_str();
  pf->add_option("--paths", a.paths, "Independent L-BFGS paths")->check(CLI::PositiveNumber)->capture_default_str();

  // A first word that is no subcommand is named, with the list (CLI11 would only say that a
  // subcommand is required).
  if (argc > 1 && argv[1][0] != '-') {
    const std::string word = argv[1];
    std::string names;
    bool known = false;
    for (const CLI::App* c : app.get_subcommands({})) {
      known = known || c->get_name() == word;
      names += (names.empty() ? "" : ", ") + c->get_name();
    }
    if (!known) {
      err << "error: unknown subcommand '" << word << "'; the subcommands are " << names << " (--help for more)\n";
      return exit_usage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return code == 0 ? 0 : exit_usage;  // --help and --version succeed; every other parse error is usage
  }
  o.metric = metric == "unit"       ? metric_kind::unit
             : metric == "dense"    ? metric_kind::dense
             : metric == "low_rank" ? metric_kind::low_rank
                                    : metric_kind::diag;
  o.adaptation = adaptation == "windowed" ? adaptation_kind::windowed
                 : adaptation == "gradient" ? adaptation_kind::gradient
                                            : adaptation_kind::automatic;
#ifndef EXMC_HAS_DASHBOARD
  if (r.dashboard >= 0) {
    err << "error: --dashboard: this program was built without the dashboard (include <exmc/dashboard/dashboard.hpp> "
           "before <exmc/cli/cli.hpp> and link exmc::dashboard)\n";
    return exit_usage;
  }
#endif
#ifndef EXMC_HAS_NETCDF
  if (!r.netcdf.empty()) {
    err << "error: --netcdf: this program was built without NetCDF support (include <exmc/io/netcdf.hpp> before "
           "<exmc/cli/cli.hpp> and link -lnetcdf)\n";
    return exit_usage;
  }
#endif
  try {
    if (s->parsed()) return detail::sample_command(make, program, r, out, err);
    if (opt->parsed()) return detail::optimize_command(make, a, out, err);
    if (vi->parsed() || pf->parsed() || lp->parsed())
      return detail::approx_command(make, a, pf->parsed() ? "pathfinder" : lp->parsed() ? "laplace" : "variational", out, err);
    if (desc->parsed()) return detail::describe_command(make, describe_data, out);
    using action = detail::files_request::action;
    return detail::files_command(files,
                                 {.what = sum->parsed() ? action::summary : rep->parsed() ? action::report : action::diagnose,
                                  .sig_figs = sig,
                                  .report_path = report_path,
                                  .title = program.substr(program.find_last_of('/') + 1)},
                                 out, err);
  } catch (const model_error& e) {
    err << "error: " << e.what() << "\n";
    return exit_usage;
  } catch (const std::exception& e) {
    err << "error: " << e.what() << "\n";
    return exit_failed;
  }
}

}  // namespace exmc::cli

// int main(argc, argv) running exmc::cli::run on a model factory.
#define EXMC_MAIN(factory) \
  int main(int argc, char** argv) { return ::exmc::cli::run(factory, argc, argv); }
