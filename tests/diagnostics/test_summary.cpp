// The summary table: values against posterior (fixtures), access by name, fit objects, and
// the printed layout.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <exmc/diagnostics/diagnostics.hpp>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "fixture_reader.hpp"

using exmc::test::agrees;
using exmc::test::ref;

namespace {

exmc::draws draws_from_fixtures(const std::vector<std::string>& cases) {
  exmc::draws d;
  d.names = cases;
  std::vector<Eigen::MatrixXd> columns;
  for (const auto& c : cases) columns.push_back(exmc::test::read_matrix("draws_" + c + ".csv"));
  const Eigen::Index chains = columns.front().cols();
  Eigen::Index rows = columns.front().rows();
  for (const auto& m : columns) rows = std::min(rows, m.rows());  // fixtures differ in length
  for (Eigen::Index c = 0; c < chains; ++c) {
    Eigen::MatrixXd chain(rows, static_cast<Eigen::Index>(cases.size()));
    for (std::size_t j = 0; j < cases.size(); ++j) chain.col(static_cast<Eigen::Index>(j)) = columns[j].col(c).head(rows);
    d.chains.push_back(chain);
  }
  return d;
}

// Stand-in for the NUTS fit type: only the members the diagnostics rely on.
struct fake_fit {
  exmc::draws posterior;
  exmc::draws sample_stats;
};

}  // namespace

TEST_CASE("summary rows agree with posterior", "[diagnostics][summary]") {
  const std::vector<std::string> cases = {"well_mixed", "ar1_rho09", "cauchy", "antithetic"};
  const exmc::summary_table t = exmc::summary(draws_from_fixtures(cases));
  REQUIRE(t.size() == cases.size());
  for (const auto& name : cases) {
    const exmc::summary_row& r = t[name];
    const auto near = [&](const char* q, double v, double scale = 1e-300) {
      INFO(name << " " << q << ": C++ " << v << ", R " << ref(name, q));
      CHECK(agrees(v, ref(name, q), 1e-8, scale));
    };
    near("mean", r.mean, 1.0);
    near("sd", r.sd);
    near("mcse_mean", r.mcse_mean);
    near("mcse_sd", r.mcse_sd);
    near("q5", r.q5, 1.0);
    near("q50", r.q50, 1.0);
    near("q95", r.q95, 1.0);
    near("ess_bulk", r.ess_bulk);
    near("ess_tail", r.ess_tail);
    near("rhat", r.r_hat);
  }
  CHECK_THROWS_WITH(t["nope"], Catch::Contains("'nope'"));
}

TEST_CASE("summary accepts any fit with a posterior member", "[diagnostics][summary]") {
  fake_fit fit;
  fit.posterior = draws_from_fixtures({"well_mixed", "nonconverged"});
  static_assert(exmc::HasPosterior<fake_fit>);
  static_assert(!exmc::HasPosterior<exmc::draws>);
  const exmc::summary_table t = exmc::summary(fit);
  CHECK(t["nonconverged"].r_hat == exmc::rhat(fit.posterior.column("nonconverged")));
  CHECK(t["nonconverged"].r_hat == Approx(ref("nonconverged", "rhat")).epsilon(1e-8));
  CHECK(t["well_mixed"].r_hat < 1.01);
}

TEST_CASE("summary rejects malformed draws", "[diagnostics][summary]") {
  exmc::draws d;
  CHECK_THROWS_WITH(exmc::summary(d), Catch::Contains("no chains"));
  d.names = {"a", "b"};
  d.chains = {Eigen::MatrixXd::Zero(5, 2), Eigen::MatrixXd::Zero(5, 3)};
  CHECK_THROWS_WITH(exmc::summary(d), Catch::Contains("chain 2 has 3 columns but there are 2 names"));
  d.chains = {Eigen::MatrixXd::Zero(0, 2)};
  CHECK_THROWS_WITH(exmc::summary(d), Catch::Contains("no iterations"));
}

TEST_CASE("printed summary has aligned columns", "[diagnostics][summary]") {
  // Two chains of 6 draws; 'sigma' is constant, so its MCSE, ESS and R-hat are NA.
  exmc::draws d;
  d.names = {"mu", "sigma", "a_long_name[10]"};
  Eigen::MatrixXd c0(6, 3), c1(6, 3);
  c0 << 0.1, 2, 10, 0.4, 2, 20, -0.3, 2, 30, 0.2, 2, 25, 0.0, 2, 15, 0.5, 2, 12;
  c1 << -0.2, 2, 11, 0.3, 2, 21, 0.6, 2, 31, -0.1, 2, 26, 0.25, 2, 16, 0.05, 2, 13;
  d.chains = {c0, c1};
  std::ostringstream os;
  os << exmc::summary(d);
  const std::string text = os.str();
  // The numbers are posterior::summarise_draws on the same draws, printed with %.3g
  // (values), %.0f (ESS) and %.3f (R-hat).
  const std::string expected =
      "                 Mean   MCSE  StdDev  MCSE_SD      5%   50%    95%  ESS_bulk  ESS_tail  R_hat\n"
      "mu               0.15  0.113   0.277   0.0551  -0.245  0.15  0.545         6         6  0.939\n"
      "sigma               2     NA       0       NA       2     2      2        NA        NA     NA\n"
      "a_long_name[10]  19.2   3.04    7.44     1.22    10.6    18   30.4         6         6  0.876\n";
  CHECK(text == expected);

  // Every line has the same length, and every column ends at the same place.
  std::istringstream lines(text);
  std::string line;
  std::size_t length = 0;
  while (std::getline(lines, line)) {
    if (length == 0) length = line.size();
    CHECK(line.size() == length);
  }
  std::ostringstream more;
  exmc::print(more, exmc::summary(d), 5);
  CHECK_THAT(more.str(), Catch::Contains("0.27716"));
}

TEST_CASE("non-finite draws are reported, never averaged in", "[diagnostics][summary]") {
  exmc::draws d;
  d.names = {"a", "b"};
  for (int c = 0; c < 2; ++c) {
    Eigen::MatrixXd m(50, 2);
    for (int i = 0; i < 50; ++i) {
      m(i, 0) = std::sin(1.0 + i + 100 * c);
      m(i, 1) = std::cos(2.0 + i + 100 * c);
    }
    d.chains.push_back(m);
  }
  d.chains[1](7, 1) = std::numeric_limits<double>::quiet_NaN();
  d.chains[0](3, 1) = std::numeric_limits<double>::infinity();
  const auto t = exmc::summary(d);
  CHECK(t["a"].non_finite == 0);
  CHECK(std::isfinite(t["a"].mean));
  CHECK(t["b"].non_finite == 2);
  CHECK(std::isnan(t["b"].mean));
  CHECK(std::isnan(t["b"].q50));
  std::ostringstream os;
  os << t;
  CHECK_THAT(os.str(), Catch::Contains("b has 2 non-finite draws"));
}

TEST_CASE("infinite draws: the summary agrees with posterior and with the standalone functions", "[diagnostics][summary]") {
  // Reference: posterior 1.4.0, summarise_draws of this matrix (R code in the comment below).
  //   x[i+1, c+1] <- sin(i*0.7 + c*1.3) + 0.1*cos(i*i*0.37 + c); x[5,2] <- Inf; x[60,4] <- Inf
  //   -> mean Inf, sd NaN, q5 -1.0232052920315504, q50 0.00057326154783791852,
  //      q95 0.99774502381119845, rhat 0.99496239394869568, ess_bulk 174.95263292197507, ess_tail NA
  Eigen::MatrixXd x(100, 4);
  for (int c = 0; c < 4; ++c)
    for (int i = 0; i < 100; ++i) x(i, c) = std::sin(i * 0.7 + c * 1.3) + 0.1 * std::cos(i * i * 0.37 + c);
  x(4, 1) = x(59, 3) = std::numeric_limits<double>::infinity();
  const exmc::summary_row r = exmc::summarise("x", x);
  const auto near = [](double a, double b) { return std::abs(a - b) <= 1e-10 * std::abs(b); };
  CHECK(r.non_finite == 2);
  CHECK(r.mean == std::numeric_limits<double>::infinity());
  CHECK(std::isnan(r.sd));
  CHECK(std::isnan(r.mcse_mean));
  CHECK(near(r.q5, -1.0232052920315504));
  CHECK(near(r.q50, 0.00057326154783791852));
  CHECK(near(r.q95, 0.99774502381119845));
  CHECK(near(r.r_hat, 0.99496239394869568));
  CHECK(near(r.ess_bulk, 174.95263292197507));
  CHECK(std::isnan(r.ess_tail));
  CHECK(r.r_hat == exmc::rhat(x));
  CHECK(r.ess_bulk == exmc::ess_bulk(x));
  CHECK(r.q95 == exmc::quantile(x, 0.95));
  exmc::summary_table t;
  t.rows.push_back(r);
  std::ostringstream os;
  os << t;
  CHECK_THAT(os.str(), Catch::Contains("x has 2 non-finite draws (NaN or Inf) of 400; its moments, their MCSEs and the tail ESS are NA"));
}

TEST_CASE("summary(fit, true) starts with lp__ when the fit has sampler statistics", "[diagnostics][summary]") {
  struct with_stats {
    exmc::draws posterior, sample_stats;
  } f;
  f.posterior.names = {"mu"};
  f.sample_stats.names = {"accept_stat__", "lp__"};
  for (int c = 0; c < 2; ++c) {
    f.posterior.chains.push_back(Eigen::MatrixXd::Random(50, 1));
    f.sample_stats.chains.push_back(Eigen::MatrixXd::Random(50, 2));
  }
  CHECK(exmc::summary(f).size() == 1);  // by default one row per posterior quantity
  const exmc::summary_table t = exmc::summary(f, true);
  REQUIRE(t.size() == 2);
  CHECK(t.rows[0].name == "lp__");
  CHECK(t["lp__"].mean == exmc::summarise("lp__", f.sample_stats.column(1)).mean);
  CHECK(t.rows[1].name == "mu");
}

TEST_CASE("a summary row equals the standalone diagnostics it shares one sort between", "[diagnostics][summary]") {
  // summarise() sorts the draws once and derives the split and folded ranks from that order;
  // the standalone functions sort what they need. Same arithmetic, so the numbers are equal.
  const auto same = [](double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; };
  std::mt19937_64 gen(3);
  std::normal_distribution<double> normal;
  for (const auto& [rows, chains, ties] : std::vector<std::tuple<Eigen::Index, Eigen::Index, bool>>{
           {1001, 3, false}, {1000, 4, false}, {2000, 2, true}, {999, 1, true}, {3, 2, false}, {2, 4, true},
           {1, 4, false}}) {
    Eigen::MatrixXd x(rows, chains);
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      const double v = normal(gen);
      x.data()[i] = ties ? std::round(4 * v) / 4 : v;  // many ties, some of them at the median
    }
    const exmc::summary_row r = exmc::summarise("x", x);
    INFO(rows << " x " << chains << (ties ? " with ties" : ""));
    CHECK(same(r.q5, exmc::quantile(x, 0.05)));
    CHECK(same(r.q50, exmc::quantile(x, 0.5)));
    CHECK(same(r.q95, exmc::quantile(x, 0.95)));
    CHECK(same(r.ess_bulk, exmc::ess_bulk(x)));
    CHECK(same(r.ess_tail, exmc::ess_tail(x)));
    CHECK(same(r.r_hat, exmc::rhat(x)));
    CHECK(same(r.mcse_mean, exmc::mcse_mean(x)));
    CHECK(same(r.mcse_sd, exmc::mcse_sd(x)));
  }
}
