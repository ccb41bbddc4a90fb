// Stan Math versions of the seven benchmark densities; see stan_math_densities.hpp. Each functor
// is what stanc 2.21 generates for the program in shared/bench/stan/, written by hand: the
// constrain step (lb_constrain adds the log-Jacobian to lp), then the model block's `~`
// statements as vectorised lpdfs with propto = true. Compiled as C++17.
// Stan Math first: it installs Eigen plugins (.val(), .vi()) that must precede any Eigen include.
#include <stan/math.hpp>

#include "stan_math_densities.hpp"

#include <utility>
#include <vector>

namespace exmc::stan_math {
namespace {

namespace sm = stan::math;
constexpr bool propto = true;
template <class T>
using vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;

// The gradient as Stan's services compute it for NUTS: a fresh nested tape per call, so the
// arena is reused rather than grown (stan::math::gradient does exactly this).
template <class F>
density make(Eigen::Index dim, F f) {
  return {dim, [f = std::move(f)](const Eigen::VectorXd& q, Eigen::VectorXd& grad) {
            double lp = 0;
            sm::gradient(f, q, lp, grad);
            return lp;
          }};
}

// Reads `n` positive parameters from q starting at `at`, adding each log-Jacobian to lp.
template <class T>
vec<T> positive(const vec<T>& q, Eigen::Index at, Eigen::Index n, T& lp) {
  vec<T> out(n);
  for (Eigen::Index i = 0; i < n; ++i) out[i] = sm::lb_constrain(q[at + i], 0, lp);
  return out;
}

// x[index] for a vector of 0-based indices: Stan's multi-indexing makes the same copy.
template <class T>
vec<T> gather(const vec<T>& x, const Eigen::VectorXi& index) {
  vec<T> out(index.size());
  for (Eigen::Index i = 0; i < index.size(); ++i) out[i] = x[index[i]];
  return out;
}

// The recurrences: the issue 26 benchmarks (bench/custom).
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

struct simple_fn {
  Eigen::VectorXd y;
  template <class T>
  T operator()(const vec<T>& q) const {
    T lp = 0;
    const T mu = q[0];
    const T sigma = sm::lb_constrain(q[1], 0, lp);
    lp += sm::normal_lpdf<propto>(mu, 0, 10);
    lp += sm::exponential_lpdf<propto>(sigma, 1);
    lp += sm::normal_lpdf<propto>(y, mu, sigma);
    return lp;
  }
};

// medium and stress: G group locations; stress also has G noise scales.
template <bool scale_per_group>
struct grouped_fn {
  Eigen::VectorXd y;
  Eigen::VectorXi group;
  int groups;
  template <class T>
  T operator()(const vec<T>& q) const {
    T lp = 0;
    const T mu = q[0];
    const T tau = sm::lb_constrain(q[1], 0, lp);
    const vec<T> theta = q.segment(2, groups);
    const vec<T> sigma = positive(q, 2 + groups, scale_per_group ? groups : 1, lp);
    lp += sm::normal_lpdf<propto>(mu, 0, 10);
    lp += sm::normal_lpdf<propto>(tau, 0, 5);
    lp += sm::normal_lpdf<propto>(theta, mu, tau);
    lp += sm::normal_lpdf<propto>(sigma, 0, 5);
    if constexpr (scale_per_group)
      lp += sm::normal_lpdf<propto>(y, gather(theta, group), gather(sigma, group));
    else
      lp += sm::normal_lpdf<propto>(y, gather(theta, group), sigma[0]);
    return lp;
  }
};

struct eight_schools_fn {
  Eigen::VectorXd y, sigma;
  template <class T>
  T operator()(const vec<T>& q) const {
    T lp = 0;
    const T mu = q[0];
    const T tau = sm::lb_constrain(q[1], 0, lp);
    const vec<T> theta = q.tail(y.size());
    lp += sm::normal_lpdf<propto>(mu, 0, 5);
    lp += sm::cauchy_lpdf<propto>(tau, 0, 5);
    lp += sm::normal_lpdf<propto>(theta, mu, tau);
    lp += sm::normal_lpdf<propto>(y, theta, sigma);
    return lp;
  }
};

struct funnel_fn {
  template <class T>
  T operator()(const vec<T>& q) const {
    const T v = q[0];
    const vec<T> x = q.tail(9);
    return sm::normal_lpdf<propto>(v, 0, 3) + sm::normal_lpdf<propto>(x, 0, sm::exp(v / 2));
  }
};

struct logistic_fn {
  Eigen::MatrixXd x;
  std::vector<int> y;
  template <class T>
  T operator()(const vec<T>& q) const {
    const T alpha = q[0];
    const vec<T> beta = q.tail(x.cols());
    T lp = sm::normal_lpdf<propto>(alpha, 0, 10) + sm::normal_lpdf<propto>(beta, 0, 10);
    lp += sm::bernoulli_logit_lpmf<propto>(y, sm::add(alpha, sm::multiply(x, beta)));
    return lp;
  }
};

struct sv_fn {
  Eigen::VectorXd r;
  template <class T>
  T operator()(const vec<T>& q) const {
    T lp = 0;
    const Eigen::Index n = r.size();
    const T sigma = sm::lb_constrain(q[0], 0, lp);
    const T nu = sm::lb_constrain(q[1], 0, lp);
    const vec<T> s = q.tail(n);
    lp += sm::exponential_lpdf<propto>(sigma, 50);
    lp += sm::exponential_lpdf<propto>(nu, 0.1);
    lp += sm::normal_lpdf<propto>(s[0], 0, sigma);
    const vec<T> next = s.tail(n - 1), prev = s.head(n - 1);  // s[2:T], s[1:(T-1)]
    lp += sm::normal_lpdf<propto>(next, prev, sigma);
    lp += sm::student_t_lpdf<propto>(r, nu, 0, sm::exp(s));
    return lp;
  }
};

struct gp_regression_fn {
  std::vector<double> x;
  Eigen::VectorXd y, mu;  // mu: zeros
  template <class T>
  T operator()(const vec<T>& q) const {
    T lp = 0;
    const T rho = sm::lb_constrain(q[0], 0, lp);
    const T alpha = sm::lb_constrain(q[1], 0, lp);
    const T sigma = sm::lb_constrain(q[2], 0, lp);
    lp += sm::inv_gamma_lpdf<propto>(rho, 5, 5);
    lp += sm::normal_lpdf<propto>(alpha, 0, 1);
    lp += sm::normal_lpdf<propto>(sigma, 0, 1);
    const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic> L =
        sm::cholesky_decompose(sm::add_diag(sm::gp_exp_quad_cov(x, alpha, rho), sm::square(sigma)));
    lp += sm::multi_normal_cholesky_lpdf<propto>(y, mu, L);
    return lp;
  }
};

struct gp_poisson_fn {
  std::vector<double> x;
  std::vector<int> y;
  template <class T>
  T operator()(const vec<T>& q) const {
    T lp = 0;
    const T rho = sm::lb_constrain(q[0], 0, lp);
    const T alpha = sm::lb_constrain(q[1], 0, lp);
    const vec<T> eta = q.tail(x.size());
    lp += sm::inv_gamma_lpdf<propto>(rho, 5, 5);
    lp += sm::normal_lpdf<propto>(alpha, 0, 1);
    lp += sm::normal_lpdf<propto>(eta, 0, 1);
    const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic> L =
        sm::cholesky_decompose(sm::add_diag(sm::gp_exp_quad_cov(x, alpha, rho), 1e-6));
    lp += sm::poisson_log_lpmf<propto>(y, sm::multiply(L, eta));
    return lp;
  }
};

}  // namespace

density gp_regression(const Eigen::VectorXd& x, const Eigen::VectorXd& y) {
  return make(3, gp_regression_fn{std::vector<double>(x.data(), x.data() + x.size()), y, Eigen::VectorXd::Zero(y.size())});
}
density gp_poisson(const Eigen::VectorXd& x, const Eigen::VectorXi& y) {
  return make(2 + x.size(), gp_poisson_fn{std::vector<double>(x.data(), x.data() + x.size()),
                                          std::vector<int>(y.data(), y.data() + y.size())});
}

density arma11(const Eigen::VectorXd& y) { return make(4, arma11_fn{y}); }
density garch11(const Eigen::VectorXd& r) { return make(4, garch11_fn{r}); }
density simple(const Eigen::VectorXd& y) { return make(2, simple_fn{y}); }
density medium(const Eigen::VectorXd& y, const Eigen::VectorXi& group, int groups) {
  return make(3 + groups, grouped_fn<false>{y, group, groups});
}
density stress(const Eigen::VectorXd& y, const Eigen::VectorXi& group, int groups) {
  return make(2 + 2 * groups, grouped_fn<true>{y, group, groups});
}
density eight_schools(const Eigen::VectorXd& y, const Eigen::VectorXd& sigma) {
  return make(2 + y.size(), eight_schools_fn{y, sigma});
}
density funnel() { return make(10, funnel_fn{}); }
density logistic(const Eigen::MatrixXd& x, const Eigen::VectorXi& y) {
  return make(1 + x.cols(), logistic_fn{x, std::vector<int>(y.data(), y.data() + y.size())});
}
density sv(const Eigen::VectorXd& r) { return make(2 + r.size(), sv_fn{r}); }

std::string version() {
  return std::to_string(STAN_MATH_MAJOR) + "." + std::to_string(STAN_MATH_MINOR) + "." +
         std::to_string(STAN_MATH_PATCH);
}

}  // namespace exmc::stan_math
