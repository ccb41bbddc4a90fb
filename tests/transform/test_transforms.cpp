#include <catch2/catch.hpp>
#include <exmc/exmc.hpp>

using namespace exmc;

namespace {

// For a transform tf: constrain/unconstrain round trip, log-Jacobian against the log of a
// numerical derivative dx/du, and chain() against finite differences of g(x(u)) + logJ(u)
// with g(x) = c * x.
template <class Tf>
void check_transform(const Tf& tf, std::initializer_list<double> us) {
  for (double u : us) {
    double x = 0;
    const double lj = tf.constrain(&u, &x, 1);
    INFO(Tf::name << " at u = " << u);
    REQUIRE(tf.in_support(x));
    CHECK(tf.unconstrain(x) == Approx(u).epsilon(1e-10).margin(1e-10));
    const double h = 1e-5;
    auto xo = [&](double v) {
      double y = 0;
      tf.constrain(&v, &y, 1);
      return y;
    };
    const double dxdu = (xo(u + h) - xo(u - h)) / (2 * h);
    CHECK(lj == Approx(std::log(std::abs(dxdu))).epsilon(1e-7).margin(1e-7));
    const double c = 0.37;
    double g = 0;
    tf.chain(&u, &x, &c, &g, 1);
    auto total = [&](double v) {
      double y = 0;
      const double l = tf.constrain(&v, &y, 1);
      return c * y + l;
    };
    CHECK(g == Approx((total(u + h) - total(u - h)) / (2 * h)).epsilon(1e-7).margin(1e-7));
  }
}

}  // namespace

TEST_CASE("transforms are bijections with correct log-Jacobians", "[transform]") {
  check_transform(identity_tf{}, {-3.0, 0.0, 2.5});
  check_transform(lower_tf{0.0}, {-4.0, 0.0, 3.0});
  check_transform(lower_tf{-2.5}, {-1.0, 1.0});
  check_transform(upper_tf{1.5}, {-2.0, 0.5});
  check_transform(interval_tf{0.0, 1.0}, {-5.0, -0.3, 0.0, 4.0});
  check_transform(interval_tf{-3.0, 7.0}, {-2.0, 1.0});
}

TEST_CASE("exp overflow in a transform rejects the point instead of producing NaN", "[transform]") {
  float u = 100.0f, x = 0;
  CHECK(lower_tf{0.0}.constrain(&u, &x, 1) == -math::inf<double>);
  double ud = 800.0, xd = 0;
  CHECK(lower_tf{0.0}.constrain(&ud, &xd, 1) == -math::inf<double>);
  // The whole model then reports -inf with a finite (zero) gradient: a divergence, not NaN.
  auto s = param<"s">(half_normal(1.0));
  Eigen::VectorXd y(1);
  y << 0.5;
  auto c = compile<float>(model(s, observe<"y">(normal(0.0, s), y)));
  Eigen::VectorXf q(1), g(1);
  q << 95.0f;
  CHECK(c.logp_grad(q, g) == -math::inf<double>);
  CHECK(g.allFinite());
}

TEST_CASE("interval transform stays finite at extreme u", "[transform]") {
  const interval_tf tf{0.0, 1.0};
  for (double u : {-700.0, 700.0}) {
    double x = 0;
    const double lj = tf.constrain(&u, &x, 1);
    CHECK(std::isfinite(lj));
    CHECK(x >= 0.0);
    CHECK(x <= 1.0);
  }
}
