// Vector transforms (ordered, positive_ordered, simplex), user-given bounds, and the Dirichlet
// prior that brings the simplex: round trips, log-Jacobians against numerical Jacobian
// determinants, gradients of whole models against finite differences, and a sampled posterior.
#include <Eigen/LU>
#include <boost/math/distributions/beta.hpp>

#include "../support/gradient_check.hpp"
#include <exmc/exmc.hpp>

using namespace exmc;

namespace {

// Round trip, log |det J| against a numerical Jacobian (for the simplex: of the first K - 1
// outputs, the coordinates the density lives on), and chain() against finite differences of
// c . x(u) + logJ(u), with and without the Jacobian term.
template <class Tf>
void check_vector_transform(const Tf& tf, index_t n, std::uint64_t seed) {
  rng r(seed);
  const index_t m = free_size(tf, n);
  for (int rep = 0; rep < 4; ++rep) {
    Eigen::VectorXd u(m), x(n), c(n);
    for (auto& v : u) v = r.uniform(-2, 2);
    for (auto& v : c) v = r.uniform(-1, 1);
    const double lj = tf.constrain(u.data(), x.data(), n);
    INFO(Tf::name << " rep " << rep);
    REQUIRE(first_outside(tf, x.data(), n) == -1);
    Eigen::VectorXd back(m);
    unconstrain_all(tf, x.data(), back.data(), n);
    CHECK((back - u).cwiseAbs().maxCoeff() < 1e-10);
    auto xo = [&](const Eigen::VectorXd& v) {
      Eigen::VectorXd y(n);
      tf.constrain(v.data(), y.data(), n);
      return y;
    };
    Eigen::MatrixXd J(m, m);
    const double h = 1e-6;
    for (index_t k = 0; k < m; ++k) {
      Eigen::VectorXd up = u, dn = u;
      up[k] += h;
      dn[k] -= h;
      J.col(k) = (xo(up) - xo(dn)).head(m) / (2 * h);
    }
    CHECK(lj == Approx(std::log(std::abs(J.determinant()))).epsilon(1e-6).margin(1e-6));
    for (bool jac : {true, false}) {
      Eigen::VectorXd g(m);
      tf.chain(u.data(), x.data(), c.data(), g.data(), n, jac);
      auto total = [&](const Eigen::VectorXd& v) {
        Eigen::VectorXd y(n);
        const double l = tf.constrain(v.data(), y.data(), n);
        return c.dot(y) + (jac ? l : 0.0);
      };
      for (index_t k = 0; k < m; ++k) CHECK(g[k] == Approx(test::central_difference(total, u, k, 1e-5)).epsilon(1e-7).margin(1e-7));
    }
  }
}

}  // namespace

TEST_CASE("ordered, positive_ordered and simplex transforms: round trip, Jacobian, chain rule", "[transform]") {
  check_vector_transform(ordered_tf{}, 5, 1);
  check_vector_transform(positive_ordered_tf{}, 4, 2);
  check_vector_transform(simplex_tf{}, 5, 3);
  check_vector_transform(simplex_tf{}, 2, 4);
  // u = 0 is the centre of the simplex.
  Eigen::VectorXd u = Eigen::VectorXd::Zero(3), x(4);
  simplex_tf{}.constrain(u.data(), x.data(), 4);
  CHECK((x.array() - 0.25).abs().maxCoeff() < 1e-15);
  // Values outside the support are named by element.
  const double bad[] = {0.0, 2.0, 1.5};
  CHECK(first_outside(ordered_tf{}, bad, 3) == 2);
  const double not_simplex[] = {0.5, 0.6};
  CHECK(first_outside(simplex_tf{}, not_simplex, 2) == 1);
}

TEST_CASE("user-given bounds and ordering: transforms chosen, gradients exact, errors named", "[transform][model]") {
  const Eigen::VectorXd y = (Eigen::VectorXd(4) << 0.3, 1.1, -0.4, 2.5).finished();
  auto p = param<"p">(normal(0.0, 1.0), lower(0.0));
  auto b = param<"b">(normal(0.0, 1.0), 2, bounds(-1.0, 2.0));
  auto u = param<"u">(normal(0.0, 1.0), upper(3.0));
  auto c = param<"c">(normal(0.0, 5.0), 3, ordered);
  auto s = param<"s">(exponential(1.0), 2, positive_ordered);
  auto w = param<"w">(dirichlet(Eigen::VectorXd::Constant(3, 2.0)), 3);
  auto mdl = model(p, b, u, c, s, w, observe<"y">(normal(p + b[Eigen::VectorXi::Zero(4)] + u + sum(c) + sum(s) + dot(w, c), 1.0), y));
  const auto m = compile<double>(mdl);
  CHECK(m.dim() == 1 + 2 + 1 + 3 + 2 + 2);
  const std::string plan = m.describe();
  CHECK(plan.find("lower(0.000000)") != std::string::npos);
  CHECK(plan.find("ordered: x[0] = u[0]") != std::string::npos);
  CHECK(plan.find("simplex") != std::string::npos);
  test::check_gradient(m, 4, 1e-6);
  // Constrained output respects every constraint.
  rng r(3);
  for (int rep = 0; rep < 20; ++rep) {
    const Eigen::VectorXd x = m.constrain(test::random_point(m.dim(), r, 3.0));
    CHECK(x[0] > 0);
    CHECK((x[1] > -1 && x[1] < 2 && x[2] > -1 && x[2] < 2));
    CHECK(x[3] < 3);
    CHECK((x[4] < x[5] && x[5] < x[6]));
    CHECK((0 < x[7] && x[7] < x[8]));
    CHECK(x.segment(9, 3).sum() == Approx(1.0));
  }
  // Initial values go through the same transforms.
  Eigen::VectorXd q = Eigen::VectorXd::Zero(m.dim());
  m.unconstrain({{"w", (Eigen::VectorXd(3) << 0.2, 0.3, 0.5).finished()}, {"c", (Eigen::VectorXd(3) << -1, 0, 4).finished()}}, q);
  const Eigen::VectorXd x = m.constrain(q);
  CHECK(x[9] == Approx(0.2));
  CHECK(x[6] == Approx(4.0));
  CHECK_THROWS_WITH(m.unconstrain({{"c", (Eigen::VectorXd(3) << 0, 0, 1).finished()}}, q), Catch::Contains("element 1"));
  // A constraint reaching outside the prior's support is refused at construction.
  CHECK_THROWS_WITH(param<"h">(half_normal(1.0), lower(-1.0)), Catch::Contains("outside the support"));
}

TEST_CASE("a Dirichlet-multinomial posterior sampled on the simplex has the analytic means", "[transform][nuts]") {
  // w ~ dirichlet(1, 2, 3); counts modelled through a categorical-like likelihood written with
  // normal terms would not be conjugate, so use the prior alone plus exact Beta marginals:
  // w_k ~ beta(alpha_k, sum alpha - alpha_k).
  auto w = param<"w">(dirichlet((Eigen::VectorXd(3) << 1.0, 2.0, 3.0).finished()), 3);
  auto mu = param<"mu">(normal(0.0, 1.0));
  const auto m = compile<double>(model(w, mu, observe<"y">(normal(mu, 1.0), Eigen::VectorXd::Zero(1))));
  sample_options o;
  o.chains = 2;
  o.seed = 5;
  o.warmup = 500;
  o.draws = 2000;
  const fit f = sample(m, o);
  REQUIRE(f.all_ok());
  for (int k = 0; k < 3; ++k) {
    const std::string name = "w[" + std::to_string(k) + "]";
    const Eigen::MatrixXd d = f.posterior.column(name);
    const boost::math::beta_distribution<> marg(k + 1.0, 6.0 - (k + 1.0));
    const double ess = ess_bulk(d);
    const double se = boost::math::standard_deviation(marg) / std::sqrt(ess);
    INFO(name << ": mean " << d.mean() << ", expected " << boost::math::mean(marg) << ", ess " << ess);
    CHECK(std::abs(d.mean() - boost::math::mean(marg)) < 5 * se);
  }
  // Prior draws of a Dirichlet land on the simplex with the right means.
  const draws prior = prior_predictive(m, {.draws = 20000, .seed = 2});
  CHECK(std::abs(prior.column("w[2]").mean() - 0.5) < 5 * std::sqrt(0.5 * 0.5 / 7 / 20000));
}
