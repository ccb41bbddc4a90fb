#pragma once
// Live progress of a sampling run, one line per chain:
//
//   chain 1   1200/2000  sampling  div 0    step 0.412  grad/draw 7.0   elapsed 3.2s   left 2.1s
//
// On a terminal the lines are redrawn in place (ANSI cursor moves, at most every
// refresh_seconds); otherwise (a file, a pipe, CI logs) each chain prints a plain line whenever
// it passes another tenth of its iterations, so logs stay short and readable. Silent on request.
//
//   exmc::progress_display progress(options);          // stderr, mode chosen automatically
//   options.callback = exmc::callbacks({progress.callback(), csv.callback()});
//   exmc::fit f = exmc::sample(density, options);
//   progress.finish(f);                                  // final state of every chain
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <ostream>
#include <string>
#include <vector>

#include "../core/error.hpp"
#include "../nuts/fit.hpp"
#include "../nuts/options.hpp"

namespace exmc {

enum class progress_mode {
  automatic,  // terminal when writing to std::cerr and stderr is a terminal, else plain
  terminal,   // redraw in place with ANSI escape sequences
  plain,      // a line per chain at every 1/plain_steps of its iterations
  silent,
};

struct progress_options {
  progress_mode mode = progress_mode::automatic;
  std::ostream* out = nullptr;  // nullptr: std::cerr
  double refresh_seconds = 0.2; // terminal: shortest interval between redraws
  int plain_steps = 10;         // plain: lines per chain over the run
};

class progress_display {
 public:
  using clock = std::chrono::steady_clock;

  progress_display(const sample_options& o, progress_options p = {})
      : p_(p), total_(static_cast<long>(o.warmup) + o.draws), chains_(static_cast<std::size_t>(o.chains)) {
    if (o.chains < 1) throw model_error("progress_display: chains must be at least 1 (got " + std::to_string(o.chains) + ")");
    if (p_.plain_steps < 1) throw model_error("progress_display: plain_steps must be at least 1 (got " + std::to_string(p_.plain_steps) + ")");
    if (!(p_.refresh_seconds >= 0.0)) throw model_error("progress_display: refresh_seconds must be >= 0");
    if (!p_.out) p_.out = &std::cerr;
    if (p_.mode == progress_mode::automatic)
      p_.mode = p_.out == &std::cerr && ::isatty(STDERR_FILENO) ? progress_mode::terminal : progress_mode::plain;
  }

  progress_mode mode() const { return p_.mode; }

  // The callback to give sample(); the display must outlive the sampling run.
  draw_callback callback() {
    if (p_.mode == progress_mode::silent) return {};
    return [this](const draw_event& ev) { on_draw(ev); return true; };
  }

  // Shows the final state: "done", "stopped" or "failed: <why>" per chain.
  void finish(const fit& f) {
    if (p_.mode == progress_mode::silent) return;
    for (std::size_t c = 0; c < chains_.size() && c < f.status.size(); ++c) {
      chain_state& s = chains_[c];
      const chain_status& st = f.status[c];
      s.outcome = st.outcome == chain_outcome::ok ? "done" : st.outcome == chain_outcome::stopped ? "stopped" : "failed";
      if (st.outcome == chain_outcome::failed) s.outcome += ": " + st.message.substr(0, 100);
      if (c < f.warmup_seconds.size()) s.final_seconds = f.warmup_seconds[c] + f.sampling_seconds[c];
    }
    if (p_.mode == progress_mode::terminal) {
      redraw();
    } else {
      for (std::size_t c = 0; c < chains_.size(); ++c) *p_.out << line(c) << '\n';
    }
    p_.out->flush();
  }

  // The text of chain c's line now (exposed for tests and custom displays).
  std::string line(std::size_t c) const {
    const chain_state& s = chains_[c];
    char buf[256];
    const double elapsed = s.final_seconds >= 0.0 ? s.final_seconds : seconds_since(s.start);
    std::string stage = !s.outcome.empty() ? s.outcome : s.done == 0 ? "waiting" : s.warmup ? "warmup" : "sampling";
    const double per_draw = s.done > 0 ? static_cast<double>(s.grad_evals) / static_cast<double>(s.done) : 0.0;
    const std::string left = s.done > 0 && s.outcome.empty()
                                 ? duration(elapsed / static_cast<double>(s.done) * static_cast<double>(total_ - s.done))
                                 : "-";
    std::snprintf(buf, sizeof buf, "chain %-3zu %*ld/%ld  %-8s  div %-4zu step %-7.3g grad/draw %-6.1f elapsed %-7s left %s",
                  c + 1, digits(total_), s.done, total_, stage.c_str(), s.divergent, s.step_size, per_draw,
                  s.done > 0 || !s.outcome.empty() ? duration(elapsed).c_str() : "-", left.c_str());
    std::string out(buf);
    if (stage.size() > 8) out = out.substr(0, out.find(stage) + stage.size());  // failure text ends the line
    return out;
  }

 private:
  struct chain_state {
    long done = 0;
    bool warmup = true;
    std::size_t divergent = 0;
    double step_size = 0.0;
    std::size_t grad_evals = 0;
    clock::time_point start{};
    int milestone = 0;
    std::string outcome;
    double final_seconds = -1.0;
  };

  void on_draw(const draw_event& ev) {
    if (ev.chain < 0 || static_cast<std::size_t>(ev.chain) >= chains_.size()) return;
    const auto c = static_cast<std::size_t>(ev.chain);
    chain_state& s = chains_[c];
    if (s.done == 0) s.start = clock::now();
    s.done = ev.iteration + 1;
    s.warmup = ev.warmup;
    s.divergent += ev.divergent ? 1 : 0;
    s.step_size = ev.step_size;
    s.grad_evals = ev.grad_evals;
    if (p_.mode == progress_mode::plain) {
      const int milestone = static_cast<int>(s.done * p_.plain_steps / std::max(1L, total_));
      if (milestone > s.milestone) {
        s.milestone = milestone;
        *p_.out << line(c) << '\n';
        p_.out->flush();
      }
    } else {
      const auto now = clock::now();
      if (!drawn_ || s.done == total_ || std::chrono::duration<double>(now - last_draw_).count() >= p_.refresh_seconds) {
        last_draw_ = now;
        redraw();
      }
    }
  }

  void redraw() {
    std::string text;
    if (drawn_) text += "\x1b[" + std::to_string(chains_.size()) + "F";  // back to the first line
    for (std::size_t c = 0; c < chains_.size(); ++c) text += "\x1b[2K" + line(c) + "\n";
    *p_.out << text;
    p_.out->flush();
    drawn_ = true;
  }

  static double seconds_since(clock::time_point t) { return std::chrono::duration<double>(clock::now() - t).count(); }
  static int digits(long n) { return static_cast<int>(std::to_string(n).size()); }
  static std::string duration(double s) {
    char buf[32];
    if (s < 60.0) std::snprintf(buf, sizeof buf, "%.1fs", s);
    else if (s < 3600.0) std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s / 60), static_cast<int>(s) % 60);
    else std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s / 3600), static_cast<int>(s / 60) % 60);
    return buf;
  }

  progress_options p_;
  long total_;
  std::vector<chain_state> chains_;
  bool drawn_ = false;
  clock::time_point last_draw_{};
};

}  // namespace exmc
