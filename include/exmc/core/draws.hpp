#pragma once
// Named draws of several chains: the common currency of every inference method, the
// diagnostics, the predictive code and the writers.
#include <Eigen/Core>
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"

namespace exmc {

struct draws {
  std::vector<std::string> names;       // one per column, e.g. "mu", "theta[0]"
  std::vector<Eigen::MatrixXd> chains;  // chain c: (draws of c) x names.size()

  Eigen::Index num_chains() const { return static_cast<Eigen::Index>(chains.size()); }
  Eigen::Index num_quantities() const { return static_cast<Eigen::Index>(names.size()); }
  // Smallest number of draws over chains (chains stopped early may be shorter).
  Eigen::Index num_draws() const {
    if (chains.empty()) return 0;
    Eigen::Index n = chains.front().rows();
    for (const auto& c : chains) n = std::min(n, c.rows());
    return n;
  }

  Eigen::Index index_of(std::string_view name) const {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) throw model_error("draws: no quantity named '" + std::string(name) + "'");
    return static_cast<Eigen::Index>(it - names.begin());
  }

  // Draws of one quantity as a (num_draws() x num_chains()) matrix, the layout the
  // diagnostics use.
  Eigen::MatrixXd column(Eigen::Index j) const {
    const Eigen::Index n = num_draws();
    Eigen::MatrixXd out(n, num_chains());
    for (Eigen::Index c = 0; c < num_chains(); ++c) out.col(c) = chains[c].col(j).head(n);
    return out;
  }
  Eigen::MatrixXd column(std::string_view name) const { return column(index_of(name)); }
};

}  // namespace exmc
