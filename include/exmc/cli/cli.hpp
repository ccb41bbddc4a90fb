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
// Exit status: 0 success, 1 the run failed (every chain failed, a file could not be written),
// 2 bad command line, options or data (the message names the culprit). --netcdf needs
// <exmc/io/netcdf.hpp> included before this header and -lnetcdf; --dashboard PORT (a live web
// page of the run) needs <exmc/dashboard/dashboard.hpp> included before it and exmc::dashboard.
//
// Top layer: may include everything.
#include <CLI/CLI.hpp>

#include <concepts>
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
#include "../io/progress.hpp"
#include "../io/stan_csv_reader.hpp"
#include "../io/stan_csv_writer.hpp"
#include "../model/compiled.hpp"
#include "../nuts/sample.hpp"
#include "../optimize/optimize.hpp"
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
  int sig_figs = -1;
  bool quiet = false;
  int dashboard = -1;                    // --dashboard PORT (-1: none)
  std::string dashboard_host = "127.0.0.1";
  double dashboard_linger = 0.0;
};

namespace detail {

// The factory's result as a log density: a DSL model is compiled (with `terms`), a density is
// used as is (then only the default terms can be asked for).
template <class Factory>
auto load_density(Factory& make, const data_file& data, const compile_options& terms = {}) {
  using made = std::decay_t<std::invoke_result_t<Factory&, const data_file&>>;
  if constexpr (LogDensity<made>) {
    if (!terms.jacobian || !terms.priors)
      throw model_error("--jacobian / --mle need a DSL model; this program's factory returns a hand-written density");
    return make(data);
  } else {
    static_assert(requires(const made& m) { compile<double>(m); },
                  "exmc::cli::run: the model factory must return an exmc::model(...) or a type meeting exmc::LogDensity");
    return compile<double>(make(data), terms);
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

// Draws of a method other than NUTS as CSV: Stan's names (theta.1), one row per draw.
inline void write_draws_csv(const std::string& path, const draws& d, int sig_figs) {
  std::ofstream f(path);
  if (!f) throw std::runtime_error("cannot write '" + path + "'");
  f.precision(sig_figs > 0 ? sig_figs : 17);
  for (std::size_t k = 0; k < d.names.size(); ++k) f << (k ? "," : "") << io::to_stan_name(d.names[k]);
  f << "\n";
  for (const auto& chain : d.chains)
    for (Eigen::Index r = 0; r < chain.rows(); ++r) {
      for (Eigen::Index k = 0; k < chain.cols(); ++k) f << (k ? "," : "") << chain(r, k);
      f << "\n";
    }
  if (!f) throw std::runtime_error("writing '" + path + "' failed");
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

template <class Factory>
int approx_command(Factory& make, const approx_request& r, bool use_pathfinder, std::ostream& out) {
  auto density = load_density(make, read_data(r.data));
  draws d;
  if (use_pathfinder) {
    pathfinder_options o;
    o.seed = r.seed;
    o.paths = r.paths;
    o.draws = r.draws;
    const pathfinder_result p = pathfinder(density, o);
    out << "pathfinder: " << r.paths << " paths, Pareto k " << p.pareto_k << ", " << p.grad_evals << " gradients\n";
    d = p.posterior;
  } else {
    advi_options o;
    o.seed = r.seed;
    o.family = r.algorithm == "fullrank" ? advi_family::fullrank : advi_family::meanfield;
    o.output_draws = r.draws;
    const advi_fit f = advi(density, o);
    out << "advi (" << r.algorithm << "): " << f.message << "\n";
    d = f.posterior;
  }
  out << summary(d) << "\n";
  if (!r.output.empty()) write_draws_csv(r.output, d, r.sig_figs);
  return 0;
}

template <class Factory>
int sample_command(Factory& make, const std::string& program, const sample_request& r, std::ostream& out, std::ostream& err) {
  auto density = load_density(make, read_data(r.data));
  sample_options o = r.options;
  std::optional<stan_csv_writer> csv;
  if (!r.output.empty()) {
    std::string model = program.substr(program.find_last_of('/') + 1);
    csv.emplace(o, stan_csv_options{.path = r.output, .model = model, .data = r.data, .sig_figs = r.sig_figs});
  }
  progress_display progress(o, {.mode = parse_progress(r.progress), .out = &err});
  o.callback = callbacks({progress.callback(), csv ? csv->callback() : draw_callback{}});
#ifdef EXMC_HAS_DASHBOARD
  std::optional<dashboard> live;
  if (r.dashboard >= 0) {
    live.emplace(o, dashboard_options{.port = r.dashboard, .host = r.dashboard_host, .allow_remote = !dash::is_loopback(r.dashboard_host),
                                      .title = program.substr(program.find_last_of('/') + 1), .log = &err});
    live->attach(o);
  }
#endif
  const fit f = sample(density, o);
#ifdef EXMC_HAS_DASHBOARD
  if (live) live->finish(f);
#endif
  progress.finish(f);
  if (csv) csv->finish(f);
#ifdef EXMC_HAS_NETCDF
  if (!r.netcdf.empty()) write_netcdf(r.netcdf, f);
#endif
  for (const auto& s : f.status)
    if (!s.message.empty()) err << s.message << "\n";
  if (f.chain_ids.empty()) {
    err << "error: every chain failed\n";
    return 1;
  }
  if (!r.quiet) {
    out << summary(f) << "\n" << diagnose(f).verdict() << "\n";
    if (csv) {
      out << "Draws written to";
      for (const auto& p : csv->paths()) out << " " << p;
      out << "\n";
    }
  }
#ifdef EXMC_HAS_DASHBOARD
  if (live && r.dashboard_linger > 0) live->linger(r.dashboard_linger);
#endif
  return 0;
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
  const std::map<std::string, metric_kind> metrics{{"unit", metric_kind::unit}, {"diag", metric_kind::diag}, {"dense", metric_kind::dense}};
  const std::map<std::string, adaptation_kind> adaptations{
      {"auto", adaptation_kind::automatic}, {"windowed", adaptation_kind::windowed}, {"gradient", adaptation_kind::gradient}};
  s->add_option("--data", r.data, "CmdStan JSON data file")->check(CLI::ExistingFile);
  s->add_option("--chains", o.chains, "Number of chains")->capture_default_str();
  s->add_option("--warmup", o.warmup, "Warmup iterations per chain")->capture_default_str();
  s->add_option("--draws", o.draws, "Draws per chain after warmup")->capture_default_str();
  s->add_option("--seed", o.seed, "Random seed (same seed, same draws)")->capture_default_str();
  s->add_option("--thin", o.thin, "Keep every n-th draw")->capture_default_str();
  s->add_option("--target-accept", o.target_accept, "Target acceptance statistic (Stan's adapt delta)")->capture_default_str();
  s->add_option("--max-depth", o.max_depth, "Maximum tree depth")->capture_default_str();
  s->add_option("--metric", o.metric, "unit, diag or dense")->transform(CLI::CheckedTransformer(metrics))->default_str("diag");
  s->add_option("--adaptation", o.adaptation, "auto, windowed or gradient")->transform(CLI::CheckedTransformer(adaptations))->default_str("auto");
  s->add_option("--threads", o.threads, "Worker threads (0: one per core)")->capture_default_str();
  s->add_option("--init-radius", o.init_radius, "Initial values uniform in (-r, r), unconstrained")->capture_default_str();
  s->add_option("--keep", o.keep, "Keep only these quantities (e.g. mu theta[0])");
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

  detail::approx_request a;
  CLI::App* opt = app.add_subcommand("optimize", "Posterior mode (MAP) or maximum likelihood by L-BFGS");
  CLI::App* vi = app.add_subcommand("variational", "ADVI: a Gaussian approximation of the posterior");
  CLI::App* pf = app.add_subcommand("pathfinder", "Pathfinder: L-BFGS paths, importance-resampled draws");
  for (CLI::App* c : {opt, vi, pf}) {
    c->add_option("--data", a.data, "CmdStan JSON data file")->check(CLI::ExistingFile);
    c->add_option("--seed", a.seed, "Random seed")->capture_default_str();
    c->add_option("--output,-o", a.output, "CSV file for the result (Stan's names)");
    c->add_option("--sig-figs", a.sig_figs, "Significant digits in the CSV (-1: exact)")->capture_default_str();
  }
  opt->add_flag("--jacobian", a.jacobian, "Keep the transforms' Jacobian: the mode in unconstrained space");
  opt->add_flag("--mle", a.mle, "Drop the priors and the Jacobian: maximum likelihood");
  vi->add_option("--algorithm", a.algorithm, "meanfield or fullrank")->check(CLI::IsMember({"meanfield", "fullrank"}))->capture_default_str();
  for (CLI::App* c : {vi, pf}) c->add_option("--draws", a.draws, "Approximate draws to return")->check(CLI::PositiveNumber)->capture_default_str();
  pf->add_option("--paths", a.paths, "Independent L-BFGS paths")->check(CLI::PositiveNumber)->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return code == 0 ? 0 : 2;  // --help and --version succeed; every other parse error is usage
  }
#ifndef EXMC_HAS_DASHBOARD
  if (r.dashboard >= 0) {
    err << "error: --dashboard: this program was built without the dashboard (include <exmc/dashboard/dashboard.hpp> "
           "before <exmc/cli/cli.hpp> and link exmc::dashboard)\n";
    return 2;
  }
#endif
#ifndef EXMC_HAS_NETCDF
  if (!r.netcdf.empty()) {
    err << "error: --netcdf: this program was built without NetCDF support (include <exmc/io/netcdf.hpp> before "
           "<exmc/cli/cli.hpp> and link -lnetcdf)\n";
    return 2;
  }
#endif
  try {
    if (s->parsed()) return detail::sample_command(make, program, r, out, err);
    if (opt->parsed()) return detail::optimize_command(make, a, out, err);
    if (vi->parsed() || pf->parsed()) return detail::approx_command(make, a, pf->parsed(), out);
    const fit f = read_stan_csv(files);
    if (sum->parsed()) {
      print(out, summary(f), sig);
    } else if (rep->parsed()) {
      write_report(f, report_path, {.title = program.substr(program.find_last_of('/') + 1)});
      out << "report written to " << report_path << "\n";
    } else {
      out << diagnose(f).verdict() << "\n";
    }
    return 0;
  } catch (const model_error& e) {
    err << "error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    err << "error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace exmc::cli

// int main(argc, argv) running exmc::cli::run on a model factory.
#define EXMC_MAIN(factory) \
  int main(int argc, char** argv) { return ::exmc::cli::run(factory, argc, argv); }
