// One compiled model serves several threads: concurrent logp_grad calls on distinct workspaces
// give the same results as sequential ones (and are clean under ThreadSanitizer). Workspaces keep
// what they hold when copied or moved.
#include <thread>
#include <vector>

#include "../support/gradient_check.hpp"
#include "models/models.hpp"

using namespace exmc;

TEST_CASE("concurrent evaluation on distinct workspaces", "[model][threads]") {
  const auto d = data_file::from_file(std::string(EXMC_DATA_DIR) + "/logistic.json");
  const auto c = compile<double>(bench::logistic_model(d));
  constexpr int threads = 4, points = 50;
  std::vector<Eigen::VectorXd> qs;
  exmc::rng r(9);
  for (int i = 0; i < points; ++i) qs.push_back(test::random_point(c.dim(), r, 0.3));
  std::vector<double> expected(points);
  {
    auto ws = c.make_workspace();
    Eigen::VectorXd g(c.dim());
    for (int i = 0; i < points; ++i) expected[i] = c.logp_grad(qs[i], g, ws);
  }
  std::vector<std::vector<double>> got(threads, std::vector<double>(points));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      exmc::evaluator<std::remove_cvref_t<decltype(c)>> e(c);
      Eigen::VectorXd g(c.dim());
      for (int i = 0; i < points; ++i) got[t][i] = e.logp_grad(qs[(i + t) % points], g);
    });
  for (auto& th : pool) th.join();
  for (int t = 0; t < threads; ++t)
    for (int i = 0; i < points; ++i) CHECK(got[t][i] == expected[(i + t) % points]);
  // The shared-workspace overload is serialised and also safe.
  std::vector<std::thread> pool2;
  std::vector<double> shared(threads);
  for (int t = 0; t < threads; ++t)
    pool2.emplace_back([&, t] {
      Eigen::VectorXd g(c.dim());
      shared[t] = c.logp_grad(qs[t], g);
    });
  for (auto& th : pool2) th.join();
  for (int t = 0; t < threads; ++t) CHECK(shared[t] == expected[t]);
}

// An identity-transformed vector parameter's values are read in q and its adjoints summed in grad
// during an evaluation (D63): a workspace copied or moved afterwards still holds the values, and
// writing values outside an evaluation (load_constrained) never writes into an old q.
TEST_CASE("workspaces keep their values when copied, moved or reloaded", "[model][threads]") {
  const auto d = data_file::from_file(std::string(EXMC_DATA_DIR) + "/eight_schools.json");
  const auto c = compile<double>(bench::eight_schools_model(d), {.ncp = ncp_policy::never});
  exmc::rng r(4);
  Eigen::VectorXd q = test::random_point(c.dim(), r, 0.5);
  const Eigen::VectorXd q0 = q;
  const Eigen::VectorXd expected = c.constrain(q);
  auto ws = c.make_workspace();
  Eigen::VectorXd g(c.dim());
  const double lp = c.logp_grad(q, g, ws);
  const Eigen::VectorXd g0 = g;
  auto copied = ws;
  auto moved = std::move(ws);
  q.setConstant(99.0);  // the evaluated point is gone
  g.setConstant(-7.0);
  Eigen::VectorXd out;
  c.constrain_loaded(copied, out);
  CHECK(out == expected);
  c.constrain_loaded(moved, out);
  CHECK(out == expected);
  // Loading constrained values writes the workspace's own buffers, not the old q.
  Eigen::VectorXd row = expected;
  row.array() += 0.25;
  c.load_constrained(row.data(), moved);
  CHECK((q.array() == 99.0).all());
  c.constrain_loaded(moved, out);
  CHECK(out == row);
  // And the next evaluation reads the new q again, in the moved and the copied workspace alike.
  Eigen::VectorXd g1(c.dim()), g2(c.dim());
  CHECK(c.logp_grad(q0, g1, moved) == lp);
  CHECK(c.logp_grad(q0, g2, copied) == lp);
  CHECK(g1 == g0);
  CHECK(g2 == g0);
  CHECK_THROWS_WITH(c.logp_grad(q, q, moved), Catch::Contains("q and grad must be distinct"));
}
