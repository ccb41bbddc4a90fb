// PSIS, PSIS-LOO, WAIC and model comparison against the R package loo 2.5.1 (fixtures from
// scripts/diagnostics-fixtures.R), plus checks against closed forms.
#include <catch2/catch.hpp>

#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <exmc/diagnostics/compare.hpp>
#include <exmc/diagnostics/loo.hpp>
#include <exmc/diagnostics/psis.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "fixture_reader.hpp"

using exmc::test::agrees;
using exmc::test::ref;

namespace {

// Same algorithms as loo; only rounding differs (R's logSumExp, Boost's normal quantile).
constexpr double tight = 1e-8;

void check(const std::string& case_name, const std::string& quantity, double actual, double scale = 1e-300) {
  const double expected = ref(case_name, quantity);
  INFO(case_name << " " << quantity << ": C++ " << actual << ", R " << expected);
  CHECK(agrees(actual, expected, tight, scale));
}

struct loglik_fixture {
  Eigen::MatrixXd log_lik;
  std::vector<int> chain_id;
};

loglik_fixture read_loglik(const std::string& model) {
  const Eigen::MatrixXd m = exmc::test::read_matrix("loglik_" + model + ".csv");
  loglik_fixture f;
  f.log_lik = m.rightCols(m.cols() - 1);
  for (Eigen::Index i = 0; i < m.rows(); ++i) f.chain_id.push_back(static_cast<int>(m(i, 0)));
  return f;
}

// "name.i", built by appending: GCC 12 raises a false -Wrestrict on literal + string here.
std::string key(std::string base, Eigen::Index i) {
  base += '.';
  base += std::to_string(i);
  return base;
}

void check_loo(const std::string& case_name, const exmc::loo_result& l) {
  check(case_name, "elpd_loo", l.elpd_loo);
  check(case_name, "se_elpd_loo", l.se_elpd_loo);
  check(case_name, "p_loo", l.p_loo);
  check(case_name, "se_p_loo", l.se_p_loo);
  check(case_name, "looic", l.looic);
  check(case_name, "se_looic", l.se_looic);
  for (Eigen::Index i = 0; i < l.pareto_k.size(); ++i) {
    check(case_name, key("elpd_loo", i), l.pointwise_elpd[i]);
    check(case_name, key("p_loo", i), l.pointwise_p[i], 1.0);
    check(case_name, key("mcse_elpd_loo", i), l.mcse_elpd[i]);
    // k is a shape parameter of order 1 that can be ~0; compare on that scale.
    check(case_name, key("pareto_k", i), l.pareto_k[i], 1.0);
    check(case_name, key("n_eff", i), l.n_eff[i]);
  }
}

}  // namespace

TEST_CASE("relative efficiency, PSIS-LOO and WAIC agree with loo", "[diagnostics][loo]") {
  for (const std::string model : {"normal", "student", "per_obs"}) {
    const auto f = read_loglik(model);
    const Eigen::VectorXd r_eff = exmc::relative_eff(f.log_lik, f.chain_id);
    for (Eigen::Index i = 0; i < r_eff.size(); ++i) check(model, key("r_eff", i), r_eff[i]);
    CHECK(exmc::relative_eff(f.log_lik, 4) == r_eff);  // rows are stacked chain by chain

    check_loo(model + "_loo", exmc::loo(f.log_lik, r_eff));
    check_loo(model + "_loo_reff1", exmc::loo(f.log_lik));

    const exmc::waic_result w = exmc::waic(f.log_lik);
    const std::string c = model + "_waic";
    check(c, "elpd_waic", w.elpd_waic);
    check(c, "se_elpd_waic", w.se_elpd_waic);
    check(c, "p_waic", w.p_waic);
    check(c, "se_p_waic", w.se_p_waic);
    check(c, "waic", w.waic);
    check(c, "se_waic", w.se_waic);
    for (Eigen::Index i = 0; i < w.pointwise_p.size(); ++i) check(c, key("p_waic", i), w.pointwise_p[i]);
  }
}

TEST_CASE("high Pareto k is flagged", "[diagnostics][loo]") {
  const auto normal = read_loglik("normal");
  const exmc::loo_result l = exmc::loo(normal.log_lik, exmc::relative_eff(normal.log_lik, normal.chain_id));
  // Only the outlier (observation 15, y = 7) is too influential for importance sampling.
  CHECK(l.high_pareto_k() == std::vector<Eigen::Index>{15});
  REQUIRE(l.warnings().size() == 1);
  CHECK_THAT(l.warnings()[0], Catch::Contains("1 of 16 observations have Pareto k > 0.7 (observations 15)"));

  const auto student = read_loglik("student");
  CHECK(exmc::loo(student.log_lik).warnings().empty());

  const auto per_obs = read_loglik("per_obs");
  const exmc::loo_result bad = exmc::loo(per_obs.log_lik);
  CHECK(bad.high_pareto_k().size() == 16);
  CHECK_THAT(bad.warnings()[0], Catch::Contains("16 of 16") && Catch::Contains("0, 1, 2") && Catch::Contains("..."));
  CHECK_FALSE(exmc::waic(per_obs.log_lik).warnings().empty());
}

TEST_CASE("compare orders models and pairs differences like loo_compare", "[diagnostics][loo]") {
  std::vector<std::pair<std::string, exmc::loo_result>> models;
  for (const std::string model : {"normal", "student", "per_obs"}) {
    const auto f = read_loglik(model);
    models.emplace_back(model, exmc::loo(f.log_lik, exmc::relative_eff(f.log_lik, f.chain_id)));
  }
  const exmc::comparison c = exmc::compare(models);
  REQUIRE(c.rows.size() == 3);
  for (std::size_t i = 0; i < c.rows.size(); ++i) {
    const auto& row = c.rows[i];
    CHECK(static_cast<double>(i) == ref("compare", "rank." + row.name));
    check("compare", "elpd_diff." + row.name, row.elpd_diff, 1.0);
    check("compare", "se_diff." + row.name, row.se_diff, 1.0);
  }
  CHECK(c["student"].elpd_diff == 0.0);
  CHECK(c["normal"].elpd == models[0].second.elpd_loo);
  // normal has one k > 0.7, per_obs sixteen: both warned about, student not.
  REQUIRE(c.warnings.size() == 2);
  CHECK_THAT(c.warnings[0], Catch::StartsWith("model 'normal'"));
  CHECK_THAT(c.warnings[1], Catch::StartsWith("model 'per_obs'"));

  std::ostringstream printed;
  printed << c;
  const std::string text = printed.str();
  CHECK_THAT(text, Catch::StartsWith("model    elpd_diff    se_diff       elpd    se_elpd          p       se_p\n"
                                     "student        0.0        0.0"));
  CHECK_THAT(text, Catch::Contains("\nnormal       -10.0        5.6"));
  CHECK_THAT(text, Catch::Contains("Warning: model 'per_obs'"));

  CHECK_THROWS_WITH(exmc::compare({models[0]}), Catch::Contains("at least two models"));
  auto shorter = models[1];
  shorter.second.pointwise_elpd.conservativeResize(10);
  CHECK_THROWS_WITH(exmc::compare({models[0], shorter}), Catch::Contains("same data"));
  CHECK_THROWS_AS(c["nope"], exmc::model_error);
}

TEST_CASE("PSIS of one vector of log ratios agrees with loo::psis", "[diagnostics][loo]") {
  const Eigen::VectorXd lr = exmc::test::read_matrix("log_ratios.csv").col(0);
  const exmc::psis_result p = exmc::psis(lr);
  check("psis_vector", "pareto_k", p.pareto_k);
  CHECK(static_cast<double>(p.tail_length) == ref("psis_vector", "tail_len"));
  for (Eigen::Index i = 0; i < lr.size(); i += 37)
    check("psis_vector", key("log_weight", i), p.log_weights[i]);
  CHECK(exmc::detail::log_sum_exp(p.log_weights) == Approx(0.0).margin(1e-12));
  // 20 draws give a tail of 4, too short to fit: loo reports k = Inf and leaves the weights.
  const exmc::psis_result short_tail = exmc::psis(lr.head(20));
  CHECK(std::isinf(short_tail.pareto_k));
  CHECK(ref("psis_short", "pareto_k") == short_tail.pareto_k);
}

TEST_CASE("gpdfit recovers the shape of generalized Pareto samples", "[diagnostics][loo]") {
  // Exact GPD quantiles at the plotting positions (i - 0.5)/n: a sample with no noise, so
  // the estimate without the prior must be close to the true shape.
  for (const double k : {0.2, 0.5, 0.9}) {
    const int n = 2000;
    const double sigma = 1.5;
    Eigen::VectorXd x(n);
    for (int i = 0; i < n; ++i) x[i] = sigma * std::expm1(-k * std::log1p(-(i + 0.5) / n)) / k;
    const exmc::gpd_fit fit = exmc::gpdfit(x, false);
    INFO("k = " << k);
    CHECK(fit.k == Approx(k).margin(0.02));
    CHECK(fit.sigma == Approx(sigma).epsilon(0.03));
  }
  CHECK_THROWS_AS(exmc::gpdfit(Eigen::VectorXd::Ones(1)), exmc::model_error);
}

TEST_CASE("leave-one-out of a conjugate normal model matches the exact LOO density", "[diagnostics][loo]") {
  // y_i ~ N(mu, 1), flat prior: mu | y ~ N(ybar, 1/n), and the exact leave-one-out
  // predictive of y_i is N(ybar_-i, 1 + 1/(n-1)). Independent draws from the posterior, so
  // PSIS-LOO estimates the exact elpd; with S = 4000 the Monte Carlo error of each point is
  // ~0.004 (its MCSE), so 5 MCSE of the sum is a safe bound.
  const std::vector<double> y = {-0.3, 1.2, 0.4, -1.1, 0.8, 0.1, -0.6, 2.0};
  const auto n = static_cast<Eigen::Index>(y.size());
  double ybar = 0;
  for (const double v : y) ybar += v / static_cast<double>(n);
  const boost::math::normal standard;
  const Eigen::Index s = 4000;
  Eigen::MatrixXd ll(s, n);
  for (Eigen::Index d = 0; d < s; ++d) {
    // Deterministic quasi-random draws: normal quantiles of a scrambled lattice.
    const double u = std::fmod((static_cast<double>(d) + 0.5) * 0.6180339887498949, 1.0);
    const double mu = ybar + boost::math::quantile(standard, u) / std::sqrt(static_cast<double>(n));
    for (Eigen::Index i = 0; i < n; ++i) ll(d, i) = -0.5 * std::log(2 * M_PI) - 0.5 * (y[i] - mu) * (y[i] - mu);
  }
  double exact = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double mean_rest = (ybar * static_cast<double>(n) - y[i]) / static_cast<double>(n - 1);
    const double var = 1.0 + 1.0 / static_cast<double>(n - 1);
    exact += -0.5 * std::log(2 * M_PI * var) - 0.5 * (y[i] - mean_rest) * (y[i] - mean_rest) / var;
  }
  const exmc::loo_result l = exmc::loo(ll);
  const double mcse = std::sqrt(l.mcse_elpd.array().square().sum());
  CHECK(std::abs(l.elpd_loo - exact) < 5 * mcse + 1e-3);
  CHECK(l.high_pareto_k().empty());
  CHECK(l.p_loo == Approx(1.0).margin(0.3));  // one parameter
}

TEST_CASE("bad log-likelihood input is reported", "[diagnostics][loo]") {
  Eigen::MatrixXd ll = Eigen::MatrixXd::Constant(100, 3, -1.0);
  ll(7, 2) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(exmc::loo(ll), Catch::Contains("observation 2") && Catch::Contains("draw 7"));
  CHECK_THROWS_WITH(exmc::waic(Eigen::MatrixXd(1, 3)), Catch::Contains("at least 2 draws"));
  CHECK_THROWS_WITH(exmc::loo(Eigen::MatrixXd::Zero(10, 3), Eigen::VectorXd::Ones(2)), Catch::Contains("r_eff has 2"));
  CHECK_THROWS_WITH(exmc::psis(Eigen::VectorXd::Zero(10), 0.0), Catch::Contains("r_eff"));
  CHECK_THROWS_WITH(exmc::relative_eff(Eigen::MatrixXd::Zero(10, 2), 3), Catch::Contains("3 chains"));
  CHECK_THROWS_WITH(exmc::relative_eff(Eigen::MatrixXd::Zero(3, 2), std::vector<int>{1, 1, 2}),
                    Catch::Contains("same number"));
  // A constant likelihood has equal weights: loo equals the log likelihood, p_loo = 0.
  const exmc::loo_result flat = exmc::loo(Eigen::MatrixXd::Constant(100, 3, -1.0));
  CHECK(flat.elpd_loo == Approx(-3.0));
  CHECK(flat.p_loo == Approx(0.0).margin(1e-12));
}
