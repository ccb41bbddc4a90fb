#pragma once
// A small reverse-mode automatic differentiation scalar for densities that cannot be written as
// static expressions (recursions such as ARMA or GARCH filters, HMM forward passes): see
// dist/custom.hpp. Each thread records onto its own tape; the tape keeps its capacity between
// evaluations, so after the first evaluation of a density nothing is allocated.
//
// Every operation records one node with at most two parents and the local partials; the
// gradient is one backward sweep over the nodes. Gradients are exact (no finite differences).
#include <cmath>
#include <cstdint>
#include <vector>

#include "special.hpp"

namespace exmc::ad {

struct tape_node {
  std::int32_t a, b;  // parents (-1: none)
  double da, db;      // d(node)/d(parent)
};

class tape {
 public:
  std::int32_t push(std::int32_t a, double da, std::int32_t b = -1, double db = 0) {
    nodes_.push_back({a, b, da, db});
    return static_cast<std::int32_t>(nodes_.size() - 1);
  }
  std::int32_t leaf() { return push(-1, 0); }
  void clear() { nodes_.clear(); }
  std::size_t size() const { return nodes_.size(); }
  // Adjoints of every node for d(output)/d(node); leaves' entries are the gradient.
  const std::vector<double>& backward(std::int32_t output) {
    adj_.assign(nodes_.size(), 0.0);
    adj_[static_cast<std::size_t>(output)] = 1.0;
    for (std::int32_t i = output; i >= 0; --i) {
      const double g = adj_[static_cast<std::size_t>(i)];
      if (g == 0.0) continue;
      const tape_node& n = nodes_[static_cast<std::size_t>(i)];
      if (n.a >= 0) adj_[static_cast<std::size_t>(n.a)] += g * n.da;
      if (n.b >= 0) adj_[static_cast<std::size_t>(n.b)] += g * n.db;
    }
    return adj_;
  }
  static tape& current() {
    thread_local tape t;
    return t;
  }

 private:
  std::vector<tape_node> nodes_;
  std::vector<double> adj_;
};

// A recorded scalar. Constants (plain doubles) mix freely and are not recorded.
struct var {
  double v = 0;
  std::int32_t id = -1;  // -1: a constant

  var() = default;
  var(double x) : v(x) {}  // NOLINT: doubles convert implicitly, as in any AD library
  var(double x, std::int32_t i) : v(x), id(i) {}
  static var independent(double x) { return var(x, tape::current().leaf()); }

  var& operator+=(const var& o);
  var& operator-=(const var& o);
  var& operator*=(const var& o);
  var& operator/=(const var& o);
};

inline double value(const var& x) { return x.v; }
inline double value(double x) { return x; }

namespace detail {
inline var unary(const var& x, double v, double d) {
  if (x.id < 0) return var(v);
  return var(v, tape::current().push(x.id, d));
}
inline var binary(const var& x, const var& y, double v, double dx, double dy) {
  if (x.id < 0 && y.id < 0) return var(v);
  if (x.id < 0) return var(v, tape::current().push(y.id, dy));
  if (y.id < 0) return var(v, tape::current().push(x.id, dx));
  return var(v, tape::current().push(x.id, dx, y.id, dy));
}
}  // namespace detail

inline var operator+(const var& x, const var& y) { return detail::binary(x, y, x.v + y.v, 1, 1); }
inline var operator-(const var& x, const var& y) { return detail::binary(x, y, x.v - y.v, 1, -1); }
inline var operator*(const var& x, const var& y) { return detail::binary(x, y, x.v * y.v, y.v, x.v); }
inline var operator/(const var& x, const var& y) {
  const double q = x.v / y.v;
  return detail::binary(x, y, q, 1 / y.v, -q / y.v);
}
inline var operator-(const var& x) { return detail::unary(x, -x.v, -1); }
inline var operator+(const var& x) { return x; }
inline var& var::operator+=(const var& o) { return *this = *this + o; }
inline var& var::operator-=(const var& o) { return *this = *this - o; }
inline var& var::operator*=(const var& o) { return *this = *this * o; }
inline var& var::operator/=(const var& o) { return *this = *this / o; }

inline bool operator<(const var& x, const var& y) { return x.v < y.v; }
inline bool operator>(const var& x, const var& y) { return x.v > y.v; }
inline bool operator<=(const var& x, const var& y) { return x.v <= y.v; }
inline bool operator>=(const var& x, const var& y) { return x.v >= y.v; }
inline bool operator==(const var& x, const var& y) { return x.v == y.v; }
inline bool operator!=(const var& x, const var& y) { return x.v != y.v; }

inline var exp(const var& x) {
  const double e = std::exp(x.v);
  return detail::unary(x, e, e);
}
inline var log(const var& x) { return detail::unary(x, std::log(x.v), 1 / x.v); }
inline var log1p(const var& x) { return detail::unary(x, std::log1p(x.v), 1 / (1 + x.v)); }
inline var expm1(const var& x) { return detail::unary(x, std::expm1(x.v), std::exp(x.v)); }
inline var sqrt(const var& x) {
  const double s = std::sqrt(x.v);
  return detail::unary(x, s, 0.5 / s);
}
inline var square(const var& x) { return detail::unary(x, x.v * x.v, 2 * x.v); }
inline double square(double x) { return x * x; }
inline var abs(const var& x) { return detail::unary(x, std::abs(x.v), x.v < 0 ? -1.0 : 1.0); }
inline var fabs(const var& x) { return abs(x); }
inline var sin(const var& x) { return detail::unary(x, std::sin(x.v), std::cos(x.v)); }
inline var cos(const var& x) { return detail::unary(x, std::cos(x.v), -std::sin(x.v)); }
inline var tanh(const var& x) {
  const double t = std::tanh(x.v);
  return detail::unary(x, t, 1 - t * t);
}
inline var atan(const var& x) { return detail::unary(x, std::atan(x.v), 1 / (1 + x.v * x.v)); }
inline var pow(const var& x, double p) { return detail::unary(x, std::pow(x.v, p), p * std::pow(x.v, p - 1)); }
inline var pow(const var& x, const var& y) {
  const double r = std::pow(x.v, y.v);
  return detail::binary(x, y, r, y.v * std::pow(x.v, y.v - 1), x.v > 0 ? r * std::log(x.v) : 0.0);
}
template <class = void>  // instantiated only when called (D72)
inline var lgamma(const var& x) { return detail::unary(x, math::lgamma(x.v), math::digamma(x.v)); }
inline var log1p_exp(const var& x) { return detail::unary(x, math::log1p_exp(x.v), math::inv_logit(x.v)); }
inline var inv_logit(const var& x) {
  const double p = math::inv_logit(x.v);
  return detail::unary(x, p, p * (1 - p));
}
inline var log_sum_exp(const var& x, const var& y) {
  const double m = math::log_sum_exp(x.v, y.v);
  return detail::binary(x, y, m, std::exp(x.v - m), std::exp(y.v - m));
}
inline var fmax(const var& x, const var& y) { return x.v >= y.v ? x : y; }
inline var fmin(const var& x, const var& y) { return x.v <= y.v ? x : y; }

// Common terms, generic over double and var so one function serves both.
template <class X, class M, class S>
auto normal_lpdf(const X& x, const M& mu, const S& sigma) {
  using std::log;
  const auto z = (x - mu) / sigma;
  return -0.5 * (z * z) - log(sigma) - math::log_sqrt_two_pi;
}

}  // namespace exmc::ad
