// exmc::mpi::smc under `mpirun -np 3`: every rank runs every test case (the calls are
// collective) and checks its full fit against exmc::smc run locally with the same options, bit
// for bit; errors must be raised on every rank (a rank left behind would hang the job until
// ctest's timeout). The exit code is nonzero if any rank failed.
#include <catch2/catch.hpp>
#include <mpi.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <exmc/exmc.hpp>
#include <exmc/mpi/environment.hpp>
#include <exmc/mpi/smc.hpp>
#include <exmc/smc/smc.hpp>

namespace {

int rank() { return exmc::mpi::environment::rank(); }

// theta[j] ~ normal(mu, 1.5) with mu ~ normal(0, 2): a small hierarchical model through the DSL.
auto hierarchical() {
  Eigen::VectorXd y(12);
  Eigen::VectorXi group(12);
  exmc::rng g(4, 0);
  for (Eigen::Index i = 0; i < 12; ++i) {
    group[i] = static_cast<int>(i % 3);
    y[i] = 0.5 * static_cast<double>(group[i]) + g.normal();
  }
  auto mu = exmc::param<"mu">(exmc::normal(0.0, 2.0));
  auto theta = exmc::param<"theta">(exmc::normal(mu, 1.5), 3);
  return exmc::compile<double>(exmc::model(mu, theta, exmc::observe<"y">(exmc::normal(theta[group], 1.0), y)));
}

// q ~ normal(0, 1); the likelihood throws above 1: faults during the draws and the moves.
struct truncating {
  using scalar = double;
  struct workspace {};
  std::ptrdiff_t dim() const { return 1; }
  workspace make_workspace() const { return {}; }
  double log_prior(const exmc::vector_t<double>& q, exmc::vector_t<double>& g, workspace&) const {
    g[0] = -q[0];
    return -0.5 * q[0] * q[0];
  }
  double log_likelihood(const exmc::vector_t<double>& q, exmc::vector_t<double>& g, workspace&) const {
    if (q[0] > 1.0) throw std::domain_error(exmc::str_cat({"q above 1 at ", std::to_string(q[0])}));
    g[0] = 0.0;
    return 0.0;
  }
  void draw_prior(exmc::rng& r, exmc::vector_t<double>& q, workspace&) const { q[0] = r.normal(); }
};

struct broken_prior : truncating {  // no prior draw is ever finite
  void draw_prior(exmc::rng&, exmc::vector_t<double>& q, workspace&) const { q[0] = std::nan(""); }
};

struct dead_likelihood : truncating {  // the likelihood fails everywhere
  double log_likelihood(const exmc::vector_t<double>&, exmc::vector_t<double>&, workspace&) const {
    throw std::runtime_error("no data");
  }
};

// constrain() fails on rank 2 only: its block's failure must reach every rank.
struct constrain_fails_on_rank_2 : truncating {
  std::vector<std::string> param_names() const { return {"q"}; }
  void constrain(const exmc::vector_t<double>& q, Eigen::VectorXd& out) const {
    if (rank() == 2) throw std::runtime_error("rank 2 cannot constrain");
    out = q;
  }
};

exmc::smc_options small(exmc::smc_kernel kernel) {
  exmc::smc_options o;
  o.particles = 301;  // 100, 100 and 101 particles on 3 ranks
  o.seed = 17;
  o.kernel = kernel;
  o.threads = 1;
  o.max_steps = 6;
  return o;
}

void require_same_fit(const exmc::smc_fit& a, const exmc::smc_fit& b) {
  CHECK(a.log_evidence == b.log_evidence);
  CHECK(a.stages == b.stages);
  CHECK(a.temperatures == b.temperatures);
  CHECK(a.acceptance == b.acceptance);
  CHECK(a.mutation_steps == b.mutation_steps);
  CHECK(a.step_size == b.step_size);
  CHECK(a.grad_evals == b.grad_evals);
  CHECK(a.faults == b.faults);
  CHECK(a.last_fault == b.last_fault);
  REQUIRE(a.unconstrained.rows() == b.unconstrained.rows());
  REQUIRE(a.unconstrained.cols() == b.unconstrained.cols());
  CHECK((a.unconstrained.array() == b.unconstrained.array()).all());
  REQUIRE(a.log_likelihood.size() == b.log_likelihood.size());
  CHECK((a.log_likelihood.array() == b.log_likelihood.array()).all());
  CHECK(a.posterior.names == b.posterior.names);
  REQUIRE(a.posterior.chains.size() == 1);
  REQUIRE(b.posterior.chains.size() == 1);
  REQUIRE(a.posterior.chains[0].rows() == b.posterior.chains[0].rows());
  REQUIRE(a.posterior.chains[0].cols() == b.posterior.chains[0].cols());
  CHECK((a.posterior.chains[0].array() == b.posterior.chains[0].array()).all());
}

template <class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no exception";
}

}  // namespace

TEST_CASE("mpi::smc on 3 ranks is bit-identical to exmc::smc, both kernels, uneven split", "[mpi][smc]") {
  const auto m = hierarchical();
  for (auto kernel : {exmc::smc_kernel::hmc, exmc::smc_kernel::mh}) {
    INFO("kernel " << exmc::to_string(kernel));
    auto o = small(kernel);
    const auto spread = exmc::mpi::smc(m, o);
    o.threads = 2;  // threads never matter, locally or per rank
    const auto local = exmc::smc(m, o);
    REQUIRE(spread.stages > 1);
    REQUIRE(spread.posterior.names == std::vector<std::string>{"mu", "theta[0]", "theta[1]", "theta[2]"});
    require_same_fit(spread, local);
  }
}

TEST_CASE("mpi::smc keeps fault counts and the last fault of a faulting likelihood", "[mpi][smc]") {
  for (auto kernel : {exmc::smc_kernel::hmc, exmc::smc_kernel::mh}) {
    INFO("kernel " << exmc::to_string(kernel));
    auto o = small(kernel);
    exmc::mpi::options mo;  // the overload taking mpi::options uses its communicator
    const auto spread = exmc::mpi::smc(truncating{}, o, mo);
    const auto local = exmc::smc(truncating{}, o);
    REQUIRE(local.faults > 0);
    require_same_fit(spread, local);
  }
}

TEST_CASE("mpi::smc on sub-communicators of 2 ranks and of 1 rank", "[mpi][smc]") {
  MPI_Comm sub = MPI_COMM_NULL;
  MPI_Comm_split(MPI_COMM_WORLD, rank() == 2 ? 1 : 0, rank(), &sub);
  const auto m = hierarchical();
  auto o = small(exmc::smc_kernel::hmc);
  o.particles = 7;  // 3 and 4 particles on the pair
  o.min_steps = o.max_steps = 2;
  const auto spread = exmc::mpi::smc(m, o, sub);
  require_same_fit(spread, exmc::smc(m, o));
  MPI_Comm_free(&sub);
}

TEST_CASE("mpi::smc raises sampling errors on every rank", "[mpi][smc][faults]") {
  auto o = small(exmc::smc_kernel::hmc);
  o.init_tries = 3;
  CHECK_THROWS_AS(exmc::mpi::smc(broken_prior{}, o), exmc::sampling_error);
  const auto prior = message_of([&] { exmc::mpi::smc(broken_prior{}, o); });
  CHECK(prior == message_of([&] { exmc::smc(broken_prior{}, o); }));
  CHECK(prior.find("particle 0 found no finite log prior") != std::string::npos);

  CHECK_THROWS_AS(exmc::mpi::smc(dead_likelihood{}, o), exmc::sampling_error);
  CHECK(message_of([&] { exmc::mpi::smc(dead_likelihood{}, o); }).find("no data") != std::string::npos);

  const auto hier = hierarchical();
  auto short_run = small(exmc::smc_kernel::mh);
  short_run.max_stages = 1;
  CHECK_THROWS_AS(exmc::mpi::smc(hier, short_run), exmc::sampling_error);
  CHECK(message_of([&] { exmc::mpi::smc(hier, short_run); }).find("max_stages") != std::string::npos);

  CHECK_THROWS_AS(exmc::mpi::smc(constrain_fails_on_rank_2{}, o), exmc::sampling_error);
  CHECK(message_of([&] { exmc::mpi::smc(constrain_fails_on_rank_2{}, o); }).find("rank 2 cannot constrain") != std::string::npos);
}

TEST_CASE("mpi::smc: options that differ between ranks raise model_error everywhere", "[mpi][smc][options]") {
  const auto m = hierarchical();
  auto o = small(exmc::smc_kernel::mh);
  if (rank() == 1) o.seed += 1;
  try {
    exmc::mpi::smc(m, o);
    FAIL("no model_error");
  } catch (const exmc::model_error& e) {
    const std::string what = e.what();
    CHECK(what.find("rank 1") != std::string::npos);
    CHECK(what.find("seed") != std::string::npos);
  }
  o = small(exmc::smc_kernel::mh);
  if (rank() == 2) o.kernel = exmc::smc_kernel::hmc;
  CHECK_THROWS_WITH(exmc::mpi::smc(m, o), Catch::Contains("rank 2") && Catch::Contains("kernel"));
  o = small(exmc::smc_kernel::mh);
  if (rank() == 2) o.particles = 1;  // invalid on one rank: its own check, reported everywhere
  CHECK_THROWS_WITH(exmc::mpi::smc(m, o), Catch::Contains("rank 2") && Catch::Contains("particles must lie"));
  o = small(exmc::smc_kernel::mh);
  o.threads = rank() + 1;  // threads may differ
  o.max_steps = 2;
  const auto f = exmc::mpi::smc(m, o);  // after all that, the ranks are still in step
  require_same_fit(f, exmc::smc(m, o));
}
