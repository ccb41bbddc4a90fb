// SMC with likelihood tempering: evidence and moments against closed forms, both modes of a
// bimodal posterior in the right proportions, a logistic regression against a long NUTS run,
// fault handling, option checks, and bit-identical results whatever the thread count.
#include <catch2/catch.hpp>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include <exmc/diagnostics/summary.hpp>
#include <exmc/exmc.hpp>
#include <exmc/nuts/sample.hpp>
#include <exmc/smc/smc.hpp>

#include "logistic_regression.hpp"

namespace {

const double log_sqrt_2pi = 0.5 * std::log(2.0 * std::numbers::pi);

double log_normal(double x, double mu, double sd) {
  const double z = (x - mu) / sd;
  return -0.5 * z * z - std::log(sd) - log_sqrt_2pi;
}

// theta[j] ~ normal(m0, s0), y[j, k] ~ normal(theta[j], sigma): independent conjugate groups,
// normalised densities so the evidence is the marginal likelihood p(y).
struct conjugate_normal {
  using scalar = double;
  struct workspace {};
  Eigen::MatrixXd y;  // groups x observations
  double m0 = 1.0, s0 = 2.0, sigma = 1.5;

  static conjugate_normal simulate(int groups, int n) {
    conjugate_normal m;
    exmc::rng g(11, 0);
    m.y.resize(groups, n);
    for (int j = 0; j < groups; ++j) {
      const double theta = m.m0 + m.s0 * g.normal();
      for (int k = 0; k < n; ++k) m.y(j, k) = theta + m.sigma * g.normal();
    }
    return m;
  }
  std::ptrdiff_t dim() const { return y.rows(); }
  workspace make_workspace() const { return {}; }
  double log_prior(const exmc::vector_t<double>& q, exmc::vector_t<double>& g, workspace&) const {
    double lp = 0.0;
    for (Eigen::Index j = 0; j < q.size(); ++j) {
      lp += log_normal(q[j], m0, s0);
      g[j] = -(q[j] - m0) / (s0 * s0);
    }
    return lp;
  }
  double log_likelihood(const exmc::vector_t<double>& q, exmc::vector_t<double>& g, workspace&) const {
    double lp = 0.0;
    for (Eigen::Index j = 0; j < q.size(); ++j) {
      g[j] = 0.0;
      for (Eigen::Index k = 0; k < y.cols(); ++k) {
        lp += log_normal(y(j, k), q[j], sigma);
        g[j] += (y(j, k) - q[j]) / (sigma * sigma);
      }
    }
    return lp;
  }
  void draw_prior(exmc::rng& r, exmc::vector_t<double>& q, workspace&) const {
    for (Eigen::Index j = 0; j < q.size(); ++j) q[j] = m0 + s0 * r.normal();
  }
  std::vector<std::string> param_names() const {
    std::vector<std::string> n;
    for (Eigen::Index j = 0; j < y.rows(); ++j) n.push_back("theta[" + std::to_string(j) + "]");
    return n;
  }
  void constrain(const exmc::vector_t<double>& q, Eigen::VectorXd& out) const { out = q; }

  // log p(y): each group's y is multivariate normal with covariance sigma^2 I + s0^2 J.
  double exact_log_evidence() const {
    const Eigen::Index n = y.cols();
    const Eigen::MatrixXd cov = sigma * sigma * Eigen::MatrixXd::Identity(n, n) + s0 * s0 * Eigen::MatrixXd::Ones(n, n);
    const Eigen::LLT<Eigen::MatrixXd> llt(cov);
    const double log_det = 2.0 * llt.matrixL().toDenseMatrix().diagonal().array().log().sum();
    double out = 0.0;
    for (Eigen::Index j = 0; j < y.rows(); ++j) {
      const Eigen::VectorXd r = y.row(j).transpose().array() - m0;
      out += -0.5 * r.dot(llt.solve(r)) - 0.5 * log_det - static_cast<double>(n) * log_sqrt_2pi;
    }
    return out;
  }
  double posterior_sd() const { return 1.0 / std::sqrt(1.0 / (s0 * s0) + static_cast<double>(y.cols()) / (sigma * sigma)); }
  double posterior_mean(Eigen::Index j) const {
    const double v = posterior_sd() * posterior_sd();
    return v * (m0 / (s0 * s0) + y.row(j).sum() / (sigma * sigma));
  }
};

// q ~ normal(0, 10); likelihood 0.3 normal(q | -5, 0.5) + 0.7 normal(q | 5, 0.5). The prior is
// symmetric, so the posterior has modes at -5 and +5 with masses exactly 0.3 and 0.7, and the
// evidence is normal(5 | 0, sqrt(100.25)).
struct bimodal {
  using scalar = double;
  struct workspace {};
  static constexpr double w_neg = 0.3, w_pos = 0.7, centre = 5.0, width = 0.5, prior_sd = 10.0;
  std::ptrdiff_t dim() const { return 1; }
  workspace make_workspace() const { return {}; }
  double log_prior(const exmc::vector_t<double>& q, exmc::vector_t<double>& g, workspace&) const {
    g[0] = -q[0] / (prior_sd * prior_sd);
    return log_normal(q[0], 0.0, prior_sd);
  }
  double log_likelihood(const exmc::vector_t<double>& q, exmc::vector_t<double>& g, workspace&) const {
    const double a = std::log(w_neg) + log_normal(q[0], -centre, width);
    const double b = std::log(w_pos) + log_normal(q[0], centre, width);
    const double m = std::max(a, b);
    const double lse = m + std::log(std::exp(a - m) + std::exp(b - m));
    const double ra = std::exp(a - lse), rb = std::exp(b - lse);  // responsibilities
    g[0] = (ra * (-centre - q[0]) + rb * (centre - q[0])) / (width * width);
    return lse;
  }
  void draw_prior(exmc::rng& r, exmc::vector_t<double>& q, workspace&) const { q[0] = prior_sd * r.normal(); }
};

// q ~ normal(0, 1); the likelihood is 1 for q <= 1 and throws beyond: the posterior is the
// normal truncated at 1 and the evidence Phi(1), if thrown points count as likelihood zero.
struct truncating {
  using scalar = double;
  struct workspace {};
  std::ptrdiff_t dim() const { return 1; }
  workspace make_workspace() const { return {}; }
  double log_prior(const exmc::vector_t<double>& q, exmc::vector_t<double>& g, workspace&) const {
    g[0] = -q[0];
    return log_normal(q[0], 0.0, 1.0);
  }
  double log_likelihood(const exmc::vector_t<double>& q, exmc::vector_t<double>& g, workspace&) const {
    if (q[0] > 1.0) throw std::domain_error("q above 1");
    g[0] = 0.0;
    return 0.0;
  }
  void draw_prior(exmc::rng& r, exmc::vector_t<double>& q, workspace&) const { q[0] = r.normal(); }
};

static_assert(exmc::TemperedLogDensity<conjugate_normal>);
static_assert(exmc::TemperedLogDensity<test_models::logistic_regression>);
static_assert(exmc::NamedConstrain<conjugate_normal>);
static_assert(!exmc::TemperedLogDensity<int>, "a type without the members is not a tempered density");

double sample_sd(const Eigen::VectorXd& x) { return std::sqrt((x.array() - x.mean()).square().sum() / (x.size() - 1.0)); }

}  // namespace

TEST_CASE("next_increment keeps the weights' ESS at the target", "[smc][tempering]") {
  exmc::rng g(5, 0);
  Eigen::VectorXd ll(500);
  for (Eigen::Index i = 0; i < ll.size(); ++i) ll[i] = -50.0 * g.uniform();
  const double target = 250.0;
  const double delta = exmc::smc_detail::next_increment(ll, 0.0, target);
  REQUIRE(delta > 0.0);
  REQUIRE(delta < 1.0);
  CHECK(exmc::smc_detail::weights_ess(ll, delta) == Approx(target).epsilon(1e-9));
  // From beta = 0.9 the whole remaining step keeps a high ESS for a flat likelihood.
  CHECK(exmc::smc_detail::next_increment(Eigen::VectorXd::Constant(10, -3.0), 0.9, 5.0) == Approx(0.1).epsilon(1e-15));
  // Zero-likelihood particles (-inf) get weight 0; the ESS counts the others.
  Eigen::VectorXd dead = ll;
  dead.head(100).setConstant(-std::numeric_limits<double>::infinity());
  CHECK(exmc::smc_detail::weights_ess(dead, 1e-12) == Approx(400.0).epsilon(1e-9));
  CHECK(exmc::smc_detail::log_mean_exp(Eigen::Vector2d(std::log(1.0), std::log(3.0))) == Approx(std::log(2.0)).epsilon(1e-15));
}

TEST_CASE("systematic resampling copies each particle floor or ceil of n w times", "[smc][tempering]") {
  exmc::rng g(9, 0);
  const Eigen::Index n = 1000;
  Eigen::VectorXd log_w(n);
  for (Eigen::Index i = 0; i < n; ++i) log_w[i] = 3.0 * g.normal();
  log_w[0] = -std::numeric_limits<double>::infinity();
  const Eigen::ArrayXd w = (log_w.array() - log_w.maxCoeff()).exp() / (log_w.array() - log_w.maxCoeff()).exp().sum();
  for (int rep = 0; rep < 5; ++rep) {
    const auto parent = exmc::smc_detail::systematic_resample(log_w, g);
    std::vector<int> copies(static_cast<std::size_t>(n), 0);
    for (auto p : parent) ++copies[p];
    CHECK(copies[0] == 0);
    for (Eigen::Index i = 0; i < n; ++i) CHECK(std::abs(copies[static_cast<std::size_t>(i)] - n * w[i]) < 1.0 + 1e-9);
  }
}

TEST_CASE("smc log evidence and moments of a conjugate normal model match the closed form", "[smc]") {
  const auto model = conjugate_normal::simulate(2, 20);
  const double exact = model.exact_log_evidence();
  exmc::smc_options o;
  o.particles = 1000;
  std::vector<double> z;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    o.seed = seed;
    const auto f = exmc::smc(model, o);
    z.push_back(f.log_evidence);
    REQUIRE(f.temperatures.front() == 0.0);
    REQUIRE(f.temperatures.back() == 1.0);
    REQUIRE(static_cast<int>(f.temperatures.size()) == f.stages + 1);
    REQUIRE(f.posterior.names == model.param_names());
    // Delta method: stage k's mean weight has relative variance 1/ESS_k - 1/N with ESS_k =
    // ess_target * N, so sd(log Z) ~ sqrt(stages / N) here; 5 of those is a loose per-run bound.
    const double sd_log_z = std::sqrt(f.stages * (1.0 / (o.ess_target * o.particles) - 1.0 / o.particles));
    CHECK(std::abs(f.log_evidence - exact) < 5.0 * sd_log_z);
    // Particles after the last mutation: mean error sd / sqrt(ESS) with ESS >= ess_target * N.
    const double post_sd = model.posterior_sd();
    for (Eigen::Index j = 0; j < 2; ++j) {
      const Eigen::VectorXd x = f.posterior.chains[0].col(j);
      CHECK(std::abs(x.mean() - model.posterior_mean(j)) < 4.0 * post_sd / std::sqrt(o.ess_target * o.particles));
      CHECK(sample_sd(x) == Approx(post_sd).epsilon(0.1));
    }
  }
  // Across seeds: a 99.9% t-interval (4 degrees of freedom: 8.61) around the mean must hold the
  // exact value, i.e. the estimator is not biased beyond its spread.
  double mean = 0.0, var = 0.0;
  for (double v : z) mean += v / 5.0;
  for (double v : z) var += (v - mean) * (v - mean) / 4.0;
  CHECK(std::abs(mean - exact) < 8.61 * std::sqrt(var / 5.0));
}

TEST_CASE("smc recovers both modes of a bimodal posterior in the right proportions", "[smc]") {
  const double exact_log_z = log_normal(bimodal::centre, 0.0, std::sqrt(bimodal::prior_sd * bimodal::prior_sd + bimodal::width * bimodal::width));
  for (auto kernel : {exmc::smc_kernel::hmc, exmc::smc_kernel::mh}) {
    exmc::smc_options o;
    o.particles = 2000;
    o.kernel = kernel;
    o.seed = 1;
    const auto f = exmc::smc(bimodal{}, o);
    INFO("kernel " << exmc::to_string(kernel));
    REQUIRE(f.posterior.names == std::vector<std::string>{"q[0]"});
    const Eigen::VectorXd x = f.posterior.chains[0].col(0);
    // The modes' shares are fixed by importance weights whose ESS is at least ess_target * N,
    // so the share of the positive mode has binomial error with that many draws.
    const double share = (x.array() > 0.0).cast<double>().mean();
    CHECK(std::abs(share - bimodal::w_pos) < 4.0 * std::sqrt(0.21 / (o.ess_target * o.particles)));
    // Within each mode: normal(5, 0.5) times the prior normal(0, 10) has mean 5 * 100 / 100.25.
    const double mode_mean = bimodal::centre * 100.0 / 100.25, mode_sd = 1.0 / std::sqrt(1.0 / 100.0 + 4.0);
    double pos = 0.0, neg = 0.0;
    for (Eigen::Index i = 0; i < x.size(); ++i) (x[i] > 0.0 ? pos : neg) += x[i];
    const double n_pos = share * x.size(), n_neg = x.size() - n_pos;
    CHECK(std::abs(pos / n_pos - mode_mean) < 4.0 * mode_sd / std::sqrt(o.ess_target * n_pos));
    CHECK(std::abs(neg / n_neg + mode_mean) < 4.0 * mode_sd / std::sqrt(o.ess_target * n_neg));
    CHECK(std::abs(f.log_evidence - exact_log_z) < 5.0 * std::sqrt(f.stages / (o.ess_target * o.particles)));
    for (double a : f.acceptance) CHECK(a > 0.1);
  }
}

TEST_CASE("smc on a logistic regression agrees with a long NUTS run", "[smc]") {
  const auto model = test_models::logistic_regression::simulate(100, 21);
  exmc::sample_options so;
  so.draws = 5000;
  so.seed = 3;
  const auto nuts = exmc::sample(model, so);
  REQUIRE(nuts.all_ok());
  const auto table = exmc::summary(nuts);
  for (auto kernel : {exmc::smc_kernel::hmc, exmc::smc_kernel::mh}) {
    exmc::smc_options o;
    o.particles = 2000;
    o.kernel = kernel;
    o.seed = 4;
    const auto f = exmc::smc(model, o);
    INFO("kernel " << exmc::to_string(kernel));
    REQUIRE(exmc::summary(f).rows.size() == 3);  // the diagnostics take SMC draws like NUTS draws
    for (Eigen::Index j = 0; j < 3; ++j) {
      const auto& ref = table.rows[static_cast<std::size_t>(j)];
      const Eigen::VectorXd x = f.posterior.chains[0].col(j);
      INFO("coefficient " << j << ": smc " << x.mean() << " nuts " << ref.mean << " (sd " << ref.sd << ")");
      // Both estimates' errors: NUTS's MCSE and the particles' sd / sqrt(ESS >= ess_target * N).
      const double se = std::sqrt(ref.mcse_mean * ref.mcse_mean + ref.sd * ref.sd / (o.ess_target * o.particles));
      CHECK(std::abs(x.mean() - ref.mean) < 4.0 * se);
      CHECK(sample_sd(x) == Approx(ref.sd).epsilon(0.1));
    }
  }
}

TEST_CASE("smc results are bit-identical for any thread count and seed-dependent", "[smc][threads]") {
  const auto model = test_models::logistic_regression::simulate(50, 5);
  exmc::smc_options o;
  o.particles = 300;
  o.seed = 8;
  o.threads = 1;
  const auto one = exmc::smc(model, o);
  for (int threads : {2, 3}) {
    o.threads = threads;
    const auto many = exmc::smc(model, o);
    CHECK(many.log_evidence == one.log_evidence);
    CHECK(many.temperatures == one.temperatures);
    CHECK(many.acceptance == one.acceptance);
    CHECK(many.grad_evals == one.grad_evals);
    CHECK((many.unconstrained.array() == one.unconstrained.array()).all());
  }
  o.seed = 9;
  const auto other = exmc::smc(model, o);
  CHECK(other.log_evidence != one.log_evidence);
}

TEST_CASE("smc treats a throwing likelihood as likelihood zero", "[smc][faults]") {
  exmc::smc_options o;
  o.particles = 2000;
  o.seed = 2;
  o.threads = 2;
  const auto f = exmc::smc(truncating{}, o);
  CHECK(f.faults > 0);
  CHECK(f.last_fault == "q above 1");
  const Eigen::VectorXd x = f.posterior.chains[0].col(0);
  CHECK(x.maxCoeff() <= 1.0);
  // Normal truncated above at 1: mean -phi(1)/Phi(1), evidence Phi(1).
  const double phi1 = std::exp(log_normal(1.0, 0.0, 1.0)), cdf1 = 0.5 * std::erfc(-1.0 / std::sqrt(2.0));
  const double mean = -phi1 / cdf1, sd = std::sqrt(1.0 - phi1 / cdf1 - mean * mean);
  CHECK(std::abs(x.mean() - mean) < 4.0 * sd / std::sqrt(o.ess_target * o.particles));
  // One reweighting stage (the likelihood is flat where finite): the evidence is the surviving share.
  CHECK(std::abs(f.log_evidence - std::log(cdf1)) < 4.0 * std::sqrt((1.0 - cdf1) / (cdf1 * o.particles)));
}

namespace {
struct broken_prior : truncating {
  void draw_prior(exmc::rng&, exmc::vector_t<double>& q, workspace&) const { q[0] = std::nan(""); }
};
struct dead_likelihood : truncating {
  double log_likelihood(const exmc::vector_t<double>&, exmc::vector_t<double>&, workspace&) const { throw std::runtime_error("no data"); }
};
}  // namespace

TEST_CASE("smc rejects bad options and reports hopeless densities", "[smc][faults]") {
  auto message = [](auto&& f) {
    try {
      f();
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  auto run = [](exmc::smc_options o) { return exmc::smc(bimodal{}, o); };
  exmc::smc_options o;
  o.particles = 1;
  CHECK_THROWS_AS(run(o), exmc::model_error);
  CHECK(message([&] { run(o); }).find("particles") != std::string::npos);
  o = {};
  o.ess_target = 1.0;
  CHECK(message([&] { run(o); }).find("ess_target") != std::string::npos);
  o = {};
  o.max_steps = 1;
  CHECK(message([&] { run(o); }).find("max_steps") != std::string::npos);
  o = {};
  o.step_size = -1.0;
  CHECK(message([&] { run(o); }).find("step_size") != std::string::npos);
  o = {};
  o.particles = 50;
  o.max_stages = 1;
  CHECK_THROWS_AS(run(o), exmc::sampling_error);
  CHECK(message([&] { run(o); }).find("max_stages") != std::string::npos);
  o = {};
  o.particles = 10;
  CHECK_THROWS_AS(exmc::smc(broken_prior{}, o), exmc::sampling_error);
  CHECK(message([&] { exmc::smc(broken_prior{}, o); }).find("log prior") != std::string::npos);
  CHECK(message([&] { exmc::smc(dead_likelihood{}, o); }).find("no data") != std::string::npos);
}

TEST_CASE("smc runs on a compiled DSL model: the evidence of the conjugate model", "[smc][model]") {
  const auto ref = conjugate_normal::simulate(2, 20);
  Eigen::VectorXd y(40);
  Eigen::VectorXi group(40);
  for (Eigen::Index j = 0; j < 2; ++j)
    for (Eigen::Index k = 0; k < 20; ++k) {
      y[j * 20 + k] = ref.y(j, k);
      group[j * 20 + k] = static_cast<int>(j);
    }
  auto theta = exmc::param<"theta">(exmc::normal(ref.m0, ref.s0), 2);
  const auto m = exmc::compile<double>(exmc::model(theta, exmc::observe<"y">(exmc::normal(theta[group], ref.sigma), y)));
  static_assert(exmc::TemperedLogDensity<decltype(m)>);
  exmc::smc_options o;
  o.particles = 1000;
  o.seed = 3;
  const auto f = exmc::smc(m, o);
  const double sd_log_z = std::sqrt(f.stages * (1.0 / (o.ess_target * o.particles) - 1.0 / o.particles));
  CHECK(std::abs(f.log_evidence - ref.exact_log_evidence()) < 5.0 * sd_log_z);
  REQUIRE(f.posterior.names == std::vector<std::string>{"theta[0]", "theta[1]"});
  CHECK(std::abs(f.posterior.chains[0].col(1).mean() - ref.posterior_mean(1)) < 4.0 * ref.posterior_sd() / std::sqrt(o.ess_target * o.particles));
}
