// Sampling proofs of the non-centring pass (fixed seeds, tolerances from Monte Carlo standard
// errors): the funnel's v marginal, and the eight schools and stochastic volatility posteriors
// against stored long runs.
#include <fstream>
#include <map>
#include <sstream>

#include "../support/gradient_check.hpp"
#include "models/models.hpp"

using namespace exmc;

namespace {

struct moment {
  double mean, sd, mcse_mean, mcse_sd;
};

moment moments(const fit& f, const std::string& name) {
  const Eigen::MatrixXd x = f.posterior.column(name);
  const double mean = x.mean();
  const double sd = std::sqrt((x.array() - mean).square().sum() / static_cast<double>(x.size() - 1));
  return {mean, sd, mcse_mean(x), mcse_sd(x)};
}

// name,mean,sd,mcse_mean,mcse_sd per quantity, as the scripts/*-reference.cpp programs write it.
std::map<std::string, moment> read_reference(const std::string& file) {
  std::ifstream in(std::string(EXMC_TEST_FIXTURES) + "/" + file);
  REQUIRE(in.good());
  std::map<std::string, moment> ref;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string name, field;
    std::getline(ss, name, ',');
    moment mo{};
    double* fields[] = {&mo.mean, &mo.sd, &mo.mcse_mean, &mo.mcse_sd};
    for (double* f : fields) {
      std::getline(ss, field, ',');
      *f = std::stod(field);
    }
    ref[name] = mo;
  }
  return ref;
}

// Every quantity's mean and sd within 4.5 combined Monte Carlo standard errors of the reference.
void check_against(const fit& f, const std::map<std::string, moment>& ref) {
  for (const auto& [name, r] : ref) {
    const moment mo = moments(f, name);
    INFO(name << ": mean " << mo.mean << " vs " << r.mean << ", sd " << mo.sd << " vs " << r.sd);
    CHECK(std::abs(mo.mean - r.mean) < 4.5 * std::hypot(mo.mcse_mean, r.mcse_mean));
    CHECK(std::abs(mo.sd - r.sd) < 4.5 * std::hypot(mo.mcse_sd, r.mcse_sd));
  }
}

}  // namespace

TEST_CASE("funnel: the rewrite recovers v ~ normal(0, 3); centred is biased and diverges", "[model][ncp][sampling]") {
  const auto m = bench::funnel_model(data_file::parse("{}"));
  sample_options o;
  o.chains = 4;
  o.seed = 11;
  o.threads = 2;
  const fit fn = sample(compile(m), o);
  REQUIRE(fn.all_ok());
  const moment v = moments(fn, "v");
  CHECK(std::abs(v.mean) < 4.5 * v.mcse_mean);
  CHECK(std::abs(v.sd - 3.0) < 4.5 * v.mcse_sd);
  INFO("non-centred: divergent " << fn.total_divergent());
  CHECK(fn.total_divergent() <= 5);

  const fit fc = sample(compile(m, {.ncp = ncp_policy::never}), o);
  const moment vc = moments(fc, "v");
  INFO("centred: divergent " << fc.total_divergent() << ", v sd " << vc.sd);
  // Centred, the neck of the funnel (v << 0) is reached only now and then, and each chain sticks
  // in a different part of v's range: the chains disagree (R-hat far above 1.01; 1.06 to 1.70
  // over seeds 1..12 when this was written) and the sampler reports divergences. sd(v) is biased
  // low too (1.87 to 2.59 over the same seeds), but the poor mixing inflates its MCSE so much
  // that the bias clears 4.5 MCSE for only about half the seeds: not a test.
  CHECK(rhat(fc.posterior.column("v")) > 1.05);
  CHECK(vc.sd < 3.0);
  CHECK(fc.total_divergent() > fn.total_divergent());
}

TEST_CASE("eight schools: under 1% divergences and the long reference posterior", "[model][ncp][sampling]") {
  // Reference: tests/model/fixtures/eight_schools_reference.csv, 20 chains x 5000 draws of the
  // hand-written non-centred model (scripts/eight-schools-reference.cpp).
  const auto ref = read_reference("eight_schools_reference.csv");
  REQUIRE(ref.size() == 10);

  const auto d = data_file::from_file(std::string(EXMC_DATA_DIR) + "/eight_schools.json");
  sample_options o;
  o.chains = 4;
  o.seed = 3;
  o.threads = 2;
  const fit f = sample(compile(bench::eight_schools_model(d)), o);
  REQUIRE(f.all_ok());
  CHECK(f.total_divergent() < 40);  // 1% of 4000 draws
  check_against(f, ref);
}

TEST_CASE("stochastic volatility: the walk sampled in its innovations has the centred posterior", "[model][ncp][sampling]") {
  // Reference: tests/model/fixtures/sv_reference.csv, 20 chains x 25000 draws of the hand-written
  // centred model (scripts/sv-reference.cpp, min bulk-ESS 21846): the other parameterisation, so
  // the automatic choice (D135) is shown to change no posterior, only how fast it is explored.
  const auto ref = read_reference("sv_reference.csv");
  REQUIRE(ref.size() == 102);

  const auto d = data_file::from_file(std::string(EXMC_DATA_DIR) + "/sv.json");
  const auto c = compile(bench::sv_model(d));
  REQUIRE(c.noncentered("s"));
  sample_options o;
  o.chains = 4;
  o.seed = 8;
  o.threads = 2;
  const fit f = sample(c, o);
  REQUIRE(f.all_ok());
  CHECK(f.total_divergent() < 40);  // 1% of 4000 draws
  check_against(f, ref);
  // Centred, sigma's bulk-ESS is about 55 per 1000 draws (docs/benchmarks.md); in the
  // innovations it is several times that.
  CHECK(ess_bulk(f.posterior.column("sigma")) > 800);
}
