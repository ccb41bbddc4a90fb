// The dashboard without a browser: the store (bounded memory, exact counters, the incremental
// protocol), the sampler's chain-end hook, the HTTP server on 127.0.0.1 (late, repeated and
// too many viewers, refused hosts, shutdown) and the static report. The page itself is checked
// in a browser by browser_check.py, the command line by cli_check.cmake (both with the examples).
#include <catch2/catch.hpp>

#include <exmc/dashboard/dashboard.hpp>
#include <exmc/exmc.hpp>
#include <exmc/io/stan_csv_reader.hpp>
#include <exmc/io/stan_csv_writer.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "schools.hpp"

namespace {

using json = nlohmann::json;

// Synthetic draws: value j of chain c at iteration it is a known function, so what arrives can
// be checked exactly.
struct feeder {
  std::vector<std::string> names{"a", "b[0]", "b[1]"};
  std::vector<double> values = std::vector<double>(3);
  exmc::draw_event make(int chain, long it, int warmup, bool divergent = false) {
    exmc::draw_event ev;
    ev.chain = chain;
    ev.iteration = it;
    ev.warmup = it < warmup;
    ev.names = &names;
    values = {static_cast<double>(it), chain + 0.5, std::sin(0.01 * static_cast<double>(it) + chain)};
    ev.values = values;
    ev.lp = -static_cast<double>(it % 17);
    ev.accept_stat = 0.75;
    ev.step_size = 0.5;
    ev.treedepth = it % 11 == 0 ? 10 : 3;
    ev.n_leapfrog = 7;
    ev.divergent = divergent;
    ev.energy = static_cast<double>((it * 7) % 13);
    return ev;
  }
};

exmc::dash::run_shape shape(int chains, int warmup, int draws) {
  exmc::dash::run_shape s;
  s.chains = chains;
  s.warmup = warmup;
  s.draws = draws;
  return s;
}

// A reader that applies snapshots and deltas as the page does (page_app.hpp's merge and
// thin), so that the protocol can be checked against a fresh snapshot.
struct mirror {
  std::map<int, std::vector<double>> it, a, div_ord;
  std::map<int, int> epoch;
  void apply(const json& u) {
    if (u["type"] == "snapshot") it.clear(), a.clear(), div_ord.clear(), epoch.clear();
    for (const char* key : {"points", "divergent"}) {
      if (!u.contains(key)) continue;
      for (const auto& p : u[key]) {
        const int c = p["chain"];
        if (!epoch.count(c) || epoch[c] != p["epoch"]) it[c].clear(), a[c].clear(), div_ord[c].clear();
        epoch[c] = p["epoch"];
        if (std::string(key) == "points") {
          if (p["reset"]) it[c].clear(), a[c].clear();
          for (const auto& x : p["it"]) it[c].push_back(x);
          for (const auto& x : p["q"][0]) a[c].push_back(x);
        } else {
          if (p["reset"]) div_ord[c].clear();
          for (const auto& x : p["ord"]) div_ord[c].push_back(x);
        }
      }
    }
    if (u.contains("chains"))
      for (std::size_t c = 0; c < u["chains"].size(); ++c) {
        const long stride = u["chains"][c]["stride"], dstride = u["chains"][c]["div_stride"];
        std::vector<double> it2, a2, d2;
        for (std::size_t i = 0; i < it[static_cast<int>(c)].size(); ++i)
          if (static_cast<long>(it[static_cast<int>(c)][i]) % stride == 0) it2.push_back(it[static_cast<int>(c)][i]), a2.push_back(a[static_cast<int>(c)][i]);
        for (double o : div_ord[static_cast<int>(c)])
          if (static_cast<long>(o) % dstride == 0) d2.push_back(o);
        it[static_cast<int>(c)] = it2, a[static_cast<int>(c)] = a2, div_ord[static_cast<int>(c)] = d2;
      }
  }
};

}  // namespace

TEST_CASE("energy_fraction is diagnostics' E-BFMI computed one value at a time", "[dashboard]") {
  Eigen::VectorXd e(500);
  exmc::rng r(3, 0);
  for (Eigen::Index i = 0; i < e.size(); ++i) e[i] = (i ? 0.7 * e[i - 1] : 0.0) + r.normal();
  exmc::dash::energy_fraction f;
  for (Eigen::Index i = 0; i < e.size(); ++i) f.add(e[i]);
  CHECK(f.value() == Approx(exmc::detail::e_bfmi(e)).epsilon(1e-12));
}

TEST_CASE("a million draws keep a bounded, evenly thinned history with exact counters", "[dashboard]") {
  feeder fd;
  const long n = 1'000'000;
  exmc::dash::store s(shape(2, 1000, static_cast<int>(n - 1000)), {.points_per_chain = 256, .divergences_per_chain = 64});
  // Chain 1 draws a million times; chain 0 only the first 1000 (warmup), and stays "running".
  long divergences = 0, depth_hits = 0;
  for (long it = 0; it < n; ++it) {
    for (int c = it < 1000 ? 0 : 1; c < 2; ++c) {
      const bool div = it % 97 == 5 && c == 1;
      divergences += div;
      const auto ev = fd.make(c, it, 1000, div);
      depth_hits += c == 1 && !ev.warmup && ev.treedepth >= 10;
      s.add(ev);
    }
    if (it % 50'000 == 0) s.ingest();
  }
  s.ingest();
  exmc::dash::view v;
  v.selection = {0, 2};
  v.want_default = false;
  const std::string text = s.update(v);
  CHECK(text.size() < 200'000);  // what a browser gets first, whatever the length of the run
  const json u = json::parse(text);
  REQUIRE(u["points"].size() == 2);
  for (const auto& p : u["points"]) {
    const auto& its = p["it"];
    CHECK(its.size() <= 256);
    CHECK(its.size() >= 128);
    const long stride = u["chains"][p["chain"].get<int>()]["stride"];
    for (std::size_t i = 0; i < its.size(); ++i) {
      CHECK(its[i].get<long>() == static_cast<long>(i) * stride);  // evenly spaced from 0
      CHECK(p["q"][0][i].get<double>() == its[i].get<double>());   // values travel with their iteration
    }
  }
  const auto& c1 = u["chains"][1];
  CHECK(c1["it"] == n - 1);
  CHECK(c1["state"] == "done");
  CHECK(c1["div"].get<long>() + c1["div_warmup"].get<long>() == divergences);
  CHECK(c1["depth_hits"].get<long>() == depth_hits);
  REQUIRE(u["divergent"].size() == 2);
  const auto& d1 = u["divergent"][1];
  CHECK(d1["chain"] == 1);
  CHECK(d1["it"].size() <= 64);
  CHECK(d1["it"].size() >= 32);
  for (const auto& it : d1["it"]) CHECK(it.get<long>() % 97 == 5);
  CHECK(u["run"]["dropped"] == 0);
  CHECK(u["chains"][0]["state"] == "running");
  CHECK(u["run"]["state"] == "running");  // until every chain has ended
}

TEST_CASE("deltas rebuild exactly what a fresh snapshot shows", "[dashboard]") {
  feeder fd;
  exmc::dash::store s(shape(3, 50, 2000), {.points_per_chain = 64, .divergences_per_chain = 8});
  exmc::dash::view reader;
  reader.selection = {0};
  reader.want_default = false;
  mirror m;
  for (long it = 0; it < 2050; ++it) {
    for (int c = 0; c < 3; ++c) s.add(fd.make(c, it, 50, (it + c) % 13 == 0));
    if (it % 37 == 0) s.ingest();
    if (it % 111 == 0)
      if (const std::string d = s.update(reader); !d.empty()) m.apply(json::parse(d));
  }
  s.ingest();
  m.apply(json::parse(s.update(reader)));
  CHECK(s.update(reader).empty());  // nothing new: no event
  exmc::dash::view fresh;
  fresh.selection = {0};
  fresh.want_default = false;
  mirror all;
  all.apply(json::parse(s.update(fresh)));
  for (int c = 0; c < 3; ++c) {
    CHECK(m.it[c] == all.it[c]);
    CHECK(m.a[c] == all.a[c]);
    CHECK(m.div_ord[c] == all.div_ord[c]);
    CHECK(!all.it[c].empty());
  }
}

TEST_CASE("a chain that fails and is run again starts a new attempt", "[dashboard]") {
  feeder fd;
  exmc::dash::store s(shape(2, 10, 20));
  for (long it = 0; it < 15; ++it) s.add(fd.make(0, it, 10));
  exmc::chain_status failed;
  failed.outcome = exmc::chain_outcome::failed;
  failed.message = "chain 0: logp_grad threw in 10 consecutive iterations";
  s.chain_ended(0, failed);
  s.ingest();
  exmc::dash::view v;
  json u = json::parse(s.update(v));
  CHECK(u["chains"][0]["state"] == "failed");
  CHECK(u["chains"][0]["message"] == failed.message);
  CHECK(u["run"]["state"] == "running");  // chain 1 has not ended
  for (long it = 0; it < 5; ++it) s.add(fd.make(0, it, 10));  // the re-run (MPI) starts again at 0
  s.ingest();
  u = json::parse(s.update(v));
  CHECK(u["chains"][0]["state"] == "running");
  CHECK(u["chains"][0]["epoch"] == 1);
  CHECK_THAT(u["chains"][0]["message"].get<std::string>(), Catch::StartsWith("re-run after: chain 0: logp_grad threw"));
  REQUIRE(u["points"].size() >= 1);
  CHECK(u["points"][0]["reset"] == true);
  CHECK(u["points"][0]["it"].size() == 5);
}

TEST_CASE("running R-hat and ESS are exmc::summarise of the kept sampling draws", "[dashboard]") {
  feeder fd;
  exmc::dash::store s(shape(2, 100, 400));
  Eigen::MatrixXd a(400, 2), b1(400, 2);
  for (long it = 0; it < 500; ++it)
    for (int c = 0; c < 2; ++c) {
      const auto ev = fd.make(c, it, 100);
      s.add(ev);
      if (it >= 100) a(it - 100, c) = ev.values[0], b1(it - 100, c) = ev.values[2];
    }
  s.ingest();
  s.refresh_summary(10.0);
  exmc::dash::view v;
  const json u = json::parse(s.update(v));
  const auto& rows = u["summary"]["rows"];
  REQUIRE(rows.size() == 3);
  const auto ra = exmc::summarise("a", a), rb = exmc::summarise("b[1]", b1);
  CHECK(rows[0][0] == 0);
  CHECK(rows[0][1].get<double>() == Approx(ra.mean).epsilon(1e-5));
  CHECK(rows[2][6].get<double>() == Approx(rb.r_hat).epsilon(1e-5));
  CHECK(rows[2][7].get<double>() == Approx(rb.ess_bulk).epsilon(1e-5));
  CHECK(u["summary"]["final"] == false);
  CHECK(u["summary"]["draws"] == 400);
}

TEST_CASE("sample() tells on_chain_end how every chain ended", "[dashboard][nuts]") {
  struct std_normal {
    using scalar = double;
    std::ptrdiff_t dim() const { return 2; }
    double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
      g = -q;
      return -0.5 * q.squaredNorm();
    }
  } d;
  exmc::sample_options o;
  o.chains = 3;
  o.warmup = 50;
  o.draws = 50;
  std::mutex m;
  std::vector<int> ended;
  o.on_chain_end = [&](int c, const exmc::chain_status& s) {
    std::lock_guard lock(m);
    CHECK(s.outcome == exmc::chain_outcome::ok);
    ended.push_back(c);
  };
  const auto f = exmc::sample(d, o);
  std::sort(ended.begin(), ended.end());
  CHECK(ended == std::vector<int>{0, 1, 2});
  o.on_chain_end = [](int, const exmc::chain_status&) { throw std::runtime_error("observer fault"); };
  CHECK(exmc::sample(d, o).all_ok());  // an observer's exception never ends a run
}

namespace {

// The model of the server tests: the centred eight schools, which diverges now and then.
dashboard_test::schools schools() { return {}; }

exmc::dashboard_options quiet_options() {
  exmc::dashboard_options d;
  d.port = 0;
  d.log = nullptr;
  d.refresh_seconds = 0.05;
  d.title = "test <run>";
  return d;
}

httplib::Client client(const exmc::dashboard& d) {
  httplib::Client c("127.0.0.1", d.port());
  c.set_connection_timeout(2, 0);
  c.set_read_timeout(5, 0);
  return c;
}

// Reads the event stream until `enough` says so (or 10 s pass), then hangs up; the events' names
// and data in order.
std::vector<std::pair<std::string, std::string>> listen(const exmc::dashboard& d, const std::string& query,
                                                        const std::function<bool(const std::vector<std::pair<std::string, std::string>>&)>& enough) {
  auto c = client(d);
  std::string buffer;
  std::vector<std::pair<std::string, std::string>> events;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto res = c.Get(("/api/stream?q=" + query).c_str(), [&](const char* data, std::size_t n) {
    buffer.append(data, n);
    for (std::size_t end = buffer.find("\n\n"); end != std::string::npos; end = buffer.find("\n\n")) {
      std::string block = buffer.substr(0, end), name = "message", body;
      buffer.erase(0, end + 2);
      std::istringstream lines(block);
      for (std::string line; std::getline(lines, line);) {
        if (line.rfind("event: ", 0) == 0) name = line.substr(7);
        if (line.rfind("data: ", 0) == 0) body += line.substr(6);
      }
      if (!body.empty()) events.emplace_back(name, body);
    }
    return !enough(events) && std::chrono::steady_clock::now() < until;
  });
  return events;
}

}  // namespace

TEST_CASE("the dashboard serves the page, the state and a stream to viewers who come and go", "[dashboard][server]") {
  auto density = schools();
  exmc::sample_options o;
  o.chains = 2;
  o.warmup = 200;
  o.draws = 300;
  o.seed = 5;
  exmc::dashboard dash(o, quiet_options());
  REQUIRE(dash.port() > 0);
  CHECK(dash.url() == "http://127.0.0.1:" + std::to_string(dash.port()) + "/");

  auto c = client(dash);
  auto page = c.Get("/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->body.find("Chart.js v") != std::string::npos);  // the library is in the page
  CHECK(page->body.find("test &lt;run&gt;") != std::string::npos);
  CHECK(page->body.find("src=\"http") == std::string::npos);
  CHECK(page->body.find("EventSource('api/stream") != std::string::npos);

  // Before any draw: a valid, empty state.
  auto before = c.Get("/api/state");
  REQUIRE(before);
  json u = json::parse(before->body);
  CHECK(u["type"] == "snapshot");
  CHECK(u["run"]["state"] == "running");

  dash.attach(o);
  const exmc::fit f = exmc::sample(density, o);
  dash.finish(f);

  // A viewer arriving after the run gets all of it at once, then the stream stays open.
  auto late = listen(dash, "0,1", [](const auto& ev) { return !ev.empty(); });
  REQUIRE(!late.empty());
  CHECK(late[0].first == "snapshot");
  u = json::parse(late[0].second);
  CHECK(u["meta"]["names"].size() == 10);
  CHECK(u["meta"]["selection"] == json::array({0, 1}));
  CHECK(u["run"]["state"] == "ended");
  CHECK(u["run"]["final"] == true);
  std::size_t divergent = 0;
  for (int ch = 0; ch < 2; ++ch) {
    const auto& st = u["chains"][ch];
    CHECK(st["it"] == 499);
    CHECK(st["state"] == "done");
    divergent += st["div"].get<std::size_t>();
  }
  CHECK(divergent == f.total_divergent());
  CHECK(u["summary"]["final"] == true);
  const auto table = exmc::summary(f);
  CHECK(u["summary"]["rows"][1][6].get<double>() == Approx(table["tau"].r_hat).epsilon(1e-5));
  // Every kept point arrived (500 iterations per chain fit into the automatic 2048 points).
  std::size_t points = 0;
  for (const auto& p : u["points"]) points += p["it"].size();
  CHECK(points == 1000);
  // ... and again: a reconnecting viewer starts over with a snapshot.
  auto again = listen(dash, "auto", [](const auto& ev) { return !ev.empty(); });
  REQUIRE(!again.empty());
  CHECK(again[0].first == "snapshot");
  CHECK(json::parse(again[0].second)["meta"]["selection"] == json::array({0, 1, 2}));
  for (int i = 0; i < 300 && dash.viewers() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(dash.viewers() == 0);  // both streams were let go when their viewers hung up
}

TEST_CASE("a viewer watching a run gets deltas, and stop() ends its stream", "[dashboard][server]") {
  auto density = schools();
  exmc::sample_options o;
  o.chains = 2;
  o.threads = 2;
  o.warmup = 300;
  o.draws = 200'000;  // stopped below, long before the end
  o.seed = 6;
  std::stop_source stop;
  o.stop = stop.get_token();
  exmc::dashboard dash(o, quiet_options());
  dash.attach(o);
  exmc::fit f;
  std::thread run([&] { f = exmc::sample(density, o); });
  auto events = listen(dash, "1", [](const auto& ev) {
    int deltas = 0;
    for (const auto& e : ev) deltas += e.first == "delta" && e.second.find("\"points\"") != std::string::npos;
    return deltas >= 3;
  });
  REQUIRE(events.size() >= 4);
  CHECK(events[0].first == "snapshot");
  long last = -1;
  for (const auto& [name, body] : events) {
    const json u = json::parse(body);
    if (!u.contains("chains")) continue;
    const long it = u["chains"][0]["it"];
    CHECK(it >= last);  // iterations only move forward
    last = it;
  }
  CHECK(last > 0);

  // Shutting the server down mid-run, once both chains sample: the run goes on, the store keeps
  // every draw's count.
  const auto sampling = [&] {
    const json s = json::parse(dash.state_json("0"));
    return s["chains"][0]["it"].get<long>() > 400 && s["chains"][1]["it"].get<long>() > 400;
  };
  for (int i = 0; i < 600 && !sampling(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(sampling());
  std::vector<std::pair<std::string, std::string>> tail;
  std::thread viewer([&] { tail = listen(dash, "0", [](const auto& ev) { return !ev.empty() && ev.back().first == "end"; }); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto t0 = std::chrono::steady_clock::now();
  dash.stop();
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
  viewer.join();
  REQUIRE(!tail.empty());
  CHECK(tail.back().first == "end");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  stop.request_stop();
  run.join();
  const json u = json::parse(dash.state_json("0"));
  for (int ch = 0; ch < 2; ++ch)
    CHECK(u["chains"][ch]["it"].get<long>() + 1 == 300 + f.posterior.chains[static_cast<std::size_t>(ch)].rows());
}

TEST_CASE("stop() sends open pages the final state before \"end\"", "[dashboard][server]") {
  auto density = schools();
  exmc::sample_options o;
  o.chains = 2;
  o.warmup = 100;
  o.draws = 100;
  o.seed = 9;
  auto d = quiet_options();
  d.refresh_seconds = 60.0;  // no delta on the clock: only stop() can bring the news
  exmc::dashboard dash(o, d);
  dash.attach(o);
  std::vector<std::pair<std::string, std::string>> events;
  std::thread viewer([&] { events = listen(dash, "0", [](const auto& ev) { return !ev.empty() && ev.back().first == "end"; }); });
  REQUIRE(dash.wait_for_viewer(10.0));
  const exmc::fit f = exmc::sample(density, o);
  dash.finish(f);
  dash.stop();
  viewer.join();
  REQUIRE(events.size() == 3);
  CHECK(events[0].first == "snapshot");
  CHECK(events[1].first == "delta");
  CHECK(events[2].first == "end");
  const json u = json::parse(events[1].second);
  CHECK(u["run"]["state"] == "ended");
  CHECK(u["run"]["final"] == true);
  CHECK(u["chains"][0]["it"] == 199);
  CHECK(u["chains"][1]["state"] == "done");
}

TEST_CASE("attach lets the chains feed the dashboard side by side and keeps an earlier callback serialised",
          "[dashboard][server]") {
  auto density = schools();
  exmc::sample_options o;
  o.chains = 4;
  o.threads = 4;
  o.warmup = 100;
  o.draws = 100;
  o.seed = 8;
  std::atomic<int> inside{0};
  std::atomic<bool> overlapped{false};
  std::atomic<long> calls{0};
  o.callback = [&](const exmc::draw_event&) {  // written for exmc's serialisation
    if (++inside > 1) overlapped = true;
    std::this_thread::sleep_for(std::chrono::microseconds(50));  // a window a second chain would hit
    ++calls;
    --inside;
    return true;
  };
  exmc::dashboard dash(o, quiet_options());
  dash.attach(o);
  CHECK(o.concurrent_callback);
  const exmc::fit f = exmc::sample(density, o);
  dash.finish(f);
  CHECK_FALSE(overlapped);
  CHECK(calls == 4 * 200);
  const json u = json::parse(dash.state_json("0"));
  for (int ch = 0; ch < 4; ++ch) CHECK(u["chains"][ch]["it"] == 199);
}

TEST_CASE("the dashboard refuses what it must", "[dashboard][server]") {
  exmc::sample_options o;
  auto d = quiet_options();
  d.host = "0.0.0.0";
  CHECK_THROWS_WITH(exmc::dashboard(o, d), Catch::Contains("not a loopback address") && Catch::Contains("allow_remote"));
  d = quiet_options();
  d.chart_js = "/nonexistent/chart.min.js";
  CHECK_THROWS_WITH(exmc::dashboard(o, d), Catch::Contains("Chart.js not found") && Catch::Contains("libjs-chart.js"));

  d = quiet_options();
  d.max_viewers = 1;
  exmc::dashboard dash(o, d);
  d.port = dash.port();
  CHECK_THROWS_WITH(exmc::dashboard(o, d), Catch::Contains("cannot listen on 127.0.0.1:" + std::to_string(dash.port())));

  auto c = client(dash);
  httplib::Headers evil{{"Host", "evil.example:" + std::to_string(dash.port())}};
  auto r = c.Get("/api/state", evil);
  REQUIRE(r);
  CHECK(r->status == 403);  // a page of another site reaching us through DNS rebinding
  r = c.Post("/api/state", "x", "text/plain");
  REQUIRE(r);
  CHECK(r->status == 405);
  CHECK(c.Get("/nothing")->status == 404);

  // One viewer at a time here: a second stream is turned away while the first is open.
  std::atomic<bool> open{false};
  std::thread first([&] { listen(dash, "auto", [&](const auto&) { open = true; return false; }); });
  for (int i = 0; i < 200 && !open; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(c.Get("/api/stream")->status == 503);
  dash.stop();
  first.join();
}

TEST_CASE("write_report makes one self-contained HTML file, from a fit or from Stan CSV", "[dashboard][report]") {
  auto density = schools();
  exmc::sample_options o;
  o.chains = 2;
  o.warmup = 150;
  o.draws = 200;
  o.seed = 7;
  o.save_warmup = true;
  const auto dir = std::filesystem::temp_directory_path() / ("exmc_report_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  exmc::stan_csv_writer csv(o, {.path = (dir / "out.csv").string(), .model = "schools"});
  o.callback = csv.callback();
  const exmc::fit f = exmc::sample(density, o);
  csv.finish(f);

  const auto check = [&](const std::string& html, bool warmup) {
    CHECK(html.rfind("<!doctype html>", 0) == 0);
    CHECK(html.find("Chart.js v") != std::string::npos);
    CHECK(html.find("src=\"http") == std::string::npos);
    const auto start = html.find("<script id=\"exmc-data\" type=\"application/json\">");
    REQUIRE(start != std::string::npos);
    const auto body = start + std::string("<script id=\"exmc-data\" type=\"application/json\">").size();
    const json u = json::parse(html.substr(body, html.find("</script>", body) - body));
    CHECK(u["meta"]["mode"] == "report");
    CHECK(u["meta"]["names"].size() == 10);
    CHECK(u["meta"]["selection"].size() == 10);
    CHECK(u["meta"]["warmup"] == (warmup ? 150 : 0));
    CHECK(u["run"]["final"] == true);
    CHECK(u["summary"]["rows"].size() == 10);
    CHECK(u["summary"]["rows"][0][1].get<double>() == Approx(exmc::summary(f)["mu"].mean).epsilon(1e-5));
    std::size_t points = 0;
    for (const auto& p : u["points"]) points += p["it"].size();
    CHECK(points == 2 * (warmup ? 350 : 200));
  };
  const std::string path = (dir / "report.html").string();
  exmc::write_report(f, path, {.title = "schools"});
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  check(text.str(), true);
  check(exmc::report_html(exmc::read_stan_csv(csv.paths())), true);
  CHECK_THROWS_WITH(exmc::report_html(f, {.quantities = {"nope"}}), Catch::Contains("'nope'"));

  std::filesystem::remove_all(dir);
}
