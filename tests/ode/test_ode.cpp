// ODEs: the solvers against closed-form solutions (values and sensitivities to y0 and the
// arguments), the coupled Jacobian against finite differences, gradients of whole models against
// finite differences, float against double, misuse and solver failures (an error, a divergence
// under NUTS, never a crash), and evaluations that allocate nothing.
#include <catch2/catch.hpp>
#include <cmath>
#include <exmc/exmc.hpp>
#include <exmc/ode.hpp>

#include "../support/allocation_counter.hpp"
#include "../support/gradient_check.hpp"

using namespace exmc;
using V = Eigen::VectorXd;
using rk45 = ode::rk45_method;
using rosenbrock = ode::rosenbrock_method;
template <bool Vec, bool Grad>
using arg = ode::arg_spec<Vec, Grad>;

namespace {
const std::vector<double> times{0.25, 0.5, 1.0, 1.5, 2.5, 4.0};
const ode::options tight{1e-10, 1e-10, 100000};

// Values (row t: the N states at times[t]) and sensitivities (row t + n T: d y_n(times[t]) / d
// direction k in column k) of a solver against closed forms.
template <class S, class Exact, class Sens>
void check_solution(const S& s, Exact exact, Sens sens, double tol) {
  const index_t T = s.outputs(), N = S::N;
  for (index_t t = 0; t < T; ++t) {
    const V y = exact(times[static_cast<std::size_t>(t)]);
    const Eigen::MatrixXd d = sens(times[static_cast<std::size_t>(t)]);
    for (index_t n = 0; n < N; ++n) {
      INFO("time " << times[static_cast<std::size_t>(t)] << ", state " << n);
      CHECK(s.values()[t + n * T] == Approx(y[n]).epsilon(tol).margin(tol));
      for (index_t k = 0; k < s.directions(); ++k) {
        INFO("direction " << k);
        CHECK(s.sensitivities()(t + n * T, k) == Approx(d(n, k)).epsilon(tol).margin(tol));
      }
    }
  }
}

template <class Method, bool Y0Grad, class... Specs, class F, class... A>
auto solved(F f, const V& y0, const ode::options& o, const A&... args) {
  const std::array<V, sizeof...(A)> values{V(args)...};
  std::array<index_t, sizeof...(A)> lens{};
  std::array<const double*, sizeof...(A)> ptrs{};
  for (std::size_t i = 0; i < sizeof...(A); ++i) {
    lens[i] = values[i].size();
    ptrs[i] = values[i].data();
  }
  ode::solver<Method, F, Y0Grad, Specs...> s(f, static_cast<index_t>(times.size()), lens, o);
  s.solve(y0.data(), ptrs, 0.0, times.data());
  return s;
}
V scalar(double x) { return V::Constant(1, x); }
}  // namespace

TEMPLATE_TEST_CASE("exponential decay: values and sensitivities to y0 and the rate", "[ode]", rk45, rosenbrock) {
  auto f = [](auto, const auto& y, auto k) { return std::array{-k * y[0]}; };
  const double y0 = 2.5, k = 0.7;
  const auto s = solved<TestType, true, arg<false, true>>(f, scalar(y0), tight, scalar(k));
  REQUIRE(s.directions() == 2);
  check_solution(
      s, [&](double t) { return scalar(y0 * std::exp(-k * t)); },
      [&](double t) {
        Eigen::MatrixXd d(1, 2);
        d << std::exp(-k * t), -t * y0 * std::exp(-k * t);
        return d;
      },
      1e-8);
}

TEMPLATE_TEST_CASE("harmonic oscillator: values and sensitivities", "[ode]", rk45, rosenbrock) {
  auto f = [](auto, const auto& y, auto w) { return std::array{y[1], -w * w * y[0]}; };
  const double a = 1.3, b = -0.4, w = 2.1;
  V y0(2);
  y0 << a, b;
  const auto s = solved<TestType, true, arg<false, true>>(f, y0, tight, scalar(w));
  REQUIRE(s.directions() == 3);
  check_solution(
      s,
      [&](double t) {
        V y(2);
        y << a * std::cos(w * t) + b / w * std::sin(w * t), -a * w * std::sin(w * t) + b * std::cos(w * t);
        return y;
      },
      [&](double t) {
        const double c = std::cos(w * t), sn = std::sin(w * t);
        Eigen::MatrixXd d(2, 3);
        d << c, sn / w, -a * t * sn + b * (t * c / w - sn / (w * w)),  //
            -w * sn, c, -a * sn - a * w * t * c - b * t * sn;
        return d;
      },
      1e-7);
}

TEMPLATE_TEST_CASE("logistic growth with its parameters in a vector: values and sensitivities", "[ode]", rk45,
                   rosenbrock) {
  auto f = [](auto, const auto& y, const auto& theta) { return std::array{theta[0] * y[0] * (1.0 - y[0] / theta[1])}; };
  const double y0 = 0.3, r = 1.4, K = 5.0;
  V theta(2);
  theta << r, K;
  const auto s = solved<TestType, true, arg<true, true>>(f, scalar(y0), tight, theta);
  REQUIRE(s.directions() == 3);  // y0, r, K: a run-time count, in one chunk of 8
  check_solution(
      s,
      [&](double t) {
        const double E = std::exp(r * t);
        return scalar(K * y0 * E / (K + y0 * (E - 1)));
      },
      [&](double t) {
        const double E = std::exp(r * t), Q = K + y0 * (E - 1);
        Eigen::MatrixXd d(1, 3);
        d << K * K * E / (Q * Q), K * y0 * t * E * (K - y0) / (Q * Q), y0 * y0 * E * (E - 1) / (Q * Q);
        return d;
      },
      1e-8);
}

TEMPLATE_TEST_CASE("a non-autonomous system: the time derivative enters the stiff solver", "[ode]", rk45, rosenbrock) {
  // y' = -k y + sin t: y = C e^{-kt} + (k sin t - cos t) / (1 + k^2), C = y0 + 1 / (1 + k^2)
  auto f = [](auto t, const auto& y, auto k) {
    using std::sin;
    return std::array{-k * y[0] + sin(t)};
  };
  const double y0 = 0.8, k = 1.7, q = 1 + k * k;
  const auto s = solved<TestType, true, arg<false, true>>(f, scalar(y0), tight, scalar(k));
  check_solution(
      s,
      [&](double t) { return scalar((y0 + 1 / q) * std::exp(-k * t) + (k * std::sin(t) - std::cos(t)) / q); },
      [&](double t) {
        const double e = std::exp(-k * t), C = y0 + 1 / q;
        Eigen::MatrixXd d(1, 2);
        d << e, -2 * k / (q * q) * e - t * C * e + (std::sin(t) * q - 2 * k * (k * std::sin(t) - std::cos(t))) / (q * q);
        return d;
      },
      1e-8);
}

TEMPLATE_TEST_CASE("many directions in chunks match one compile-time chunk, data arguments pass through", "[ode]", rk45,
                   rosenbrock) {
  // y' = A y + c: A's nine entries as nine scalars (K = 3 + 9, known at compile time) or as a
  // vector (K at run time, two chunks of 8); c is data, with no direction of its own.
  auto scalars = [](auto, const auto& y, auto a, auto b, auto c, auto d, auto e, auto g, auto h, auto i, auto j,
                    const auto& u) {
    return std::array{a * y[0] + b * y[1] + c * y[2] + u[0], d * y[0] + e * y[1] + g * y[2] + u[1],
                      h * y[0] + i * y[1] + j * y[2] + u[2]};
  };
  auto vector = [](auto, const auto& y, const auto& A, const auto& u) {
    return std::array{A[0] * y[0] + A[1] * y[1] + A[2] * y[2] + u[0], A[3] * y[0] + A[4] * y[1] + A[5] * y[2] + u[1],
                      A[6] * y[0] + A[7] * y[1] + A[8] * y[2] + u[2]};
  };
  V A(9), u(3), y0(3);
  A << -1.0, 0.3, 0.1, 0.2, -0.8, 0.0, 0.05, 0.4, -1.2;
  u << 0.1, -0.2, 0.3;
  y0 << 1.0, 0.5, -0.5;
  using S = arg<false, true>;
  const auto one = solved<TestType, true, S, S, S, S, S, S, S, S, S, arg<true, false>>(
      scalars, y0, tight, scalar(A[0]), scalar(A[1]), scalar(A[2]), scalar(A[3]), scalar(A[4]), scalar(A[5]),
      scalar(A[6]), scalar(A[7]), scalar(A[8]), u);
  const auto chunked = solved<TestType, true, arg<true, true>, arg<true, false>>(vector, y0, tight, A, u);
  REQUIRE(one.directions() == 12);
  REQUIRE(chunked.directions() == 12);
  CHECK(one.values().isApprox(chunked.values(), 1e-13));
  CHECK(one.sensitivities().isApprox(chunked.sensitivities(), 1e-12));
  // and against central differences of the values in A[4]
  const double h = 1e-5;
  V Ap = A, Am = A;
  Ap[4] += h;
  Am[4] -= h;
  const auto up = solved<TestType, false, arg<true, false>, arg<true, false>>(vector, y0, tight, Ap, u);
  const auto dn = solved<TestType, false, arg<true, false>, arg<true, false>>(vector, y0, tight, Am, u);
  const V fd = (up.values() - dn.values()) / (2 * h);
  for (index_t i = 0; i < fd.size(); ++i) CHECK(chunked.sensitivities()(i, 3 + 4) == Approx(fd[i]).margin(1e-7));
}

TEST_CASE("the coupled system's Jacobian: exact second derivatives against finite differences", "[ode]") {
  // A non-linear, non-autonomous right-hand side with a scalar and a vector argument.
  auto f = [](auto t, const auto& y, auto a, const auto& v) {
    using std::exp, std::sin;
    return std::array{a * y[0] * y[1] - v[0] * sin(t * y[0]), exp(-v[1] * y[1]) + a * t * y[0] * y[0]};
  };
  using sys_t = ode::coupled_system<decltype(f), true, arg<false, true>, arg<true, true>>;
  sys_t sys(f, {1, 2}, true);
  const double a = 0.7;
  V v(2);
  v << 1.3, 0.4;
  sys.set_arguments({&a, v.data()});
  const index_t K = sys.directions(), M = sys.coupled_size();
  REQUIRE(K == 5);
  V z(M);
  for (index_t i = 0; i < M; ++i) z[i] = std::sin(1.0 + 0.7 * static_cast<double>(i));
  const double t = 0.9;
  Eigen::Matrix2d Jy;
  Eigen::MatrixXd H(2, 2 * K);
  V dfdt(M), f0(M), fp(M), fm(M);
  sys.jacobian(z.data(), t, Jy, H, dfdt.data());
  // Full M x M Jacobian from the blocks, against central differences of rhs.
  Eigen::MatrixXd full = Eigen::MatrixXd::Zero(M, M);
  full.block(0, 0, 2, 2) = Jy;
  for (index_t k = 0; k < K; ++k) {
    full.block(2 + 2 * k, 0, 2, 2) = H.middleCols(2 * k, 2);
    full.block(2 + 2 * k, 2 + 2 * k, 2, 2) = Jy;
  }
  const double h = 1e-6;
  for (index_t c = 0; c <= M; ++c) {
    V zp = z, zm = z;
    double tp = t, tm = t;
    if (c < M) {
      zp[c] += h;
      zm[c] -= h;
    } else {
      tp += h;
      tm -= h;
    }
    sys.rhs(zp.data(), fp.data(), tp);
    sys.rhs(zm.data(), fm.data(), tm);
    const V fd = (fp - fm) / (2 * h);
    for (index_t r = 0; r < M; ++r) {
      INFO("row " << r << ", column " << c << (c == M ? " (time)" : ""));
      CHECK((c < M ? full(r, c) : dfdt[r]) == Approx(fd[r]).margin(1e-8).epsilon(1e-7));
    }
  }
}

TEST_CASE("a stiff system: the Rosenbrock solver takes it, the Runge-Kutta solver gives up", "[ode]") {
  // Prothero-Robinson: y' = -lambda (y - cos t) - sin t, y = (y0 - 1) e^{-lambda t} + cos t.
  auto f = [](auto t, const auto& y, auto lambda) {
    using std::cos, std::sin;
    return std::array{-lambda * (y[0] - cos(t)) - sin(t)};
  };
  const double y0 = 2.0, lambda = 1e5;
  const auto s = solved<rosenbrock, true, arg<false, true>>(f, scalar(y0), ode::options{1e-8, 1e-8, 2000}, scalar(lambda));
  check_solution(
      s, [&](double t) { return scalar((y0 - 1) * std::exp(-lambda * t) + std::cos(t)); },
      [&](double t) {
        Eigen::MatrixXd d(1, 2);
        d << std::exp(-lambda * t), -t * (y0 - 1) * std::exp(-lambda * t);
        return d;
      },
      1e-6);
  try {
    solved<rk45, true, arg<false, true>>(f, scalar(y0), ode::options{1e-8, 1e-8, 2000}, scalar(lambda));
    FAIL("ode_rk45 should have stopped at max_num_steps");
  } catch (const ode_error& e) {
    const std::string m = e.what();
    CHECK(m.find("ode_rk45: max_num_steps (2000)") != std::string::npos);
    CHECK(m.find("stiff") != std::string::npos);
  }
}

namespace {
// Lotka-Volterra with its four rates as scalars and as a vector (Carpenter's Stan case study).
const auto lv = [](auto, const auto& z, auto a, auto b, auto g, auto d) {
  return std::array{(a - b * z[1]) * z[0], (-g + d * z[0]) * z[1]};
};
const auto lv_vector = [](auto, const auto& z, const auto& th) {
  return std::array{(th[0] - th[1] * z[1]) * z[0], (-th[2] + th[3] * z[0]) * z[1]};
};
std::vector<double> years() {
  std::vector<double> ts;
  for (int i = 1; i <= 12; ++i) ts.push_back(i);
  return ts;
}
V lv_data() {
  V y(24);
  for (int i = 0; i < 24; ++i) y[i] = 20 + 12 * std::sin(0.7 * i);
  return y;
}

template <class Method>
auto lv_model(const ode::options& o) {
  auto a = param<"a">(normal(1.0, 0.5));
  auto b = param<"b">(normal(0.05, 0.05));
  auto g = param<"g">(normal(1.0, 0.5));
  auto d = param<"d">(normal(0.05, 0.05));
  auto z0 = param<"z0">(lognormal(std::log(10.0), 1.0), 2);
  auto sigma = param<"sigma">(lognormal(-1.0, 1.0));
  auto sol = [&] {
    if constexpr (std::is_same_v<Method, rk45>)
      return ode_rk45_tol(lv, z0, 0.0, years(), o.rtol, o.atol, o.max_num_steps, a, b, g, d);
    else
      return ode_rosenbrock_tol(lv, z0, 0.0, years(), o.rtol, o.atol, o.max_num_steps, a, b, g, d);
  }();
  return model(a, b, g, d, z0, sigma, let<"z">(sol), observe<"y">(lognormal(log(ref<"z">{}), sigma), lv_data()));
}
// A point near the case study's posterior, the rates on the real line (identity transforms).
V lv_point() {
  V q(7);
  q << 0.55, 0.028, 0.8, 0.024, 0.0, 0.0, std::log(0.25);
  q[4] = std::log(33.0);
  q[5] = std::log(6.0);
  return q;
}
}  // namespace

TEMPLATE_TEST_CASE("Lotka-Volterra: the model gradient against finite differences", "[ode][model]", rk45, rosenbrock) {
  const auto c = compile<double>(lv_model<TestType>(tight));
  REQUIRE(c.dim() == 7);
  const V q0 = lv_point();
  exmc::rng r(17);
  // The stiff solver at these tolerances is ~30 s a point under ASan at -O0 (CI): one point for it.
  const int points = std::is_same_v<TestType, rosenbrock> ? 1 : 3;
  for (int p = 0; p < points; ++p) {
    V q = q0;
    for (index_t k = 0; k < q.size(); ++k) q[k] += r.uniform(-0.02, 0.02) * (k == 1 || k == 3 ? 0.05 : 1.0);
    V g(q.size()), gg(q.size());
    REQUIRE(std::isfinite(c.logp_grad(q, g)));
    auto f = [&](const V& x) { return c.logp_grad(x, gg); };
    for (index_t k = 0; k < q.size(); ++k) {
      const double h = 1e-4 * (k == 1 || k == 3 ? 0.05 : 1.0);
      const double fd = test::central_difference(f, q, k, h);
      INFO("point " << p << ", coordinate " << k << ": analytic " << g[k] << ", finite difference " << fd);
      CHECK(g[k] == Approx(fd).epsilon(2e-6).margin(1e-5));
    }
  }
}

TEST_CASE("Lotka-Volterra: rates as one vector give the same density and gradient; float matches double",
          "[ode][model]") {
  auto th = param<"th">(normal(0.5, 0.5), 4);
  auto z0 = param<"z0">(lognormal(std::log(10.0), 1.0), 2);
  auto sigma = param<"sigma">(lognormal(-1.0, 1.0));
  auto m = model(th, z0, sigma,
                 observe<"y">(lognormal(log(ode_rk45_tol(lv_vector, z0, 0.0, years(), 1e-10, 1e-10, 100000, th)), sigma),
                              lv_data()));
  auto a = param<"a">(normal(0.5, 0.5));
  auto b = param<"b">(normal(0.5, 0.5));
  auto g = param<"g">(normal(0.5, 0.5));
  auto d = param<"d">(normal(0.5, 0.5));
  auto ms = model(a, b, g, d, z0, sigma,
                  observe<"y">(lognormal(log(ode_rk45_tol(lv, z0, 0.0, years(), 1e-10, 1e-10, 100000, a, b, g, d)), sigma),
                               lv_data()));
  const auto cv = compile<double>(m);
  const auto cs = compile<double>(ms);
  const V q = lv_point();
  V gv(7), gs(7);
  CHECK(cv.logp_grad(q, gv) == Approx(cs.logp_grad(q, gs)).epsilon(1e-12));
  CHECK(gv.isApprox(gs, 1e-10));
  // float: the solver runs in double, so float differs only by rounding its inputs and outputs
  const auto cf = compile<float>(m);
  V gd(7);
  Eigen::VectorXf gf(7);
  const Eigen::VectorXf qf = q.cast<float>();
  const double lpd = cv.logp_grad(qf.cast<double>(), gd);
  CHECK(cf.logp_grad(qf, gf) == Approx(lpd).epsilon(1e-5));
  for (index_t k = 0; k < 7; ++k) CHECK(gf[k] == Approx(gd[k]).epsilon(1e-4).margin(1e-3));
}

TEST_CASE("ODE values through a let, describe(), and the same value at the same point every time", "[ode][model]") {
  auto k = param<"k">(half_normal(1.0));
  auto y0 = param<"y0">(normal(2.0, 0.5));  // a scalar y0 for one state
  auto m = model(k, y0, let<"y">(ode_rosenbrock(
                            [](auto, const auto& y, auto r) { return std::array{-r * y[0]}; }, y0, 0.0, times, k)),
                 observe<"obs">(normal(ref<"y">{}, 0.1), V::LinSpaced(6, 2.0, 0.5)));
  const auto c = compile<double>(m);
  CHECK(c.describe().find("ode_rosenbrock(f, y0, 0, ts[6], k)") != std::string::npos);
  V q(2);
  q << std::log(0.6), 1.9;
  const V out = c.constrain(q);  // k, y0, y[0..5]
  REQUIRE(out.size() == 8);
  for (std::size_t t = 0; t < times.size(); ++t)
    CHECK(out[2 + static_cast<index_t>(t)] == Approx(1.9 * std::exp(-0.6 * times[t])).epsilon(1e-5));
  // A solve does not depend on the evaluations before it (the step-size controller restarts).
  auto ws = c.make_workspace();
  V g1(2), g2(2), g3(2), other(2);
  other << 1.0, 3.0;
  const double lp1 = c.logp_grad(q, g1, ws);
  c.logp_grad(other, g3, ws);
  const double lp2 = c.logp_grad(q, g2, ws);
  CHECK(lp1 == lp2);
  CHECK(g1 == g2);
  // a copy of the workspace works on its own
  auto ws2 = ws;
  CHECK(c.logp_grad(q, g3, ws2) == lp1);
}

TEST_CASE("misuse is reported at model construction, naming what is wrong", "[ode][errors]") {
  auto f = [](auto, const auto& y, auto k) { return std::array{-k * y[0], k * y[0]}; };
  auto k = param<"k">(half_normal(1.0));
  auto y3 = param<"y3">(normal(1.0, 1.0), 3);
  const auto message = [](auto&& make) {
    try {
      make();
    } catch (const model_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message([&] { compile<double>(model(k, y3, let<"s">(ode_rk45(f, y3, 0.0, times, k)))); }) ==
        "let<\"s\">: ode_rk45: y0 has 3 elements but the right-hand side returns 2 derivatives");
  const std::vector<double> unsorted{1.0, 3.0, 2.0};
  CHECK(message([&] { ode_rk45(f, y3, 0.0, unsorted, k); }) ==
        "ode_rk45: ts must be sorted, but ts[2] = 2.000000 comes after ts[1] = 3.000000");
  CHECK(message([&] { ode_rosenbrock(f, y3, 1.0, times, k); }).find("the initial time t0 = 1.000000 must be before the "
                                                                   "first output time ts[0] = 0.250000") !=
        std::string::npos);
  CHECK(message([&] { ode_rk45_tol(f, y3, 0.0, times, -1.0, 1e-6, 100, k); }) ==
        "ode_rk45: the relative tolerance must be positive and finite");
  CHECK(message([&] { ode_rosenbrock_tol(f, y3, 0.0, times, 1e-6, 1e-6, 0, k); }) ==
        "ode_rosenbrock: max_num_steps must be at least 1");
  CHECK(message([&] { ode_rk45(f, y3, 0.0, std::vector<double>{}, k); }).find("ts is empty") != std::string::npos);
}

TEST_CASE("a solver failure is an ode_error; under NUTS it is a divergence, not a crash", "[ode][nuts]") {
  // y' = theta y^2 blows up at t = 1 / (theta y0): with y0 = 1 and an output at t = 1, every
  // theta >= 1 fails. Data near the boundary make NUTS step over it.
  auto f = [](auto, const auto& y, auto theta) { return std::array{theta * y[0] * y[0]}; };
  const std::vector<double> ts{0.5, 1.0};
  auto theta = param<"theta">(half_normal(2.0));
  V y(2);
  y << 1.8, 7.0;
  auto m = model(theta, observe<"y">(normal(ode_rk45_tol(f, 1.0, 0.0, ts, 1e-6, 1e-6, 500, theta), 1.0), y));
  const auto c = compile<double>(m);
  V q(1), g(1);
  q << std::log(1.5);
  CHECK_THROWS_AS(c.logp_grad(q, g), ode_error);
  q << std::log(0.8);
  CHECK(std::isfinite(c.logp_grad(q, g)));

  sample_options o;
  o.chains = 2;
  o.warmup = 150;
  o.draws = 150;
  o.seed = 5;
  o.init = named_values{{"theta", V::Constant(1, 0.8)}};
  const fit r = sample(c, o);
  REQUIRE(r.all_ok());
  std::size_t exceptions = 0;
  for (const auto& st : r.status) {
    exceptions += st.exceptions;
    if (st.exceptions > 0) CHECK(st.last_exception.find("ode_rk45") != std::string::npos);
  }
  CHECK(exceptions > 0);
  CHECK(r.posterior.column("theta").maxCoeff() < 1.0);
}

TEMPLATE_TEST_CASE("an evaluation allocates nothing once the workspace exists", "[ode][allocation]", rk45, rosenbrock) {
  const auto m = lv_model<TestType>(ode::options{});
  auto count = [&]<class T>(T) {
    const auto c = compile<T>(m);
    auto ws = c.make_workspace();
    const vector_t<T> q = lv_point().cast<T>();
    vector_t<T> g(c.dim());
    c.logp_grad(q, g, ws);
    const long before = test::allocations.load();
    for (int i = 0; i < 5; ++i) c.logp_grad(q, g, ws);
    return test::allocations.load() - before;
  };
  CHECK(count(0.0) == 0);
  CHECK(count(0.0f) == 0);
}

TEST_CASE("ode::solve gives the solution at data values", "[ode]") {
  auto f = [](auto, const auto& y, auto k, const auto& c) { return std::array{-k * y[0] + c[0]}; };
  const Eigen::MatrixXd y = ode::solve<rk45>(f, scalar(1.0), 0.0, times, tight, 0.5, scalar(0.25));
  REQUIRE(y.rows() == 6);
  REQUIRE(y.cols() == 1);
  for (index_t t = 0; t < 6; ++t) {
    const double tt = times[static_cast<std::size_t>(t)];
    CHECK(y(t, 0) == Approx(0.5 + 0.5 * std::exp(-0.5 * tt)).epsilon(1e-9));
  }
}

TEST_CASE("nested duals give exact second derivatives", "[ode][math]") {
  using I = math::dual<double, 2>;
  using O = math::dual<I, 2>;
  auto fn = [](auto x, auto y) {
    using std::exp, std::log, std::pow, std::sin, std::sqrt;
    return x * exp(y) * sin(x) + pow(x, 2.5) / y + pow(2.0, y) + pow(x, y) + log(x * y) + sqrt(x + y) +
           math::log_sum_exp(x, y) + math::inv_logit(x * y);
  };
  const double x = 0.7, y = 0.3;
  const O r = fn(O::variable(I::variable(x, 0), 0), O::variable(I::variable(y, 1), 1));
  auto val = [&](double a, double b) { return fn(a, b); };
  const double h = 1e-4;
  const double fxx = (val(x + h, y) - 2 * val(x, y) + val(x - h, y)) / (h * h);
  const double fxy = (val(x + h, y + h) - val(x + h, y - h) - val(x - h, y + h) + val(x - h, y - h)) / (4 * h * h);
  const double fyy = (val(x, y + h) - 2 * val(x, y) + val(x, y - h)) / (h * h);
  CHECK(r.v.v == Approx(val(x, y)).epsilon(1e-14));
  CHECK(r.d[0].v == r.v.d[0]);  // symmetric first derivatives
  CHECK(r.d[1].v == r.v.d[1]);
  CHECK(r.d[0].d[0] == Approx(fxx).epsilon(1e-5));
  CHECK(r.d[0].d[1] == Approx(fxy).epsilon(1e-5));
  CHECK(r.d[1].d[0] == Approx(r.d[0].d[1]).epsilon(1e-13));
  CHECK(r.d[1].d[1] == Approx(fyy).epsilon(1e-5));
}
