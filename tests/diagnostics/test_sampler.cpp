// Sampler checks from Stan-style sample statistics, and the plain-language verdict.
#include <catch2/catch.hpp>

#include <exmc/diagnostics/diagnostics.hpp>
#include <limits>
#include <string>
#include <vector>

#include "fixture_reader.hpp"

namespace {

const std::vector<std::string> stat_names = {"lp__",        "accept_stat__", "stepsize__", "treedepth__",
                                             "n_leapfrog__", "divergent__",   "energy__"};

// One chain of healthy statistics: tree depth 3, no divergence, energy with independent
// jumps (E-BFMI near 2) taken from a well-mixed fixture column.
Eigen::MatrixXd healthy_chain(Eigen::Index c, Eigen::Index n = 1000) {
  const Eigen::MatrixXd z = exmc::test::read_matrix("draws_well_mixed.csv");
  Eigen::MatrixXd m(n, 7);
  for (Eigen::Index i = 0; i < n; ++i) m.row(i) << -10.0 + z(i, c), 0.85, 0.5 + 0.1 * static_cast<double>(c), 3, 7, 0, 12.0 + z(i, c);
  return m;
}

exmc::draws healthy_stats() {
  exmc::draws d;
  d.names = stat_names;
  for (Eigen::Index c = 0; c < 4; ++c) d.chains.push_back(healthy_chain(c));
  return d;
}

struct fake_fit {
  exmc::draws posterior;
  exmc::draws sample_stats;
};

}  // namespace

TEST_CASE("E-BFMI has its closed form", "[diagnostics][sampler]") {
  // Alternating energies: every jump is 1, spread n/4, so E-BFMI = (n - 1) / (n / 4).
  Eigen::VectorXd alternating(8);
  alternating << 0, 1, 0, 1, 0, 1, 0, 1;
  CHECK(exmc::detail::e_bfmi(alternating) == Approx(7.0 / 2.0));
  // A slow ramp: jumps of 1, spread sum (i - 49.5)^2 = 83325.
  const Eigen::VectorXd ramp = Eigen::VectorXd::LinSpaced(100, 0, 99);
  CHECK(exmc::detail::e_bfmi(ramp) == Approx(99.0 / 83325.0));
}

TEST_CASE("healthy run: no problems", "[diagnostics][sampler]") {
  const exmc::sampler_report r = exmc::diagnose(healthy_stats());
  REQUIRE(r.chains.size() == 4);
  CHECK(r.total_draws() == 4000);
  CHECK(r.total_divergences() == 0);
  CHECK(r.total_max_depth_hits() == 0);
  CHECK(r.chains[2].stepsize == Approx(0.7));
  CHECK(r.chains[0].mean_accept_stat == Approx(0.85));
  for (const auto& c : r.chains) CHECK(c.e_bfmi > 1.5);  // independent energies: ~2
  CHECK(r.ok());
  CHECK(r.verdict() ==
        "No divergent transitions.\n"
        "No transition hit the maximum tree depth of 10.\n"
        "E-BFMI satisfactory for all 4 chains.\n"
        "No problems detected.\n");
}

TEST_CASE("divergences, tree depth and E-BFMI problems are reported", "[diagnostics][sampler]") {
  exmc::draws d = healthy_stats();
  d.chains[0](17, 5) = 1;  // divergent__
  d.chains[0](400, 5) = 1;
  d.chains[2](3, 5) = 1;
  for (Eigen::Index i = 0; i < 12; ++i) d.chains[1](i * 50, 3) = 10;  // treedepth__ at the limit
  d.chains[3].col(6) = Eigen::VectorXd::LinSpaced(1000, 0, 30);      // energy drifts slowly
  const exmc::sampler_report r = exmc::diagnose(d);
  CHECK(r.chains[0].divergent_draws == std::vector<Eigen::Index>{17, 400});
  CHECK(r.chains[2].divergent_draws == std::vector<Eigen::Index>{3});
  CHECK(r.chains[1].max_depth_hits == 12);
  CHECK(r.low_e_bfmi_chains() == std::vector<Eigen::Index>{3});
  CHECK_FALSE(r.ok());
  const std::string v = r.verdict();
  CHECK_THAT(v, Catch::StartsWith("3 of 4000 transitions (0.075%) diverged (chain 1: 2, chain 3: 1). "));
  CHECK_THAT(v, Catch::Contains("consider increasing adapt_delta towards 1"));
  CHECK_THAT(v, Catch::Contains("\n12 of 4000 transitions (0.3%) hit the maximum tree depth of 10. "));
  CHECK_THAT(v, Catch::Contains("\nE-BFMI below 0.3 in 1 of 4 chains (chain 4: 0.00): "));
  CHECK_THAT(v, Catch::EndsWith("Problems detected: see above.\n"));

  // A larger max_depth makes depth 10 unremarkable.
  CHECK(exmc::diagnose(d, 12).total_max_depth_hits() == 0);
}

TEST_CASE("missing columns are reported as unchecked", "[diagnostics][sampler]") {
  exmc::draws d;
  d.names = {"lp__", "accept_stat__"};
  d.chains = {Eigen::MatrixXd::Zero(10, 2)};
  const std::string v = exmc::diagnose(d).verdict();
  CHECK_THAT(v, Catch::StartsWith("Divergences not checked: no divergent__ column.\n"
                                  "Tree depth not checked: no treedepth__ column.\n"
                                  "E-BFMI not checked: no energy__ column.\n"));
  CHECK_THROWS_WITH(exmc::diagnose(d, 0), Catch::Contains("max_depth"));
  CHECK_THROWS_WITH(exmc::diagnose(exmc::draws{}), Catch::Contains("no chains"));
}

TEST_CASE("diagnose(fit) adds R-hat and ESS checks of the posterior", "[diagnostics][sampler]") {
  fake_fit fit;
  fit.sample_stats = healthy_stats();
  const Eigen::MatrixXd good = exmc::test::read_matrix("draws_well_mixed.csv");
  const Eigen::MatrixXd sticky = exmc::test::read_matrix("draws_ar1_rho09.csv");
  Eigen::MatrixXd shifted = good;
  shifted.col(3).array() += 2.0;  // one chain elsewhere
  fit.posterior.names = {"mu", "tau", "theta[0]"};
  for (Eigen::Index c = 0; c < 4; ++c) {
    Eigen::MatrixXd chain(1000, 3);
    chain << good.col(c), sticky.col(c), shifted.col(c);
    fit.posterior.chains.push_back(chain);
  }
  const exmc::sampler_report r = exmc::diagnose(fit);
  CHECK(r.high_r_hat == std::vector<std::string>{"theta[0]"});
  // AR(1) with rho = 0.9: bulk ESS ~210 < 400; the shifted chain also ruins ESS.
  CHECK(r.low_ess == std::vector<std::string>{"tau", "theta[0]"});
  const std::string v = r.verdict();
  CHECK_THAT(v, Catch::Contains("R-hat above 1.01 for theta[0]: the chains disagree"));
  CHECK_THAT(v, Catch::Contains("Bulk or tail ESS below 100 per chain for tau, theta[0]: "));

  // The same well-mixed column under all three names passes every check.
  for (Eigen::Index c = 0; c < 4; ++c) fit.posterior.chains[static_cast<std::size_t>(c)].colwise() = good.col(c);
  const exmc::sampler_report fine = exmc::diagnose(fit);
  CHECK(fine.ok());
  CHECK_THAT(fine.verdict(), Catch::Contains("R-hat and ESS satisfactory for all quantities.\n"));
}

namespace {

enum class fate { ok, stopped, failed };
const char* to_string(fate o) { return o == fate::ok ? "ok" : o == fate::stopped ? "stopped" : "failed"; }
// A fit as exmc::sample leaves it: chain_ids and one status per chain requested.
struct chain_status_like {
  fate outcome = fate::ok;
  std::string message;
};
struct fit_with_status {
  exmc::draws posterior, sample_stats;
  std::vector<int> chain_ids;
  std::vector<chain_status_like> status;
  int max_depth = 10;
};

}  // namespace

TEST_CASE("a failed chain is the first thing the verdict says, with its own number", "[diagnostics][sampler]") {
  fit_with_status f;
  const exmc::draws stats = healthy_stats();
  const Eigen::MatrixXd good = exmc::test::read_matrix("draws_well_mixed.csv");
  f.posterior.names = {"mu"};
  // Chain 1 (index 0) failed: the three survivors are chains 2, 3 and 4.
  for (Eigen::Index c = 1; c < 4; ++c) {
    f.posterior.chains.push_back(good.col(c));
    f.sample_stats.chains.push_back(stats.chains[static_cast<std::size_t>(c)]);
    f.chain_ids.push_back(static_cast<int>(c));
  }
  f.sample_stats.names = stats.names;
  f.sample_stats.chains[2](5, 5) = 1;  // a divergence in chain 4
  f.status = {{fate::failed, "chain 1: no finite starting point after 100 tries"}, {}, {}, {}};
  const exmc::sampler_report r = exmc::diagnose(f);
  CHECK_FALSE(r.ok());
  CHECK(r.failed == std::vector<std::string>{"chain 1: no finite starting point after 100 tries"});
  CHECK(r.chains[2].chain == 3);
  const std::string v = r.verdict();
  CHECK_THAT(v, Catch::StartsWith("1 of 4 chains FAILED and contributed no draws; everything below describes the other chains only:\n"
                                  "  chain 1: no finite starting point after 100 tries\n"));
  CHECK_THAT(v, Catch::Contains("diverged (chain 4: 1)"));
  CHECK_THAT(v, Catch::EndsWith("Problems detected: see above.\n"));
  CHECK(v.find("No problems detected") == std::string::npos);

  // Stopped early: said loudly, before the checks.
  f.sample_stats.chains[2](5, 5) = 0;
  f.status = {{}, {fate::stopped, "chain 2: stopped early after 10 of 1000 draws: interrupted by SIGINT (Ctrl-C)"}, {}, {}};
  f.chain_ids = {0, 1, 2};
  const std::string stopped = exmc::diagnose(f).verdict();
  CHECK_THAT(stopped, Catch::StartsWith("INCOMPLETE RUN: 1 of 4 chains stopped early"));
  CHECK_THAT(stopped, Catch::Contains("interrupted by SIGINT"));
  CHECK_THAT(stopped, Catch::EndsWith("Problems detected: see above.\n"));

  // Every chain failed: the failures, and nothing that looks like a clean bill of health.
  fit_with_status none;
  none.posterior.names = {"mu"};
  none.sample_stats.names = stats.names;
  none.status = {{fate::failed, "chain 1: boom"}, {fate::failed, "chain 2: boom"}};
  const std::string all_failed = exmc::diagnose(none).verdict();
  CHECK_THAT(all_failed, Catch::StartsWith("2 of 2 chains FAILED"));
  CHECK(all_failed.find("No divergent") == std::string::npos);
}

TEST_CASE("non-finite draws are a problem the verdict names", "[diagnostics][sampler]") {
  fake_fit fit;
  fit.sample_stats = healthy_stats();
  const Eigen::MatrixXd good = exmc::test::read_matrix("draws_well_mixed.csv");
  fit.posterior.names = {"mu", "sigma"};
  for (Eigen::Index c = 0; c < 4; ++c) {
    Eigen::MatrixXd chain(1000, 2);
    chain << good.col(c), good.col((c + 1) % 4);
    fit.posterior.chains.push_back(chain);
  }
  fit.posterior.chains[1](7, 1) = std::numeric_limits<double>::infinity();
  const exmc::sampler_report r = exmc::diagnose(fit);
  CHECK(r.non_finite == std::vector<std::string>{"sigma (1 of 4000 draws)"});
  CHECK_FALSE(r.ok());
  const std::string v = r.verdict();
  CHECK_THAT(v, Catch::Contains("Non-finite draws (NaN or Inf) in sigma (1 of 4000 draws)"));
  CHECK(v.find("No problems detected") == std::string::npos);
}
