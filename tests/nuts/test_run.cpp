// The driver: reproducibility across thread counts, streaming and early stop, option checks,
// warm starts, thinning, kept quantities and bookkeeping.
#include <catch2/catch.hpp>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <stop_token>
#include <thread>

#include <exmc/nuts/nuts.hpp>

#include "support.hpp"

namespace {
nuts_test::diag_normal<> gaussian(int d) {
  return {Eigen::VectorXd::LinSpaced(d, -1.0, 1.0), Eigen::VectorXd::LinSpaced(d, 0.5, 2.0)};
}
}  // namespace

TEST_CASE("same seed: bit-identical draws with 1 and 4 threads", "[nuts][run]") {
  const auto d = gaussian(5);
  exmc::sample_options o;
  o.seed = 77;
  o.warmup = 300;
  o.draws = 300;
  o.save_warmup = true;
  o.threads = 1;
  const auto a = exmc::sample(d, o);
  o.threads = 4;
  const auto b = exmc::sample(d, o);
  REQUIRE(a.posterior.num_chains() == 4);
  for (std::size_t c = 0; c < 4; ++c) {
    CHECK(a.posterior.chains[c] == b.posterior.chains[c]);
    CHECK(a.sample_stats.chains[c] == b.sample_stats.chains[c]);
    CHECK(a.warmup_posterior.chains[c] == b.warmup_posterior.chains[c]);
    CHECK(a.step_size[c] == b.step_size[c]);
  }
  CHECK(a.posterior.chains[0] != a.posterior.chains[1]);  // chains use different streams
  o.seed = 78;
  CHECK(exmc::sample(d, o).posterior.chains[0] != a.posterior.chains[0]);
}

TEST_CASE("statistics columns and bookkeeping", "[nuts][run]") {
  const auto d = gaussian(3);
  exmc::sample_options o;
  o.chains = 2;
  o.warmup = 200;
  o.draws = 300;
  o.seed = 5;
  const auto f = exmc::sample(d, o);
  CHECK(f.sample_stats.names == std::vector<std::string>{"lp__", "accept_stat__", "stepsize__", "treedepth__",
                                                        "n_leapfrog__", "divergent__", "energy__"});
  CHECK(f.posterior.names == std::vector<std::string>{"q[0]", "q[1]", "q[2]"});
  CHECK(f.warmup_posterior.num_chains() == 0);
  for (std::size_t c = 0; c < 2; ++c) {
    const Eigen::MatrixXd& s = f.sample_stats.chains[c];
    REQUIRE(s.rows() == 300);
    // Every sampling gradient evaluation is a leapfrog step (no searches after warmup).
    CHECK(static_cast<std::size_t>(s.col(4).sum()) == f.grad_evals_sampling[c]);
    CHECK(f.grad_evals_warmup[c] > 200);
    CHECK((s.col(2).array() == f.step_size[c]).all());  // the adapted step size is fed back
    CHECK((s.col(4).array() <= (s.col(3).array() + 1).unaryExpr([](double k) { return std::exp2(k) - 1; })).all());
    CHECK(s.col(1).maxCoeff() <= 1.0);
    CHECK(s.col(1).minCoeff() >= 0.0);
    // lp__ is the log density of the stored draw.
    Eigen::VectorXd g(3), q = f.posterior.chains[c].row(7).transpose();
    CHECK(s(7, 0) == Approx(d.logp_grad(q, g)));
    CHECK(f.warmup_seconds[c] > 0.0);
    CHECK(f.sampling_seconds[c] > 0.0);
  }
}

TEST_CASE("thinning, kept quantities and saved warmup", "[nuts][run]") {
  const auto d = gaussian(4);
  exmc::sample_options o;
  o.chains = 2;
  o.warmup = 101;
  o.draws = 100;
  o.thin = 3;
  o.save_warmup = true;
  o.keep = {"q[3]", "q[1]"};
  const auto f = exmc::sample(d, o);
  CHECK(f.posterior.names == std::vector<std::string>{"q[3]", "q[1]"});
  CHECK(f.posterior.num_draws() == 34);
  CHECK(f.warmup_posterior.num_draws() == 34);
  CHECK(f.warmup_sample_stats.num_draws() == 34);
  o.keep = {"q[9]"};
  CHECK_THROWS_AS(exmc::sample(d, o), exmc::model_error);
}

TEST_CASE("the callback sees every iteration and can stop all chains", "[nuts][run]") {
  const auto d = gaussian(2);
  exmc::sample_options o;
  o.warmup = 50;
  o.draws = 60;
  o.thin = 7;  // thinning affects storage only
  std::map<int, int> calls, warm_calls;
  std::set<std::thread::id> threads;
  bool in_callback = false, overlapped = false;
  o.callback = [&](const exmc::draw_event& e) {
    overlapped = overlapped || in_callback;  // callbacks are serialised
    in_callback = true;
    ++calls[e.chain];
    if (e.warmup) ++warm_calls[e.chain];
    threads.insert(std::this_thread::get_id());
    const bool values_ok = e.values.size() == 2 && e.names->size() == 2 && std::isfinite(e.values[0]);
    in_callback = false;
    return values_ok;
  };
  o.threads = 4;
  const auto f = exmc::sample(d, o);
  CHECK_FALSE(overlapped);
  CHECK(f.all_ok());
  for (int c = 0; c < 4; ++c) {
    CHECK(calls[c] == 110);
    CHECK(warm_calls[c] == 50);
  }

  std::atomic<int> seen{0};
  o.threads = 1;
  o.thin = 1;
  o.callback = [&](const exmc::draw_event& e) { return !(e.chain == 1 && ++seen == 70); };
  const auto g = exmc::sample(d, o);
  CHECK(g.status[0].outcome == exmc::chain_outcome::ok);  // finished before the stop
  CHECK(g.status[1].outcome == exmc::chain_outcome::stopped);
  CHECK(g.status[2].outcome == exmc::chain_outcome::stopped);
  CHECK(g.posterior.chains[0].rows() == 60);
  CHECK(g.posterior.chains[1].rows() == 20);  // 50 warmup + 20 draws seen, then stop
  // Chains without draws contribute none: chain 3 never started (its turn came after the stop).
  CHECK(g.chain_ids == std::vector<int>{0, 1});
  CHECK(g.posterior.num_draws() == 20);
  CHECK(g.status[1].message == "chain 2: stopped early after 20 of 60 draws: a callback asked to stop");
  CHECK(g.status[2].message == "chain 3: never started: the run was stopped first");

  o.callback = [](const exmc::draw_event&) -> bool { throw std::runtime_error("sink full"); };
  const auto h = exmc::sample(d, o);
  CHECK(h.status[0].outcome == exmc::chain_outcome::stopped);
  CHECK_THAT(h.status[0].message, Catch::Contains("callback threw: sink full"));
}

TEST_CASE("a concurrent callback runs on the chains side by side, and the draws stay the same", "[nuts][run]") {
  const auto d = gaussian(2);
  exmc::sample_options o;
  o.chains = 2;
  o.threads = 2;
  o.warmup = 30;
  o.draws = 40;
  o.seed = 11;
  // Chain 1's first call waits (up to 20 s) until chain 2 is inside the callback too, which
  // exmc's lock would prevent.
  std::atomic<int> inside{0};
  std::atomic<bool> met{false};
  std::array<std::atomic<int>, 2> calls{};
  o.callback = [&](const exmc::draw_event& e) {
    if (++inside == 2) met = true;
    if (e.chain == 0 && e.iteration == 0)
      for (int i = 0; i < 20'000 && !met; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ++calls[static_cast<std::size_t>(e.chain)];
    --inside;
    return true;
  };
  o.concurrent_callback = true;
  const auto f = exmc::sample(d, o);
  CHECK(met);
  CHECK(calls[0] == 70);
  CHECK(calls[1] == 70);

  o.concurrent_callback = false;
  o.callback = [](const exmc::draw_event&) { return true; };
  const auto g = exmc::sample(d, o);
  for (std::size_t c = 0; c < 2; ++c) CHECK(f.posterior.chains[c] == g.posterior.chains[c]);
}

TEST_CASE("a stop token ends sampling early", "[nuts][run]") {
  const auto d = gaussian(2);
  std::stop_source src;
  exmc::sample_options o;
  o.chains = 2;
  o.threads = 1;
  o.warmup = 100;
  o.draws = 100;
  o.stop = src.get_token();
  int n = 0;
  o.callback = [&](const exmc::draw_event&) {
    if (++n == 150) src.request_stop();
    return true;
  };
  const auto f = exmc::sample(d, o);
  CHECK(f.status[0].outcome == exmc::chain_outcome::stopped);
  CHECK(f.posterior.chains[0].rows() == 50);
  CHECK(f.status[1].outcome == exmc::chain_outcome::stopped);
}

TEST_CASE("warm start reuses step size and metric", "[nuts][run]") {
  const auto d = gaussian(4);
  exmc::sample_options o;
  o.chains = 2;
  o.seed = 3;
  const auto first = exmc::sample(d, o);
  const exmc::warm_start w = exmc::warm_start_from(first, 1);
  CHECK(w.step_size == first.step_size[1]);
  o.warm = w;
  o.warmup = 0;
  const auto second = exmc::sample(d, o);
  REQUIRE(second.all_ok());
  for (std::size_t c = 0; c < 2; ++c) {
    CHECK(second.step_size[c] == w.step_size);
    CHECK(second.inv_metric_diag[c] == w.inv_metric_diag);
    CHECK((second.sample_stats.chains[c].col(2).array() == w.step_size).all());
    CHECK(second.grad_evals_warmup[c] == 1);  // only the initial point
  }
  // Draws are still right (warm start did not break the metric plumbing).
  for (Eigen::Index i = 0; i < 4; ++i) {
    const auto m = nuts_test::mean_of(second.posterior.column(i));
    CHECK(std::abs(m.value - d.mu[i]) < 4.5 * m.mcse);
  }
  o.warm->inv_metric_diag = Eigen::VectorXd::Ones(3);
  CHECK_THROWS_WITH(exmc::sample(d, o), Catch::Contains("warm.inv_metric_diag has 3 entries, expected 4"));
  CHECK_THROWS_AS(exmc::warm_start_from(first, 5), exmc::model_error);
}

TEST_CASE("bad options throw model_error naming the option", "[nuts][run]") {
  const auto d = gaussian(2);
  auto expect = [&](auto&& tweak, const std::string& words) {
    exmc::sample_options o;
    tweak(o);
    CHECK_THROWS_AS(exmc::sample(d, o), exmc::model_error);
    CHECK_THROWS_WITH(exmc::sample(d, o), Catch::Contains(words));
  };
  expect([](auto& o) { o.chains = 0; }, "chains must be at least 1 (got 0)");
  expect([](auto& o) { o.warmup = -1; }, "warmup");
  expect([](auto& o) { o.draws = -5; }, "draws");
  expect([](auto& o) { o.thin = 0; }, "thin");
  expect([](auto& o) { o.threads = -1; }, "threads");
  expect([](auto& o) { o.target_accept = 1.0; }, "target_accept");
  expect([](auto& o) { o.max_depth = 0; }, "max_depth");
  expect([](auto& o) { o.init_radius = -1.0; }, "init_radius");
  expect([](auto& o) { o.step_size = 0.0; }, "step_size");
  expect([](auto& o) { o.init_unconstrained = Eigen::VectorXd::Zero(3); }, "init_unconstrained has 3 entries");
  expect([](auto& o) { o.init = {{"x", Eigen::VectorXd::Zero(1)}}; }, "no unconstrain()");
  expect([](auto& o) { o.metric = exmc::metric_kind::dense, o.adaptation = exmc::adaptation_kind::gradient; },
         "gradient-based adaptation");
  expect([](auto& o) { o.warm = exmc::warm_start{-1.0, {}, {}, {}}; }, "warm.step_size");
  expect([](auto& o) {
    Eigen::Matrix2d m;
    m << 1, 2, 2, 1;
    o.metric = exmc::metric_kind::dense;
    o.warm = exmc::warm_start{0.5, {}, m, {}};
  }, "positive definite");
  auto low_rank_warm = [](Eigen::Index d, Eigen::MatrixXd u, Eigen::Index k) {
    exmc::warm_start w;
    w.step_size = 0.5;
    w.inv_metric_low_rank.diag = Eigen::VectorXd::Ones(d);
    w.inv_metric_low_rank.vectors = std::move(u);
    w.inv_metric_low_rank.values = Eigen::VectorXd::Ones(k);
    return w;
  };
  expect([&](auto& o) { o.warm = low_rank_warm(3, Eigen::MatrixXd::Zero(3, 1), 1); }, "inv_metric_low_rank must have a diag of 2");
  expect([&](auto& o) { o.warm = low_rank_warm(2, Eigen::MatrixXd::Ones(2, 1), 1); }, "orthonormal");
  expect([&](auto& o) {
    o.warm = low_rank_warm(2, Eigen::MatrixXd::Zero(2, 0), 0);
    o.warm->inv_metric_low_rank.diag[1] = -1;
  }, "finite and positive");
  nuts_test::diag_normal<> empty{Eigen::VectorXd(0), Eigen::VectorXd(0)};
  CHECK_THROWS_WITH(exmc::sample(empty, {}), Catch::Contains("no coordinates"));
}

TEST_CASE("unit metric and short warmups still sample correctly", "[nuts][run]") {
  const auto d = gaussian(3);
  for (int warmup : {10, 60}) {
    for (auto metric : {exmc::metric_kind::unit, exmc::metric_kind::diag, exmc::metric_kind::dense, exmc::metric_kind::low_rank}) {
      exmc::sample_options o;
      o.seed = 11;
      o.warmup = warmup;
      o.metric = metric;
      const auto f = exmc::sample(d, o);
      REQUIRE(f.all_ok());
      INFO("warmup " << warmup << " metric " << exmc::to_string(metric));
      for (Eigen::Index i = 0; i < 3; ++i) {
        const auto m = nuts_test::mean_of(f.posterior.column(i));
        CHECK(std::abs(m.value - d.mu[i]) < 4.5 * m.mcse);
      }
      if (metric == exmc::metric_kind::unit) CHECK(f.inv_metric_diag[0] == Eigen::VectorXd::Ones(3));
    }
  }
}
