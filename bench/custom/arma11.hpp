#pragma once
// ARMA(1,1) log likelihood as a custom() density (as in Stan's user guide):
// nu[t] = mu + phi y[t-1] + theta err[t-1], err[t] = y[t] - nu[t] ~ normal(0, sigma).
// Shared by the custom() tests and the benchmark of its cost.
#include <Eigen/Core>
#include <exmc/dist/custom.hpp>

namespace exmc::examples {

struct arma11 {
  template <class Y, class T>
  T operator()(const Y& y, T mu, T phi, T theta, T sigma) const {
    T lp = 0, err = 0;
    for (Eigen::Index t = 0; t < static_cast<Eigen::Index>(y.size()); ++t) {
      const T nu = t == 0 ? mu + phi * mu : mu + phi * y[t - 1] + theta * err;
      err = y[t] - nu;
      lp += ad::normal_lpdf(err, 0.0, sigma);
    }
    return lp;
  }
};

}  // namespace exmc::examples
