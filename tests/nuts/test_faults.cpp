// Fault isolation: densities that throw, return NaN, or can never be initialised. The run always
// completes; faults become divergences or a failed chain with a message that says why.
#include <catch2/catch.hpp>
#include <atomic>
#include <cmath>
#include <stdexcept>

#include <exmc/nuts/nuts.hpp>

namespace {

// Standard normal in 2-d that throws when q[0] > 1.5: effectively truncated there.
struct throws_in_region {
  using scalar = double;
  std::ptrdiff_t dim() const { return 2; }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
    if (q[0] > 1.5) throw std::domain_error("q[0] beyond 1.5");
    g = -q;
    return -0.5 * q.squaredNorm();
  }
};

// Standard normal in 2-d whose log density is NaN when q[0] < -1.5 and whose gradient is NaN
// when q[1] > 1.5.
struct nan_in_region {
  using scalar = double;
  std::ptrdiff_t dim() const { return 2; }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
    g = -q;
    if (q[1] > 1.5) g[1] = std::nan("");
    if (q[0] < -1.5) return std::nan("");
    return -0.5 * q.squaredNorm();
  }
};

// Never finite: the gradient of "b" is infinite everywhere.
struct never_finite {
  using scalar = double;
  std::ptrdiff_t dim() const { return 2; }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
    g = -q;
    g[1] = std::numeric_limits<double>::infinity();
    return -0.5 * q.squaredNorm();
  }
  std::vector<std::string> param_names() const { return {"a", "b"}; }
  void constrain(const exmc::vector_t<double>& q, Eigen::VectorXd& out) const { out = q; }
};

// A density with a workspace per chain; the workspace handed out second is broken. With one
// thread chains run in order, so exactly chain 1 gets it.
struct one_broken_workspace {
  using scalar = double;
  struct workspace {
    bool broken;
  };
  mutable std::atomic<int> handed_out{0};
  int broken_mode = 0;  // 0: NaN log density; 1: throws everywhere except the origin
  std::ptrdiff_t dim() const { return 3; }
  workspace make_workspace() const { return {handed_out.fetch_add(1) == 1}; }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
    workspace ws{false};
    return logp_grad(q, g, ws);
  }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g, workspace& ws) const {
    g = -q;
    if (ws.broken && broken_mode == 0) return std::nan("");
    if (ws.broken && broken_mode == 1 && q.cwiseAbs().maxCoeff() > 0.0) throw std::runtime_error("solver did not converge");
    return -0.5 * q.squaredNorm();
  }
};
static_assert(exmc::WorkspaceLogDensity<one_broken_workspace>);

}  // namespace

TEST_CASE("exceptions in a region become divergences, never a crash", "[nuts][faults]") {
  throws_in_region d;
  exmc::sample_options o;
  o.seed = 7007;
  o.init_radius = 1.0;
  const auto f = exmc::sample(d, o);
  REQUIRE(f.all_ok());
  REQUIRE(f.posterior.num_chains() == 4);
  std::size_t exceptions = 0;
  for (const auto& s : f.status) {
    exceptions += s.exceptions;
    if (s.exceptions > 0) CHECK(s.last_exception == "q[0] beyond 1.5");
  }
  CHECK(exceptions > 0);
  CHECK(f.total_divergent() > 0);
  CHECK(f.posterior.column(0).maxCoeff() <= 1.5);  // the region is never entered
  const Eigen::MatrixXd div = f.sample_stats.column("divergent__");
  CHECK(static_cast<std::size_t>(div.sum()) == f.total_divergent());
  // The truncated normal's mean: -phi(1.5) / Phi(1.5).
  const double phi = std::exp(-0.5 * 1.5 * 1.5) / std::sqrt(2 * M_PI), Phi = 0.5 * std::erfc(-1.5 / std::sqrt(2.0));
  CHECK(f.posterior.column(0).mean() == Approx(-phi / Phi).margin(0.06));  // MCSE ~ 0.015 at ESS ~ 3000
}

TEST_CASE("NaN log densities and NaN gradients become divergences", "[nuts][faults]") {
  nan_in_region d;
  exmc::sample_options o;
  o.seed = 8008;
  o.init_radius = 1.0;
  const auto f = exmc::sample(d, o);
  REQUIRE(f.all_ok());
  CHECK(f.total_divergent() > 0);
  CHECK(f.posterior.column(0).minCoeff() >= -1.5);
  CHECK(f.posterior.column(1).maxCoeff() <= 1.5);
  CHECK(f.sample_stats.column("lp__").allFinite());
  CHECK(f.sample_stats.column("energy__").allFinite());
}

TEST_CASE("a density that can never initialise: every chain fails with a useful message", "[nuts][faults]") {
  never_finite d;
  exmc::sample_options o;
  o.chains = 2;
  o.warmup = 10;
  o.draws = 10;
  o.init_tries = 5;
  const auto f = exmc::sample(d, o);  // must not throw
  REQUIRE(f.status.size() == 2);
  CHECK(f.posterior.num_chains() == 0);
  CHECK(f.chain_ids.empty());
  for (const auto& s : f.status) {
    CHECK(s.outcome == exmc::chain_outcome::failed);
    CHECK_THAT(s.message, Catch::Contains("no finite starting point after 5 tries") &&
                              Catch::Contains("non-finite gradient at b") && !Catch::Contains(" a,") &&
                              Catch::Contains("log density = "));
  }
}

TEST_CASE("one chain that cannot initialise fails alone", "[nuts][faults]") {
  one_broken_workspace d;
  exmc::sample_options o;
  o.chains = 3;
  o.threads = 1;
  o.warmup = 200;
  o.draws = 200;
  o.seed = 9009;
  const auto f = exmc::sample(d, o);
  REQUIRE(f.status.size() == 3);
  CHECK(f.status[0].outcome == exmc::chain_outcome::ok);
  CHECK(f.status[1].outcome == exmc::chain_outcome::failed);
  CHECK(f.status[2].outcome == exmc::chain_outcome::ok);
  CHECK_THAT(f.status[1].message, Catch::StartsWith("chain 2: no finite starting point after 100 tries") &&
                                      Catch::Contains("log density = nan"));
  CHECK(f.chain_ids == std::vector<int>{0, 2});
  CHECK(f.posterior.num_chains() == 2);
  CHECK(f.posterior.num_draws() == 200);
  CHECK(std::abs(f.posterior.column(0).mean()) < 0.3);
}

TEST_CASE("a chain that keeps throwing is reported failed, the others finish", "[nuts][faults]") {
  one_broken_workspace d;
  d.broken_mode = 1;  // finite only at the origin, where it starts
  exmc::sample_options o;
  o.chains = 3;
  o.threads = 1;
  o.warmup = 0;  // no step size search: every transition's first step throws
  o.draws = 200;
  o.seed = 1010;
  o.init_unconstrained = Eigen::VectorXd::Zero(3);
  o.max_consecutive_faults = 20;
  const auto f = exmc::sample(d, o);
  CHECK(f.status[0].outcome == exmc::chain_outcome::ok);
  CHECK(f.status[2].outcome == exmc::chain_outcome::ok);
  REQUIRE(f.status[1].outcome == exmc::chain_outcome::failed);
  CHECK_THAT(f.status[1].message, Catch::Contains("logp_grad threw in 20 consecutive iterations") &&
                                      Catch::Contains("solver did not converge"));
  CHECK(f.status[1].exceptions == 20);
  CHECK(f.chain_ids == std::vector<int>{0, 2});
}

TEST_CASE("with warmup, the step size search on a stuck chain gives up", "[nuts][faults]") {
  one_broken_workspace d;
  d.broken_mode = 1;
  exmc::sample_options o;
  o.chains = 2;
  o.threads = 1;
  o.warmup = 50;
  o.draws = 50;
  o.init_unconstrained = Eigen::VectorXd::Zero(3);
  const auto f = exmc::sample(d, o);
  CHECK(f.status[0].outcome == exmc::chain_outcome::ok);
  REQUIRE(f.status[1].outcome == exmc::chain_outcome::failed);
  CHECK_THAT(f.status[1].message, Catch::Contains("no acceptable step size"));
}

TEST_CASE("an initial point that throws is reported with the exception", "[nuts][faults]") {
  throws_in_region d;
  exmc::sample_options o;
  o.chains = 1;
  o.init_unconstrained = Eigen::Vector2d(2.0, 0.0);
  const auto f = exmc::sample(d, o);
  REQUIRE(f.status[0].outcome == exmc::chain_outcome::failed);
  CHECK_THAT(f.status[0].message, Catch::Contains("after 1 try") && Catch::Contains("given init_unconstrained") &&
                                      Catch::Contains("logp_grad threw: q[0] beyond 1.5"));
}

TEST_CASE("improper posterior: the step size search gives up and the chain fails", "[nuts][faults]") {
  struct flat {
    using scalar = double;
    std::ptrdiff_t dim() const { return 1; }
    double logp_grad(const exmc::vector_t<double>&, exmc::vector_t<double>& g) const {
      g.setZero();
      return 0.0;
    }
  } d;
  exmc::sample_options o;
  o.chains = 1;
  const auto f = exmc::sample(d, o);
  REQUIRE(f.status[0].outcome == exmc::chain_outcome::failed);
  CHECK_THAT(f.status[0].message, Catch::Contains("improper"));
}
