#pragma once
// exmc::dashboard: a web page, served by the sampling process itself, that shows a run while it
// happens: traces growing per chain (warmup shaded, divergences marked), densities, rank plots,
// R-hat and ESS, step size, tree depth, acceptance, energy, a pair plot, progress and ETA per
// chain, and a banner when a chain fails or the run ends.
//
//   exmc::sample_options o;  o.chains = 4;
//   exmc::dashboard dash(o, {.port = 8080});   // prints: exmc dashboard: http://127.0.0.1:8080/
//   dash.attach(o);                            // o.callback and o.on_chain_end now feed it
//   exmc::fit f = exmc::sample(density, o);
//   dash.finish(f);                            // final summary of all draws, "run finished"
//
// Not part of <exmc/exmc.hpp>: it needs cpp-httplib (Debian's libcpp-httplib-dev; link
// `pkg-config --libs cpp-httplib`, or CMake's exmc::dashboard target) and, at run time, Chart.js
// from libjs-chart.js. write_report() (report.hpp) needs only the latter.
//
// Safety: the page is served on 127.0.0.1 unless told otherwise (another address needs
// allow_remote, since anyone who can reach it sees the draws), requests naming another host are
// refused (DNS rebinding), and the server only reads. The chains never wait for it: the callback
// does a few additions and maybe a copy into a bounded buffer (store.hpp); the server's own
// threads do the rest. Browsers may connect at any time, reconnect, or never come. (cpp-httplib's
// server ignores SIGPIPE process-wide, so that a browser hanging up cannot end the program.)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <memory>
#include <mutex>
#include <ostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../core/error.hpp"
#include "../io/callbacks.hpp"
#include "../nuts/fit.hpp"
#include "../nuts/options.hpp"
#include "page.hpp"
#include "report.hpp"
#include "store.hpp"

// After Eigen (above): httplib.h includes <resolv.h>, whose `_res` macro breaks Eigen headers
// (it is a parameter name in Core's and SparseCore's products). Undefined here for the same
// reason: so that Eigen headers a program includes after this one still compile.
#include <httplib.h>
#ifdef _res
#undef _res
#endif

// For code that offers the dashboard only when it is built in (exmc::cli's --dashboard).
#define EXMC_HAS_DASHBOARD 1

namespace exmc {

struct dashboard_options {
  int port = 8080;                 // 0: any free port (see port())
  std::string host = "127.0.0.1";  // the address to listen on
  bool allow_remote = false;       // required for any address but loopback: the page shows the draws to whoever reaches it
  std::string title = "exmc";      // the page's heading (e.g. the model's name)
  double refresh_seconds = 0.5;    // how often an open page is sent what is new
  int max_viewers = 8;             // pages streaming at once; more get "503 busy"
  int points_per_chain = 0;        // kept points per chain (0: automatic, see dash::store_options)
  int divergences_per_chain = 512; // kept divergent iterations per chain
  double summary_seconds = 2.0;    // how often R-hat / ESS are recomputed (when there are new draws) ...
  double summary_budget = 0.02;    // ... for at most this long each time (the rest the next time)
  std::string chart_js{};          // Chart.js file (empty: $EXMC_CHARTJS, else Debian's libjs-chart.js)
  std::ostream* log = &std::cerr;  // where the address is announced (nullptr: nowhere)
};

namespace dash {

inline bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// "0,3,7" -> {0, 3, 7}; bad entries are skipped, at most 64 kept.
inline std::vector<int> parse_selection(const std::string& text) {
  std::vector<int> out;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',') && out.size() < 64;) {
    if (item.empty() || item.size() > 9 || item.find_first_not_of("0123456789") != std::string::npos) continue;
    out.push_back(std::stoi(item));
  }
  return out;
}

}  // namespace dash

class dashboard {
 public:
  // Starts serving at once (an empty page until the first draw). Throws model_error for bad
  // options, a refused address or port, or a missing Chart.js.
  dashboard(const sample_options& o, dashboard_options d = {})
      : opt_(std::move(d)), store_(dash::run_shape::of(o, opt_.title),
                                   {.points_per_chain = opt_.points_per_chain, .divergences_per_chain = opt_.divergences_per_chain}) {
    if (opt_.port < 0 || opt_.port > 65535) throw model_error("dashboard: port must lie in [0, 65535] (got " + std::to_string(opt_.port) + ")");
    if (!dash::is_loopback(opt_.host) && !opt_.allow_remote)
      throw model_error("dashboard: host '" + opt_.host + "' is not a loopback address; set allow_remote = true to serve the draws to other machines");
    if (!(opt_.refresh_seconds >= 0.05 && opt_.refresh_seconds <= 60.0)) throw model_error("dashboard: refresh_seconds must lie in [0.05, 60]");
    if (opt_.max_viewers < 1) throw model_error("dashboard: max_viewers must be at least 1");
    if (!(opt_.summary_seconds > 0.0) || !(opt_.summary_budget > 0.0)) throw model_error("dashboard: summary_seconds and summary_budget must be > 0");
    page_ = dash::page(opt_.title, dash::chart_js(opt_.chart_js), "null");
    routes();
    port_ = opt_.port == 0 ? server_.bind_to_any_port(opt_.host) : (server_.bind_to_port(opt_.host, opt_.port) ? opt_.port : -1);
    if (port_ <= 0)
      throw model_error("dashboard: cannot listen on " + opt_.host + ":" + std::to_string(opt_.port) + " (in use, or not an address of this machine)");
    listener_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() is only safe once the server runs (cpp-httplib 0.11): wait for it, boundedly.
    for (int i = 0; i < 500 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!server_.is_running()) {
      server_.stop();
      listener_.join();
      throw model_error("dashboard: the HTTP server did not start");
    }
    worker_ = std::thread([this] { work(); });
    if (opt_.log) *opt_.log << "exmc dashboard: " << url() << "\n" << std::flush;
  }

  dashboard(const dashboard&) = delete;
  dashboard& operator=(const dashboard&) = delete;
  ~dashboard() { stop(); }

  // The draw callback and the chain-end observer feeding the page; the dashboard must outlive
  // the run. attach() sets both on `o`, keeping any callback already there.
  draw_callback callback() {
    return [this](const draw_event& ev) {
      store_.add(ev);
      return true;
    };
  }
  chain_end_callback chain_end() {
    return [this](int chain, const chain_status& s) {
      store_.chain_ended(chain, s);
      wake_.notify_all();  // filed at once, so pages show a failure within refresh_seconds
    };
  }
  // The dashboard's callback takes the chains side by side (each chain has its own feed), so
  // attach() marks the callback concurrent and keeps a lock of its own around a callback that was
  // there before and expects exmc's serialisation (a writer, a progress display).
  void attach(sample_options& o) {
    draw_callback feed = callback();
    if (!o.callback) {
      o.callback = std::move(feed);
    } else if (o.concurrent_callback) {
      o.callback = callbacks({o.callback, feed});
    } else {
      o.callback = [theirs = o.callback, feed, lock = std::make_shared<std::mutex>()](const draw_event& ev) {
        bool go_on;
        {
          std::lock_guard serial(*lock);
          go_on = theirs(ev);
        }
        return feed(ev) && go_on;
      };
    }
    o.concurrent_callback = true;
    chain_end_callback mine = chain_end();
    if (o.on_chain_end) {
      o.on_chain_end = [theirs = o.on_chain_end, mine](int c, const chain_status& s) {
        mine(c, s);
        theirs(c, s);
      };
    } else {
      o.on_chain_end = mine;
    }
  }

  // The run is over: every chain's status and the summary of all draws (exmc::summary) from the
  // fit; the page says so. The server keeps serving until stop() or destruction.
  void finish(const fit& f) {
    store_.finish(f);
    wake_.notify_all();
  }

  int port() const { return port_; }
  std::string url() const {
    const bool v6 = opt_.host.find(':') != std::string::npos;
    return "http://" + (v6 ? "[" + opt_.host + "]" : opt_.host) + ":" + std::to_string(port_) + "/";
  }

  // Keeps serving for `seconds` (e.g. so that a program can end after someone looked), or until
  // stop() is called from another thread.
  void linger(double seconds) { wait(seconds); }

  // Waits up to `seconds` for a page to open its stream (to watch a short run from its start);
  // true if one did.
  bool wait_for_viewer(double seconds) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (viewers_.load() == 0 && std::chrono::steady_clock::now() < until)
      if (wait(0.05)) return false;
    return viewers_.load() > 0;
  }

  // Stops serving: open pages are told so and keep what they show. Every draw received so far
  // stays in the store (a report can still be written). Idempotent.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      if (stop_called_) return;
      stop_called_ = true;  // a second stop() (another thread, the destructor) returns at once
    }
    store_.ingest();  // before the streams' last delta, which then holds every draw received
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (worker_.joinable()) worker_.join();
    store_.ingest();
    // A stream caught between two waits (writing a delta) says "end" only on its next turn, and
    // closing the server first would cut it off without it: let the streams finish, for a while.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (viewers_.load() > 0 && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    server_.stop();
    if (listener_.joinable()) listener_.join();
  }

  // The data a page would get first, as JSON (for tests and scripts); `selection` as in the
  // page's ?q=.
  std::string state_json(const std::string& selection = "auto") {
    store_.ingest();
    dash::view v;
    if (selection != "auto") {
      v.selection = dash::parse_selection(selection);
      v.want_default = false;
    }
    return store_.update(v);
  }
  int viewers() const { return viewers_.load(); }

 private:
  void routes() {
    // cpp-httplib's default sets SO_REUSEPORT, with which a second server on the same port (a
    // second run, another program of this user) would silently share it: a port is ours alone.
    server_.set_socket_options([](socket_t sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    server_.set_keep_alive_timeout(1);  // stop() waits at most this long for an idle connection
    server_.set_read_timeout(5, 0);
    server_.set_write_timeout(5, 0);
    const auto threads = static_cast<std::size_t>(opt_.max_viewers + 4);
    server_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    const bool local = dash::is_loopback(opt_.host) && !opt_.allow_remote;
    server_.set_pre_routing_handler([this, local](const httplib::Request& req, httplib::Response& res) {
      if (req.method != "GET" && req.method != "HEAD") {
        res.status = 405;
        res.set_content("the dashboard only serves GET requests\n", "text/plain");
        return httplib::Server::HandlerResponse::Handled;
      }
      if (local && !local_host(req.get_header_value("Host"))) {  // a page of another site reaching us by DNS rebinding
        res.status = 403;
        res.set_content("the dashboard answers requests for 127.0.0.1 or localhost only\n", "text/plain");
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    server_.Get("/", [this](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-store");
      res.set_content(page_, "text/html; charset=utf-8");
    });
    server_.Get("/api/state", [this](const httplib::Request& req, httplib::Response& res) {
      res.set_header("Cache-Control", "no-store");
      res.set_content(state_json(req.has_param("q") ? req.get_param_value("q") : "auto"), "application/json");
    });
    server_.Get("/api/stream", [this](const httplib::Request& req, httplib::Response& res) { stream(req, res); });
  }

  // Sleeps up to `seconds`, less if stop() is called; true when stopping.
  bool wait(double seconds) {
    std::unique_lock lock(mutex_);
    return wake_.wait_for(lock, std::chrono::duration<double>(seconds), [&] { return stopping_; });
  }

  bool local_host(const std::string& host) const {
    const std::string port = ":" + std::to_string(port_);
    for (const char* name : {"127.0.0.1", "localhost", "[::1]"})
      if (host == name || host == name + port) return true;
    return host.rfind("127.", 0) == 0 && host.ends_with(port);
  }

  // Server-Sent Events: a snapshot, then a delta every refresh_seconds when there is news, a
  // comment line now and then so that a vanished browser is noticed, "end" when stopping.
  void stream(const httplib::Request& req, httplib::Response& res) {
    if (viewers_.fetch_add(1) >= opt_.max_viewers) {
      viewers_.fetch_sub(1);
      res.status = 503;
      res.set_content("too many dashboard pages open (max_viewers)\n", "text/plain");
      return;
    }
    auto v = std::make_shared<dash::view>();
    const std::string q = req.has_param("q") ? req.get_param_value("q") : "auto";
    if (q != "auto") {
      v->selection = dash::parse_selection(q);
      v->want_default = false;
    }
    res.set_header("Cache-Control", "no-store");
    auto last = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, v, last](std::size_t, httplib::DataSink& sink) {
          const bool first = !v->started;
          if (!first && wait(opt_.refresh_seconds)) {
            // The news since the last delta, then "end": a page stopped right after finish()
            // keeps the final state, not the one of up to refresh_seconds before.
            std::string text = store_.update(*v);
            if (!text.empty()) text = "event: delta\ndata: " + text + "\n\n";
            text += "event: end\ndata: {}\n\n";
            sink.write(text.data(), text.size());
            sink.done();
            return true;
          }
          if (!sink.is_writable()) return false;  // the browser has gone: free the thread
          std::string text = store_.update(*v);
          const auto now = std::chrono::steady_clock::now();
          if (!text.empty()) text = std::string(first ? "retry: 2000\nevent: snapshot" : "event: delta") + "\ndata: " + text + "\n\n";
          else if (now - *last > std::chrono::seconds(5)) text = ": alive\n\n";
          else return true;
          *last = now;
          return sink.write(text.data(), text.size());
        },
        [this](bool) { viewers_.fetch_sub(1); });
  }

  // The dashboard's thread: files what the chains sent every 0.1 s and refreshes the summary.
  void work() {
    auto last_summary = std::chrono::steady_clock::now();
    while (!wait(0.1)) {
      store_.ingest();
      const auto now = std::chrono::steady_clock::now();
      if (now - last_summary > std::chrono::duration<double>(opt_.summary_seconds)) {
        store_.refresh_summary(opt_.summary_budget);
        last_summary = now;
      }
    }
  }

  dashboard_options opt_;
  dash::store store_;
  std::string page_;
  httplib::Server server_;
  int port_ = -1;
  std::thread listener_, worker_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool stop_called_ = false;
  std::atomic<int> viewers_{0};
};

}  // namespace exmc
