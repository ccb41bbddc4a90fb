// Stochastic volatility: log-volatility s follows a Gaussian random walk and returns are
// student-t with scale exp(s). Reads the benchmark data set (100 returns) from a CmdStan JSON
// file: examples/stochastic_volatility [path/to/sv.json].
#include <exmc/exmc.hpp>
#include <exmc/io/cmdstan_json.hpp>
#include <iostream>

int main(int argc, char** argv) {
  using namespace exmc;
  const std::string path = argc > 1 ? argv[1] : std::string(EXMC_DATA_DIR) + "/sv.json";
  const data_file d = data_file::from_file(path);

  auto sigma = param<"sigma">(exponential(50.0));   // step size of the random walk
  auto nu = param<"nu">(exponential(0.1));          // degrees of freedom of the returns
  auto s = param<"s">(gaussian_random_walk(sigma), d.integer("T"));
  auto m = model(sigma, nu, s, observe<"r">(student_t(nu, 0.0, exp(s)), d.vector("r")));
  auto density = compile<double>(m);

  sample_options o;
  o.warmup = 400;
  o.draws = 300;
  o.seed = 3;
  o.target_accept = 0.9;
  o.keep = {"sigma", "nu", "s[0]", "s[99]"};  // keep only what we look at (memory for large models)
  const fit f = sample(density, o);
  std::cout << summary(f) << "\n" << diagnose(f).verdict() << "\n";
  return f.all_ok() ? 0 : 1;
}
