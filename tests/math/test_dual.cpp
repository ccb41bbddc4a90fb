// Forward-mode duals: every function's value and partials against closed forms or long double
// central differences, Jacobians of a multi-input function, and float.
#include <catch2/catch.hpp>
#include <cmath>
#include <exmc/math/dual.hpp>

using namespace exmc;
using D1 = math::dual<double, 1>;

namespace {
// Sixth-order central difference in long double of a scalar function.
template <class F>
long double central(F f, long double x) {
  const long double h = 1e-4L * std::max(1.0L, std::abs(x));
  return (f(x + 3 * h) - 9 * f(x + 2 * h) + 45 * f(x + h) - 45 * f(x - h) + 9 * f(x - 2 * h) - f(x - 3 * h)) / (60 * h);
}

// Checks f on duals against f on long doubles at x: value and derivative.
template <class F>
void check_unary(F f, double x, const char* what) {
  const D1 r = f(D1::variable(x, 0));
  const long double expected = f(static_cast<long double>(x));
  const long double slope = central([&](long double t) { return f(t); }, x);
  INFO(what << " at " << x << ": value " << r.v << " vs " << static_cast<double>(expected) << ", slope " << r.d[0]
            << " vs " << static_cast<double>(slope));
  CHECK(r.v == Approx(static_cast<double>(expected)).epsilon(1e-14).margin(1e-300));
  CHECK(r.d[0] == Approx(static_cast<double>(slope)).epsilon(1e-9).margin(1e-12));
}
}  // namespace

TEST_CASE("dual: elementary functions match their derivatives", "[math][dual]") {
  using std::exp, std::log, std::log1p, std::expm1, std::sqrt, std::cbrt, std::sin, std::cos, std::tan, std::asin,
      std::acos, std::atan, std::sinh, std::cosh, std::tanh, std::erf, std::abs, std::pow;
  for (double x : {0.3, 0.9, 1.7}) {
    check_unary([](auto t) { return exp(t); }, x, "exp");
    check_unary([](auto t) { return log(t); }, x, "log");
    check_unary([](auto t) { return log1p(t); }, x, "log1p");
    check_unary([](auto t) { return expm1(t); }, x, "expm1");
    check_unary([](auto t) { return sqrt(t); }, x, "sqrt");
    check_unary([](auto t) { return cbrt(t); }, x, "cbrt");
    check_unary([](auto t) { return sin(t); }, x, "sin");
    check_unary([](auto t) { return cos(t); }, x, "cos");
    check_unary([](auto t) { return tan(t); }, x, "tan");
    check_unary([](auto t) { return atan(t); }, x, "atan");
    check_unary([](auto t) { return sinh(t); }, x, "sinh");
    check_unary([](auto t) { return cosh(t); }, x, "cosh");
    check_unary([](auto t) { return tanh(t); }, x, "tanh");
    check_unary([](auto t) { return erf(t); }, x, "erf");
    check_unary([](auto t) { return abs(-2 * t); }, x, "abs");
    check_unary([](auto t) { return pow(t, 2.5); }, x, "pow(x, c)");
    check_unary([](auto t) { return pow(1.7, t); }, x, "pow(c, x)");
    check_unary([](auto t) { return pow(t, t); }, x, "pow(x, x)");
    check_unary([](auto t) { return (3.0 - t) / (t * t + 1.0) - 2 * t; }, x, "arithmetic");
    check_unary([](auto t) { auto u = t; u *= t; u /= (t + 2.0); u -= 1.0; u += t; return u; }, x, "compound");
  }
  for (double x : {-0.8, 0.2, 0.6}) {
    check_unary([](auto t) { return asin(t); }, x, "asin");
    check_unary([](auto t) { return acos(t); }, x, "acos");
  }
}

TEST_CASE("dual: the stable functions and log_sum_exp", "[math][dual]") {
  for (double x : {-40.0, -2.0, 0.5, 35.0}) {
    const D1 a = math::log1p_exp(D1::variable(x, 0));
    CHECK(a.v == Approx(math::log1p_exp(x)).epsilon(1e-15));
    CHECK(a.d[0] == Approx(math::inv_logit(x)).epsilon(1e-15));
    const D1 b = math::inv_logit(D1::variable(x, 0));
    CHECK(b.d[0] == Approx(math::inv_logit(x) * (1 - math::inv_logit(x))).epsilon(1e-14).margin(1e-300));
    const D1 c = math::log_inv_logit(D1::variable(x, 0));
    CHECK(c.v == Approx(math::log_inv_logit(x)).epsilon(1e-15));
    CHECK(c.d[0] == Approx(math::inv_logit(-x)).epsilon(1e-14).margin(1e-300));  // 1 - p, exact in the tail
  }
  using D2 = math::dual<double, 2>;
  const D2 s = math::log_sum_exp(D2::variable(1.2, 0), D2::variable(-0.4, 1));
  const double e1 = std::exp(1.2), e2 = std::exp(-0.4);
  CHECK(s.v == Approx(std::log(e1 + e2)).epsilon(1e-15));
  CHECK(s.d[0] == Approx(e1 / (e1 + e2)).epsilon(1e-15));
  CHECK(s.d[1] == Approx(e2 / (e1 + e2)).epsilon(1e-15));
  const D2 t = math::log_sum_exp(D2(-math::inf<double>), D2::variable(0.3, 1));
  CHECK(t.v == 0.3);
  CHECK(t.d[1] == 1.0);
}

TEST_CASE("dual: a Jacobian in one evaluation, in double and float", "[math][dual]") {
  // A GARCH-like step: s' = a0 + a1 (r - mu)^2 + b1 s, with partials in (s, a0, a1, b1, mu).
  auto step = [](auto s, auto a0, auto a1, auto b1, auto mu, double r) { return a0 + a1 * square(r - mu) + b1 * s; };
  using D5 = math::dual<double, 5>;
  const double s = 0.8, a0 = 0.1, a1 = 0.3, b1 = 0.5, mu = 0.2, r = -0.7;
  const D5 y = step(D5::variable(s, 0), D5::variable(a0, 1), D5::variable(a1, 2), D5::variable(b1, 3),
                    D5::variable(mu, 4), r);
  CHECK(y.v == Approx(a0 + a1 * (r - mu) * (r - mu) + b1 * s).epsilon(1e-15));
  CHECK(y.d[0] == Approx(b1).epsilon(1e-15));
  CHECK(y.d[1] == Approx(1.0).epsilon(1e-15));
  CHECK(y.d[2] == Approx((r - mu) * (r - mu)).epsilon(1e-15));
  CHECK(y.d[3] == Approx(s).epsilon(1e-15));
  CHECK(y.d[4] == Approx(-2 * a1 * (r - mu)).epsilon(1e-15));
  using F5 = math::dual<float, 5>;
  const F5 yf = step(F5::variable(0.8f, 0), F5::variable(0.1f, 1), F5::variable(0.3f, 2), F5::variable(0.5f, 3),
                     F5::variable(0.2f, 4), r);
  for (int i = 0; i < 5; ++i) CHECK(yf.d[i] == Approx(y.d[i]).epsilon(1e-6));
  CHECK(math::value_of(yf) == Approx(y.v).epsilon(1e-6));
  CHECK(math::value_of(2.5) == 2.5);
  // Comparisons see values, so user branches behave as on numbers.
  CHECK(D5::variable(1.0, 0) < 2);
  CHECK(3.0 > D5::variable(1.0, 2));
  CHECK(D5(2.0) == 2.0);
}
