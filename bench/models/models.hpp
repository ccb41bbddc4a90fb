#pragma once
// The seven benchmark models of shared/bench/MODELS.md written in the exmc DSL. Used by the
// benchmarks, the model tests (against bench/reference/) and the examples.
#include <exmc/exmc.hpp>
#include <exmc/io/cmdstan_json.hpp>
#include <string>

namespace exmc::bench {

inline std::string data_path(const std::string& dir, const std::string& model_name) {
  return dir + "/" + model_name + ".json";
}

// 1-based group indices in the data files become the DSL's 0-based ones.
inline Eigen::VectorXi zero_based(Eigen::VectorXi g) {
  g.array() -= 1;
  return g;
}

inline auto simple_model(const data_file& d) {
  auto mu = param<"mu">(normal(0.0, 10.0));
  auto sigma = param<"sigma">(exponential(1.0));
  return model(mu, sigma, observe<"y">(normal(mu, sigma), d.vector("y")));
}

inline auto medium_model(const data_file& d) {
  const auto group = zero_based(d.int_vector("group"));
  auto mu = param<"mu">(normal(0.0, 10.0));
  auto tau = param<"tau">(half_normal(5.0));
  auto alpha = param<"alpha">(normal(mu, tau), d.integer("G"));
  auto sigma = param<"sigma">(half_normal(5.0));
  return model(mu, tau, alpha, sigma, observe<"y">(normal(alpha[group], sigma), d.vector("y")));
}

inline auto stress_model(const data_file& d) {
  const auto group = zero_based(d.int_vector("group"));
  const int G = d.integer("G");
  auto mu = param<"mu">(normal(0.0, 10.0));
  auto tau = param<"tau">(half_normal(5.0));
  auto theta = param<"theta">(normal(mu, tau), G);
  auto sigma = param<"sigma">(half_normal(5.0), G);
  return model(mu, tau, theta, sigma, observe<"y">(normal(theta[group], sigma[group]), d.vector("y")));
}

inline auto eight_schools_model(const data_file& d) {
  auto mu = param<"mu">(normal(0.0, 5.0));
  auto tau = param<"tau">(half_cauchy(5.0));
  auto theta = param<"theta">(normal(mu, tau), d.integer("J"));
  return model(mu, tau, theta, observe<"y">(normal(theta, d.vector("sigma")), d.vector("y")));
}

inline auto funnel_model(const data_file&) {
  auto v = param<"v">(normal(0.0, 3.0));
  auto x = param<"x">(normal(0.0, exp(v / 2.0)), 9);
  return model(v, x);
}

inline auto logistic_model(const data_file& d) {
  auto alpha = param<"alpha">(normal(0.0, 10.0));
  auto beta = param<"beta">(normal(0.0, 10.0), d.integer("K"));
  return model(alpha, beta, observe<"y">(bernoulli_logit(alpha + d.matrix("X") * beta), d.int_vector("y")));
}

inline auto sv_model(const data_file& d) {
  auto sigma = param<"sigma">(exponential(50.0));
  auto nu = param<"nu">(exponential(0.1));
  auto s = param<"s">(gaussian_random_walk(sigma), d.integer("T"));
  return model(sigma, nu, s, observe<"r">(student_t(nu, 0.0, exp(s)), d.vector("r")));
}

}  // namespace exmc::bench
