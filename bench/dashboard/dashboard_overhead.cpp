// What the live dashboard costs the sampler: ESS/s of the seven benchmark models with the
// dashboard off (no callback at all) and on (attached, with a page's stream open and read, as a
// browser would), the two runs interleaved and repeated. The dashboard only observes, so both
// runs make bit-identical draws (checked) and the same ESS: the ESS/s ratio is the wall-time
// ratio. Prints a Markdown table of the fastest repeat of each.
//   dashboard_overhead [--chains 4] [--draws 1000] [--repeat 5] [--models simple,medium,...] [--seed 1]
// Timed: exmc::sample alone (wall, and process CPU, the dashboard's threads included); finish()
// runs after it, as a program's own summary would.
//
// What a chain itself pays, in instructions (deterministic; docs/benchmarks.md's method):
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null dashboard_overhead --only none --models sv
// with --only none (no callback), callback (a callback that does nothing: the sampler's own cost
// of streaming) or store (the dashboard's callback, its server left out); one chain, one run.
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exmc/exmc.hpp>
#include <exmc/dashboard/dashboard.hpp>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "models/models.hpp"

namespace {

double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct timing {
  double wall = 1e300, cpu = 1e300;
  std::size_t stream_bytes = 0;
};

// One run; with `live`, a dashboard is attached and a client reads its event stream throughout;
// with `serialised` too, the chains call its callback under exmc's run-wide lock, as before
// attach() set concurrent_callback (D131).
template <class D>
exmc::fit run(const D& density, exmc::sample_options o, bool live, timing& t, bool serialised = false) {
  std::optional<exmc::dashboard> dash;
  std::atomic<bool> done{false};
  std::atomic<std::size_t> bytes{0};
  std::thread viewer;
  if (live) {
    exmc::dashboard_options d;
    d.port = 0;
    d.log = nullptr;
    dash.emplace(o, d);
    dash->attach(o);
    if (serialised) o.concurrent_callback = false;
    viewer = std::thread([&, port = dash->port()] {
      httplib::Client c("127.0.0.1", port);
      c.set_read_timeout(30, 0);
      c.Get("/api/stream?q=0,1,2", [&](const char*, std::size_t n) {
        bytes += n;
        return !done.load();
      });
    });
    dash->wait_for_viewer(10.0);
  }
  const double c0 = cpu_now();
  const auto t0 = std::chrono::steady_clock::now();
  exmc::fit f = exmc::sample(density, o);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  t.wall = std::min(t.wall, wall);
  t.cpu = std::min(t.cpu, cpu_now() - c0);  // the dashboard's own threads included
  if (live) {
    dash->finish(f);  // after the run, like a program's own summary(f)
    done = true;
    dash->stop();
    viewer.join();
    t.stream_bytes = bytes;
  }
  return f;
}

double min_bulk_ess(const exmc::fit& f) {
  double m = 1e300;
  for (Eigen::Index j = 0; j < f.posterior.num_quantities(); ++j) {
    const double e = exmc::ess_bulk(f.posterior.column(j));
    if (std::isfinite(e)) m = std::min(m, e);
  }
  return m;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string x; std::getline(ss, x, ',');) out.push_back(x);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int chains = 4, repeats = 5, draws = 1000;
  std::uint64_t seed = 1;
  std::vector<std::string> models{"simple", "medium", "stress", "eight_schools", "funnel", "logistic", "sv"};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--chains") chains = std::max(1, std::atoi(v.c_str()));
    else if (a == "--repeat") repeats = std::max(1, std::atoi(v.c_str()));
    else if (a == "--draws") draws = std::max(1, std::atoi(v.c_str()));
    else if (a == "--seed") seed = std::strtoull(v.c_str(), nullptr, 10);
    else if (a == "--models") models = split(v);
    else if (a == "--only") continue;
    else {
      std::cerr << "unknown option " << a << "\n";
      return 2;
    }
  }
  const char* dir_env = std::getenv("EXMC_DATA_DIR");
  std::string only;
  for (int i = 1; i + 1 < argc; i += 2)
    if (std::string(argv[i]) == "--only") only = argv[i + 1];
  const std::string dir = dir_env ? dir_env : EXMC_DATA_DIR;
  if (only.empty()) {
    std::printf("%d chains on %d threads, 1000 warmup + %d draws, seed %llu, fastest of %d interleaved repeats\n\n", chains,
                chains, draws, static_cast<unsigned long long>(seed), repeats);
    std::printf("| model | min bulk-ESS | wall off (s) | wall on (s) | ESS/s off | ESS/s on | on / off | CPU off (s) | CPU on (s) | CPU on / off | CPU on, serialised (s) | streamed |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  }
  bool identical = true;
  const auto measure = [&](const std::string& name, const auto& model) {
    const auto density = exmc::compile<double>(model);
    if (!only.empty()) {  // one chain, one run, for callgrind
      exmc::sample_options o;
      o.chains = 1;
      o.threads = 1;
      o.seed = seed;
      o.draws = draws;
      std::optional<exmc::dash::store> store;
      if (only == "callback") o.callback = [](const exmc::draw_event&) { return true; };
      if (only == "store") {
        store.emplace(exmc::dash::run_shape::of(o, name));
        o.callback = [&](const exmc::draw_event& e) {
          store->add(e);
          return true;
        };
      }
      const exmc::fit f = exmc::sample(density, o);
      if (store) store->ingest();
      std::printf("%s %s: %zu draws\n", name.c_str(), only.c_str(), static_cast<std::size_t>(f.posterior.num_draws()));
      return;
    }
    exmc::sample_options o;
    o.chains = chains;
    o.threads = chains;
    o.seed = seed;
    o.draws = draws;
    timing off, on, serial;
    exmc::fit a, b;
    for (int r = 0; r < repeats; ++r) {
      a = run(density, o, false, off);
      b = run(density, o, true, on);
      run(density, o, true, serial, true);
    }
    for (std::size_t c = 0; c < a.posterior.chains.size(); ++c) identical = identical && a.posterior.chains[c] == b.posterior.chains[c];
    const double ess = min_bulk_ess(a);
    std::printf("| %s | %.0f | %.3f | %.3f | %.0f | %.0f | %.3f | %.3f | %.3f | %.3f | %.3f | %.0f kB |\n", name.c_str(), ess, off.wall,
                on.wall, ess / off.wall, ess / on.wall, off.wall / on.wall, off.cpu, on.cpu, on.cpu / off.cpu, serial.cpu,
                static_cast<double>(on.stream_bytes) / 1e3);
    std::fflush(stdout);
  };
  namespace b = exmc::bench;
  for (const auto& m : models) {
    const auto d = exmc::data_file::from_file(dir + "/" + m + ".json");
    if (m == "simple") measure(m, b::simple_model(d));
    else if (m == "medium") measure(m, b::medium_model(d));
    else if (m == "stress") measure(m, b::stress_model(d));
    else if (m == "eight_schools") measure(m, b::eight_schools_model(d));
    else if (m == "funnel") measure(m, b::funnel_model(d));
    else if (m == "logistic") measure(m, b::logistic_model(d));
    else if (m == "sv") measure(m, b::sv_model(d));
    else {
      std::cerr << "unknown model " << m << "\n";
      return 2;
    }
  }
  if (only.empty()) std::printf("\ndraws with the dashboard %s those without\n", identical ? "are bit-identical to" : "DIFFER from");
  return identical ? 0 : 1;
}
