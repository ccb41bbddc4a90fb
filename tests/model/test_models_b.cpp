#include "benchmark_models.hpp"

using namespace exmc;

TEST_CASE("funnel model equals its hand-written density", "[model]") {
  const auto d = test::bench_data("funnel");
  test::check_against_reference(bench::funnel_model(d), reference::funnel<double>::from(d));
}
TEST_CASE("logistic model equals its hand-written density", "[model]") {
  const auto d = test::bench_data("logistic");
  test::check_against_reference(bench::logistic_model(d), reference::logistic<double>::from(d), 0.3);
}
TEST_CASE("sv model equals its hand-written density", "[model]") {
  const auto d = test::bench_data("sv");
  test::check_against_reference(bench::sv_model(d), reference::sv<double>::from(d));
}
