#pragma once
// The sampler benchmarks' target: a d-dimensional standard normal, whose gradient (g = -q) costs
// two passes over q, so that what is timed is the sampler's own work.
#include <Eigen/Core>

#include <exmc/core/log_density.hpp>

namespace exmc::bench {

struct std_normal {
  using scalar = double;
  Eigen::Index d;
  Eigen::Index dim() const { return d; }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
    g = -q;
    return -0.5 * q.squaredNorm();
  }
};

}  // namespace exmc::bench
