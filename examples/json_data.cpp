// Reading a CmdStan JSON data file: the medium benchmark (groups of observations) with typed
// accessors that check sizes, and the error a missing field gives.
// Run: examples/json_data [path/to/medium.json]
#include <exmc/exmc.hpp>
#include <exmc/io/cmdstan_json.hpp>
#include <iostream>

int main(int argc, char** argv) {
  using namespace exmc;
  const std::string path = argc > 1 ? argv[1] : std::string(EXMC_DATA_DIR) + "/medium.json";
  const data_file d = data_file::from_file(path);
  std::cout << "fields:";
  for (const auto& n : d.names()) std::cout << " " << n;
  std::cout << "\n";

  const int groups = d.integer("G");
  const Eigen::VectorXd y = d.vector("y");
  Eigen::VectorXi group = d.int_vector("group", y.size());  // size checked against y
  group.array() -= 1;                                        // the file is 1-based
  try {
    (void)d.vector("not_there");
  } catch (const model_error& e) {
    std::cout << "a missing field says: " << e.what() << "\n";
  }

  auto mu = param<"mu">(normal(0.0, 10.0));
  auto tau = param<"tau">(half_normal(5.0));
  auto alpha = param<"alpha">(normal(mu, tau), groups);
  auto sigma = param<"sigma">(half_normal(5.0));
  auto density = compile<double>(model(mu, tau, alpha, sigma, observe<"y">(normal(alpha[group], sigma), y)));
  sample_options o;
  o.warmup = 300;
  o.draws = 300;
  o.seed = 8;
  o.keep = {"mu", "tau", "sigma"};
  const fit f = sample(density, o);
  std::cout << summary(f) << "\n";
  return f.all_ok() ? 0 : 1;
}
