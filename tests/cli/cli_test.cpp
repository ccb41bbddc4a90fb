// exmc::cli::run in-process: exit codes, messages, output files, reproducibility.
#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

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
  check({"sample", "--data", data, "--netcdf", "x.nc"}, "without NetCDF support");
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
