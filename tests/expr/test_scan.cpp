// scan (expr/scan.hpp): recurrences as vector deterministics. Values against direct loops, log
// densities against hand-written ones, gradients against central differences of those in long
// double (long recurrences near a unit root, where double differences lose digits), float against
// double, sizes and misuse reported by name, and no allocation per evaluation.
#include <cmath>

#include <catch2/catch.hpp>
#include <exmc/exmc.hpp>

#include "../support/gradient_check.hpp"
#include "custom/arma11.hpp"

// Every allocation is counted, to show that logp_grad makes none (as tests/model/test_allocation).
#include "../support/allocation_counter.hpp"
using exmc::test::allocations;

using namespace exmc;

namespace {

// ---- reference densities, generic in the number type (long double for the differences) ------
template <class R>
R log_normal(R x, R mu, R s) {
  using std::log;
  const R z = (x - mu) / s;
  return R(-0.91893853320467274178L) - log(s) - R(0.5) * z * z;
}
template <class R>
R inv_logit(R u) {
  using std::exp;
  return R(1) / (R(1) + exp(-u));
}
// A positive parameter from its coordinate u with a half-normal(s) prior, Jacobian included.
template <class R>
R half_normal_term(R u, R s, R& x) {
  using std::exp, std::log;
  x = exp(u);
  return R(0.69314718055994530942L) + log_normal(x, R(0), s) + u;
}
// A parameter in (0, 1) with a uniform prior, Jacobian included.
template <class R>
R unit_term(R u, R& x) {
  using std::log;
  x = inv_logit(u);
  return log(x) + log(R(1) - x);
}

// Central difference of order 4 of a long double function along coordinate k.
template <class Fn>
long double ld_derivative(Fn f, Eigen::Matrix<long double, Eigen::Dynamic, 1> q, Eigen::Index k) {
  const long double h = 1e-5L * std::max(1.0L, std::abs(q[k])), x = q[k];
  auto at = [&](long double v) {
    q[k] = v;
    return f(q);
  };
  return (-at(x + 2 * h) + 8 * at(x + h) - 8 * at(x - h) + at(x - 2 * h)) / (12 * h);
}

// The compiled density's log density equals the reference's at q, and its gradient the reference's
// long double central differences, to `tol` relative to the gradient's scale.
template <class C, class Ref>
void check_against_reference(const C& c, Ref ref, const Eigen::VectorXd& q, double tol) {
  using LV = Eigen::Matrix<long double, Eigen::Dynamic, 1>;
  Eigen::VectorXd g(c.dim());
  const double lp = c.logp_grad(q, g);
  const LV ql = q.cast<long double>();
  CHECK(lp == Approx(static_cast<double>(ref(ql))).epsilon(1e-12));
  const double scale = 1 + g.cwiseAbs().maxCoeff();
  for (Eigen::Index k = 0; k < c.dim(); ++k) {
    const double fd = static_cast<double>(ld_derivative(ref, ql, k));
    INFO("coordinate " << k << ": analytic " << g[k] << ", long double difference " << fd);
    CHECK(std::abs(g[k] - fd) <= tol * scale);
  }
}

template <class T, class Model>
long allocations_per_call(const Model& m) {
  auto c = compile<T>(m);
  auto ws = c.make_workspace();
  vector_t<T> q = vector_t<T>::Constant(c.dim(), T(0.1)), g(c.dim());
  c.logp_grad(q, g, ws);
  const long before = allocations.load();
  for (int i = 0; i < 10; ++i) c.logp_grad(q, g, ws);
  return allocations.load() - before;
}

Eigen::VectorXd noise(int n, std::uint64_t seed, double scale = 1.0) {
  exmc::rng g(seed);
  Eigen::VectorXd v(n);
  for (auto& x : v) x = scale * g.normal();
  return v;
}

// ---- GARCH(1,1) --------------------------------------------------------------------------------
const auto garch_step = [](auto sigma2, auto r_prev, auto alpha0, auto alpha1, auto beta1, auto mu) {
  return alpha0 + alpha1 * square(r_prev - mu) + beta1 * sigma2;
};

auto garch_model(const Eigen::VectorXd& r) {
  auto mu = param<"mu">(normal(0.0, 1.0));
  auto alpha0 = param<"alpha0">(half_normal(1.0));
  auto alpha1 = param<"alpha1">(uniform(0.0, 1.0));
  auto beta1 = param<"beta1">(uniform(0.0, 1.0));
  auto s0 = param<"s0">(half_normal(2.0));  // the first variance, a parameter
  auto sigma2 = let<"sigma2">(scan(garch_step, s0, lag(r), alpha0, alpha1, beta1, mu));
  return model(mu, alpha0, alpha1, beta1, s0, sigma2, observe<"r">(normal(mu, sqrt(sigma2)), r));
}

template <class R>
R garch_reference(const Eigen::VectorXd& r, const Eigen::Matrix<R, Eigen::Dynamic, 1>& q, std::vector<R>* out = nullptr) {
  using std::sqrt;
  R a0, a1, b1, s0;
  const R mu = q[0];
  R lp = log_normal(mu, R(0), R(1)) + half_normal_term(q[1], R(1), a0) + unit_term(q[2], a1) + unit_term(q[3], b1) +
         half_normal_term(q[4], R(2), s0);
  R s2 = s0;
  for (Eigen::Index t = 0; t < r.size(); ++t) {
    if (t > 0) {
      const R e = R(r[t - 1]) - mu;
      s2 = a0 + a1 * e * e + b1 * s2;
    }
    if (out) out->push_back(s2);
    lp += log_normal(R(r[t]), mu, sqrt(s2));
  }
  return lp;
}

}  // namespace

TEST_CASE("scan: GARCH(1,1) values, density and gradient against a direct loop", "[expr][scan]") {
  const Eigen::VectorXd r = noise(60, 1, 1.3);
  const auto m = garch_model(r);
  const auto cd = compile<double>(m);
  REQUIRE(cd.dim() == 5);
  auto ref = [&](const Eigen::Matrix<long double, Eigen::Dynamic, 1>& q) { return garch_reference<long double>(r, q); };
  exmc::rng g(4);
  for (int p = 0; p < 3; ++p) {
    const Eigen::VectorXd q = test::random_point(cd.dim(), g, 1.5);
    std::vector<double> s2;
    garch_reference<double>(r, q, &s2);
    const Eigen::VectorXd out = cd.constrain(q);
    for (Eigen::Index t = 0; t < r.size(); ++t) CHECK(out[5 + t] == Approx(s2[static_cast<std::size_t>(t)]).epsilon(1e-13));
    check_against_reference(cd, ref, q, 1e-9);
  }
  test::check_gradient(cd, 3, 1e-6, 8, 1.5);
  test::check_float_matches_double(cd, compile<float>(m));
  CHECK(cd.describe().find("scan(s0, lag<1>(data[60]), alpha0, alpha1, beta1, mu)") != std::string::npos);
}

TEST_CASE("scan: a long recurrence near a unit root, gradient against long double differences", "[expr][scan]") {
  // alpha1 + beta1 = 0.995 over 400 steps: each variance depends on hundreds of earlier ones.
  const Eigen::VectorXd r = noise(400, 2, 0.8);
  const auto cd = compile<double>(garch_model(r));
  auto logit = [](double p) { return std::log(p / (1 - p)); };
  Eigen::VectorXd q(5);
  q << 0.05, std::log(0.02), logit(0.08), logit(0.915), std::log(0.7);
  auto ref = [&](const Eigen::Matrix<long double, Eigen::Dynamic, 1>& x) { return garch_reference<long double>(r, x); };
  check_against_reference(cd, ref, q, 1e-9);
}

TEST_CASE("scan: ARMA(1,1) as in Stan's user guide agrees with the custom() density", "[expr][scan]") {
  // nu[0] = mu + phi * mu (err[-1] = 0, y[-1] = mu); nu[t] = mu + phi y[t-1] + theta (y[t-1] - nu[t-1]).
  const auto arma = [](auto nu, auto y_prev, auto mu, auto phi, auto theta) {
    return mu + phi * y_prev + theta * (y_prev - nu);
  };
  const Eigen::VectorXd y = noise(80, 3, 1.0).array() + 0.5;
  auto mu = param<"mu">(normal(0.0, 10.0));
  auto phi = param<"phi">(normal(0.0, 2.0));
  auto theta = param<"theta">(normal(0.0, 2.0));
  auto sigma = param<"sigma">(half_cauchy(5.0));
  auto nu = scan(arma, mu + phi * mu, lag(y), mu, phi, theta);  // directly as an argument
  const auto m = model(mu, phi, theta, sigma, observe<"y">(normal(nu, sigma), y));
  const auto with_tape = model(mu, phi, theta, sigma, observe<"y">(custom<examples::arma11>(mu, phi, theta, sigma), y));
  const auto cd = compile<double>(m);
  const auto ct = compile<double>(with_tape);
  exmc::rng g(9);
  for (int p = 0; p < 4; ++p) {
    const Eigen::VectorXd q = test::random_point(4, g, 0.9);
    Eigen::VectorXd gs(4), gt(4);
    const double ls = cd.logp_grad(q, gs), lt = ct.logp_grad(q, gt);
    CHECK(ls == Approx(lt).epsilon(1e-12));
    for (int k = 0; k < 4; ++k) CHECK(gs[k] == Approx(gt[k]).epsilon(1e-10).margin(1e-10));
  }
  test::check_gradient(cd, 3, 1e-6, 5, 0.9);
  test::check_float_matches_double(cd, compile<float>(m));
}

TEST_CASE("scan: MA(2) with lags, a presample state and a vector of coefficients", "[expr][scan]") {
  // err[t] = y[t] - mu - theta[0] err[t-1] - theta[1] err[t-2], err[-1] = err[-2] = 0.
  const auto ma = [](auto err, auto y, auto mu, auto theta) { return y - mu - theta[0] * err[0] - theta[1] * err[1]; };
  const Eigen::VectorXd y = noise(50, 5, 1.0);
  auto mu = param<"mu">(normal(0.0, 2.0));
  auto theta = param<"theta">(normal(0.0, 0.5), 2);
  auto sigma = param<"sigma">(half_normal(1.0));
  auto err = let<"err">(scan<lags<2>>(ma, presample(0.0), series(y), mu, theta));
  // y = (y - err) + err: the mean is y - err, and err ~ normal(0, sigma).
  const auto m = model(mu, theta, sigma, err, observe<"y">(normal(y - err, sigma), y));
  const auto cd = compile<double>(m);
  REQUIRE(cd.dim() == 4);
  auto ref = [&]<class R>(const Eigen::Matrix<R, Eigen::Dynamic, 1>& q, std::vector<R>* out = nullptr) {
    R s;
    R lp = log_normal(q[0], R(0), R(2)) + log_normal(q[1], R(0), R(0.5)) + log_normal(q[2], R(0), R(0.5)) +
           half_normal_term(q[3], R(1), s);
    R e1 = 0, e2 = 0;
    for (Eigen::Index t = 0; t < y.size(); ++t) {
      const R e = R(y[t]) - q[0] - q[1] * e1 - q[2] * e2;
      if (out) out->push_back(e);
      lp += log_normal(R(y[t]), R(y[t]) - e, s);
      e2 = e1;
      e1 = e;
    }
    return lp;
  };
  exmc::rng g(6);
  for (int p = 0; p < 3; ++p) {
    const Eigen::VectorXd q = test::random_point(4, g, 0.8);
    std::vector<double> e;
    ref(q, &e);
    const Eigen::VectorXd out = cd.constrain(q);
    for (Eigen::Index t = 0; t < y.size(); ++t) CHECK(out[4 + t] == Approx(e[static_cast<std::size_t>(t)]).epsilon(1e-12).margin(1e-13));
    check_against_reference(cd, [&](const Eigen::Matrix<long double, Eigen::Dynamic, 1>& x) { return ref(x); }, q, 1e-9);
  }
  test::check_float_matches_double(cd, compile<float>(m));
}

TEST_CASE("scan: two state components, a parameter series, a vector initial state", "[expr][scan]") {
  // A damped rotation driven by a latent input u: x[t] = a x - b z + u[t], z[t] = b x + a z.
  const auto rot = [](auto prev, auto u, auto a, auto b) {
    return std::array{a * prev[0] - b * prev[1] + u, b * prev[0] + a * prev[1]};
  };
  const int n = 20;
  const Eigen::VectorXd y = noise(2 * n, 7, 1.0);  // x over time, then z over time
  auto a = param<"a">(normal(0.5, 0.3));
  auto b = param<"b">(normal(0.3, 0.3));
  auto u = param<"u">(normal(0.0, 1.0), n);
  auto x0 = param<"x0">(normal(0.0, 1.0), 2);
  auto xz = let<"xz">(scan<states<2>>(rot, x0, series(u), a, b));
  const auto m = model(a, b, u, x0, xz, observe<"y">(normal(xz, 0.5), y));
  const auto cd = compile<double>(m);
  REQUIRE(cd.dim() == 2 + n + 2);
  auto ref = [&]<class R>(const Eigen::Matrix<R, Eigen::Dynamic, 1>& q, std::vector<R>* out = nullptr) {
    const R av = q[0], bv = q[1];
    R lp = log_normal(av, R(0.5), R(0.3)) + log_normal(bv, R(0.3), R(0.3));
    for (int t = 0; t < n + 2; ++t) lp += log_normal(q[2 + t], R(0), R(1));
    std::vector<R> xs(static_cast<std::size_t>(n)), zs(static_cast<std::size_t>(n));
    xs[0] = q[2 + n];
    zs[0] = q[3 + n];
    for (int t = 1; t < n; ++t) {
      const auto k = static_cast<std::size_t>(t);
      xs[k] = av * xs[k - 1] - bv * zs[k - 1] + q[2 + t];
      zs[k] = bv * xs[k - 1] + av * zs[k - 1];
    }
    for (int t = 0; t < n; ++t) {
      const auto k = static_cast<std::size_t>(t);
      lp += log_normal(R(y[t]), xs[k], R(0.5)) + log_normal(R(y[n + t]), zs[k], R(0.5));
    }
    if (out) {
      out->assign(xs.begin(), xs.end());
      out->insert(out->end(), zs.begin(), zs.end());
    }
    return lp;
  };
  exmc::rng g(8);
  for (int p = 0; p < 3; ++p) {
    const Eigen::VectorXd q = test::random_point(cd.dim(), g, 1.0);
    std::vector<double> v;
    ref(q, &v);
    const Eigen::VectorXd out = cd.constrain(q);
    REQUIRE(out.size() == cd.dim() + 2 * n);
    for (int k = 0; k < 2 * n; ++k) CHECK(out[cd.dim() + k] == Approx(v[static_cast<std::size_t>(k)]).epsilon(1e-12).margin(1e-13));
    check_against_reference(cd, [&](const Eigen::Matrix<long double, Eigen::Dynamic, 1>& x) { return ref(x); }, q, 1e-9);
  }
  test::check_float_matches_double(cd, compile<float>(m));
}

TEST_CASE("scan: two lags of two components, a data series and coefficients in two chunks", "[expr][scan]") {
  // Six coefficients take two evaluations per step (vector_chunk = 4); the initial states are the
  // four values before t = 0 (x[-2], x[-1], z[-2], z[-1]), a parameter.
  static_assert(vector_chunk == 4);
  const auto step = [](auto prev, auto w, auto c) {
    using std::tanh;
    return std::array{tanh(c[0] * prev[0][0] + c[1] * prev[1][0] + c[2] * prev[0][1]),
                      c[3] * prev[0][1] + c[4] * prev[1][1] + c[5] * prev[0][0] + w};
  };
  const int n = 15;
  const Eigen::VectorXd w = noise(n, 10, 0.5), y = noise(2 * n, 11, 1.0);
  auto c = param<"c">(normal(0.0, 0.5), 6);
  auto init = param<"init">(normal(0.0, 1.0), 4);
  auto xz = let<"xz">(scan<states<2>, lags<2>>(step, presample(init), series(w), c));
  const auto m = model(c, init, xz, observe<"y">(normal(xz, 0.7), y));
  const auto cd = compile<double>(m);
  auto ref = [&]<class R>(const Eigen::Matrix<R, Eigen::Dynamic, 1>& q) {
    using std::tanh;
    R lp = 0;
    for (int k = 0; k < 6; ++k) lp += log_normal(q[k], R(0), R(0.5));
    for (int k = 0; k < 4; ++k) lp += log_normal(q[6 + k], R(0), R(1));
    R x2 = q[6], x1 = q[7], z2 = q[8], z1 = q[9];
    for (int t = 0; t < n; ++t) {
      const R x = tanh(q[0] * x1 + q[1] * x2 + q[2] * z1);
      const R z = q[3] * z1 + q[4] * z2 + q[5] * x1 + R(w[t]);
      lp += log_normal(R(y[t]), x, R(0.7)) + log_normal(R(y[n + t]), z, R(0.7));
      x2 = x1;
      x1 = x;
      z2 = z1;
      z1 = z;
    }
    return lp;
  };
  exmc::rng g(12);
  for (int p = 0; p < 3; ++p)
    check_against_reference(cd, [&](const Eigen::Matrix<long double, Eigen::Dynamic, 1>& x) { return ref(x); },
                            test::random_point(cd.dim(), g, 1.0), 1e-9);
  test::check_float_matches_double(cd, compile<float>(m));
}

TEST_CASE("scan: first states given for two lags, a series lagged twice, a let as input", "[expr][scan]") {
  // out[0..2) = init; out[t] = phi1 out[t-1] + phi2 out[t-2] + k x[t-2], k a let.
  const auto ar2 = [](auto prev, auto x2, auto phi1, auto phi2, auto k) { return phi1 * prev[0] + phi2 * prev[1] + k * x2; };
  const int n = 25;
  const Eigen::VectorXd x = noise(n, 13, 1.0), y = noise(n, 14, 1.0);
  auto phi1 = param<"phi1">(normal(0.0, 0.5));
  auto phi2 = param<"phi2">(normal(0.0, 0.5));
  auto logk = param<"logk">(normal(0.0, 0.5));
  auto k = let<"k">(exp(logk));
  Eigen::VectorXd init(2);
  init << 0.3, -0.2;
  auto out = let<"out">(scan<lags<2>>(ar2, init, lag<2>(x), phi1, phi2, k));
  const auto m = model(phi1, phi2, logk, k, out, observe<"y">(normal(out, 1.0), y));
  const auto cd = compile<double>(m);
  auto ref = [&]<class R>(const Eigen::Matrix<R, Eigen::Dynamic, 1>& q) {
    using std::exp;
    R lp = log_normal(q[0], R(0), R(0.5)) + log_normal(q[1], R(0), R(0.5)) + log_normal(q[2], R(0), R(0.5));
    std::vector<R> o(static_cast<std::size_t>(n));
    o[0] = R(0.3);
    o[1] = R(-0.2);
    for (std::size_t t = 2; t < o.size(); ++t) o[t] = q[0] * o[t - 1] + q[1] * o[t - 2] + exp(q[2]) * R(x[static_cast<Eigen::Index>(t) - 2]);
    for (int t = 0; t < n; ++t) lp += log_normal(R(y[t]), o[static_cast<std::size_t>(t)], R(1));
    return lp;
  };
  exmc::rng g(15);
  for (int p = 0; p < 3; ++p)
    check_against_reference(cd, [&](const Eigen::Matrix<long double, Eigen::Dynamic, 1>& v) { return ref(v); },
                            test::random_point(cd.dim(), g, 1.0), 1e-9);
  test::check_float_matches_double(cd, compile<float>(m));
}

TEST_CASE("scan: one state driven by a parameter series, first state or presample", "[expr][scan]") {
  // A local level: x[t] = rho x[t-1] + u[t-1] (first state x0), or x[t] = rho x[t-1] + u[t] from
  // the presample x[-1] = x0; 23 steps are not a multiple of the sweep's blocks.
  const auto level = [](auto x, auto u, auto rho) { return rho * x + u; };
  const int n = 23;
  const Eigen::VectorXd y = noise(n, 16, 1.0);
  auto rho = param<"rho">(normal(0.5, 0.3));
  auto u = param<"u">(normal(0.0, 1.0), n);
  auto x0 = param<"x0">(normal(0.0, 2.0));
  for (const bool pre : {false, true}) {
    auto ref = [&]<class R>(const Eigen::Matrix<R, Eigen::Dynamic, 1>& q) {
      R lp = log_normal(q[0], R(0.5), R(0.3)) + log_normal(q[1 + n], R(0), R(2));
      for (int t = 0; t < n; ++t) lp += log_normal(q[1 + t], R(0), R(1));
      R x = q[1 + n];
      for (int t = 0; t < n; ++t) {
        if (pre)
          x = q[0] * x + q[1 + t];
        else if (t > 0)
          x = q[0] * x + q[t];
        lp += log_normal(R(y[t]), x, R(0.8));
      }
      return lp;
    };
    auto check = [&](const auto& m) {
      const auto cd = compile<double>(m);
      exmc::rng g(17);
      for (int p = 0; p < 3; ++p)
        check_against_reference(cd, [&](const Eigen::Matrix<long double, Eigen::Dynamic, 1>& v) { return ref(v); },
                                test::random_point(cd.dim(), g, 1.0), 1e-9);
      test::check_float_matches_double(cd, compile<float>(m));
    };
    if (pre)
      check(model(rho, u, x0, observe<"y">(normal(scan(level, presample(x0), series(u), rho), 0.8), y)));
    else
      check(model(rho, u, x0, observe<"y">(normal(scan(level, x0, lag(u), rho), 0.8), y)));
  }
}

TEST_CASE("scan: a recurrence of data alone, with horizon", "[expr][scan]") {
  // Logistic growth of known rate: a constant curve, used as data by the likelihood.
  const auto growth = [](auto n, auto r, auto cap) { return n + r * n * (1.0 - n / cap); };
  auto s = param<"s">(half_normal(1.0));
  auto curve = let<"curve">(scan(growth, 5.0, horizon(12), 0.4, 100.0));
  Eigen::VectorXd y(12);
  for (int t = 0; t < 12; ++t) y[t] = 5.0 + 7.0 * t;
  const auto cd = compile<double>(model(s, curve, observe<"y">(normal(curve, s), y)));
  const Eigen::VectorXd out = cd.constrain(Eigen::VectorXd::Zero(1));
  double v = 5;
  for (int t = 0; t < 12; ++t) {
    CHECK(out[1 + t] == Approx(v).epsilon(1e-14));
    v += 0.4 * v * (1 - v / 100);
  }
  test::check_gradient(cd, 2, 1e-6, 3, 1.0);
}

TEST_CASE("scan: sizes are checked at construction, naming the input", "[expr][scan]") {
  const auto step = [](auto prev, auto x, auto a) { return a * prev + x; };
  auto a = param<"a">(normal(0.0, 1.0));
  const Eigen::VectorXd x10 = Eigen::VectorXd::Ones(10), x9 = Eigen::VectorXd::Ones(9);
  auto fails_with = [](auto make, const std::string& text) {
    try {
      make();
      FAIL("no model_error");
    } catch (const model_error& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(text) != std::string::npos);
    }
  };
  // two series of different lengths
  fails_with([&] {
    const auto two = [](auto prev, auto x, auto z, auto c) { return c * prev + x + z; };
    return model(a, let<"s">(scan(two, 0.0, series(x10), lag(x9), a)), observe<"y">(normal(ref<"s">{}, 1.0), x10));
  }, "series 2 (data[9]) has 9 elements but series 1 gives 10 time steps");
  fails_with([&] { return model(a, let<"s">(scan(step, 0.0, horizon(9), series(x10), a))); },
             "has 10 elements but horizon gives 9 time steps");
  auto v3 = param<"v3">(normal(0.0, 1.0), 3);
  fails_with([&] { return model(a, v3, let<"s">(scan<lags<2>>(
                                          [](auto p, auto x, auto c) { return c * p[0] + p[1] + x; }, v3, series(x10), a))); },
             "the initial state (v3) has 3 elements, the scan needs 2");
  fails_with([&] { return model(a, let<"s">(scan<lags<3>>([](auto p, auto c) { return c * p[0]; }, 0.0, horizon(2), a))); },
             "2 time steps is fewer than the 3 initial states");
  // the declaration is named too
  fails_with([&] { return model(a, let<"sx">(scan(step, 0.0, horizon(9), series(x10), a))); }, "let<\"sx\">");
}

TEST_CASE("scan: logp_grad allocates nothing", "[expr][scan][allocation]") {
  const Eigen::VectorXd r = noise(50, 1);
  CHECK(allocations_per_call<double>(garch_model(r)) == 0);
  CHECK(allocations_per_call<float>(garch_model(r)) == 0);
  const auto ma = [](auto err, auto y, auto mu, auto theta) {
    decltype(mu) e = y - mu;
    for (std::size_t k = 0; k < theta.size(); ++k) e -= theta[k] * err[k];
    return e;
  };
  auto mu = param<"mu">(normal(0.0, 2.0));
  auto theta = param<"theta">(normal(0.0, 0.5), 5);  // two chunks
  auto err = let<"err">(scan<lags<5>>(ma, presample(0.0), series(r), mu, theta));
  const auto m = model(mu, theta, err, observe<"y">(normal(r - err, 1.0), r));
  CHECK(allocations_per_call<double>(m) == 0);
  CHECK(allocations_per_call<float>(m) == 0);
  test::check_gradient(compile<double>(m), 2, 1e-6, 4, 0.3);
}
