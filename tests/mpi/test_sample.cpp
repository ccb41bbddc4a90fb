// exmc::mpi::sample under `mpirun -np 3`: every rank runs every test case (the calls are
// collective); rank 0 checks the gathered result against a local exmc::sample run, other ranks
// check that they got the non-root result. The exit code is nonzero if any rank failed.
#include <catch2/catch.hpp>
#include <mpi.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <exmc/mpi/environment.hpp>
#include <exmc/mpi/sample.hpp>
#include <exmc/nuts/nuts.hpp>

#include "../nuts/support.hpp"

namespace {

int rank() { return exmc::mpi::environment::rank(); }

nuts_test::diag_normal<> gaussian() { return {Eigen::Vector3d(-1.0, 0.0, 2.0), Eigen::Vector3d(0.5, 1.0, 2.0)}; }

// Throws from every evaluation on the ranks listed in `faulty`: a rank whose chains all fail.
struct faulty_on_ranks {
  using scalar = double;
  nuts_test::diag_normal<> base = gaussian();
  std::vector<int> faulty;
  std::ptrdiff_t dim() const { return base.dim(); }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
    for (int r : faulty)
      if (r == rank()) throw std::runtime_error("injected fault on rank " + std::to_string(r));
    return base.logp_grad(q, g);
  }
};

exmc::sample_options small_run() {
  exmc::sample_options o;
  o.chains = 5;
  o.warmup = 150;
  o.draws = 150;
  o.seed = 2024;
  o.threads = 2;
  o.save_warmup = true;
  return o;
}

void require_same_fit(const exmc::fit& a, const exmc::fit& b) {
  REQUIRE(a.chain_ids == b.chain_ids);
  REQUIRE(a.posterior.names == b.posterior.names);
  REQUIRE(a.sample_stats.names == b.sample_stats.names);
  REQUIRE(a.posterior.num_chains() == b.posterior.num_chains());
  for (std::size_t i = 0; i < a.posterior.chains.size(); ++i) {
    CHECK(a.posterior.chains[i] == b.posterior.chains[i]);
    CHECK(a.sample_stats.chains[i] == b.sample_stats.chains[i]);
  }
  REQUIRE(a.warmup_posterior.num_chains() == b.warmup_posterior.num_chains());
  for (std::size_t i = 0; i < a.warmup_posterior.chains.size(); ++i) {
    CHECK(a.warmup_posterior.chains[i] == b.warmup_posterior.chains[i]);
    CHECK(a.warmup_sample_stats.chains[i] == b.warmup_sample_stats.chains[i]);
  }
  CHECK(a.step_size == b.step_size);
  CHECK(a.grad_evals_warmup == b.grad_evals_warmup);
  CHECK(a.grad_evals_sampling == b.grad_evals_sampling);
  REQUIRE(a.status.size() == b.status.size());
  for (std::size_t c = 0; c < a.status.size(); ++c) {
    CHECK(a.inv_metric_diag[c] == b.inv_metric_diag[c]);
    CHECK(a.status[c].outcome == b.status[c].outcome);
    CHECK(a.status[c].message == b.status[c].message);
    CHECK(a.status[c].divergent == b.status[c].divergent);
  }
}

}  // namespace

TEST_CASE("gathered fit is bit-identical to the local run with the same seed", "[mpi]") {
  const auto d = gaussian();
  const auto o = small_run();
  for (const bool root_runs : {true, false}) {
    exmc::mpi::options mo;
    mo.root_runs_chains = root_runs;
    const exmc::mpi::result r = exmc::mpi::sample(d, o, mo);
    REQUIRE(r.root == (rank() == 0));
    if (!r.root) {
      CHECK(r.fit.status.empty());
      continue;
    }
    require_same_fit(r.fit, exmc::sample(d, o));
    CHECK(r.fit.all_ok());
    CHECK(r.retries.empty());
    CHECK(r.lost_ranks.empty());
    // Round-robin over the ranks that run chains.
    CHECK(r.rank_of_chain == (root_runs ? std::vector<int>{0, 1, 2, 0, 1} : std::vector<int>{1, 2, 1, 2, 1}));
  }
}

TEST_CASE("a chain that fails on one rank is re-run from its seed on another", "[mpi]") {
  faulty_on_ranks d;
  d.faulty = {1};
  auto o = small_run();
  o.chains = 4;  // rank 1 gets exactly one chain: chain 1
  const exmc::mpi::result r = exmc::mpi::sample(d, o);
  if (!r.root) return;
  faulty_on_ranks healthy;  // rank 0 never faults
  require_same_fit(r.fit, exmc::sample(healthy, o));
  CHECK(r.fit.all_ok());
  REQUIRE(r.retries.size() == 1);
  const auto& t = r.retries[0];
  CHECK(t.chain == 1);
  CHECK(t.failed_on == 1);
  CHECK(t.rerun_on != 1);
  CHECK(r.rank_of_chain[1] == t.rerun_on);
  CHECK(t.reason.find("injected fault on rank 1") != std::string::npos);
  CHECK(t.reason.find("chain 2") != std::string::npos);  // index 1, numbered from 1 in messages (D107)
}

TEST_CASE("rank 0's on_chain_end hears of every attempt, a failed one before its re-run", "[mpi]") {
  faulty_on_ranks d;
  d.faulty = {1};
  auto o = small_run();
  o.chains = 4;  // chain 1 fails on rank 1 and is re-run elsewhere
  std::mutex m;
  std::map<int, std::vector<exmc::chain_outcome>> ended;
  o.on_chain_end = [&](int c, const exmc::chain_status& s) {
    std::lock_guard lock(m);
    ended[c].push_back(s.outcome);
  };
  const exmc::mpi::result r = exmc::mpi::sample(d, o);
  if (!r.root) {
    CHECK(ended.empty());  // only rank 0 reports (a dashboard lives there)
    return;
  }
  using exmc::chain_outcome;
  CHECK(ended[1] == std::vector{chain_outcome::failed, chain_outcome::ok});
  for (int c : {0, 2, 3}) CHECK(ended[c] == std::vector{chain_outcome::ok});
}

TEST_CASE("a chain failing on every rank is reported failed after its retries", "[mpi]") {
  faulty_on_ranks d;
  d.faulty = {0, 1, 2};
  auto o = small_run();
  o.chains = 2;
  o.init_tries = 3;
  exmc::mpi::options mo;
  mo.max_retries = 2;
  const exmc::mpi::result r = exmc::mpi::sample(d, o, mo);
  if (!r.root) return;
  REQUIRE(r.fit.status.size() == 2);
  CHECK(r.fit.chain_ids.empty());
  CHECK(r.fit.posterior.num_chains() == 0);
  REQUIRE(r.retries.size() == 4);  // each chain: the first attempt and two retries, on three ranks
  for (int c = 0; c < 2; ++c) {
    const auto& s = r.fit.status[static_cast<std::size_t>(c)];
    CHECK(s.outcome == exmc::chain_outcome::failed);
    CHECK(s.message.find("injected fault on rank " + std::to_string(r.rank_of_chain[static_cast<std::size_t>(c)])) !=
          std::string::npos);
    std::vector<int> ranks;
    for (const auto& t : r.retries)
      if (t.chain == c) {
        if (ranks.empty()) ranks.push_back(t.failed_on);
        CHECK(t.failed_on == ranks.back());
        ranks.push_back(t.rerun_on);
      }
    std::sort(ranks.begin(), ranks.end());
    CHECK(ranks == std::vector<int>{0, 1, 2});  // never twice on one rank
  }
}

TEST_CASE("rank 0's callback receives every draw of every chain exactly once", "[mpi]") {
  const auto d = gaussian();
  auto o = small_run();
  std::map<std::pair<int, long>, std::vector<double>> seen;
  int duplicates = 0;
  if (rank() == 0)
    o.callback = [&](const exmc::draw_event& e) {
      const bool fresh = seen.emplace(std::pair{e.chain, e.iteration}, std::vector<double>(e.values.begin(), e.values.end())).second;
      duplicates += fresh ? 0 : 1;
      CHECK((e.names != nullptr && e.names->size() == 3));
      return true;
    };
  const exmc::mpi::result r = exmc::mpi::sample(d, o);
  if (!r.root) return;
  CHECK(duplicates == 0);
  CHECK(seen.size() == static_cast<std::size_t>(o.chains * (o.warmup + o.draws)));
  for (int c = 0; c < o.chains; ++c) {
    const Eigen::MatrixXd& post = r.fit.posterior.chains[static_cast<std::size_t>(c)];
    for (long i = 0; i < o.draws; ++i) {
      const auto it = seen.find({c, o.warmup + i});
      REQUIRE(it != seen.end());
      CHECK(Eigen::Map<const Eigen::VectorXd>(it->second.data(), 3) == post.row(i).transpose());
    }
  }
  require_same_fit(r.fit, exmc::sample(d, small_run()));  // streaming leaves the draws alone
}

TEST_CASE("ranks that disagree on the options all raise model_error", "[mpi]") {
  const auto d = gaussian();
  auto o = small_run();
  if (rank() == 1) o.draws += 1;
  try {
    exmc::mpi::sample(d, o);
    FAIL("no model_error");
  } catch (const exmc::model_error& e) {
    if (rank() <= 1) {
      CHECK(std::string(e.what()).find("rank 1") != std::string::npos);
      CHECK(std::string(e.what()).find("draws") != std::string::npos);
    }
  }
  o = small_run();
  o.chains = 0;  // invalid everywhere: the usual option check
  CHECK_THROWS_WITH(exmc::mpi::sample(d, o), Catch::Contains("chains must be at least 1"));
  exmc::mpi::options mo;
  mo.heartbeat_seconds = 1.0;
  mo.timeout_seconds = 1.5;
  CHECK_THROWS_WITH(exmc::mpi::sample(d, small_run(), mo), Catch::Contains("timeout_seconds"));
  // After all that, the ranks are still in step.
  const auto r = exmc::mpi::sample(d, small_run());
  if (r.root) CHECK(r.fit.all_ok());
}

// Last on purpose: rank 2 freezes itself (SIGSTOP) at its first density evaluation; rank 0 gives
// it up after timeout_seconds, re-runs its chains, and wakes it (SIGCONT) once the result is in.
// A live rank starved past the timeout on a loaded machine is only lost as well: the checks hold.
TEST_CASE("a rank that falls silent is given up and its chains re-run elsewhere", "[mpi]") {
  struct freezes_on_rank_2 {
    using scalar = double;
    nuts_test::diag_normal<> base = gaussian();
    std::ptrdiff_t dim() const { return base.dim(); }
    double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
      static std::atomic<bool> fired{false};
      if (rank() == 2 && !fired.exchange(true)) raise(SIGSTOP);
      return base.logp_grad(q, g);
    }
  };
  int pid = static_cast<int>(getpid());
  std::vector<int> pids(3);
  MPI_Gather(&pid, 1, MPI_INT, pids.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  auto o = small_run();
  exmc::mpi::options mo;
  mo.heartbeat_seconds = 0.1;
  mo.timeout_seconds = 2.0;
  const exmc::mpi::result r = exmc::mpi::sample(freezes_on_rank_2{}, o, mo);
  if (!r.root) return;
  kill(pids[2], SIGCONT);
  REQUIRE(std::find(r.lost_ranks.begin(), r.lost_ranks.end(), 2) != r.lost_ranks.end());
  CHECK(r.fit.all_ok());
  require_same_fit(r.fit, exmc::sample(gaussian(), o));
  for (int c : {2}) {  // rank 2's share
    CHECK(r.rank_of_chain[static_cast<std::size_t>(c)] != 2);
    const auto it = std::find_if(r.retries.begin(), r.retries.end(), [&](const auto& t) { return t.chain == c; });
    REQUIRE(it != r.retries.end());
    CHECK(it->failed_on == 2);
    CHECK(it->reason.find("sent nothing") != std::string::npos);
  }
}
