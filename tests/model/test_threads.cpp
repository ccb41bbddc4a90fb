// One compiled model serves several threads: concurrent logp_grad calls on distinct workspaces
// give the same results as sequential ones (and are clean under ThreadSanitizer).
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
