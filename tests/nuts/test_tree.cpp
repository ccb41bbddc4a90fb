// The trajectory builder on hand-made trajectories: U-turn logic, merge probabilities,
// divergences and the depth cap. A "labelled" mock system numbers the leapfrog steps of one
// transition in build order and takes weights and momenta from tables, so outcomes do not
// depend on the random directions.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <vector>

#include <exmc/nuts/tree.hpp>
#include <exmc/nuts/hamiltonian.hpp>

namespace {

using point = exmc::phase_point<double>;

struct labelled_system {
  using point = exmc::phase_point<double>;
  std::function<double(int)> log_weight = [](int) { return 0.0; };  // H = -log_weight + K
  std::function<Eigen::Vector2d(int)> momentum = [](int) { return Eigen::Vector2d(1.0, 0.0); };
  int steps = 0;
  void sample_momentum(exmc::rng&, point& z) {
    steps = 0;
    z.q.setZero();
    z.p = momentum(0);
    z.v = z.p;
  }
  void leapfrog(point& z, double) {
    ++steps;
    z.q[0] = steps;  // the label
    z.p = momentum(steps);
    z.v = z.p;
  }
  // Kinetic energy left out so that weights are exactly the tabulated ones.
  double energy(const point& z) const { return -log_weight(static_cast<int>(z.q[0])); }
};

point start() {
  point z(2);
  z.logp = 0.0;
  return z;
}

}  // namespace

TEST_CASE("no_uturn: both ends must move along the summed momentum", "[nuts][tree]") {
  Eigen::Vector2d a(1, 0), b(0, 1), rho(1, 1);
  CHECK(exmc::no_uturn(a, b, rho));
  CHECK_FALSE(exmc::no_uturn(a, Eigen::Vector2d(-1, -0.5), rho));
  CHECK_FALSE(exmc::no_uturn(Eigen::Vector2d(-1, 0), b, rho));
  CHECK_FALSE(exmc::no_uturn(a, b, Eigen::Vector2d(0, 0)));  // strict inequality
}

TEST_CASE("log_sum_exp handles -inf and large values", "[nuts][tree]") {
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(exmc::log_sum_exp(-inf, 1.5) == 1.5);
  CHECK(exmc::log_sum_exp(1.5, -inf) == 1.5);
  CHECK(exmc::log_sum_exp(1000.0, 1000.0) == Approx(1000.0 + std::log(2.0)));
  CHECK(exmc::log_sum_exp(std::log(0.25), std::log(0.5)) == Approx(std::log(0.75)));
}

TEST_CASE("uniform and biased merge probabilities", "[nuts][tree]") {
  exmc::rng r(7, 0);
  const int n = 100000;
  int uniform = 0, biased = 0, biased_big = 0;
  for (int i = 0; i < n; ++i) {
    uniform += exmc::take_final_uniform(std::log(0.3), std::log(1.0), r);  // 0.3 / 1.0
    biased += exmc::take_new_biased(std::log(0.3), std::log(0.7), r);      // min(1, 0.3 / 0.7)
    biased_big += exmc::take_new_biased(std::log(2.0), std::log(0.7), r);  // always
  }
  const double tol = 4.5 * std::sqrt(0.25 / n);
  CHECK(std::abs(uniform / double(n) - 0.3) < tol);
  CHECK(std::abs(biased / double(n) - 0.3 / 0.7) < tol);
  CHECK(biased_big == n);
}

TEST_CASE("depth cap: a trajectory that never turns stops at max_depth", "[nuts][tree]") {
  labelled_system sys;
  exmc::nuts_tree<labelled_system> tree(2, 5);
  exmc::rng r(1, 0);
  point z = start();
  const auto info = tree.transition(sys, r, z, 0.1);
  CHECK(info.depth == 5);
  CHECK(info.n_leapfrog == 31);
  CHECK_FALSE(info.divergent);
  CHECK(info.accept_stat == 1.0);
}

TEST_CASE("equal weights: the sample comes from the last doubling, uniformly inside it", "[nuts][tree]") {
  // Biased progressive sampling always moves to a new subtree of equal weight; inside the subtree
  // the choice is uniform. Labels 16..31 form the last doubling at depth 5.
  labelled_system sys;
  exmc::nuts_tree<labelled_system> tree(2, 5);
  exmc::rng r(2, 0);
  const int n = 32000;
  std::vector<int> counts(32, 0);
  for (int i = 0; i < n; ++i) {
    point z = start();
    tree.transition(sys, r, z, 0.1);
    ++counts[static_cast<std::size_t>(z.q[0])];
  }
  for (int k = 0; k < 16; ++k) CHECK(counts[static_cast<std::size_t>(k)] == 0);
  const double expected = n / 16.0, tol = 4.5 * std::sqrt(expected);
  for (int k = 16; k < 32; ++k) CHECK(std::abs(counts[static_cast<std::size_t>(k)] - expected) < tol);
}

TEST_CASE("unequal weights: selection probabilities of biased progressive sampling", "[nuts][tree]") {
  // Start w0 = 1, first doubling {1: 0.5}, second {2: 0.3, 3: 0.6}.
  // P(1 kept after doubling 1) = 0.5; doubling 2 taken with prob 0.9 / 1.5 = 0.6, inside it
  // 3 with prob 2/3. So P = {0: 0.2, 1: 0.2, 2: 0.2, 3: 0.4} (plain multinomial would give
  // {0.417, 0.208, 0.125, 0.25}).
  labelled_system sys;
  const std::vector<double> w{1.0, 0.5, 0.3, 0.6};
  sys.log_weight = [&](int k) { return std::log(w[static_cast<std::size_t>(k)]); };
  exmc::nuts_tree<labelled_system> tree(2, 2);
  exmc::rng r(3, 0);
  const int n = 40000;
  std::vector<int> counts(4, 0);
  for (int i = 0; i < n; ++i) {
    point z = start();
    const auto info = tree.transition(sys, r, z, 0.1);
    REQUIRE(info.n_leapfrog == 3);
    ++counts[static_cast<std::size_t>(z.q[0])];
  }
  const std::vector<double> p{0.2, 0.2, 0.2, 0.4};
  for (std::size_t k = 0; k < 4; ++k) {
    const double tol = 4.5 * std::sqrt(n * p[k] * (1 - p[k]));
    CHECK(std::abs(counts[k] - n * p[k]) < tol);
  }
}

TEST_CASE("divergence: the offending subtree is discarded and flagged", "[nuts][tree]") {
  labelled_system sys;
  const std::vector<double> lw{0.0, std::log(0.5), -2000.0, 0.0};
  sys.log_weight = [&](int k) { return lw[static_cast<std::size_t>(k)]; };
  exmc::nuts_tree<labelled_system> tree(2, 10);
  exmc::rng r(4, 0);
  for (int i = 0; i < 200; ++i) {
    point z = start();
    const auto info = tree.transition(sys, r, z, 0.1);
    CHECK(info.divergent);
    CHECK(info.depth == 1);
    CHECK(info.n_leapfrog == 2);  // step 3 is never taken: the subtree died at step 2
    CHECK(z.q[0] <= 1.0);         // never the divergent point
    CHECK(info.accept_stat == Approx((0.5 + std::exp(-2000.0)) / 2.0));
  }
}

TEST_CASE("divergence: NaN energy counts as infinite", "[nuts][tree]") {
  labelled_system sys;
  sys.log_weight = [](int k) { return k == 1 ? std::nan("") : 0.0; };
  exmc::nuts_tree<labelled_system> tree(2, 10);
  exmc::rng r(5, 0);
  point z = start();
  const auto info = tree.transition(sys, r, z, 0.1);
  CHECK(info.divergent);
  CHECK(info.depth == 0);
  CHECK(info.n_leapfrog == 1);
  CHECK_FALSE(info.moved);
  CHECK(z.q[0] == 0.0);
}

TEST_CASE("U-turn of the merged span stops the trajectory", "[nuts][tree]") {
  labelled_system sys;
  // Labels 0..3 move right, 4..7 left: the third doubling makes the total momentum zero.
  sys.momentum = [](int k) { return Eigen::Vector2d(k < 4 ? 1.0 : -1.0, 0.0); };
  exmc::nuts_tree<labelled_system> tree(2, 10);
  exmc::rng r(6, 0);
  for (int i = 0; i < 100; ++i) {
    point z = start();
    const auto info = tree.transition(sys, r, z, 0.1);
    CHECK(info.depth == 3);  // the third subtree itself is valid and may supply the sample
    CHECK(info.n_leapfrog == 7);
  }
}

TEST_CASE("U-turn inside a subtree invalidates that subtree", "[nuts][tree]") {
  labelled_system sys;
  // In the third doubling (labels 4..7), 4,5 move right and 6,7 left: its own merge fails.
  sys.momentum = [](int k) { return Eigen::Vector2d(k < 6 ? 1.0 : -1.0, 0.0); };
  exmc::nuts_tree<labelled_system> tree(2, 10);
  exmc::rng r(7, 0);
  for (int i = 0; i < 100; ++i) {
    point z = start();
    const auto info = tree.transition(sys, r, z, 0.1);
    CHECK(info.depth == 2);
    CHECK(info.n_leapfrog == 7);
    CHECK(z.q[0] <= 3.0);  // nothing from the rejected subtree
  }
}

TEST_CASE("the cross-subtree checks stop a trajectory the whole-span check lets through", "[nuts][tree]") {
  // Found by search: for every order of directions the merged span of labels 0..3 passes the
  // rho criterion, but one of the two checks across the junction fails.
  labelled_system sys;
  const std::vector<Eigen::Vector2d> p{{2, -1}, {2, 1}, {-2, 0}, {0, 3}};
  sys.momentum = [&](int k) { return k < 4 ? p[static_cast<std::size_t>(k)] : Eigen::Vector2d(1, 1); };
  exmc::nuts_tree<labelled_system> tree(2, 10);
  exmc::rng r(8, 0);
  for (int i = 0; i < 100; ++i) {
    point z = start();
    const auto info = tree.transition(sys, r, z, 0.1);
    CHECK(info.depth == 2);
    CHECK(info.n_leapfrog == 3);
  }
}

TEST_CASE("a real oscillator turns around after about half a period", "[nuts][tree]") {
  // 1-d standard normal with unit metric: trajectories are circles of period 2 pi, so with
  // step 0.1 a U-turn must be detected by the doubling that completes one period (2^6 points).
  struct normal1 {
    using scalar = double;
    std::ptrdiff_t dim() const { return 1; }
    double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
      g = -q;
      return -0.5 * q.squaredNorm();
    }
  } density;
  exmc::evaluator<normal1> ev(density);
  exmc::euclidean_metric<double> metric(exmc::metric_kind::unit, 1);
  exmc::euclidean_system<normal1> sys(ev, metric);
  exmc::nuts_tree<exmc::euclidean_system<normal1>> tree(1, 10);
  exmc::rng r(9, 0);
  point z(1);
  z.q[0] = 0.3;
  REQUIRE(sys.evaluate(z));
  double mean_steps = 0.0;
  for (int i = 0; i < 200; ++i) {
    const auto info = tree.transition(sys, r, z, 0.1);
    CHECK(info.depth <= 6);
    CHECK(info.n_leapfrog <= 63);  // detected at the latest by the doubling that closes the circle
    CHECK(info.accept_stat > 0.99);
    mean_steps += info.n_leapfrog / 200.0;
  }
  // Starts near a turning point give short trajectories, but on average a good part of the
  // half period (31 steps) is explored.
  CHECK(mean_steps > 10.0);
  CHECK(mean_steps < 40.0);
  INFO("mean leapfrog steps " << mean_steps);
}

TEST_CASE("the reported energy is the selected point's, which the tree no longer recomputes", "[nuts][tree]") {
  // Proposals keep the energy of their leaf (D133); the labelled system's energy is a function of
  // the label, so the report can be checked against the point that came back.
  labelled_system sys;
  // Each doubling weighs less than what came before, so every label can be selected.
  const std::vector<double> lw{0.0, -0.3, -1.1, -0.4, -1.2, -0.5, -2.0, -0.9};
  sys.log_weight = [&](int k) { return lw[static_cast<std::size_t>(k)]; };
  exmc::nuts_tree<labelled_system> tree(2, 3);
  exmc::rng r(10, 0);
  std::vector<int> seen(8, 0);
  for (int i = 0; i < 2000; ++i) {
    point z = start();
    const auto info = tree.transition(sys, r, z, 0.1);
    const int label = static_cast<int>(z.q[0]);
    ++seen[static_cast<std::size_t>(label)];
    CHECK(info.energy == -lw[static_cast<std::size_t>(label)]);
    CHECK(info.moved == (label != 0));
  }
  for (int k = 0; k < 8; ++k) CHECK(seen[static_cast<std::size_t>(k)] > 0);  // leaves of pairs included
}

TEST_CASE("a gradient with a NaN or an infinite entry makes the point invalid", "[nuts][tree]") {
  // evaluate() tests the gradient's sum, which is finite only if every entry is (D133).
  struct planted {
    using scalar = double;
    double bad = 0.0;
    std::ptrdiff_t dim() const { return 4; }
    double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
      g = -q;
      g[2] = bad;
      return -0.5 * q.squaredNorm();
    }
  };
  const double inf = std::numeric_limits<double>::infinity();
  for (const double bad : {0.0, 1e300, std::nan(""), inf, -inf}) {
    planted density{bad};
    exmc::evaluator<planted> ev(density);
    exmc::euclidean_metric<double> metric(exmc::metric_kind::diag, 4);
    exmc::euclidean_system<planted> sys(ev, metric);
    point z(4);
    z.q << 0.1, -0.2, 0.3, 0.4;
    INFO("planted gradient entry " << bad);
    CHECK(sys.evaluate(z) == std::isfinite(bad));
    CHECK(z.valid() == std::isfinite(bad));
  }
}
