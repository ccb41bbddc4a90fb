// Hidden Markov models: hmm_marginal against brute-force enumeration of every path, its gradient
// against long double central differences, emission_lpdf and the stochastic matrix parameter in
// compiled models (values, finite-difference gradients, float against double), the hidden-state
// generated quantities (exact smoothed probabilities; path draws against exact path
// probabilities) and the errors. (No allocation per gradient: tests/model/test_allocation.cpp.)
#include <Eigen/LU>
#include <exmc/expr/hmm.hpp>
#include <exmc/model/emission.hpp>
#include <exmc/model/stochastic_matrix.hpp>
#include <exmc/predictive/hmm.hpp>
#include <vector>

#include "../support/gradient_check.hpp"
#include "hmm/hmm_models.hpp"

using namespace exmc;

namespace {

// Every path z of a K-state chain over n steps, with log p(y, z): the definition of the model.
struct enumeration {
  std::vector<std::vector<int>> paths;
  std::vector<double> log_joint;
  double log_marginal = -math::inf<double>;
  Eigen::MatrixXd probs;  // P(z_t = k | y)
};
enumeration enumerate(const Eigen::MatrixXd& lo, const Eigen::MatrixXd& G, const Eigen::VectorXd& rho) {
  const int K = static_cast<int>(rho.size()), n = static_cast<int>(lo.cols());
  enumeration e;
  std::vector<int> z(static_cast<std::size_t>(n), 0);
  for (;;) {
    double lp = std::log(rho[z[0]]) + lo(z[0], 0);
    for (int t = 1; t < n; ++t) lp += std::log(G(z[t - 1], z[t])) + lo(z[t], t);
    e.paths.push_back(z);
    e.log_joint.push_back(lp);
    int t = 0;
    while (t < n && ++z[static_cast<std::size_t>(t)] == K) z[static_cast<std::size_t>(t++)] = 0;
    if (t == n) break;
  }
  double m = -math::inf<double>;
  for (double v : e.log_joint) m = std::max(m, v);
  double s = 0;
  for (double v : e.log_joint) s += std::exp(v - m);
  e.log_marginal = m + std::log(s);
  e.probs = Eigen::MatrixXd::Zero(K, n);
  for (std::size_t p = 0; p < e.paths.size(); ++p)
    for (int t = 0; t < n; ++t)
      e.probs(e.paths[p][static_cast<std::size_t>(t)], t) += std::exp(e.log_joint[p] - e.log_marginal);
  return e;
}

Eigen::VectorXd random_simplex(rng& r, index_t K) {
  Eigen::VectorXd v(K);
  for (auto& x : v) x = r.gamma(1.5);
  return v / v.sum();
}
Eigen::MatrixXd random_stochastic(rng& r, index_t K) {
  Eigen::MatrixXd G(K, K);
  for (index_t i = 0; i < K; ++i) G.row(i) = random_simplex(r, K).transpose();
  return G;
}
Eigen::MatrixXd random_log_omega(rng& r, index_t K, index_t n, double spread = 2.0) {
  Eigen::MatrixXd lo(K, n);
  for (auto& x : lo.reshaped()) x = r.normal(-1.0, spread);
  return lo;
}

constexpr double log_sqrt_2pi = 0.91893853320467274178;

}  // namespace

TEST_CASE("hmm_marginal and hmm_hidden_state_prob equal brute-force enumeration of every path", "[hmm]") {
  rng r(2024);
  for (index_t K : {1, 2, 3}) {
    for (index_t n : {1, 2, 3, 5}) {
      const Eigen::MatrixXd lo = random_log_omega(r, K, n), G = random_stochastic(r, K);
      const Eigen::VectorXd rho = random_simplex(r, K);
      const enumeration e = enumerate(lo, G, rho);
      INFO("K " << K << ", n " << n);
      CHECK(hmm_marginal(lo, G, rho) == Approx(e.log_marginal).epsilon(1e-13));
      const Eigen::MatrixXd p = hmm_hidden_state_prob(lo, G, rho);
      CHECK((p - e.probs).cwiseAbs().maxCoeff() < 1e-13);
      CHECK((p.colwise().sum().array() - 1).abs().maxCoeff() < 1e-13);
    }
  }
  // Structural zeros: a transition that never happens, an observation one state cannot emit.
  Eigen::MatrixXd G(3, 3);
  G << 0.7, 0.3, 0.0, 0.0, 0.6, 0.4, 0.2, 0.0, 0.8;
  Eigen::VectorXd rho(3);
  rho << 0.5, 0.5, 0.0;
  Eigen::MatrixXd lo = random_log_omega(r, 3, 4);
  lo(1, 2) = -math::inf<double>;
  const enumeration e = enumerate(lo, G, rho);
  CHECK(hmm_marginal(lo, G, rho) == Approx(e.log_marginal).epsilon(1e-13));
  CHECK((hmm_hidden_state_prob(lo, G, rho) - e.probs).cwiseAbs().maxCoeff() < 1e-13);
  // No possible path: -inf, and no smoothed probabilities to give.
  lo.col(1).setConstant(-math::inf<double>);
  CHECK(hmm_marginal(lo, G, rho) == -math::inf<double>);
  CHECK_THROWS_WITH(hmm_hidden_state_prob(lo, G, rho), Catch::Contains("probability 0"));
}

TEST_CASE("hmm_marginal stays exact on long series of tiny densities, in double and float", "[hmm]") {
  // 20000 steps of log densities near -800: the unscaled forward pass would underflow at once.
  rng r(7);
  const index_t K = 3, n = 20000;
  Eigen::MatrixXd lo = random_log_omega(r, K, n, 3.0).array() - 800.0;
  const Eigen::MatrixXd G = random_stochastic(r, K);
  const Eigen::VectorXd rho = random_simplex(r, K);
  // Reference: the forward pass in log space, long double.
  std::vector<long double> la(K), next(K);
  for (index_t k = 0; k < K; ++k) la[k] = std::log(static_cast<long double>(rho[k])) + lo(k, 0);
  auto lse = [](const std::vector<long double>& v) {
    long double m = v[0];
    for (auto x : v) m = std::max(m, x);
    long double s = 0;
    for (auto x : v) s += std::exp(x - m);
    return m + std::log(s);
  };
  for (index_t t = 1; t < n; ++t) {
    for (index_t j = 0; j < K; ++j) {
      std::vector<long double> terms(K);
      for (index_t i = 0; i < K; ++i) terms[i] = la[i] + std::log(static_cast<long double>(G(i, j)));
      next[j] = lse(terms) + lo(j, t);
    }
    la = next;
  }
  const double ref = static_cast<double>(lse(la));
  const double lp = hmm_marginal(lo, G, rho);
  REQUIRE(std::isfinite(lp));
  CHECK(lp == Approx(ref).epsilon(1e-12));
  // float: the same kernel, each step within float rounding; the sum is kept in double.
  const Eigen::MatrixXf lof = lo.cast<float>(), Gf = G.cast<float>();
  const Eigen::VectorXf rf = rho.cast<float>();
  Eigen::VectorXf w(K * n), a(K * n), c(n);
  const double lpf = math::hmm_forward<float>(K, n, lof.data(), Gf.data(), rf.data(), w.data(), a.data(), c.data());
  // (the double reference at the float-rounded inputs, whose rows sum to 1 only to float precision)
  const Eigen::MatrixXd lod = lof.cast<double>(), Gd = Gf.cast<double>();
  const Eigen::VectorXd rd = rf.cast<double>();
  Eigen::VectorXd wd(K * n), ad(K * n), cd(n);
  const double lp_at_f = math::hmm_forward(K, n, lod.data(), Gd.data(), rd.data(), wd.data(), ad.data(), cd.data());
  INFO("float " << lpf << " double " << lp_at_f);
  CHECK(std::abs(lpf - lp_at_f) < 1e-3);  // 20000 float log scales of O(1), summed in double
}

TEST_CASE("hmm_marginal's gradient against long double central differences", "[hmm][gradient]") {
  // With respect to every entry of log_omega, Gamma and rho, each taken as a free number (the
  // forward algorithm is defined for any non-negative Gamma and rho).
  rng r(99);
  for (index_t K : {2, 3, 4}) {
    const index_t n = 6;
    const Eigen::MatrixXd lo = random_log_omega(r, K, n), G = random_stochastic(r, K);
    const Eigen::VectorXd rho = random_simplex(r, K);
    const double adj = 0.7;
    Eigen::VectorXd w(K * n), a(K * n), c(n), b(K), v(K);
    Eigen::MatrixXd glo = Eigen::MatrixXd::Zero(K, n), gG = Eigen::MatrixXd::Zero(K, K);
    Eigen::VectorXd grho = Eigen::VectorXd::Zero(K);
    math::hmm_forward(K, n, lo.data(), G.data(), rho.data(), w.data(), a.data(), c.data());
    math::hmm_backward(K, n, G.data(), w.data(), a.data(), c.data(), adj, glo.data(), gG.data(), grho.data(), b.data(),
                       v.data());
    using LM = Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic>;
    using LV = Eigen::Matrix<long double, Eigen::Dynamic, 1>;
    const LM lo_l = lo.cast<long double>(), G_l = G.cast<long double>();
    const LV rho_l = rho.cast<long double>();
    LV wl(K * n), al(K * n), cl(n);
    auto f = [&](const LM& x, const LM& g, const LV& p) {
      return math::hmm_forward<long double>(K, n, x.data(), g.data(), p.data(), wl.data(), al.data(), cl.data());
    };
    // central differences in long double: truncation h^2 ~ 1e-12, rounding 1e-19 / h ~ 1e-13
    auto fd = [&](auto perturb) {
      const long double h = 1e-6L;
      LM x = lo_l, g = G_l;
      LV p = rho_l;
      perturb(x, g, p, h);
      const long double up = f(x, g, p);
      x = lo_l, g = G_l, p = rho_l;
      perturb(x, g, p, -h);
      return static_cast<double>((up - f(x, g, p)) / (2 * h));
    };
    INFO("K " << K);
    for (index_t i = 0; i < K * n; ++i)
      CHECK(glo.reshaped()[i] ==
            Approx(adj * fd([&](LM& x, LM&, LV&, long double h) { x.reshaped()[i] += h; })).margin(1e-9));
    for (index_t i = 0; i < K * K; ++i)
      CHECK(gG.reshaped()[i] ==
            Approx(adj * fd([&](LM&, LM& g, LV&, long double h) { g.reshaped()[i] += h; })).margin(1e-9));
    for (index_t k = 0; k < K; ++k)
      CHECK(grho[k] == Approx(adj * fd([&](LM&, LM&, LV& p, long double h) { p[k] += h; })).margin(1e-9));
    // d log p / d log_omega is the smoothed state probability.
    CHECK((glo / adj - hmm_hidden_state_prob(lo, G, rho)).cwiseAbs().maxCoeff() < 1e-13);
  }
}

namespace {
using bench_hmm::gaussian_hmm;  // ordered means, one scale per state, sticky Dirichlet rows (bench/hmm)

Eigen::VectorXd simulate_gaussian(std::uint64_t seed, index_t n, const Eigen::VectorXd& mu,
                                  const Eigen::VectorXd& sigma, const Eigen::MatrixXd& G) {
  const bench_hmm::truth th{mu, sigma, Eigen::VectorXd::Constant(mu.size(), 1.0 / static_cast<double>(mu.size())), G};
  return bench_hmm::simulate(th, static_cast<int>(n), seed).y;
}
}  // namespace

TEST_CASE("a Gaussian HMM compiles to hmm_marginal of the constrained values; gradient and float exact",
          "[hmm][model]") {
  rng r(5);
  Eigen::VectorXd mu(3), sigma(3);
  mu << -2, 0.5, 3;
  sigma << 0.5, 1.0, 0.7;
  Eigen::MatrixXd G(3, 3);
  G << 0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.1, 0.2, 0.7;
  const Eigen::VectorXd y = simulate_gaussian(5, 40, mu, sigma, G);
  const auto m = gaussian_hmm(y, 3);
  const auto cm = compile<double>(m);
  REQUIRE(cm.dim() == 3 + 3 + 6 + 2);
  const auto names = cm.param_names();
  CHECK(names[6] == "Gamma[0,0]");
  CHECK(names[7] == "Gamma[1,0]");
  CHECK(names[9] == "Gamma[0,1]");
  CHECK(names[17] == "rho[2]");
  CHECK(cm.describe().find("stochastic_matrix") != std::string::npos);
  auto ws = cm.make_workspace();
  for (int p = 0; p < 3; ++p) {
    const Eigen::VectorXd q = test::random_point(cm.dim(), r, 1.5);
    const Eigen::VectorXd x = cm.constrain(q);
    const Eigen::VectorXd m_ = x.segment(0, 3), s_ = x.segment(3, 3), rho = x.segment(15, 3);
    const Eigen::MatrixXd Gq = Eigen::Map<const Eigen::MatrixXd>(x.data() + 6, 3, 3);
    CHECK((Gq.rowwise().sum().array() - 1).abs().maxCoeff() < 1e-14);
    Eigen::MatrixXd lo(3, y.size());
    for (index_t t = 0; t < y.size(); ++t)
      for (index_t k = 0; k < 3; ++k)
        lo(k, t) = -log_sqrt_2pi - std::log(s_[k]) - 0.5 * std::pow((y[t] - m_[k]) / s_[k], 2);
    Eigen::VectorXd g(cm.dim());
    // The potential counts with the likelihood: alone, it is exactly the marginal.
    CHECK(cm.log_likelihood(q, g, ws) == Approx(hmm_marginal(lo, Gq, rho)).epsilon(1e-12));
  }
  test::check_gradient(cm, 3, 1e-6, 11);
  test::check_float_matches_double(cm, compile<float>(m));

  // Missing observations: a column of log_omega multiplied by zero says nothing about the state.
  Eigen::VectorXd observed = Eigen::VectorXd::Ones(3 * y.size());
  observed.segment(3 * 7, 3).setZero();
  observed.segment(3 * 20, 6).setZero();
  auto mp = param<"mu">(normal(0.0, 5.0), 3, ordered);
  auto sg = param<"sigma">(half_normal(2.0), 3);
  auto Gm = param<"Gamma">(dirichlet(1.0), stochastic_matrix(3));
  auto rh = param<"rho">(dirichlet(Eigen::VectorXd::Ones(3)), 3);
  const auto missing = compile<double>(
      model(mp, sg, Gm, rh, potential<"hmm">(hmm_marginal(emission_lpdf(normal(mp, sg), y) * observed, Gm, rh))));
  const Eigen::VectorXd q = test::random_point(missing.dim(), r, 1.0);
  const Eigen::VectorXd x = missing.constrain(q);
  Eigen::MatrixXd lo(3, y.size());
  for (index_t t = 0; t < y.size(); ++t)
    for (index_t k = 0; k < 3; ++k)
      lo(k, t) =
          observed[k + 3 * t] * (-log_sqrt_2pi - std::log(x[3 + k]) - 0.5 * std::pow((y[t] - x[k]) / x[3 + k], 2));
  Eigen::VectorXd g(missing.dim());
  auto ws2 = missing.make_workspace();
  CHECK(missing.log_likelihood(q, g, ws2) ==
        Approx(hmm_marginal(lo, Eigen::Map<const Eigen::MatrixXd>(x.data() + 6, 3, 3), x.tail(3))).epsilon(1e-12));
  test::check_gradient(missing, 2, 1e-6, 12);
}

TEST_CASE("the stochastic matrix prior is a Dirichlet on each row, and draws from it", "[hmm][model]") {
  // Per-row concentrations (row i's in A(i, :)), a common vector, and one number.
  Eigen::MatrixXd A(3, 3);
  A << 4, 1, 2, 1, 5, 1, 0.5, 2, 3;
  auto dir_lpdf = [](const Eigen::VectorXd& x, const Eigen::VectorXd& a) {
    double lp = std::lgamma(a.sum());
    for (index_t k = 0; k < x.size(); ++k) lp += -std::lgamma(a[k]) + (a[k] - 1) * std::log(x[k]);
    return lp;
  };
  auto x0 = param<"x0">(normal(0.0, 1.0));
  auto check_prior = [&](auto gamma_param, auto alpha_of_row) {
    const auto cm = compile<double>(model(gamma_param, x0), {.jacobian = false});
    rng r(3);
    for (int p = 0; p < 3; ++p) {
      const Eigen::VectorXd q = test::random_point(cm.dim(), r, 1.0);
      const Eigen::VectorXd x = cm.constrain(q);
      const Eigen::MatrixXd Gq = Eigen::Map<const Eigen::MatrixXd>(x.data(), 3, 3);
      double expected = -log_sqrt_2pi - 0.5 * x[9] * x[9];
      for (index_t i = 0; i < 3; ++i) expected += dir_lpdf(Gq.row(i).transpose(), alpha_of_row(i));
      Eigen::VectorXd g(cm.dim());
      CHECK(cm.logp_grad(q, g) == Approx(expected).epsilon(1e-12));
    }
    test::check_gradient(compile<double>(model(gamma_param, x0)), 3, 1e-6, 4);
  };
  check_prior(param<"Gamma">(dirichlet(flatten(A)), stochastic_matrix(3)),
              [&](index_t i) { return Eigen::VectorXd(A.row(i).transpose()); });
  const Eigen::VectorXd common = A.row(0).transpose();
  check_prior(param<"Gamma">(dirichlet(common), stochastic_matrix(3)), [&](index_t) { return common; });
  check_prior(param<"Gamma">(dirichlet(2.5), stochastic_matrix(3)),
              [&](index_t) { return Eigen::VectorXd::Constant(3, 2.5); });

  // Prior draws: rows on the simplex with the Dirichlet means A(i, j) / sum_j A(i, j).
  const auto cm = compile<double>(model(param<"Gamma">(dirichlet(flatten(A)), stochastic_matrix(3))));
  const auto prior = prior_predictive(cm, {.draws = 4000, .seed = 8});
  const Eigen::MatrixXd& d = prior.chains[0];
  for (index_t i = 0; i < 3; ++i) {
    const double a0 = A.row(i).sum();
    for (index_t j = 0; j < 3; ++j) {
      const double mean = A(i, j) / a0, sd = std::sqrt(mean * (1 - mean) / (a0 + 1));
      INFO("Gamma[" << i << "," << j << "]");
      CHECK(std::abs(d.col(i + 3 * j).mean() - mean) < 4.5 * sd / std::sqrt(4000.0));
    }
  }
  CHECK(((d.col(0) + d.col(3) + d.col(6)).array() - 1).abs().maxCoeff() < 1e-12);
  // Initial values on the constrained scale round-trip.
  Eigen::VectorXd q;
  Eigen::MatrixXd G0(3, 3);
  G0 << 0.6, 0.3, 0.1, 0.2, 0.2, 0.6, 0.25, 0.25, 0.5;
  cm.unconstrain({{"Gamma", Eigen::Map<const Eigen::VectorXd>(G0.data(), 9)}}, q);
  CHECK((cm.constrain(q) - Eigen::Map<const Eigen::VectorXd>(G0.data(), 9)).cwiseAbs().maxCoeff() < 1e-14);
  Eigen::MatrixXd bad = G0;
  bad(1, 2) = 0.7;
  CHECK_THROWS_WITH(cm.unconstrain({{"Gamma", Eigen::Map<const Eigen::VectorXd>(bad.data(), 9)}}, q),
                    Catch::Contains("element 7"));
}

TEST_CASE("stochastic_matrix transform: round trip, log-Jacobian, chain rule", "[hmm][transform]") {
  const stochastic_matrix_tf tf;
  rng r(17);
  for (index_t K : {2, 3, 4}) {
    const index_t n = K * K, m = free_size(tf, n);
    REQUIRE(m == K * (K - 1));
    Eigen::VectorXd u(m), x(n), c(n);
    for (auto& v : u) v = r.uniform(-2, 2);
    for (auto& v : c) v = r.uniform(-1, 1);
    const double lj = tf.constrain(u.data(), x.data(), n);
    REQUIRE(first_outside(tf, x.data(), n) == -1);
    Eigen::VectorXd back(m);
    unconstrain_all(tf, x.data(), back.data(), n);
    CHECK((back - u).cwiseAbs().maxCoeff() < 1e-12);
    // log |det J| of the map from u to the first K - 1 entries of every row.
    auto free_part = [&](const Eigen::VectorXd& v) {
      Eigen::VectorXd y(n), out(m);
      tf.constrain(v.data(), y.data(), n);
      for (index_t i = 0; i < K; ++i)
        for (index_t j = 0; j + 1 < K; ++j) out[i * (K - 1) + j] = y[i + j * K];
      return out;
    };
    Eigen::MatrixXd J(m, m);
    for (index_t k = 0; k < m; ++k) {
      Eigen::VectorXd up = u, dn = u;
      up[k] += 1e-6;
      dn[k] -= 1e-6;
      J.col(k) = (free_part(up) - free_part(dn)) / 2e-6;
    }
    CHECK(lj == Approx(std::log(std::abs(J.determinant()))).epsilon(1e-6));
    for (bool jac : {true, false}) {
      Eigen::VectorXd g(m);
      tf.chain(u.data(), x.data(), c.data(), g.data(), n, jac);
      auto total = [&](const Eigen::VectorXd& v) {
        Eigen::VectorXd y(n);
        const double l = tf.constrain(v.data(), y.data(), n);
        return c.dot(y) + (jac ? l : 0.0);
      };
      for (index_t k = 0; k < m; ++k)
        CHECK(g[k] == Approx(test::central_difference(total, u, k, 1e-5)).epsilon(1e-8).margin(1e-8));
    }
  }
}

TEST_CASE("Poisson emissions per state, and per state and time point (a Markov-switching regression)", "[hmm][model]") {
  rng r(21);
  const index_t K = 2, n = 30;
  Eigen::VectorXd x(n), y(n);
  for (index_t t = 0; t < n; ++t) {
    x[t] = r.normal();
    const int z = (t / 8) % 2;
    y[t] = std::floor(std::exp((z ? 2.0 : 0.5) + 0.4 * x[t]) + r.uniform(0, 2));
  }
  auto Gamma = param<"Gamma">(dirichlet(1.0), stochastic_matrix(K));
  auto rho = param<"rho">(dirichlet(Eigen::VectorXd::Ones(K)), K);
  // 1. lambda per state.
  {
    auto lambda = param<"lambda">(gamma(2.0, 0.5), K, positive_ordered);
    auto m = model(lambda, Gamma, rho, potential<"hmm">(hmm_marginal(emission_lpdf(poisson(lambda), y), Gamma, rho)));
    const auto cm = compile<double>(m);
    auto ws = cm.make_workspace();
    for (int p = 0; p < 2; ++p) {
      const Eigen::VectorXd q = test::random_point(cm.dim(), r, 1.0);
      const Eigen::VectorXd v = cm.constrain(q);
      Eigen::MatrixXd lo(K, n);
      for (index_t t = 0; t < n; ++t)
        for (index_t k = 0; k < K; ++k) lo(k, t) = y[t] * std::log(v[k]) - v[k] - std::lgamma(y[t] + 1);
      Eigen::VectorXd g(cm.dim());
      CHECK(cm.log_likelihood(q, g, ws) ==
            Approx(hmm_marginal(lo, Eigen::Map<const Eigen::MatrixXd>(v.data() + K, K, K), v.tail(K))).epsilon(1e-12));
    }
    test::check_gradient(cm, 3, 1e-6, 2);
    test::check_float_matches_double(cm, compile<float>(m));
  }
  // 2. log lambda[k, t] = alpha[k] + beta x[t]: a K x n argument, so K is given.
  {
    Eigen::VectorXi state_of(K * n);
    Eigen::VectorXd x_of(K * n);
    for (index_t t = 0; t < n; ++t)
      for (index_t k = 0; k < K; ++k) {
        state_of[k + t * K] = static_cast<int>(k);
        x_of[k + t * K] = x[t];
      }
    auto alpha = param<"alpha">(normal(0.0, 2.0), K, ordered);
    auto beta = param<"beta">(normal(0.0, 1.0));
    auto m = model(
        alpha, beta, Gamma, rho,
        potential<"hmm">(hmm_marginal(emission_lpdf(poisson(exp(alpha[state_of] + beta * x_of)), y, K), Gamma, rho)));
    const auto cm = compile<double>(m);
    auto ws = cm.make_workspace();
    const Eigen::VectorXd q = test::random_point(cm.dim(), r, 1.0);
    const Eigen::VectorXd v = cm.constrain(q);
    Eigen::MatrixXd lo(K, n);
    for (index_t t = 0; t < n; ++t)
      for (index_t k = 0; k < K; ++k) {
        const double eta = v[k] + v[K] * x[t];
        lo(k, t) = y[t] * eta - std::exp(eta) - std::lgamma(y[t] + 1);
      }
    Eigen::VectorXd g(cm.dim());
    CHECK(
        cm.log_likelihood(q, g, ws) ==
        Approx(hmm_marginal(lo, Eigen::Map<const Eigen::MatrixXd>(v.data() + K + 1, K, K), v.tail(K))).epsilon(1e-12));
    test::check_gradient(cm, 3, 1e-6, 3);
    test::check_float_matches_double(cm, compile<float>(m));
  }
}

TEST_CASE("path draws by forward filtering, backward sampling match the exact path probabilities", "[hmm][ffbs]") {
  rng r(31);
  for (auto [K, n] : {std::pair<index_t, index_t>{2, 4}, {3, 3}}) {
    const Eigen::MatrixXd lo = random_log_omega(r, K, n, 1.0), G = random_stochastic(r, K);
    const Eigen::VectorXd rho = random_simplex(r, K);
    const enumeration e = enumerate(lo, G, rho);
    // enumerate() lists the paths with z_0 varying fastest, so path p is sum_t z_t K^t.
    std::vector<long> count(e.paths.size(), 0);
    const long N = 40000;
    rng g(77);
    long outside = 0;
    for (long d = 0; d < N; ++d) {
      const Eigen::VectorXi z = hmm_latent_rng(lo, G, rho, g);
      std::size_t p = 0, place = 1;
      bool in_range = true;
      for (index_t t = 0; t < n; ++t, place *= static_cast<std::size_t>(K)) {
        in_range &= z[t] >= 0 && z[t] < K;
        p += static_cast<std::size_t>(z[t]) * place;
      }
      if (in_range)
        ++count[p];
      else
        ++outside;
    }
    CHECK(outside == 0);
    for (std::size_t p = 0; p < e.paths.size(); ++p) {
      const double prob = std::exp(e.log_joint[p] - e.log_marginal);
      const double got = static_cast<double>(count[p]);
      const double se = std::sqrt(static_cast<double>(N) * prob * (1 - prob));
      INFO("K " << K << ", path " << p << ": expected " << N * prob << ", got " << got);
      CHECK(std::abs(got - static_cast<double>(N) * prob) <= 4.5 * se + 1);
    }
  }
}

TEST_CASE("hidden-state probabilities and paths per posterior draw, reproducible by seed", "[hmm][predictive]") {
  rng r(41);
  Eigen::VectorXd mu(2), sigma(2);
  mu << -1, 1.5;
  sigma << 0.6, 0.8;
  Eigen::MatrixXd G(2, 2);
  G << 0.9, 0.1, 0.2, 0.8;
  const index_t n = 12;
  const Eigen::VectorXd y = simulate_gaussian(41, n, mu, sigma, G);
  const auto cm = compile<double>(gaussian_hmm(y, 2));
  // A stand-in posterior: 2 chains of 3 draws at random points.
  draws post;
  post.names = cm.param_names();
  for (int c = 0; c < 2; ++c) {
    Eigen::MatrixXd rows(3, post.names.size());
    for (int d = 0; d < 3; ++d) rows.row(d) = cm.constrain(test::random_point(cm.dim(), r, 1.0)).transpose();
    post.chains.push_back(rows);
  }
  const draws prob = hmm_hidden_state_prob<"hmm">(cm, post);
  REQUIRE(prob.names.size() == static_cast<std::size_t>(2 * n));
  CHECK(prob.names[0] == "hmm_prob[0,0]");
  CHECK(prob.names[3] == "hmm_prob[1,1]");
  for (int c = 0; c < 2; ++c)
    for (int d = 0; d < 3; ++d) {
      const Eigen::VectorXd v = post.chains[static_cast<std::size_t>(c)].row(d).transpose();
      Eigen::MatrixXd lo(2, n);
      for (index_t t = 0; t < n; ++t)
        for (index_t k = 0; k < 2; ++k)
          lo(k, t) = -log_sqrt_2pi - std::log(v[2 + k]) - 0.5 * std::pow((y[t] - v[k]) / v[2 + k], 2);
      const Eigen::MatrixXd exact =
          hmm_hidden_state_prob(lo, Eigen::Map<const Eigen::MatrixXd>(v.data() + 4, 2, 2), v.tail(2));
      CHECK((prob.chains[static_cast<std::size_t>(c)].row(d).transpose() - exact.reshaped()).cwiseAbs().maxCoeff() <
            1e-12);
    }
  const draws a = hmm_latent_rng<"hmm">(cm, post, {.seed = 4, .threads = 1});
  const draws b = hmm_latent_rng<"hmm">(cm, post, {.seed = 4, .threads = 2});
  const draws other = hmm_latent_rng<"hmm">(cm, post, {.seed = 5});
  CHECK(a.names[n - 1] == "hmm_state[11]");
  bool differs = false;
  for (int c = 0; c < 2; ++c) {
    CHECK(a.chains[static_cast<std::size_t>(c)] == b.chains[static_cast<std::size_t>(c)]);
    differs |= a.chains[static_cast<std::size_t>(c)] != other.chains[static_cast<std::size_t>(c)];
    CHECK((a.chains[static_cast<std::size_t>(c)].array() >= 0).all());
    CHECK((a.chains[static_cast<std::size_t>(c)].array() <= 1).all());
  }
  CHECK(differs);
  // At one parameter point repeated, the paths' state frequencies are the smoothed probabilities.
  const long N = 6000;
  draws same;
  same.names = post.names;
  same.chains.push_back(post.chains[0].row(0).replicate(N, 1));
  const Eigen::MatrixXd paths = hmm_latent_rng<"hmm">(cm, same, {.seed = 9}).chains[0];
  draws one;
  one.names = post.names;
  one.chains.push_back(post.chains[0].row(0));
  const Eigen::VectorXd p1 = hmm_hidden_state_prob<"hmm">(cm, one).chains[0].row(0).transpose();
  for (index_t t = 0; t < n; ++t) {
    const double p = p1[1 + 2 * t], freq = (paths.col(t).array() == 1).cast<double>().mean();
    CHECK(std::abs(freq - p) <= 4.5 * std::sqrt(p * (1 - p) / N) + 1e-9);
  }
}

TEST_CASE("HMM errors name the culprit", "[hmm][errors]") {
  const Eigen::VectorXd y = Eigen::VectorXd::LinSpaced(10, -1, 1);
  auto mu = param<"mu">(normal(0.0, 5.0), 3, ordered);
  auto sigma = param<"sigma">(half_normal(2.0), 3);
  auto G3 = param<"Gamma">(dirichlet(1.0), stochastic_matrix(3));
  auto G2 = param<"Gamma">(dirichlet(1.0), stochastic_matrix(2));
  auto rho2 = param<"rho">(dirichlet(Eigen::VectorXd::Ones(2)), 2);
  auto rho3 = param<"rho">(dirichlet(Eigen::VectorXd::Ones(3)), 3);
  CHECK_THROWS_WITH(
      model(mu, sigma, G3, rho2, potential<"hmm">(hmm_marginal(emission_lpdf(normal(mu, sigma), y), G3, rho2))),
      Catch::Contains("Gamma has 9 values but rho has 2 states"));
  CHECK_THROWS_WITH(
      model(mu, sigma, G2, rho2, potential<"hmm">(hmm_marginal(emission_lpdf(normal(mu, sigma), y), G2, rho2))),
      Catch::Contains("has 3 states but rho has 2"));
  auto mu4 = param<"mu">(normal(0.0, 5.0), 4);
  CHECK_THROWS_WITH(
      model(mu4, sigma, G3, rho3, potential<"hmm">(hmm_marginal(emission_lpdf(normal(mu4, sigma), y), G3, rho3))),
      Catch::Contains("argument mu has 4 values; with 3 states and 10 observations"));
  auto s1 = param<"s1">(half_normal(1.0));
  CHECK_THROWS_WITH(model(s1, potential<"e">(sum(emission_lpdf(normal(0.0, s1), y)))),
                    Catch::Contains("no argument of normal has one value per state"));
  CHECK_THROWS_WITH(emission_lpdf(poisson(sigma), Eigen::VectorXd::Constant(3, -1.0)),
                    Catch::Contains("observation 0 (-1.000000) is outside the support of poisson"));
  CHECK_THROWS_WITH(emission_lpdf(poisson(sigma), Eigen::VectorXd::Constant(3, 1.5)), Catch::Contains("observation 0"));
  CHECK_THROWS_WITH(model(sigma, potential<"e">(sum(emission_lpdf(normal(sigma, -1.0), y)))),
                    Catch::Contains("argument sigma must be finite and > 0"));
  // Data: a transposed transition matrix (columns summing to one) and a rho off the simplex.
  Eigen::MatrixXd Gt(2, 2);
  Gt << 0.9, 0.3, 0.1, 0.7;
  CHECK_THROWS_WITH(hmm_marginal(emission_lpdf(normal(mu, sigma), y, 2), Gt, rho2), Catch::Contains("row 0 of Gamma"));
  const Eigen::MatrixXd uniform3 = Eigen::MatrixXd::Constant(3, 3, 1.0 / 3);
  CHECK_THROWS_WITH(model(mu, sigma,
                          potential<"hmm">(hmm_marginal(emission_lpdf(normal(mu, sigma), y), uniform3,
                                                        Eigen::VectorXd::Constant(3, 0.3)))),
                    Catch::Contains("rho sums to 0.9"));
  CHECK_THROWS_WITH(
      hmm_marginal(Eigen::MatrixXd::Zero(2, 4), Eigen::MatrixXd::Identity(3, 3), Eigen::VectorXd::Constant(2, 0.5)),
      Catch::Contains("Gamma is 3 x 3 but rho has 2 states"));
  CHECK_THROWS_WITH(param<"G">(dirichlet(1.0), stochastic_matrix(1)), Catch::Contains("K >= 2"));
  CHECK_THROWS_WITH(param<"G">(dirichlet(Eigen::VectorXd::Ones(4)), stochastic_matrix(3)),
                    Catch::Contains("alpha has 4 values"));
}

TEST_CASE("an emission argument outside its domain rejects the point instead of ruling a state out", "[hmm][model]") {
  const Eigen::VectorXd y = Eigen::VectorXd::LinSpaced(8, -1, 2);
  auto mu = param<"mu">(normal(0.0, 5.0), 2, ordered);
  auto s = param<"s">(normal(0.0, 1.0), 2);  // used as a scale through s - 0.5: negative for some s
  auto Gamma = param<"Gamma">(dirichlet(1.0), stochastic_matrix(2));
  auto rho = param<"rho">(dirichlet(Eigen::VectorXd::Ones(2)), 2);
  const auto cm = compile<double>(
      model(mu, s, Gamma, rho, potential<"hmm">(hmm_marginal(emission_lpdf(normal(mu, s - 0.5), y), Gamma, rho))));
  Eigen::VectorXd q = Eigen::VectorXd::Zero(cm.dim()), g(cm.dim());
  q[2] = 1.0;
  q[3] = 0.2;  // s[1] - 0.5 < 0
  CHECK_FALSE(std::isfinite(cm.logp_grad(q, g)));
  CHECK(g.cwiseAbs().maxCoeff() == 0.0);
  q[3] = 1.2;
  CHECK(std::isfinite(cm.logp_grad(q, g)));
}
