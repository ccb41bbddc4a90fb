#pragma once
// Shared pieces of the hand-written reference densities: constants, the accumulator type,
// argument and data checks, Boost.Math policy and parameter-name helpers.
//
// Every reference density works in unconstrained space: positive parameters are x = exp(u) with
// the log-Jacobian +u included, and every density carries its full normalising constant.
#include <Eigen/Core>
#include <boost/math/policies/policy.hpp>
#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "exmc/core/error.hpp"
#include "exmc/core/log_density.hpp"

namespace exmc::reference {

// Log densities are summed in double even when positions are float; a long double
// instantiation (used by the finite-difference tests) keeps its extra precision throughout.
template <class T>
using acc_t = std::conditional_t<(sizeof(T) > sizeof(double)), T, double>;

// Constants in the accumulator type A: written in long double so the long double
// instantiation gets every digit, rounded to A so double code never mixes in x87 arithmetic.
template <class A>
struct consts {
  static constexpr A log_sqrt_2pi = static_cast<A>(0.918938533204672741780329736405617639861L);
  static constexpr A log_2 = static_cast<A>(0.693147180559945309417232121458176568076L);
  static constexpr A log_pi = static_cast<A>(1.144729885849400174143427351353058711647L);
};

// Boost.Math special functions without long double promotion (speed) and without throwing:
// a non-finite result marks the point invalid, which the samplers treat as a divergence.
using fast_policy = boost::math::policies::policy<
    boost::math::policies::promote_double<false>,
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::pole_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>>;

// Sum of a vector expression in the accumulator type A. For float terms, Eigen cannot vectorise
// a float -> double cast on SSE2, so blocks of 64 terms are summed in float (vectorised, error
// about 8 float ulps per block) and the block sums in A.
template <class A, class Expr>
EIGEN_STRONG_INLINE A sum_as(const Expr& e) {
  if constexpr (std::is_same_v<typename Expr::Scalar, A>) {
    return e.sum();
  } else {
    constexpr Eigen::Index block = 64;
    const Eigen::Index n = e.size();
    if (n <= block) return static_cast<A>(e.sum());
    A s = 0;
    for (Eigen::Index i = 0; i < n; i += block) s += static_cast<A>(e.segment(i, std::min(block, n - i)).sum());
    return s;
  }
}

inline void require(bool ok, const std::string& message) {
  if (!ok) throw model_error(message);
}

// Positions and gradients must both have dim() entries; checked on every call because the
// cost is one comparison and a mismatch would otherwise read out of bounds.
template <class T>
void check_call(const char* model, Eigen::Index dim, const vector_t<T>& q, const vector_t<T>& grad) {
  if (q.size() != dim || grad.size() != dim)
    throw model_error(std::string(model) + ": logp_grad needs position and gradient of size " +
                      std::to_string(dim) + ", got " + std::to_string(q.size()) + " and " +
                      std::to_string(grad.size()));
}

template <class T>
void check_constrain(const char* model, Eigen::Index dim, const vector_t<T>& q) {
  if (q.size() != dim)
    throw model_error(std::string(model) + ": constrain needs a position of size " +
                      std::to_string(dim) + ", got " + std::to_string(q.size()));
}

inline void require_finite(const char* model, const char* field, const Eigen::VectorXd& v) {
  for (Eigen::Index i = 0; i < v.size(); ++i)
    require(std::isfinite(v[i]), std::string(model) + ": data " + field + "[" + std::to_string(i) +
                                     "] is not finite");
}

// Appends "name[0]", ..., "name[n-1]".
inline void push_indexed(std::vector<std::string>& out, const std::string& name, Eigen::Index n) {
  for (Eigen::Index i = 0; i < n; ++i) out.push_back(name + "[" + std::to_string(i) + "]");
}

// Data grouped by a 0-based index, stored sorted by group so that each group's observations
// are one contiguous segment: the per-group sums then run as vectorised reductions instead of
// gathers. Sorting changes nothing but the summation order.
template <class T>
struct grouped_data {
  vector_t<T> y;                    // observations, sorted by group (stable)
  std::vector<Eigen::Index> start;  // group g is y.segment(start[g], start[g + 1] - start[g])

  grouped_data() = default;
  grouped_data(const char* model, const Eigen::VectorXd& values, const Eigen::VectorXi& group, int groups) {
    require(groups >= 1, std::string(model) + ": number of groups G must be at least 1, got " +
                             std::to_string(groups));
    require(group.size() == values.size(),
            std::string(model) + ": group has " + std::to_string(group.size()) +
                " entries but y has " + std::to_string(values.size()));
    require_finite(model, "y", values);
    std::vector<Eigen::Index> count(static_cast<std::size_t>(groups) + 1, 0);
    for (Eigen::Index i = 0; i < group.size(); ++i) {
      require(group[i] >= 0 && group[i] < groups,
              std::string(model) + ": group[" + std::to_string(i) + "] = " + std::to_string(group[i]) +
                  " is outside 0.." + std::to_string(groups - 1) + " (0-based; G = " +
                  std::to_string(groups) + ")");
      ++count[static_cast<std::size_t>(group[i]) + 1];
    }
    start.assign(count.size(), 0);
    for (std::size_t g = 1; g < count.size(); ++g) start[g] = start[g - 1] + count[g];
    y.resize(values.size());
    std::vector<Eigen::Index> next(start.begin(), start.end() - 1);
    for (Eigen::Index i = 0; i < values.size(); ++i)
      y[next[static_cast<std::size_t>(group[i])]++] = static_cast<T>(values[i]);
  }
  int groups() const { return static_cast<int>(start.size()) - 1; }
  auto segment(int g) const {
    const auto b = start[static_cast<std::size_t>(g)];
    return y.segment(b, start[static_cast<std::size_t>(g) + 1] - b);
  }
};

// 1-based group indices from a data file, checked against G and converted to 0-based.
template <class DataFile>
Eigen::VectorXi zero_based_groups(const DataFile& d, const char* field, Eigen::Index n, int groups) {
  Eigen::VectorXi g = d.int_vector(field, n);
  for (Eigen::Index i = 0; i < g.size(); ++i) {
    if (g[i] < 1 || g[i] > groups)
      throw model_error("data file '" + d.source() + "', field '" + field + "'[" + std::to_string(i) +
                        "]: group index " + std::to_string(g[i]) + " is outside 1.." +
                        std::to_string(groups));
    g[i] -= 1;
  }
  return g;
}

}  // namespace exmc::reference
