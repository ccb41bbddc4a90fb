// exmc::cli::run in-process: exit codes, messages, output files, reproducibility.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <memory>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#ifdef EXMC_TEST_NETCDF
#include "exmc/io/netcdf.hpp"
#endif
#include "exmc/cli/cli.hpp"
#include "exmc/dist/cauchy.hpp"
#include "exmc/dist/normal.hpp"

namespace {

auto eight_schools(const exmc::data_file& d) {
  using namespace exmc;
  auto mu = param<"mu">(normal(0.0, 5.0));
  auto tau = param<"tau">(half_cauchy(5.0));
  auto theta = param<"theta">(normal(mu, tau), d.integer("J"));
  return model(mu, tau, theta, observe<"y">(normal(theta, d.vector("sigma", d.integer("J"))), d.vector("y", d.integer("J"))));
}

struct result {
  int code;
  std::string out, err;
};

// exmc::cli::run in-process with this factory, as `program args...`.
result run_with(auto factory, std::vector<std::string> args, const std::string& program = "model") {
  args.insert(args.begin(), program);
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int code = exmc::cli::run(factory, static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

result run(std::vector<std::string> args) { return run_with(eight_schools, std::move(args), "eight_schools"); }

// A density no chain can start from: every chain fails.
struct never_finite {
  using scalar = double;
  std::ptrdiff_t dim() const { return 2; }
  double logp_grad(const exmc::vector_t<double>&, exmc::vector_t<double>& g) const {
    g.setZero();
    return std::numeric_limits<double>::quiet_NaN();
  }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string data = std::string(EXMC_DATA_DIR) + "/eight_schools.json";

// A 2-d standard normal named a, b that raises SIGINT at its n-th evaluation, as a user's
// Ctrl-C would arrive in the middle of a run.
struct interrupted_normal {
  using scalar = double;
  std::shared_ptr<std::atomic<long>> evals = std::make_shared<std::atomic<long>>(0);
  long raise_at = 0;
  std::ptrdiff_t dim() const { return 2; }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
    if (evals->fetch_add(1) + 1 == raise_at) std::raise(SIGINT);
    g = -q;
    return -0.5 * q.squaredNorm();
  }
  std::vector<std::string> param_names() const { return {"a", "b"}; }
  void constrain(const exmc::vector_t<double>& q, Eigen::VectorXd& out) const { out = q; }
};

// A normal whose second workspace is broken: with one thread, exactly chain 2 fails.
struct second_chain_fails {
  using scalar = double;
  struct workspace {
    bool broken;
  };
  std::shared_ptr<std::atomic<int>> handed_out = std::make_shared<std::atomic<int>>(0);
  std::ptrdiff_t dim() const { return 2; }
  workspace make_workspace() const { return {handed_out->fetch_add(1) == 1}; }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
    workspace ws{false};
    return logp_grad(q, g, ws);
  }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g, workspace& ws) const {
    g = -q;
    return ws.broken ? std::numeric_limits<double>::quiet_NaN() : -0.5 * q.squaredNorm();
  }
};

std::string write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

std::string temp_dir() {
  const auto dir = std::filesystem::temp_directory_path() / ("exmc_cli_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace

TEST_CASE("help succeeds and lists the subcommands", "[cli]") {
  const result r = run({"--help"});
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("sample") && Catch::Contains("summary") && Catch::Contains("diagnose"));
  const result s = run({"sample", "--help"});
  CHECK(s.code == 0);
  CHECK_THAT(s.out, Catch::Contains("--chains") && Catch::Contains("--netcdf") && Catch::Contains("--target-accept"));
}

TEST_CASE("bad command lines exit with 2 and say what is wrong", "[cli]") {
  const auto check = [](std::vector<std::string> args, const std::string& message) {
    const result r = run(std::move(args));
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains(message));
  };
  check({}, "subcommand");
  check({"sample", "--bogus"}, "--bogus");
  check({"sample", "--chains", "two"}, "--chains");
  check({"sample", "--metric", "round"}, "round");
  check({"sample", "--data", "/no/such/file.json"}, "/no/such/file.json");
  check({"sample", "--data", data, "--chains", "0", "--output", ""}, "chains must be at least 1 (got 0)");
  check({"sample", "--data", data, "--target-accept", "1.5", "--output", ""}, "target_accept");
  check({"sample", "--output", ""}, "'J'");  // no data: the model asks for a field that is missing
#ifndef EXMC_HAS_NETCDF
  check({"sample", "--data", data, "--netcdf", "x.nc"}, "without NetCDF support");
#endif
  check({"summary"}, "files");
  check({"summary", "/no/such.csv"}, "/no/such.csv");
}

TEST_CASE("sample writes Stan CSV per chain; summary and diagnose read it", "[cli]") {
  const std::string dir = temp_dir();
  const std::vector<std::string> args{"sample", "--data", data, "--chains", "2", "--warmup", "150", "--draws", "100",
                                      "--seed", "11", "--threads", "1", "--target-accept", "0.9", "--progress", "plain"};
  auto first = args;
  first.insert(first.end(), {"--output", dir + "/a.csv"});
  const result r = run(first);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("theta[7]") && Catch::Contains("Draws written to " + dir + "/a_1.csv " + dir + "/a_2.csv"));
  CHECK_THAT(r.err, Catch::Contains("chain 2   250/250  done"));
  const exmc::stan_csv_file f = exmc::read_stan_csv_file(dir + "/a_1.csv");
  CHECK(f.draws.rows() == 100);
  CHECK(f.config.at("model") == "eight_schools");
  CHECK(f.config.at("delta") == "0.9");
  CHECK(f.columns.back() == "theta.8");

  // Same seed, same draws, bit for bit.
  auto second = args;
  second.insert(second.end(), {"--output", dir + "/b.csv", "--quiet"});
  const result again = run(second);
  REQUIRE(again.code == 0);
  CHECK(again.out.empty());
  const exmc::fit a = exmc::read_stan_csv({dir + "/a_1.csv", dir + "/a_2.csv"});
  const exmc::fit b = exmc::read_stan_csv({dir + "/b_1.csv", dir + "/b_2.csv"});
  CHECK(a.posterior.chains == b.posterior.chains);
  CHECK(a.sample_stats.chains == b.sample_stats.chains);

  const result s = run({"summary", dir + "/a_1.csv", dir + "/a_2.csv"});
  REQUIRE(s.code == 0);
  CHECK_THAT(s.out, Catch::Contains("mu") && Catch::Contains("tau") && Catch::Contains("theta[0]"));
  const result d = run({"diagnose", dir + "/a_1.csv", dir + "/a_2.csv"});
  CHECK(d.code == 0);
  CHECK_FALSE(d.out.empty());
}

TEST_CASE("optimize, variational and pathfinder subcommands", "[cli]") {
  const std::string dir = temp_dir();
  // Eight schools has no finite MAP in tau (the hierarchical funnel), so use the mode with the
  // Jacobian (unconstrained space), which exists.
  const result o = run({"optimize", "--data", data, "--jacobian", "--output", dir + "/mode.csv"});
  CHECK(o.code == 0);
  CHECK_THAT(o.out, Catch::Contains("mode in unconstrained space") && Catch::Contains("theta[7] = "));
  CHECK(std::filesystem::exists(dir + "/mode.csv"));
  const result v = run({"variational", "--data", data, "--algorithm", "fullrank", "--draws", "200", "--seed", "3"});
  CHECK(v.code == 0);
  CHECK_THAT(v.out, Catch::Contains("advi (fullrank)") && Catch::Contains("theta[7]"));
  const result p = run({"pathfinder", "--data", data, "--draws", "200", "--output", dir + "/pf.csv"});
  CHECK(p.code == 0);
  CHECK_THAT(p.out, Catch::Contains("Pareto k"));
  CHECK(std::filesystem::exists(dir + "/pf.csv"));
  CHECK(run({"variational", "--data", data, "--algorithm", "bogus"}).code == 2);
  CHECK(run({"pathfinder", "--data", data, "--paths", "0"}).code == 2);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a bad option or a failed run never replaces the results of an earlier run", "[cli][files]") {
  namespace fs = std::filesystem;
  const std::string dir = temp_dir() + "/keep";
  fs::create_directories(dir);
  const std::string csv = dir + "/out.csv";
  const std::vector<std::string> base{"sample", "--data", data, "--chains", "2", "--warmup", "60", "--draws", "40",
                                      "--seed", "5", "--threads", "1", "--progress", "none", "--quiet", "--output", csv};
  // The same command with one option's value changed (or an option added).
  const auto with = [&](std::vector<std::string> extra) {
    auto args = base;
    const auto at = std::find(args.begin(), args.end(), extra.empty() ? "" : extra[0]);
    if (at != args.end()) args.erase(at, at + 2);
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  REQUIRE(run(base).code == 0);
  const std::string one = slurp(dir + "/out_1.csv"), two = slurp(dir + "/out_2.csv");
  REQUIRE(one.find("# exmc_status = ok") != std::string::npos);
  const auto untouched = [&] {
    CHECK(slurp(dir + "/out_1.csv") == one);
    CHECK(slurp(dir + "/out_2.csv") == two);
    for (const auto& e : fs::directory_iterator(dir)) CHECK(e.path().extension() != ".partial");
  };

  // Each of these is caught before any file is opened: exit 2, the earlier files byte for byte.
  for (const auto& bad : std::vector<std::vector<std::string>>{{"--thin", "0"}, {"--warmup", "-5"}, {"--target-accept", "1.5"},
                                                               {"--max-depth", "0"}, {"--threads", "-1"}, {"--keep", "nope"},
                                                               {"--draws", "0"}, {"--sig-figs", "40"}, {"--chains", "0"}}) {
    INFO(bad[0] << " " << bad[1]);
    const result r = run(with(bad));
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains("error: sample:"));
    untouched();
  }
  CHECK_THAT(run(with({"--draws", "0"})).err, Catch::Contains("--draws must be at least 1"));

#ifdef EXMC_HAS_NETCDF
  // An output path that cannot be written is found before sampling (exit 1: a file problem).
  const result nc = run(with({"--netcdf", dir + "/no/such/folder/out.nc"}));
  CHECK(nc.code == 1);
  CHECK_THAT(nc.err, Catch::Contains("--netcdf") && Catch::Contains("no/such/folder/out.nc"));
  untouched();
#endif

  // Every chain fails: exit 1, the earlier files stay, no NetCDF is written, and the failed
  // run's own files (with the reason) are left beside them as .partial.
  auto failing = with({});
#ifdef EXMC_HAS_NETCDF
  failing.insert(failing.end(), {"--netcdf", dir + "/failed.nc"});
#endif
  const result f = run_with([](const exmc::data_file&) { return never_finite{}; }, failing);
  CHECK(f.code == 1);
  CHECK_THAT(f.err, Catch::Contains("every chain failed") && Catch::Contains("no finite starting point"));
  CHECK(slurp(dir + "/out_1.csv") == one);
  CHECK(slurp(dir + "/out_2.csv") == two);
  CHECK_FALSE(fs::exists(dir + "/failed.nc"));
  REQUIRE(fs::exists(dir + "/out_1.csv.partial"));
  CHECK_THAT(slurp(dir + "/out_1.csv.partial"), Catch::Contains("# exmc_status = failed") && Catch::Contains("no finite starting point"));

  // A good run replaces the files (and the stale .partial ones) as a whole.
  const result again = run(with({"--seed", "6"}));
  CHECK(again.code == 0);
  CHECK(slurp(dir + "/out_1.csv") != one);
  CHECK_FALSE(fs::exists(dir + "/out_1.csv.partial"));
  fs::remove_all(dir);
}

TEST_CASE("an interrupted run: exit 130, files that say why, earlier results kept, summary of what was drawn", "[cli][files]") {
  namespace fs = std::filesystem;
  const std::string dir = temp_dir() + "/interrupted";
  fs::create_directories(dir);
  const std::vector<std::string> args{"sample", "--chains", "3", "--threads", "1", "--warmup", "100", "--draws", "200",
                                      "--progress", "none", "--quiet", "--output", dir + "/out.csv"};
  REQUIRE(run_with([](const exmc::data_file&) { return interrupted_normal{}; }, args).code == 0);
  const std::string earlier = slurp(dir + "/out_1.csv");

  // Ctrl-C at the 400th evaluation, in chain 1 (a few evaluations per iteration); with one
  // thread chains 2 and 3 never start.
  const result r = run_with([](const exmc::data_file&) { return interrupted_normal{.raise_at = 400}; }, args);
  CHECK(r.code == 130);
  CHECK_THAT(r.err, Catch::Contains("chain 1: stopped early after") && Catch::Contains("interrupted by SIGINT (Ctrl-C)"));
  CHECK_THAT(r.err, Catch::Contains("chain 2: never started"));
  CHECK_THAT(r.err, Catch::Contains("The run did not complete: what it drew is in " + dir + "/out_1.csv.partial;"));
  CHECK(slurp(dir + "/out_1.csv") == earlier);
  const std::string partial = slurp(dir + "/out_1.csv.partial");
  CHECK_THAT(partial, Catch::Contains("# exmc_status = stopped\n# exmc_message = chain 1: stopped early after"));
  CHECK_THAT(partial, Catch::Contains("interrupted by SIGINT"));
  CHECK_FALSE(fs::exists(dir + "/out_2.csv.partial"));  // never started: no header-only files
  CHECK_FALSE(fs::exists(dir + "/out_3.csv.partial"));
  const auto handler = std::signal(SIGINT, SIG_DFL);  // the handler that was there before is back
  CHECK(handler != &exmc::cli::detail::on_interrupt);
  std::signal(SIGINT, handler);

  const result s = run({"summary", dir + "/out_1.csv.partial"});
  CHECK(s.code == 3);
  CHECK_THAT(s.out, Catch::StartsWith("WARNING: these files are not a complete run") && Catch::Contains("lp__"));
  CHECK_THAT(s.err, Catch::Contains("interrupted by SIGINT"));
  const result d = run({"diagnose", dir + "/out_1.csv.partial"});
  CHECK(d.code == 3);
  CHECK_THAT(d.out, Catch::StartsWith("INCOMPLETE RUN: 1 of 1 chains stopped early"));
  fs::remove_all(dir);
}

TEST_CASE("a failed chain: named first in the verdict by its own number, exit 3", "[cli]") {
  const std::string dir = temp_dir();
  const result r = run_with([](const exmc::data_file&) { return second_chain_fails{}; },
                            {"sample", "--chains", "3", "--threads", "1", "--warmup", "100", "--draws", "100", "--progress",
                             "plain", "--output", dir + "/failing.csv"});
  CHECK(r.code == 3);
  CHECK_THAT(r.out, Catch::Contains("1 of 3 chains FAILED and contributed no draws; everything below describes the other chains only:\n"
                                    "  chain 2: no finite starting point"));
  CHECK(r.out.find("No problems detected") == std::string::npos);
  CHECK_THAT(r.err, Catch::Contains("chain 2     0/200  failed: no finite starting point"));
  // The run completed, so its files replace earlier ones; the failed chain's says why.
  CHECK_THAT(slurp(dir + "/failing_2.csv"), Catch::Contains("# exmc_status = failed\n# exmc_message = chain 2: no finite"));
  const result s = run({"diagnose", dir + "/failing_1.csv", dir + "/failing_2.csv", dir + "/failing_3.csv"});
  CHECK(s.code == 3);
  CHECK_THAT(s.out, Catch::StartsWith("1 of 3 chains FAILED"));
}

TEST_CASE("the command line names what is wrong in the user's words", "[cli]") {
  const std::string dir = temp_dir();
  const result typo = run({"smaple", "--data", data});
  CHECK(typo.code == 2);
  CHECK_THAT(typo.err, Catch::Contains("unknown subcommand 'smaple'") && Catch::Contains("sample, summary, diagnose"));
  const result metric = run({"sample", "--metric", "foo"});
  CHECK(metric.code == 2);
  CHECK_THAT(metric.err, Catch::Contains("foo") && Catch::Contains("unit") && Catch::Contains("dense") && Catch::Contains("low_rank"));
  CHECK(metric.err.find("->") == std::string::npos);
  CHECK_THAT(run({"sample", "--help"}).out, Catch::Contains("unit, diag, dense or low_rank"));
  const result seed = run({"sample", "--data", data, "--seed", "-1"});
  CHECK(seed.code == 2);
  CHECK_THAT(seed.err, Catch::Contains("--seed"));

  // A vector's name keeps all its elements.
  const result keep = run({"sample", "--data", data, "--chains", "1", "--warmup", "50", "--draws", "20", "--keep", "theta",
                           "--progress", "none", "--quiet", "--output", dir + "/kept.csv"});
  REQUIRE(keep.code == 0);
  const exmc::stan_csv_file kept = exmc::read_stan_csv_file(dir + "/kept.csv");
  CHECK(kept.columns.size() == 7 + 8);
  CHECK(kept.columns[7] == "theta.1");

  // Sizes from the data: a negative one and an impossible one name their field.
  const std::string negative = write_file(dir + "/negative.json", R"({"J": -3, "y": [1], "sigma": [1]})");
  const result neg = run({"sample", "--data", negative});
  CHECK(neg.code == 2);
  CHECK_THAT(neg.err, Catch::Contains("size must be at least 1, got -3") && Catch::Contains("gives J = -3"));
  const std::string huge = write_file(dir + "/huge.json", R"({"G": 50000000, "K": 3})");
  const auto needs_g_squared = [](const exmc::data_file& d) {
    // Stands in for a model that allocates G x G doubles: the allocation a machine cannot make
    // (a real one of 2e16 bytes would stop the process under AddressSanitizer).
    if (d.integer("G") > 1'000'000) throw std::bad_alloc();
    return interrupted_normal{};
  };
  const result big = run_with(needs_g_squared, {"sample", "--data", huge});
  CHECK(big.code == 2);
  CHECK_THAT(big.err, Catch::Contains("ran out of memory") && Catch::Contains("G = 50000000"));
  CHECK(big.err.find("K = 3") == std::string::npos);
}

TEST_CASE("init files, describe, lp__ in the summary, NetCDF for ArviZ's loo", "[cli]") {
  namespace fs = std::filesystem;
  const std::string dir = temp_dir();
  const std::string init = write_file(dir + "/init.json", R"({"mu": 1, "tau": 2, "theta": [0, 0, 0, 0, 0, 0, 0, 0]})");
  std::vector<std::string> args{"sample", "--data", data, "--chains", "2", "--warmup", "100", "--draws", "100",
                                "--init", init, "--progress", "none", "--output", dir + "/init.csv"};
#ifdef EXMC_HAS_NETCDF
  args.insert(args.end(), {"--netcdf", dir + "/out.nc", "--save-warmup"});
#endif
  const result r = run(args);
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("\nlp__ "));
  const std::string bad = write_file(dir + "/bad_init.json", R"({"tau": -1})");
  const result b = run({"sample", "--data", data, "--init", bad});
  CHECK(b.code == 2);
  CHECK_THAT(b.err, Catch::Contains("tau"));
  CHECK(run({"sample", "--data", data, "--init", "0.5", "--chains", "1", "--warmup", "20", "--draws", "10", "--quiet",
             "--progress", "none", "--output", ""}).code == 0);

  const result d = run({"describe", "--data", data});
  CHECK(d.code == 0);
  CHECK_THAT(d.out, Catch::Contains("compiled model: dim 10") && Catch::Contains("theta") && Catch::Contains("likelihood"));

#ifdef EXMC_HAS_NETCDF
  int file = -1, g = -1, var = -1, ndims = 0;
  REQUIRE(nc_open((dir + "/out.nc").c_str(), NC_NOWRITE, &file) == NC_NOERR);
  REQUIRE(nc_inq_grp_ncid(file, "observed_data", &g) == NC_NOERR);
  REQUIRE(nc_inq_varid(g, "y", &var) == NC_NOERR);
  std::vector<double> y(8);
  REQUIRE(nc_get_var_double(g, var, y.data()) == NC_NOERR);
  CHECK(y[0] == 28.0);  // eight schools: y = 28, 8, -3, ...
  REQUIRE(nc_inq_grp_ncid(file, "log_likelihood", &g) == NC_NOERR);
  REQUIRE(nc_inq_varid(g, "y", &var) == NC_NOERR);
  REQUIRE(nc_inq_varndims(g, var, &ndims) == NC_NOERR);
  CHECK(ndims == 3);  // (chain, draw, y_dim_0)
  CHECK(nc_inq_grp_ncid(file, "warmup_posterior", &g) == NC_NOERR);
  nc_close(file);
#endif
}

TEST_CASE("approximations say how far they can be trusted; MAP says when no mode exists", "[cli]") {
  // Eight schools' Laplace approximation is far from the posterior (tau 45 against 3.6).
  const result l = run({"laplace", "--data", data, "--draws", "1000", "--seed", "2"});
  CHECK(l.code == 0);
  CHECK_THAT(l.out, Catch::Contains("WARNING: Pareto k"));
  CHECK_THAT(l.err, Catch::Contains("do not trust"));
  const result v = run({"variational", "--data", data, "--draws", "1000", "--seed", "2"});
  CHECK(v.code == 0);
  CHECK_THAT(v.out, Catch::Contains("Pareto k"));
  // A Gaussian is approximated exactly: k = -inf, reported as a perfect fit.
  const auto gaussian = [](const exmc::data_file&) { return interrupted_normal{}; };
  const result exact = run_with(gaussian, {"laplace", "--draws", "500"});
  CHECK(exact.code == 0);
  CHECK_THAT(exact.out, Catch::Contains("Pareto k -inf: all importance ratios equal, the approximation is exact"));
  const result pf = run_with(gaussian, {"pathfinder", "--draws", "500"});
  CHECK(pf.code == 0);
  CHECK_THAT(pf.out, Catch::Contains("the approximation is exact"));
  // MAP of eight schools runs tau to 0: the mode does not exist, and the message says so.
  const result map = run({"optimize", "--data", data});
  CHECK(map.code == 1);
  CHECK_THAT(map.err, Catch::Contains("the mode does not exist") && Catch::Contains("tau -> "));
}
