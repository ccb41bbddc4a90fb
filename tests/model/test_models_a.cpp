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
