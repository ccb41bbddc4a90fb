#include "benchmark_models.hpp"

using namespace exmc;

TEST_CASE("simple model equals its hand-written density", "[model]") {
  const auto d = test::bench_data("simple");
  test::check_against_reference(bench::simple_model(d), reference::simple<double>::from(d));
}
TEST_CASE("medium model equals its hand-written density", "[model]") {
  const auto d = test::bench_data("medium");
  test::check_against_reference(bench::medium_model(d), reference::medium<double>::from(d));
}
TEST_CASE("stress model equals its hand-written density", "[model]") {
  const auto d = test::bench_data("stress");
  test::check_against_reference(bench::stress_model(d), reference::stress<double>::from(d));
}
TEST_CASE("eight_schools model equals its hand-written density", "[model]") {
  const auto d = test::bench_data("eight_schools");
  test::check_against_reference(bench::eight_schools_model(d), reference::eight_schools<double>::from(d));
}

// A normal likelihood over data with a scalar mean and scale reads the data's count, mean and
// centred sum of squares (D65): exact even when the data sit far from zero with a small spread,
// where summing (y - mu)^2 from raw sums of y and y^2 would lose every digit. Ungrouped and
// grouped, against a direct sum in long double.
TEST_CASE("normal likelihoods over data are exact from the data's moments", "[model]") {
  const int n = 60;
  Eigen::VectorXd y(n);
  Eigen::VectorXi g(n);
  for (int i = 0; i < n; ++i) {
    y[i] = 1e8 + std::sin(0.9 * i);
    g[i] = (i * 7) % 3;  // unsorted: the model sorts the data by group
  }
  const double mu = 1e8 + 0.1, sigma = 0.8;
  auto direct = [&](auto mean_of) {
    long double lp = 0, dmu_total = 0, dsigma = 0;
    std::array<long double, 3> dmu{};
    for (int i = 0; i < n; ++i) {
      const long double r = static_cast<long double>(y[i]) - static_cast<long double>(mean_of(i));
      const long double s = sigma;
      lp += -0.918938533204672741780329736405617639861L - std::log(s) - 0.5L * r * r / (s * s);
      dmu[static_cast<std::size_t>(g[i])] += r / (s * s);
      dmu_total += r / (s * s);
      dsigma += (r * r / (s * s) - 1) / s;
    }
    return std::make_tuple(lp, dmu_total, dmu, dsigma);
  };
  auto sv = [](double v) { return Eigen::VectorXd::Constant(1, v); };
  {
    auto mu_p = param<"mu">(normal(0.0, 1e9));
    auto sigma_p = param<"sigma">(half_normal(5.0));
    const auto c = compile<double>(model(mu_p, sigma_p, observe<"y">(normal(mu_p, sigma_p), y)));
    Eigen::VectorXd q;
    c.unconstrain({{"mu", sv(mu)}, {"sigma", sv(sigma)}}, q);
    auto ws = c.make_workspace();
    Eigen::VectorXd grad;
    const double lp = c.log_likelihood(q, grad, ws);
    const auto [ref, dmu, dmu_g, dsigma] = direct([&](int) { return mu; });
    (void)dmu_g;
    CHECK(lp == Approx(static_cast<double>(ref)).epsilon(1e-13));
    CHECK(grad[0] == Approx(static_cast<double>(dmu)).epsilon(1e-10));
    CHECK(grad[1] == Approx(static_cast<double>(dsigma) * sigma).epsilon(1e-12));  // d/d log(sigma)
    // A second evaluation, at another point, reuses the moments.
    Eigen::VectorXd q2 = q;
    q2[0] += 0.5;
    const double lp2 = c.log_likelihood(q2, grad, ws);
    const auto [ref2, dmu2, dmu_g2, dsigma2] = direct([&](int) { return mu + 0.5; });
    (void)dmu_g2;
    CHECK(lp2 == Approx(static_cast<double>(ref2)).epsilon(1e-13));
    CHECK(grad[0] == Approx(static_cast<double>(dmu2)).epsilon(1e-10));
  }
  {
    const Eigen::Vector3d theta(mu, mu - 0.3, mu + 0.7);
    auto theta_p = param<"theta">(normal(0.0, 1e9), 3);
    auto sigma_p = param<"sigma">(half_normal(5.0));
    const auto c = compile<double>(model(theta_p, sigma_p, observe<"y">(normal(theta_p[g], sigma_p), y)));
    Eigen::VectorXd q;
    c.unconstrain({{"theta", theta}, {"sigma", sv(sigma)}}, q);
    auto ws = c.make_workspace();
    Eigen::VectorXd grad;
    const double lp = c.log_likelihood(q, grad, ws);
    const auto [ref, dmu, dmu_g, dsigma] = direct([&](int i) { return theta[g[i]]; });
    (void)dmu;
    CHECK(lp == Approx(static_cast<double>(ref)).epsilon(1e-13));
    for (int k = 0; k < 3; ++k) CHECK(grad[k] == Approx(static_cast<double>(dmu_g[static_cast<std::size_t>(k)])).epsilon(1e-10));
    CHECK(grad[3] == Approx(static_cast<double>(dsigma) * sigma).epsilon(1e-12));
  }
}

// Data used as a scale carry the sum of their logs (D66): short vectors go through normal's
// element-by-element pass, long ones through its vectorised one.
TEST_CASE("normal likelihoods with data scales match a direct sum", "[model]") {
  for (const int n : {7, 40}) {
    Eigen::VectorXd y(n), s(n);
    for (int i = 0; i < n; ++i) {
      y[i] = std::cos(1.3 * i) * 3.0;
      s[i] = 0.5 + 0.25 * (i % 5);
    }
    auto theta = param<"theta">(normal(0.0, 10.0), n);
    auto m = model(theta, observe<"y">(normal(theta, s), y));
    Eigen::VectorXd th(n);
    for (int i = 0; i < n; ++i) th[i] = 0.4 * i - 2.0;
    long double ref = 0;
    std::vector<long double> dth(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      const long double r = static_cast<long double>(y[i]) - th[i], v = static_cast<long double>(s[i]) * s[i];
      ref += -0.918938533204672741780329736405617639861L - std::log(static_cast<long double>(s[i])) - 0.5L * r * r / v;
      dth[static_cast<std::size_t>(i)] = r / v;
    }
    auto check = [&]<class T>(double tol_lp, double tol_grad) {
      const auto c = compile<T>(m);
      vector_t<T> q, grad;
      c.unconstrain({{"theta", th}}, q);
      auto ws = c.make_workspace();
      CHECK(c.log_likelihood(q, grad, ws) == Approx(static_cast<double>(ref)).epsilon(tol_lp));
      for (int i = 0; i < n; ++i)
        CHECK(grad[i] == Approx(static_cast<double>(dth[static_cast<std::size_t>(i)])).epsilon(tol_grad));
    };
    check.operator()<double>(1e-14, 1e-14);
    check.operator()<float>(1e-6, 1e-5);
  }
}
