// Must compile: the same shapes as the failing cases, written correctly (guards the harness).
#include <exmc/exmc.hpp>
using namespace exmc;
int main() {
  auto mu = param<"mu">(normal(0.0, 1.0));
  auto tau = param<"tau">(half_normal(1.0));
  auto theta = param<"theta">(normal(mu, tau), 3);
  Eigen::VectorXi counts(3);
  Eigen::MatrixXd X(4, 3);
  Eigen::VectorXd y(4);
  auto b = param<"b">(flat(), upper(mu));
  auto m = model(mu, tau, theta, b, let<"e">(mu * counts.cast<double>() + theta[0]),
                 observe<"y">(normal(X * theta, 1.0), y));
  (void)m;
}
