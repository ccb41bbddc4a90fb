#pragma once
// Each benchmark model written in the DSL must equal the hand-written reference density in
// bench/reference/ (same coordinates, transforms and constants) at random points: log density
// and gradient. And its gradient must match finite differences in double, float to float precision.
#include <reference/eight_schools.hpp>
#include <reference/funnel.hpp>
#include <reference/logistic.hpp>
#include <reference/medium.hpp>
#include <reference/simple.hpp>
#include <reference/stress.hpp>
#include <reference/sv.hpp>

#include "../support/gradient_check.hpp"
#include "models/models.hpp"

namespace exmc::test {

inline data_file bench_data(const std::string& name) { return data_file::from_file(str_cat({EXMC_DATA_DIR, "/", name, ".json"})); }

template <class Model, class Ref>
void check_against_reference(const Model& m, const Ref& ref, double radius = 1.5) {
  // The references are written centred, so compare with the centred compilation.
  const compile_options centred{.ncp = ncp_policy::never};
  auto cd = compile<double>(m, centred);
  auto cf = compile<float>(m, centred);
  REQUIRE(cd.dim() == ref.dim());
  REQUIRE(cd.param_names() == ref.param_names());
  exmc::rng r(2024);
  for (int p = 0; p < 4; ++p) {
    const Eigen::VectorXd q = random_point(cd.dim(), r, radius);
    Eigen::VectorXd g(cd.dim()), gr(cd.dim());
    const double lp = cd.logp_grad(q, g);
    const double lr = ref.logp_grad(q, gr);
    CHECK(lp == Approx(lr).epsilon(1e-11));
    for (Eigen::Index k = 0; k < g.size(); ++k) CHECK(g[k] == Approx(gr[k]).epsilon(1e-9).margin(1e-9));
    Eigen::VectorXd c1, c2;
    cd.constrain(q, c1);
    ref.constrain(q, c2);
    CHECK((c1 - c2).norm() <= 1e-12 * (1 + c2.norm()));
  }
  check_gradient(cd, 2, 1e-6, 5, radius);
  check_float_matches_double(cd, cf, 2);
}

}  // namespace exmc::test
