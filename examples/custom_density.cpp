// A hand-written density sampled by exmc::sample, no DSL: anything with dim(), logp_grad and
// `using scalar` meets exmc::LogDensity. param_names() and constrain() (optional) name the
// output and map to the constrained scale. Here: a correlated 2-d normal for (a, b) and a
// positive scale s = exp(u) with a log-normal(0, 0.5) distribution (Jacobian included).
#include <exmc/exmc.hpp>
#include <cmath>
#include <iostream>

struct correlated_normal_and_scale {
  using scalar = double;
  double rho = 0.9;
  std::ptrdiff_t dim() const { return 3; }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
    const double a = q[0], b = q[1], u = q[2];
    const double k = 1.0 / (1.0 - rho * rho);
    g[0] = -k * (a - rho * b);
    g[1] = -k * (b - rho * a);
    // log s ~ normal(0, 0.5); the density of u = log s is normal itself (Jacobian cancels).
    g[2] = -u / 0.25;
    return -0.5 * k * (a * a - 2.0 * rho * a * b + b * b) - 0.5 * u * u / 0.25;
  }
  std::vector<std::string> param_names() const { return {"a", "b", "s"}; }
  void constrain(const exmc::vector_t<double>& q, Eigen::VectorXd& out) const {
    out.resize(3);
    out << q[0], q[1], std::exp(q[2]);
  }
};

int main() {
  static_assert(exmc::ConstrainedLogDensity<correlated_normal_and_scale>);
  exmc::sample_options o;
  o.warmup = 300;
  o.draws = 500;
  o.seed = 2;
  o.metric = exmc::metric_kind::dense;  // the correlation suits a dense metric
  const exmc::fit f = exmc::sample(correlated_normal_and_scale{}, o);
  std::cout << exmc::summary(f) << "\n";
  const Eigen::MatrixXd a = f.posterior.column("a"), b = f.posterior.column("b");
  const double corr = ((a.array() - a.mean()) * (b.array() - b.mean())).mean() /
                      std::sqrt((a.array() - a.mean()).square().mean() * (b.array() - b.mean()).square().mean());
  std::cout << "sample correlation of a and b: " << corr << " (true 0.9)\n";
  return f.all_ok() ? 0 : 1;
}
