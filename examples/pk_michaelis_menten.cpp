// Pharmacokinetics: a one-compartment model with first-order absorption and Michaelis-Menten
// (saturable) elimination, fitted to simulated concentrations after two oral doses.
//   dA/dt = -ka A                                 A: amount in the gut (mg)
//   dC/dt = ka A / V - Vmax C / (Km + C)          C: concentration in plasma (mg/L)
// Elimination is linear when C << Km and saturates at Vmax when C >> Km; a low and a high dose
// together show both regimes, which is what identifies Vmax and Km. Measured concentrations are
// lognormal around C (proportional error). The ODE is solved with ode_rk45; ode_rosenbrock, the
// stiff solver, takes the same arguments, for when absorption is much faster than elimination
// (it costs about eight times as much here, where it is not needed: docs/benchmarks.md,
// "ODEs"). The true parameters are recovered. Run: build/release/examples/pk_michaelis_menten
#include <exmc/exmc.hpp>
#include <exmc/ode.hpp>
#include <iomanip>
#include <iostream>
#include <random>

int main() {
  using namespace exmc;
  auto pk = [](auto /*t*/, const auto& y, auto ka, auto V, auto Vmax, auto Km) {
    const auto gut = y[0], C = y[1];
    return std::array{-ka * gut, ka * gut / V - Vmax * C / (Km + C)};
  };
  const double ka = 1.2, V = 20.0, Vmax = 1.5, Km = 2.0, sigma = 0.1;  // the truth (per hour, L, mg/L)
  const std::vector<double> ts{0.25, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24};
  const double doses[2] = {50.0, 400.0};  // mg

  // Simulated data: the solution at the truth, with lognormal noise.
  std::mt19937_64 gen(20260101);
  std::normal_distribution<double> noise(0.0, sigma);
  Eigen::VectorXd c_low(ts.size()), c_high(ts.size());
  for (int d = 0; d < 2; ++d) {
    const Eigen::MatrixXd y = ode::solve<ode::rk45_method>(pk, Eigen::Vector2d(doses[d], 0.0), 0.0, ts, {}, ka, V, Vmax, Km);
    Eigen::VectorXd& c = d == 0 ? c_low : c_high;
    for (Eigen::Index t = 0; t < y.rows(); ++t) c[t] = y(t, 1) * std::exp(noise(gen));
  }

  auto p_ka = param<"ka">(lognormal(std::log(1.0), 1.0));
  auto p_V = param<"V">(lognormal(std::log(20.0), 0.5));
  auto p_Vmax = param<"Vmax">(lognormal(std::log(1.0), 1.0));
  auto p_Km = param<"Km">(lognormal(std::log(1.0), 1.0));
  auto p_sigma = param<"sigma">(half_normal(0.5));
  // Each dose is one solve from its own initial state; only the concentrations (state 1, the
  // second half of each solution) are measured.
  Eigen::VectorXi conc(ts.size());
  for (Eigen::Index t = 0; t < conc.size(); ++t) conc[t] = static_cast<int>(ts.size() + t);
  // Tolerances 1e-8 rather than the default 1e-6: the last concentrations are near 0.01 mg/L and
  // enter through their logs, where a 1e-6 absolute error is a 1e-4 relative one, and the step
  // sizes an adaptive solver picks change with the parameters, so a loose solve makes the log
  // density jump by ~0.05 between nearby points; NUTS then adapts a step size 50 times smaller
  // (docs/dsl.md, "ODEs").
  auto low = let<"low">(ode_rk45_tol(pk, Eigen::Vector2d(doses[0], 0.0), 0.0, ts, 1e-8, 1e-8, 100000, p_ka, p_V, p_Vmax, p_Km));
  auto high = let<"high">(ode_rk45_tol(pk, Eigen::Vector2d(doses[1], 0.0), 0.0, ts, 1e-8, 1e-8, 100000, p_ka, p_V, p_Vmax, p_Km));
  auto m = model(p_ka, p_V, p_Vmax, p_Km, p_sigma, low, high,
                 observe<"c_low">(lognormal(log(low[conc]), p_sigma), c_low),
                 observe<"c_high">(lognormal(log(high[conc]), p_sigma), c_high));
  const auto density = compile<double>(m);

  sample_options o;
  o.chains = 4;
  o.warmup = 400;
  o.draws = 400;
  o.seed = 7;
  o.metric = metric_kind::dense;  // V, Vmax and Km are correlated (about 0.9 in the posterior)
  o.keep = {"ka", "V", "Vmax", "Km", "sigma"};
  const fit f = sample(density, o);
  const summary_table s = summary(f);
  std::cout << s << "\n" << diagnose(f).verdict() << "\n";

  const std::pair<const char*, double> truth[] = {{"ka", ka}, {"V", V}, {"Vmax", Vmax}, {"Km", Km}, {"sigma", sigma}};
  int covered = 0;
  std::cout << std::setprecision(3);
  for (const auto& [name, value] : truth) {
    const summary_row& r = s[name];
    const bool inside = r.q5 < value && value < r.q95;
    covered += inside;
    std::cout << name << ": truth " << value << ", posterior mean " << r.mean << ", 90% interval " << r.q5 << " to "
              << r.q95 << (inside ? "" : "  <- truth outside") << "\n";
  }
  // Each 90% interval misses the truth one time in ten; a run of this seed covers all five.
  std::cout << covered << " of 5 true values inside their 90% intervals\n";
  return f.all_ok() && covered >= 4 ? 0 : 1;
}
