#include <boost/math/distributions/cauchy.hpp>
#include <boost/math/distributions/exponential.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include "lpdf_harness.hpp"

using namespace exmc;
using test::call_lpdf;
using test::check_lpdf_partials;
using test::vec;

namespace bm = boost::math;

TEST_CASE("normal matches Boost.Math and its partials are exact", "[dist]") {
  const Eigen::VectorXd x = vec({-3.0, -0.2, 0.0, 1.7, 25.0});
  for (double sigma : {1e-3, 0.7, 1.0, 40.0}) {
    double ref = 0;
    for (double xi : x) ref += std::log(bm::pdf(bm::normal(0.3, sigma), xi));
    if (std::isfinite(ref)) CHECK(call_lpdf<normal_fn>(x, {vec({0.3}), vec({sigma})}).lp == Approx(ref).epsilon(1e-12));
  }
  // Tiny scales: Boost's pdf underflows, the log density stays exact.
  CHECK(call_lpdf<normal_fn>(vec({1.0}), {vec({0.0}), vec({1e-3})}).lp ==
        Approx(-0.5e6 - std::log(1e-3) - 0.5 * std::log(2 * M_PI)).epsilon(1e-14));
  check_lpdf_partials<normal_fn>(x.head(4), {vec({0.3}), vec({0.9})});
  check_lpdf_partials<normal_fn>(x.head(3), {vec({0.1, 0.2, -0.3}), vec({0.9})});
  check_lpdf_partials<normal_fn>(x.head(3), {vec({0.1}), vec({0.5, 1.5, 2.5})});
  check_lpdf_partials<normal_fn>(x.head(3), {vec({0.1, 0.2, -0.3}), vec({0.5, 1.5, 2.5})});
  CHECK(call_lpdf<normal_fn>(x, {vec({0.0}), vec({-1.0})}).lp == -math::inf<double>);
  CHECK(call_lpdf<normal_fn>(x.head(2), {vec({0.0}), vec({1.0, 0.0})}).lp == -math::inf<double>);
}

// normal's lpdf takes one scalar pass up to normal_fn::few elements and Eigen's vectorised
// passes above: the cases above cover the first, these the second.
TEST_CASE("normal's vectorised path, above normal_fn::few elements, is exact too", "[dist]") {
  const index_t n = 2 * normal_fn::few + 3;
  Eigen::VectorXd x(n), mu(n), sigma(n);
  for (index_t i = 0; i < n; ++i) {
    x[i] = std::sin(1.3 * static_cast<double>(i)) * 3.0;
    mu[i] = 0.1 * static_cast<double>(i % 5) - 0.2;
    sigma[i] = 0.5 + 0.1 * static_cast<double>(i % 7);
  }
  double ref_scalar = 0, ref_vector = 0;
  for (index_t i = 0; i < n; ++i) {
    ref_scalar += std::log(bm::pdf(bm::normal(0.3, 0.9), x[i]));
    ref_vector += std::log(bm::pdf(bm::normal(mu[i], sigma[i]), x[i]));
  }
  CHECK(call_lpdf<normal_fn>(x, {vec({0.3}), vec({0.9})}).lp == Approx(ref_scalar).epsilon(1e-12));
  CHECK(call_lpdf<normal_fn>(x, {mu, sigma}).lp == Approx(ref_vector).epsilon(1e-12));
  check_lpdf_partials<normal_fn>(x, {vec({0.3}), vec({0.9})});
  check_lpdf_partials<normal_fn>(x, {mu, vec({0.9})});
  check_lpdf_partials<normal_fn>(x, {vec({0.3}), sigma});
  check_lpdf_partials<normal_fn>(x, {mu, sigma});
  Eigen::VectorXd bad = sigma;
  bad[n - 1] = 0.0;
  CHECK(call_lpdf<normal_fn>(x, {mu, bad}).lp == -math::inf<double>);
}

TEST_CASE("half_normal is twice the normal on the positive half-line", "[dist]") {
  const Eigen::VectorXd x = vec({0.0, 0.01, 1.3, 7.0});
  for (double sigma : {0.05, 2.0, 100.0}) {
    double ref = 0;
    for (double xi : x) ref += std::log(2 * bm::pdf(bm::normal(0, sigma), xi));
    if (std::isfinite(ref)) CHECK(call_lpdf<half_normal_fn>(x, {vec({sigma})}).lp == Approx(ref).epsilon(1e-12));
  }
  check_lpdf_partials<half_normal_fn>(x.tail(3), {vec({1.7})});
  check_lpdf_partials<half_normal_fn>(x.tail(3), {vec({1.7, 0.4, 3.0})});
  CHECK(call_lpdf<half_normal_fn>(vec({-0.1}), {vec({1.0})}).lp == -math::inf<double>);
}

TEST_CASE("cauchy and half_cauchy match Boost.Math", "[dist]") {
  const Eigen::VectorXd x = vec({-1e4, -2.0, 0.0, 0.5, 300.0});
  for (double s : {1e-3, 1.0, 5.0}) {
    double ref = 0;
    for (double xi : x) ref += std::log(bm::pdf(bm::cauchy(-0.5, s), xi));
    CHECK(call_lpdf<cauchy_fn>(x, {vec({-0.5}), vec({s})}).lp == Approx(ref).epsilon(1e-12));
    const Eigen::VectorXd xp = x.tail(3);
    double refh = 0;
    for (double xi : xp) refh += std::log(2 * bm::pdf(bm::cauchy(0, s), xi));
    CHECK(call_lpdf<half_cauchy_fn>(xp, {vec({s})}).lp == Approx(refh).epsilon(1e-12));
  }
  check_lpdf_partials<cauchy_fn>(x.segment(1, 3), {vec({0.2}), vec({1.3})});
  check_lpdf_partials<cauchy_fn>(x.segment(1, 3), {vec({0.2, 0.1, 0.0}), vec({1.3, 0.2, 4.0})});
  check_lpdf_partials<half_cauchy_fn>(x.segment(3, 2), {vec({2.5})});
  check_lpdf_partials<half_cauchy_fn>(x.segment(3, 2), {vec({2.5, 0.1})});
}

TEST_CASE("student_t matches Boost.Math including huge degrees of freedom", "[dist]") {
  const Eigen::VectorXd x = vec({-30.0, -1.0, 0.0, 0.4, 12.0});
  for (double nu : {0.5, 1.0, 3.0, 30.0, 1e6}) {
    for (double s : {0.2, 2.0}) {
      double ref = 0;
      for (double xi : x) ref += std::log(bm::pdf(bm::students_t(nu), (xi - 0.7) / s) / s);
      if (std::isfinite(ref))
        CHECK(call_lpdf<student_t_fn>(x, {vec({nu}), vec({0.7}), vec({s})}).lp == Approx(ref).epsilon(1e-10));
    }
  }
  // nu = 1e6 against the normal limit (Boost's pdf underflows at x = -30 with s = 0.2).
  {
    const Eigen::VectorXd xs = vec({-2.0, 0.1, 1.5});
    double ref = 0;
    for (double xi : xs) ref += std::log(bm::pdf(bm::normal(0.7, 0.8), xi));
    CHECK(call_lpdf<student_t_fn>(xs, {vec({1e8}), vec({0.7}), vec({0.8})}).lp == Approx(ref).epsilon(1e-7));
  }
  check_lpdf_partials<student_t_fn>(x.segment(1, 3), {vec({3.5}), vec({0.1}), vec({1.4})});
  check_lpdf_partials<student_t_fn>(x.segment(1, 3), {vec({3.5}), vec({0.1}), vec({1.4, 0.3, 2.2})});
  check_lpdf_partials<student_t_fn>(x.segment(1, 3), {vec({3.5, 1.2, 40.0}), vec({0.1}), vec({1.4})});
  check_lpdf_partials<student_t_fn>(x.segment(1, 3), {vec({3.5, 1.2, 40.0}), vec({0.1, 0, 1}), vec({1.4, 0.3, 2.2})});
  CHECK(call_lpdf<student_t_fn>(x, {vec({-1.0}), vec({0.0}), vec({1.0})}).lp == -math::inf<double>);
}

// student_t with a scalar nu runs in blocks of student_t_fn::block elements: across several
// blocks, the last one partial, the density matches Boost.Math and every partial its central
// difference; a bad scale in a later block still gives -inf.
TEST_CASE("student_t's blocked pass over several blocks is exact", "[dist]") {
  const index_t n = 2 * student_t_fn::block + 7;
  Eigen::VectorXd x(n), sigma(n);
  for (index_t i = 0; i < n; ++i) {
    x[i] = std::sin(0.7 * static_cast<double>(i)) * 4.0;
    sigma[i] = 0.4 + 0.15 * static_cast<double>(i % 9);
  }
  double ref_scalar = 0, ref_vector = 0;
  for (index_t i = 0; i < n; ++i) {
    ref_scalar += std::log(bm::pdf(bm::students_t(4.5), (x[i] - 0.2) / 1.3) / 1.3);
    ref_vector += std::log(bm::pdf(bm::students_t(4.5), (x[i] - 0.2) / sigma[i]) / sigma[i]);
  }
  CHECK(call_lpdf<student_t_fn>(x, {vec({4.5}), vec({0.2}), vec({1.3})}).lp == Approx(ref_scalar).epsilon(1e-12));
  CHECK(call_lpdf<student_t_fn>(x, {vec({4.5}), vec({0.2}), sigma}).lp == Approx(ref_vector).epsilon(1e-12));
  check_lpdf_partials<student_t_fn>(x, {vec({4.5}), vec({0.2}), vec({1.3})});
  check_lpdf_partials<student_t_fn>(x, {vec({4.5}), vec({0.2}), sigma});
  Eigen::VectorXd bad = sigma;
  bad[student_t_fn::block + 3] = -0.5;
  CHECK(call_lpdf<student_t_fn>(x, {vec({4.5}), vec({0.2}), bad}).lp == -math::inf<double>);
}

TEST_CASE("exponential matches Boost.Math", "[dist]") {
  const Eigen::VectorXd x = vec({0.0, 1e-8, 0.3, 50.0});
  for (double rate : {0.1, 1.0, 50.0}) {
    double ref = 0;
    for (double xi : x) ref += std::log(bm::pdf(bm::exponential(rate), xi));
    if (std::isfinite(ref)) CHECK(call_lpdf<exponential_fn>(x, {vec({rate})}).lp == Approx(ref).epsilon(1e-12));
  }
  // Where Boost's pdf underflows, the closed form still holds.
  CHECK(call_lpdf<exponential_fn>(vec({50.0}), {vec({50.0})}).lp == Approx(std::log(50.0) - 2500.0).epsilon(1e-14));
  check_lpdf_partials<exponential_fn>(x.tail(2), {vec({0.7})});
  check_lpdf_partials<exponential_fn>(x.tail(2), {vec({0.7, 3.0})});
  CHECK(call_lpdf<exponential_fn>(vec({-1.0}), {vec({1.0})}).lp == -math::inf<double>);
}

TEST_CASE("gaussian_random_walk is a chain of normals", "[dist]") {
  const Eigen::VectorXd x = vec({0.3, -0.1, 0.4, 1.0, 0.8});
  const double s = 0.6;
  double ref = std::log(bm::pdf(bm::normal(0, s), x[0]));
  for (int t = 1; t < x.size(); ++t) ref += std::log(bm::pdf(bm::normal(x[t - 1], s), x[t]));
  CHECK(call_lpdf<gaussian_random_walk_fn>(x, {vec({s})}).lp == Approx(ref).epsilon(1e-12));
  check_lpdf_partials<gaussian_random_walk_fn>(x, {vec({s})});
  // One step, and a scale per step (the step-by-step path).
  CHECK(call_lpdf<gaussian_random_walk_fn>(x.head(1), {vec({s})}).lp ==
        Approx(std::log(bm::pdf(bm::normal(0, s), x[0]))).epsilon(1e-14));
  check_lpdf_partials<gaussian_random_walk_fn>(x.head(1), {vec({s})});
  const Eigen::VectorXd steps = vec({0.6, 0.9, 0.4, 1.1, 0.7});
  double ref_steps = std::log(bm::pdf(bm::normal(0, steps[0]), x[0]));
  for (int t = 1; t < x.size(); ++t) ref_steps += std::log(bm::pdf(bm::normal(x[t - 1], steps[t]), x[t]));
  CHECK(call_lpdf<gaussian_random_walk_fn>(x, {steps}).lp == Approx(ref_steps).epsilon(1e-12));
  check_lpdf_partials<gaussian_random_walk_fn>(x, {steps});
  CHECK(call_lpdf<gaussian_random_walk_fn>(x, {vec({0.0})}).lp == -math::inf<double>);
}
