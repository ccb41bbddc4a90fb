// Time of summary() on chains x draws x quantities of AR(1) draws (issue 6's benchmark:
// 4 x 100 000 x 1000). Usage: summary_bench [chains] [draws] [quantities]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exmc/exmc.hpp>

int main(int argc, char** argv) {
  const int chains = argc > 1 ? std::atoi(argv[1]) : 4;
  const int n = argc > 2 ? std::atoi(argv[2]) : 100000;
  const int k = argc > 3 ? std::atoi(argv[3]) : 1000;
  exmc::draws d;
  for (int j = 0; j < k; ++j) d.names.push_back("x[" + std::to_string(j) + "]");
  for (int c = 0; c < chains; ++c) {
    exmc::rng r(7, static_cast<std::uint64_t>(c));
    Eigen::MatrixXd m(n, k);
    for (int j = 0; j < k; ++j) {
      double x = 0;
      for (int i = 0; i < n; ++i) m(i, j) = x = 0.5 * x + r.normal();
    }
    d.chains.push_back(std::move(m));
  }
  const auto t0 = std::chrono::steady_clock::now();
  const auto table = exmc::summary(d);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("summary of %d chains x %d draws x %d quantities: %.2f s (%.1f ms per quantity)\n", chains, n, k, s,
              1000 * s / k);
  return table.rows.empty() ? 1 : 0;
}
