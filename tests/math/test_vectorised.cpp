// The packet kernels of math/vectorised.hpp against their scalar definitions, and the families
// that use them on integer data in a compiled model against element sums in long double. CMake
// builds this file twice: with the default instruction set (SSE2: scalar logs) and, as
// math_vectorised_native, with -march=native (AVX2/AVX-512 with FMA: packet logs), so that both
// paths of D134 are tested on the machine that runs the suite.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <exmc/exmc.hpp>
#include <exmc/math/vectorised.hpp>
#include <limits>

using namespace exmc;

namespace {

// Distance in units in the last place between two finite doubles of the same sign.
long ulps(double a, double b) {
  if (a == b) return 0;
  std::int64_t ia, ib;
  std::memcpy(&ia, &a, 8);
  std::memcpy(&ib, &b, 8);
  return static_cast<long>(ia > ib ? ia - ib : ib - ia);
}

Eigen::ArrayXd spread(int n, double lo, double hi, std::uint64_t seed) {
  rng g(seed);
  Eigen::ArrayXd x(n);
  for (int i = 0; i < n; ++i) x[i] = g.uniform(lo, hi);
  return x;
}

}  // namespace

TEST_CASE("inv_logit_from_exp gives the bits of the select it replaces, at every length", "[math][vectorised]") {
  INFO("packet log in use: " << math::packet_log_pays);
  for (int n = 1; n <= 37; ++n) {
    Eigen::ArrayXd a = spread(n, -40, 40, static_cast<std::uint64_t>(n));
    if (n > 3) {
      a[0] = 0.0;
      a[1] = -0.0;
      a[2] = -800.0;
      a[3] = 800.0;
    }
    const Eigen::ArrayXd e = (-a.abs()).exp();
    const Eigen::ArrayXd packet = math::vinv_logit_from_exp(a, e);
    for (int i = 0; i < n; ++i) {
      const double scalar = (a[i] >= 0 ? 1.0 : e[i]) / (1.0 + e[i]);
      INFO("n " << n << " a " << a[i]);
      CHECK(packet[i] == scalar);
    }
  }
}

TEST_CASE("packet logs are used exactly when the build has FMA and vectors of four doubles or more", "[math][vectorised]") {
#if defined(__FMA__) && (defined(__AVX2__) || defined(__AVX512F__))
  CHECK(math::packet_log_pays);
#elif !defined(__FMA__)
  CHECK_FALSE(math::packet_log_pays);
#endif
  SUCCEED();
}

TEST_CASE("vlog is within two ulps of std::log and exact where it must be", "[math][vectorised]") {
  Eigen::ArrayXd x(64);
  for (int i = 0; i < 64; ++i) x[i] = std::ldexp(1.0 + 0.013 * i, i * 31 - 1000);  // 2^-1000 .. 2^953
  x[5] = 1.0;
  const Eigen::ArrayXd v = math::vlog(x);
  for (int i = 0; i < 64; ++i) {
    INFO("x " << x[i]);
    CHECK(ulps(v[i], std::log(x[i])) <= 2);
  }
  CHECK(v[5] == 0.0);
  Eigen::ArrayXd edge(4);
  edge << 0.0, std::numeric_limits<double>::infinity(), 2.0, 1.0;
  const Eigen::ArrayXd ve = math::vlog(edge);
  CHECK(ve[0] == -std::numeric_limits<double>::infinity());
  CHECK(ve[1] == std::numeric_limits<double>::infinity());
  CHECK(std::isnan(math::vlog(Eigen::ArrayXd::Constant(4, -1.0))[2]));
}

TEST_CASE("bernoulli_logit and poisson_log on integer data: log density and gradient against element sums", "[math][vectorised]") {
  // 700 observations: two full blocks of 256 and a ragged one; the data are integers, whose
  // conversion Eigen 3.4 cannot vectorise (the families materialise it, D134).
  const int n = 700;
  rng g(5);
  Eigen::VectorXi yb(n), yc(n);
  Eigen::VectorXd a(n);
  for (int i = 0; i < n; ++i) {
    a[i] = g.uniform(-5, 5);
    yb[i] = g.uniform() < 0.4;
    yc[i] = static_cast<int>(std::floor(g.uniform(0, 30)));
  }
  auto eta = param<"eta">(normal(0.0, 3.0), n);
  const auto mb = compile<double>(model(eta, observe<"y">(bernoulli_logit(eta), yb)));
  const auto mp = compile<double>(model(eta, observe<"y">(poisson_log(eta), yc)));
  Eigen::VectorXd gb(n), gp(n);
  const double lpb = mb.logp_grad(a, gb), lpp = mp.logp_grad(a, gp);
  long double refb = 0, refp = 0;
  for (int i = 0; i < n; ++i) {
    const long double ai = a[i], prior = -0.5L * (ai / 3) * (ai / 3) - std::log(3.0L) - 0.5L * std::log(2 * M_PIl);
    refb += prior + yb[i] * ai - std::log1p(std::exp(ai));
    refp += prior + yc[i] * ai - std::exp(ai) - std::lgamma(static_cast<long double>(yc[i]) + 1);
    INFO("element " << i);
    CHECK(gb[i] == Approx(static_cast<double>(-ai / 9 + yb[i] - 1 / (1 + std::exp(-ai)))).epsilon(1e-13).margin(1e-14));
    CHECK(gp[i] == Approx(static_cast<double>(-ai / 9 + yc[i] - std::exp(ai))).epsilon(1e-13).margin(1e-12));
  }
  CHECK(lpb == Approx(static_cast<double>(refb)).epsilon(1e-13));
  CHECK(lpp == Approx(static_cast<double>(refp)).epsilon(1e-13));
}
