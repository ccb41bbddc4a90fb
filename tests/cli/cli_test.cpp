// exmc::cli::run in-process: exit codes, messages, output files, reproducibility.
#include <catch2/catch.hpp>

#include <algorithm>
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

result run(std::vector<std::string> args) {
  args.insert(args.begin(), "eight_schools");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int code = exmc::cli::run(eight_schools, static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

// A density no chain can start from: every chain fails.
struct never_finite {
  using scalar = double;
  std::ptrdiff_t dim() const { return 2; }
  double logp_grad(const exmc::vector_t<double>&, exmc::vector_t<double>& g) const {
    g.setZero();
    return std::numeric_limits<double>::quiet_NaN();
  }
};

result run_with(auto factory, std::vector<std::string> args) {
  args.insert(args.begin(), "model");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int code = exmc::cli::run(factory, static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string data = std::string(EXMC_DATA_DIR) + "/eight_schools.json";

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
