// InferenceData NetCDF writer, read back with the NetCDF C API. scripts/check-netcdf.py does the
// same with xarray (not needed by CI).
#include <catch2/catch.hpp>

#include <netcdf.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "exmc/io/netcdf.hpp"
#include "exmc/nuts/sample.hpp"
#include "expect_error.hpp"

namespace {

// mu, theta[0..2] and a 2x2 matrix S[i,j], all standard normal.
struct shaped_density {
  using scalar = double;
  std::ptrdiff_t dim() const { return 8; }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
    g = -q;
    return -0.5 * q.squaredNorm();
  }
  std::vector<std::string> param_names() const {
    return {"mu", "theta[0]", "theta[1]", "theta[2]", "S[0,0]", "S[0,1]", "S[1,0]", "S[1,1]"};
  }
  void constrain(const exmc::vector_t<double>& q, Eigen::VectorXd& out) const { out = q; }
};

std::string temp_file(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("exmc_nc_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

void ok(int status) { REQUIRE(status == NC_NOERR); }

int group(int file, const char* name) {
  int g = -1;
  ok(nc_inq_grp_ncid(file, name, &g));
  return g;
}

std::vector<std::size_t> shape_of(int g, const char* var) {
  int v = -1, ndims = 0;
  ok(nc_inq_varid(g, var, &v));
  ok(nc_inq_varndims(g, v, &ndims));
  std::vector<int> dims(static_cast<std::size_t>(ndims));
  ok(nc_inq_vardimid(g, v, dims.data()));
  std::vector<std::size_t> shape;
  for (int d : dims) {
    std::size_t n = 0;
    ok(nc_inq_dimlen(g, d, &n));
    shape.push_back(n);
  }
  return shape;
}

}  // namespace

TEST_CASE("InferenceData groups, shapes, names and values", "[io][netcdf]") {
  exmc::sample_options o;
  o.chains = 2;
  o.warmup = 100;
  o.draws = 50;
  o.seed = 3;
  o.threads = 1;
  const exmc::fit f = exmc::sample(shaped_density{}, o);
  REQUIRE(f.all_ok());
  exmc::inference_data d = exmc::to_inference_data(f);
  d.observed_data.emplace_back("y", Eigen::VectorXd::LinSpaced(5, 0.0, 1.0));
  d.prior.names = {"mu"};
  d.prior.chains = {Eigen::MatrixXd::Constant(10, 1, 0.5)};
  const std::string path = temp_file("idata.nc");
  exmc::write_netcdf(path, d);

  int file = -1;
  ok(nc_open(path.c_str(), NC_NOWRITE, &file));
  int ngroups = 0;
  ok(nc_inq_grps(file, &ngroups, nullptr));
  CHECK(ngroups == 4);  // posterior, sample_stats, prior, observed_data
  const int post = group(file, "posterior");
  CHECK(shape_of(post, "mu") == std::vector<std::size_t>{2, 50});
  CHECK(shape_of(post, "theta") == std::vector<std::size_t>{2, 50, 3});
  CHECK(shape_of(post, "S") == std::vector<std::size_t>{2, 50, 2, 2});
  // S[1,0] of chain 1, draw 7 sits at row-major offset ((1*50 + 7)*4 + 2).
  std::vector<double> s(2 * 50 * 4);
  int var = -1;
  ok(nc_inq_varid(post, "S", &var));
  ok(nc_get_var_double(post, var, s.data()));
  CHECK(s[(1 * 50 + 7) * 4 + 2] == f.posterior.chains[1](7, f.posterior.index_of("S[1,0]")));
  CHECK(s[(0 * 50 + 49) * 4 + 1] == f.posterior.chains[0](49, f.posterior.index_of("S[0,1]")));

  const int stats = group(file, "sample_stats");
  for (const char* name : {"lp", "acceptance_rate", "step_size", "tree_depth", "n_steps", "diverging", "energy"})
    CHECK(shape_of(stats, name) == std::vector<std::size_t>{2, 50});
  nc_type type{};
  ok(nc_inq_varid(stats, "diverging", &var));
  ok(nc_inq_vartype(stats, var, &type));
  CHECK(type == NC_BYTE);
  char dtype[5] = {};
  ok(nc_get_att_text(stats, var, "dtype", dtype));
  CHECK(std::string(dtype) == "bool");
  ok(nc_inq_varid(stats, "n_steps", &var));
  ok(nc_inq_vartype(stats, var, &type));
  CHECK(type == NC_INT64);
  std::vector<long long> steps(100);
  ok(nc_get_var_longlong(stats, var, steps.data()));
  CHECK(steps[50 + 3] == static_cast<long long>(f.sample_stats.chains[1](3, f.sample_stats.index_of("n_leapfrog__"))));

  CHECK(shape_of(group(file, "prior"), "mu") == std::vector<std::size_t>{1, 10});
  CHECK(shape_of(group(file, "observed_data"), "y") == std::vector<std::size_t>{5});
  // The chain coordinate holds the chain numbers every exmc message uses (1-based).
  std::vector<long long> chains(2);
  ok(nc_inq_varid(post, "chain", &var));
  ok(nc_get_var_longlong(post, var, chains.data()));
  CHECK(chains == std::vector<long long>{1, 2});
  std::size_t len = 0;
  ok(nc_inq_attlen(file, NC_GLOBAL, "exmc_status", &len));
  std::string status(len, '\0');
  ok(nc_get_att_text(file, NC_GLOBAL, "exmc_status", status.data()));
  CHECK(status == "complete");
  ok(nc_close(file));
}

TEST_CASE("a failed chain keeps its number; warmup and incompleteness are recorded", "[io][netcdf]") {
  exmc::sample_options o;
  o.chains = 3;
  o.warmup = 60;
  o.draws = 30;
  o.seed = 3;
  o.threads = 1;
  o.save_warmup = true;
  exmc::fit f = exmc::sample(shaped_density{}, o);
  // As if chain 2 had failed: sample() leaves it out of the draws and records why.
  f.chain_ids = {0, 2};
  f.posterior.chains.erase(f.posterior.chains.begin() + 1);
  f.sample_stats.chains.erase(f.sample_stats.chains.begin() + 1);
  f.warmup_posterior.chains.erase(f.warmup_posterior.chains.begin() + 1);
  f.warmup_sample_stats.chains.erase(f.warmup_sample_stats.chains.begin() + 1);
  f.status[1].outcome = exmc::chain_outcome::failed;
  f.status[1].message = "chain 2: no finite starting point";
  const std::string path = temp_file("failed.nc");
  exmc::write_netcdf(path, f);
  CHECK_FALSE(std::filesystem::exists(path + ".partial"));
  int file = -1, var = -1;
  ok(nc_open(path.c_str(), NC_NOWRITE, &file));
  const int post = group(file, "posterior");
  std::vector<long long> chains(2);
  ok(nc_inq_varid(post, "chain", &var));
  ok(nc_get_var_longlong(post, var, chains.data()));
  CHECK(chains == std::vector<long long>{1, 3});
  CHECK(shape_of(group(file, "warmup_posterior"), "theta") == std::vector<std::size_t>{2, 60, 3});
  CHECK(shape_of(group(file, "warmup_sample_stats"), "lp") == std::vector<std::size_t>{2, 60});
  const auto text = [&](const char* name) {
    std::size_t len = 0;
    ok(nc_inq_attlen(file, NC_GLOBAL, name, &len));
    std::string s(len, '\0');
    ok(nc_get_att_text(file, NC_GLOBAL, name, s.data()));
    return s;
  };
  CHECK(text("exmc_status") == "incomplete");
  CHECK_THAT(text("exmc_chains"), Catch::Contains("chain 1: ok\nchain 2: no finite starting point\nchain 3: ok"));
  ok(nc_close(file));
}

TEST_CASE("irregular names fall back to scalars; errors name the file", "[io][netcdf]") {
  const auto vars = exmc::io::group_columns({"a[0]", "a[2]", "b[0,0]", "b[1]", "c"});
  std::vector<std::string> names;
  for (const auto& v : vars) names.push_back(v.name);
  CHECK(names == std::vector<std::string>{"a[0]", "a[2]", "b[0,0]", "b[1]", "c"});
  const auto good = exmc::io::group_columns({"x[1]", "x[0]"});  // any order fills the array
  REQUIRE(good.size() == 1);
  CHECK(good[0].shape == std::vector<std::size_t>{2});
  CHECK(good[0].columns[0].second == 1);

  exmc::inference_data d;
  d.posterior.names = {"mu"};
  d.posterior.chains = {Eigen::MatrixXd::Zero(3, 1)};
  CHECK_THROWS_AS(exmc::write_netcdf(temp_file("no/such/dir.nc"), d), exmc::io_error);
  CHECK_THROWS_WITH(exmc::write_netcdf(temp_file("no/such/dir.nc"), d), Catch::Contains("no/such/dir.nc") && Catch::Contains("cannot create"));
  d.observed_data.emplace_back("y", Eigen::VectorXd());
  CHECK_THAT(exmc_test::model_error_of([&] { exmc::write_netcdf(temp_file("empty.nc"), d); }), Catch::Contains("observed_data 'y' is empty"));
}
