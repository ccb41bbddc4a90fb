// R-hat, ESS and MCSE against the R package posterior 1.4 (fixtures from
// scripts/diagnostics-fixtures.R), plus properties that need no reference.
#include <catch2/catch.hpp>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <exmc/diagnostics/autocorrelation.hpp>
#include <exmc/diagnostics/convergence.hpp>
#include <exmc/diagnostics/mcse.hpp>
#include <random>
#include <string>
#include <vector>

#include "fixture_reader.hpp"

using exmc::test::agrees;
using exmc::test::ref;

namespace {

// Same algorithm as posterior, so only rounding separates the two: FFTs by different
// libraries (~1e-15 relative), R's long-double means and Boost's vs R's normal quantile.
constexpr double tight = 1e-8;

void check(const std::string& case_name, const std::string& quantity, double actual, double scale = 1e-300) {
  const double expected = ref(case_name, quantity);
  INFO(case_name << " " << quantity << ": C++ " << actual << ", R " << expected);
  CHECK(agrees(actual, expected, tight, scale));
}

}  // namespace

TEST_CASE("convergence diagnostics agree with posterior", "[diagnostics][posterior]") {
  const char* cases[] = {"well_mixed", "ar1_rho09", "nonconverged", "cauchy",     "constant",
                         "single_chain", "antithetic", "poisson_ties", "short_odd"};
  for (const std::string name : cases) {
    const Eigen::MatrixXd x = exmc::test::read_matrix("draws_" + name + ".csv");
    check(name, "rhat", exmc::rhat(x));
    check(name, "rhat_basic", exmc::rhat_basic(x));
    check(name, "ess_basic", exmc::ess_basic(x));
    check(name, "ess_bulk", exmc::ess_bulk(x));
    check(name, "ess_tail", exmc::ess_tail(x));
    check(name, "ess_mean", exmc::ess_mean(x));
    check(name, "ess_sd", exmc::ess_sd(x));
    for (const double p : {0.05, 0.5, 0.95}) {
      const std::string pct = std::to_string(static_cast<int>(std::lround(100 * p)));
      check(name, "ess_q" + pct, exmc::ess_quantile(x, p));
      check(name, "mcse_q" + pct, exmc::mcse_quantile(x, p));
      check(name, "q" + pct, exmc::quantile(x, p), 1.0);
    }
    check(name, "mcse_mean", exmc::mcse_mean(x));
    check(name, "mcse_sd", exmc::mcse_sd(x));
    check(name, "mean", x.mean(), 1.0);
    const Eigen::VectorXd acf = exmc::autocorrelation(x.col(0));
    // Correlations are bounded by 1, so compare them on that absolute scale.
    for (Eigen::Index lag = 0; lag < std::min<Eigen::Index>(10, acf.size()); ++lag) check(name, "acf." + std::to_string(lag), acf[lag], 1.0);
  }
}

TEST_CASE("chains constant within but different between", "[diagnostics][posterior]") {
  const Eigen::MatrixXd x = exmc::test::read_matrix("draws_constant_per_chain.csv");
  const std::string name = "constant_per_chain";
  check(name, "rhat_basic", exmc::rhat_basic(x));
  check(name, "ess_bulk", exmc::ess_bulk(x));
  check(name, "ess_tail", exmc::ess_tail(x));
  check(name, "ess_mean", exmc::ess_mean(x));
  check(name, "ess_sd", exmc::ess_sd(x));
  check(name, "mcse_mean", exmc::mcse_mean(x));
  check(name, "mcse_sd", exmc::mcse_sd(x));
  check(name, "mcse_q5", exmc::mcse_quantile(x, 0.05));
  check(name, "mcse_q95", exmc::mcse_quantile(x, 0.95));
  // Within-chain variance is exactly zero, so R-hat is +infinity here, as docs/diagnostics.md
  // says; posterior returns ~2.5e15 because matrixStats' colVars leaves ~1e-31 of rounding in a
  // zero variance (and exmc's rank-normalised variance left ~1e-32, which gave 8.99e15).
  CHECK(ref(name, "rhat") > 1e10);
  CHECK(exmc::rhat(x) == std::numeric_limits<double>::infinity());
  CHECK(exmc::summarise("x", x).r_hat == std::numeric_limits<double>::infinity());
  CHECK(exmc::rhat_basic(x) == std::numeric_limits<double>::infinity());
  // One chain constant, the others not: finite.
  Eigen::MatrixXd y = x;
  y.col(0) = Eigen::VectorXd::LinSpaced(y.rows(), 0.0, 1.0);
  CHECK(std::isfinite(exmc::rhat(y)));
}

TEST_CASE("autocovariance by FFT equals the direct sum", "[diagnostics]") {
  const Eigen::MatrixXd x = exmc::test::read_matrix("draws_ar1_rho09.csv");
  for (const Eigen::Index n : {Eigen::Index{7}, Eigen::Index{97}, Eigen::Index{1000}}) {
    const Eigen::VectorXd chain = x.col(1).head(n);
    const Eigen::VectorXd fast = exmc::autocovariance(chain);
    const Eigen::VectorXd centred = chain.array() - chain.mean();
    for (Eigen::Index lag = 0; lag < n; lag += (n > 50 ? 13 : 1)) {
      const double direct = centred.head(n - lag).dot(centred.tail(n - lag)) / static_cast<double>(n);
      INFO("n = " << n << ", lag = " << lag);
      CHECK(fast[lag] == Approx(direct).margin(1e-12 * fast[0]));
    }
  }
  CHECK(exmc::autocovariance(Eigen::VectorXd::Constant(10, 3.0)).isZero());
  CHECK_THROWS_AS(exmc::autocovariance(Eigen::VectorXd()), exmc::model_error);
}

TEST_CASE("ESS reflects the autocorrelation of an AR(1) chain", "[diagnostics]") {
  // For AR(1) with coefficient rho the asymptotic ESS is S (1 - rho) / (1 + rho); with
  // rho = 0.9 and S = 4000 that is 210.5. The estimate is itself noisy (~15% sd here).
  const Eigen::MatrixXd x = exmc::test::read_matrix("draws_ar1_rho09.csv");
  CHECK(exmc::ess_mean(x) == Approx(4000.0 * 0.1 / 1.9).epsilon(0.35));
  // Antithetic chains would give ESS > S; it is capped at S log10(S).
  const Eigen::MatrixXd anti = exmc::test::read_matrix("draws_antithetic.csv");
  CHECK(exmc::ess_mean(anti) == Approx(4000.0 * std::log10(4000.0)).epsilon(1e-12));
}

TEST_CASE("bad input is reported, never crashes", "[diagnostics]") {
  const Eigen::MatrixXd empty(0, 4);
  CHECK_THROWS_WITH(exmc::rhat(empty), Catch::Contains("rhat") && Catch::Contains("empty"));
  CHECK_THROWS_AS(exmc::ess_bulk(Eigen::MatrixXd(10, 0)), exmc::model_error);
  Eigen::MatrixXd x = Eigen::MatrixXd::Random(20, 2);
  CHECK_THROWS_WITH(exmc::quantile(x, 1.5), Catch::Contains("[0, 1]"));
  CHECK_THROWS_AS(exmc::ess_quantile(x, -0.1), exmc::model_error);
  x(3, 1) = std::numeric_limits<double>::quiet_NaN();
  CHECK(std::isnan(exmc::rhat(x)));
  CHECK(std::isnan(exmc::ess_bulk(x)));
  CHECK(std::isnan(exmc::ess_tail(x)));
  CHECK(std::isnan(exmc::mcse_quantile(x, 0.5)));
  // Two draws per chain: too few for an ESS.
  CHECK(std::isnan(exmc::ess_bulk(Eigen::MatrixXd::Random(5, 3))));
}

TEST_CASE("mean autocovariance: direct lags and the FFT fallback agree", "[diagnostics]") {
  Eigen::MatrixXd x = exmc::test::read_matrix("draws_ar1_rho09.csv");
  x.col(2).setConstant(1.5);  // a constant chain contributes zero at every lag
  Eigen::VectorXd expected = Eigen::VectorXd::Zero(x.rows());
  for (Eigen::Index c = 0; c < x.cols(); ++c) expected += exmc::autocovariance(x.col(c));
  expected /= static_cast<double>(x.cols());
  REQUIRE(x.rows() > 2 * exmc::detail::mean_autocovariance::direct_lags);
  exmc::detail::mean_autocovariance in_order(x);
  for (Eigen::Index lag = 0; lag < x.rows(); lag += (lag < 140 ? 1 : 37)) {
    INFO("lag " << lag);
    CHECK(in_order(lag) == Approx(expected[lag]).margin(1e-12 * expected[0]));
  }
  exmc::detail::mean_autocovariance jumping(x);  // the FFT first, then a direct lag
  CHECK(jumping(500) == Approx(expected[500]).margin(1e-12 * expected[0]));
  CHECK(jumping(3) == Approx(expected[3]).margin(1e-12 * expected[0]));
}

TEST_CASE("rank normalisation: ties averaged, signs, zeros and infinities ordered", "[diagnostics]") {
  // Enough entries for the radix sort, drawn with replacement from values that order keys
  // must get right, plus distinct random ones.
  const std::vector<double> pool = {-std::numeric_limits<double>::infinity(), -1e300, -3.5, -1.0, -1e-310, -0.0, 0.0,
                                    1e-310, 2.0, 2.5, 1e300, std::numeric_limits<double>::infinity()};
  std::mt19937_64 gen(42);
  Eigen::MatrixXd x(3000, 3);
  for (Eigen::Index i = 0; i < x.size(); ++i)
    x.data()[i] = i % 3 == 0 ? pool[gen() % pool.size()]
                             : std::ldexp(static_cast<double>(gen() % 1000000) - 5e5, static_cast<int>(gen() % 40) - 20);
  std::vector<double> sorted(x.data(), x.data() + x.size());
  std::sort(sorted.begin(), sorted.end());
  const Eigen::MatrixXd z = exmc::detail::z_scale(x);
  const boost::math::normal_distribution<double> standard;
  const double s = static_cast<double>(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double v = x.data()[i];
    const auto below = std::lower_bound(sorted.begin(), sorted.end(), v) - sorted.begin();
    const auto ties = std::upper_bound(sorted.begin(), sorted.end(), v) - sorted.begin() - below;
    const double rank = static_cast<double>(below) + 0.5 * static_cast<double>(ties + 1);
    INFO("entry " << i << " = " << v);
    CHECK(z.data()[i] == Approx(boost::math::quantile(standard, (rank - 0.375) / (s + 0.25))).epsilon(1e-14));
  }
}

TEST_CASE("normal_quantile gives Boost's normal quantile bit for bit", "[diagnostics]") {
  // The rank normalisation and loo's quadrature use it in place of boost::math::quantile of a
  // normal_distribution (whose headers it avoids parsing); the same operations, the same bits.
  const boost::math::normal_distribution<double, exmc::math::quiet_policy> standard;
  for (double p : {1e-300, 1e-20, 1e-5, 0.001, 0.0125, 0.1586553, 0.3, 0.5, 0.6, 0.8413447, 0.975, 0.999, 1 - 1e-12})
    CHECK(exmc::math::normal_quantile(p) == boost::math::quantile(standard, p));
  CHECK(exmc::math::normal_quantile(0.5) == 0.0);
}
