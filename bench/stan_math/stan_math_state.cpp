// Stan Math ARMA(1,1) and GARCH(1,1); see stan_math_state.hpp. Compiled as C++17 into the
// exmc_bench_stan_math library (bench/custom/CMakeLists.txt adds it).
// Stan Math first: it installs Eigen plugins (.val(), .vi()) that must precede any Eigen include.
#include <stan/math.hpp>

#include "stan_math_state.hpp"

#include <utility>

namespace exmc::stan_math {
namespace {

namespace sm = stan::math;
constexpr bool propto = true;
template <class T>
using vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;

// As stan_math_densities.cpp: stan::math::gradient, a fresh nested tape per call.
template <class F>
density make_state(Eigen::Index dim, F f) {
  return {dim, [f = std::move(f)](const Eigen::VectorXd& q, Eigen::VectorXd& grad) {
            double lp = 0;
            sm::gradient(f, q, lp, grad);
            return lp;
          }};
}

struct arma11_fn {
  Eigen::VectorXd y;
  template <class T>
  T operator()(const vec<T>& q) const {
    T lp = 0;
    const T mu = q[0], phi = q[1], theta = q[2];
    const T sigma = sm::lb_constrain(q[3], 0, lp);
    const Eigen::Index n = y.size();
    vec<T> nu(n), err(n);
    nu[0] = mu + phi * mu;
    err[0] = y[0] - nu[0];
    for (Eigen::Index t = 1; t < n; ++t) {
      nu[t] = mu + phi * y[t - 1] + theta * err[t - 1];
      err[t] = y[t] - nu[t];
    }
    lp += sm::normal_lpdf<propto>(mu, 0, 10);
    lp += sm::normal_lpdf<propto>(phi, 0, 2);
    lp += sm::normal_lpdf<propto>(theta, 0, 2);
    lp += sm::cauchy_lpdf<propto>(sigma, 0, 5);
    lp += sm::normal_lpdf<propto>(err, 0, sigma);
    return lp;
  }
};

struct garch11_fn {
  Eigen::VectorXd r;
  template <class T>
  T operator()(const vec<T>& q) const {
    T lp = 0;
    const T mu = q[0];
    const T alpha0 = sm::lb_constrain(q[1], 0, lp);
    const T alpha1 = sm::lub_constrain(q[2], 0, 1, lp);
    const T beta1 = sm::lub_constrain(q[3], 0, 1, lp);
    const Eigen::Index n = r.size();
    vec<T> sigma(n);
    sigma[0] = 1;
    for (Eigen::Index t = 1; t < n; ++t)
      sigma[t] = sm::sqrt(alpha0 + alpha1 * sm::square(r[t - 1] - mu) + beta1 * sm::square(sigma[t - 1]));
    lp += sm::normal_lpdf<propto>(mu, 0, 10);
    lp += sm::normal_lpdf<propto>(alpha0, 0, 1);
    lp += sm::normal_lpdf<propto>(r, mu, sigma);
    return lp;
  }
};

}  // namespace

density arma11(const Eigen::VectorXd& y) { return make_state(4, arma11_fn{y}); }
density garch11(const Eigen::VectorXd& r) { return make_state(4, garch11_fn{r}); }

}  // namespace exmc::stan_math
