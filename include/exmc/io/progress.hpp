#pragma once
// Live progress of a sampling run: a line per chain and a line for the whole run.
//
//   chain 1   1200/2000  sampling  div 0    step 0.412  grad/draw 7.0   elapsed 3.2s   left 2.1s
//   chain 2   2000/2000  done      div 0    step 0.398  grad/draw 6.8   elapsed 5.0s   left -
//   all 4 chains  5200/8000 (65%)  1 done, 2 running, 1 waiting  elapsed 5.1s  left ~2.8s
//
// On a terminal the block is redrawn in place (ANSI cursor moves, at most every
// refresh_seconds) and fitted to the terminal as it is at each redraw: every line is cut to the
// width (a line that wrapped would break the cursor arithmetic and leave debris), less
// important fields go first on narrow terminals, and when the chains do not fit in the height
// the block shows the running and failed chains and one line summarising the rest, so it never
// scrolls. A chain shows "done" with its clock stopped as soon as its last iteration is in.
// Otherwise (a file, a pipe, CI logs) each chain prints a plain line whenever it passes another
// tenth of its iterations, and finish() prints every chain's final line and the run's line.
//
//   exmc::progress_display progress(options);          // stderr, mode chosen automatically
//   options.callback = exmc::callbacks({progress.callback(), csv.callback()});
//   exmc::fit f = exmc::sample(density, options);
//   progress.finish(f);                                  // final state of every chain
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <ostream>
#include <string>
#include <utility>
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
  // Terminal size in characters; 0: asked of stderr's terminal at every redraw (80 x 24 when
  // it is not one). Tests and custom displays set them.
  int columns = 0, rows = 0;
};

class progress_display {
 public:
  using clock = std::chrono::steady_clock;

  progress_display(const sample_options& o, progress_options p = {})
      : p_(p), total_(static_cast<long>(o.warmup) + o.draws), chains_(static_cast<std::size_t>(o.chains)), start_(clock::now()) {
    if (o.chains < 1) throw model_error("progress_display: chains must be at least 1 (got " + std::to_string(o.chains) + ")");
    if (p_.plain_steps < 1) throw model_error("progress_display: plain_steps must be at least 1 (got " + std::to_string(p_.plain_steps) + ")");
    if (!(p_.refresh_seconds >= 0.0)) throw model_error("progress_display: refresh_seconds must be >= 0");
    if (p_.columns < 0 || p_.rows < 0) throw model_error("progress_display: columns and rows must be >= 0");
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

  // Shows the final state: "done", "stopped" or "failed: <why>" per chain, and the run's line.
  void finish(const fit& f) {
    if (p_.mode == progress_mode::silent) return;
    const auto now = clock::now();
    for (std::size_t c = 0; c < chains_.size() && c < f.status.size(); ++c) {
      chain_state& s = chains_[c];
      const chain_status& st = f.status[c];
      s.outcome = st.outcome == chain_outcome::ok ? "done" : st.outcome == chain_outcome::stopped ? "stopped" : "failed";
      if (st.outcome == chain_outcome::failed) {
        // The message starts with the chain's label, which the line already shows.
        const std::string prefix = chain_label(static_cast<long long>(c)) + ": ";
        s.outcome += ": " + (st.message.starts_with(prefix) ? st.message.substr(prefix.size()) : st.message);
      }
      if (s.done > 0 && !s.finished) stop_clock(s, now);
    }
    finished_ = true;
    end_ = now;
    if (p_.mode == progress_mode::terminal) {
      redraw();
    } else {
      for (std::size_t c = 0; c < chains_.size(); ++c) *p_.out << line(c) << '\n';
      *p_.out << run_line() << '\n';
    }
    p_.out->flush();
  }

  // The text of chain c's line now, at most `width` characters (0: no limit). Exposed for tests
  // and custom displays.
  std::string line(std::size_t c, std::size_t width = 0) const {
    const chain_state& s = chains_[c];
    const double elapsed = s.finished ? s.final_seconds : s.done > 0 ? seconds_between(s.start, clock::now()) : 0.0;
    const std::string stage = !s.outcome.empty() ? s.outcome
                              : s.done == 0      ? "waiting"
                              : s.done == total_ ? "done"
                              : s.warmup         ? "warmup"
                                                 : "sampling";
    const bool running = s.done > 0 && !s.finished && s.outcome.empty();
    const double per_draw = s.done > 0 ? static_cast<double>(s.grad_evals) / static_cast<double>(s.done) : 0.0;
    const std::string left = running ? duration(elapsed / static_cast<double>(s.done) * static_cast<double>(total_ - s.done)) : "-";
    const std::string time = s.done > 0 ? duration(elapsed) : "-";
    char head[64], div[32], step[32], grads[32], el[32], lf[32];
    std::snprintf(head, sizeof head, "chain %-3zu %*ld/%ld", c + 1, digits(total_), s.done, total_);
    std::snprintf(div, sizeof div, "div %-4zu", s.divergent);
    std::snprintf(step, sizeof step, "step %-7.3g", s.step_size);
    std::snprintf(grads, sizeof grads, "grad/draw %-6.1f", per_draw);
    std::snprintf(el, sizeof el, "elapsed %-7s", time.c_str());
    std::snprintf(lf, sizeof lf, "left %s", left.c_str());
    const bool long_stage = stage.size() > 8;  // a failure: its reason ends the line
    char st[16];
    std::snprintf(st, sizeof st, "%-8s", long_stage ? "" : stage.c_str());
    // Widest first; narrower terminals drop the fields a glance needs least.
    const std::vector<std::vector<std::string>> layouts = {
        {head, st, div, step, grads, el, lf}, {head, st, div, el, lf}, {head, st, div, lf}, {head, st}};
    std::string out;
    for (const auto& fields : layouts) {
      out.clear();
      for (std::size_t k = 0; k < fields.size(); ++k) {
        if (k == 1 && long_stage) {
          out += "  " + stage;
          break;
        }
        out += (k ? "  " : "") + fields[k];
      }
      while (!out.empty() && out.back() == ' ') out.pop_back();
      if (width == 0 || out.size() <= width || long_stage) break;
    }
    return fit_to(out, width);
  }

  // The line for the whole run: iterations of all chains, how many chains are where, elapsed
  // time and an estimate of the time left from the run's pace so far.
  std::string run_line(std::size_t width = 0) const {
    long done = 0;
    std::size_t finished = 0, running = 0, waiting = 0, failed = 0, stopped = 0;
    for (const auto& s : chains_) {
      done += s.done;
      if (s.outcome.starts_with("failed")) ++failed;
      else if (s.outcome == "stopped") ++stopped;
      else if (s.finished || s.outcome == "done") ++finished;
      else if (s.done > 0) ++running;
      else ++waiting;
    }
    const long all = total_ * static_cast<long>(chains_.size());
    const double elapsed = seconds_between(start_, finished_ ? end_ : clock::now());
    std::string counts;
    const auto add = [&](std::size_t n, const char* what) {
      if (n > 0) counts += (counts.empty() ? "" : ", ") + std::to_string(n) + " " + what;
    };
    add(finished, "done");
    add(running, "running");
    add(waiting, "waiting");
    add(stopped, "stopped");
    add(failed, "failed");
    const bool active = !finished_ && done > 0 && done < all;
    const std::string left = active ? "~" + duration(elapsed / static_cast<double>(done) * static_cast<double>(all - done)) : "-";
    const double percent = all > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(all) : 0.0;
    const std::string time = duration(elapsed);
    char buf[256];
    // Widest first, then narrower forms for narrow terminals.
    std::snprintf(buf, sizeof buf, "all %zu chains  %ld/%ld (%.0f%%)  %s  elapsed %s  left %s", chains_.size(), done, all, percent,
                  counts.c_str(), time.c_str(), left.c_str());
    std::string out(buf);
    if (width > 0 && out.size() > width) {
      std::snprintf(buf, sizeof buf, "all %zu chains  %.0f%%  %s  elapsed %s  left %s", chains_.size(), percent, counts.c_str(),
                    time.c_str(), left.c_str());
      out = buf;
    }
    if (width > 0 && out.size() > width) {
      std::snprintf(buf, sizeof buf, "all %zu chains  %.0f%%  elapsed %s  left %s", chains_.size(), percent, time.c_str(), left.c_str());
      out = buf;
    }
    return fit_to(out, width);
  }

  // The lines a terminal of `columns` x `rows` shows now: every chain when they fit (and a
  // row is left for the cursor), else the running and failed chains first and a line that
  // counts the others. Exposed for tests.
  std::vector<std::string> block(std::size_t columns, std::size_t rows) const {
    const std::size_t width = columns > 1 ? columns - 1 : 1;  // never the last column: no pending wrap
    const std::size_t room = rows > 2 ? rows - 2 : 1;        // chain lines besides the run line and the cursor row
    std::vector<std::string> lines;
    if (chains_.size() <= room) {
      for (std::size_t c = 0; c < chains_.size(); ++c) lines.push_back(line(c, width));
    } else {
      // Most informative first: failed, running, stopped, then the rest in order.
      std::vector<std::size_t> order;
      const auto pick = [&](auto keep) {
        for (std::size_t c = 0; c < chains_.size(); ++c)
          if (keep(chains_[c]) && std::find(order.begin(), order.end(), c) == order.end()) order.push_back(c);
      };
      pick([](const chain_state& s) { return s.outcome.starts_with("failed"); });
      pick([](const chain_state& s) { return s.done > 0 && !s.finished && s.outcome.empty(); });
      pick([](const chain_state& s) { return s.outcome == "stopped"; });
      const std::size_t shown = std::min(order.size(), room > 1 ? room - 1 : 0);
      order.resize(shown);
      std::sort(order.begin(), order.end());
      for (std::size_t c : order) lines.push_back(line(c, width));
      std::size_t done = 0, waiting = 0, others = 0;
      for (std::size_t c = 0; c < chains_.size(); ++c) {
        if (std::find(order.begin(), order.end(), c) != order.end()) continue;
        const chain_state& s = chains_[c];
        if (s.finished || s.outcome == "done") ++done;
        else if (s.done == 0 && s.outcome.empty()) ++waiting;
        else ++others;
      }
      std::string rest = "+ " + std::to_string(chains_.size() - shown) + " more chains:";
      if (done) rest += " " + std::to_string(done) + " done";
      if (waiting) rest += std::string(done ? "," : "") + " " + std::to_string(waiting) + " waiting";
      if (others) rest += std::string(done || waiting ? "," : "") + " " + std::to_string(others) + " other";
      lines.push_back(fit_to(rest, width));
    }
    lines.push_back(run_line(width));
    return lines;
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
    bool finished = false;  // its clock has stopped
    double final_seconds = 0.0;
  };

  void on_draw(const draw_event& ev) {
    if (ev.chain < 0 || static_cast<std::size_t>(ev.chain) >= chains_.size()) return;
    const auto c = static_cast<std::size_t>(ev.chain);
    chain_state& s = chains_[c];
    const auto now = clock::now();
    if (s.done == 0) s.start = now;
    s.done = ev.iteration + 1;
    s.warmup = ev.warmup;
    s.divergent += ev.divergent ? 1 : 0;
    s.step_size = ev.step_size;
    s.grad_evals = ev.grad_evals;
    if (s.done == total_) stop_clock(s, now);
    if (p_.mode == progress_mode::plain) {
      const int milestone = static_cast<int>(s.done * p_.plain_steps / std::max(1L, total_));
      if (milestone > s.milestone) {
        s.milestone = milestone;
        *p_.out << line(c) << '\n';
        p_.out->flush();
      }
    } else if (!drawn_ || s.done == total_ || seconds_between(last_draw_, now) >= p_.refresh_seconds) {
      last_draw_ = now;
      redraw();
    }
  }

  static void stop_clock(chain_state& s, clock::time_point now) {
    s.finished = true;
    s.final_seconds = seconds_between(s.start, now);
  }

  // The terminal's size now, or the options' when set.
  std::pair<std::size_t, std::size_t> terminal_size() const {
    std::size_t cols = static_cast<std::size_t>(p_.columns), rows = static_cast<std::size_t>(p_.rows);
    if (cols == 0 || rows == 0) {
      winsize w{};
      const bool tty = p_.out == &std::cerr && ::ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 0 && w.ws_row > 0;
      if (cols == 0) cols = tty ? w.ws_col : 80;
      if (rows == 0) rows = tty ? w.ws_row : 24;
    }
    return {cols, rows};
  }

  void redraw() {
    const auto [cols, rows] = terminal_size();
    const std::vector<std::string> lines = block(cols, rows);
    std::string text;
    if (drawn_lines_ > 0) text += "\x1b[" + std::to_string(drawn_lines_) + "F";  // back to the block's first line
    for (const auto& l : lines) text += "\x1b[2K" + l + "\n";
    text += "\x1b[J";  // clears what a taller earlier block left below
    *p_.out << text;
    p_.out->flush();
    drawn_ = true;
    drawn_lines_ = lines.size();
  }

  static std::string fit_to(std::string s, std::size_t width) {
    if (width > 0 && s.size() > width) s.resize(width);
    return s;
  }
  static double seconds_between(clock::time_point a, clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }
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
  clock::time_point start_, end_{};
  bool drawn_ = false, finished_ = false;
  std::size_t drawn_lines_ = 0;
  clock::time_point last_draw_{};
};

}  // namespace exmc
