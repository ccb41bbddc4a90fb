#pragma once
// What the dashboard remembers of a run and how a reader is told about it: the kept records of
// each chain, every chain's exact counters, the R-hat / ESS table, and the JSON that brings a
// reader (a browser connection, a report) up to date. store.hpp fills it.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "../diagnostics/summary.hpp"
#include "../nuts/options.hpp"
#include "json.hpp"

namespace exmc::dash {

// Columns of one kept iteration (a record), followed by the values of the quantities. In the
// history, slot `c_kind` holds the record's sequence number instead.
enum column : int {
  c_kind, c_chain, c_epoch, c_ordinal, c_iteration, c_lp, c_accept, c_step, c_depth, c_leapfrog,
  c_divergent, c_energy, c_energy_jump, c_time, n_columns
};

enum class chain_state { waiting, running, ok, stopped, failed };

inline const char* to_string(chain_state s) {
  switch (s) {
    case chain_state::waiting: return "waiting";
    case chain_state::running: return "running";
    case chain_state::ok: return "done";
    case chain_state::stopped: return "stopped";
    default: return "failed";
  }
}

// E-BFMI of a stream of energies, one value at a time: the sum of squared one-step changes over
// the sum of squared deviations from the mean (Welford), which is diagnostics' e_bfmi() on the
// whole sequence without keeping it.
struct energy_fraction {
  long n = 0;
  double mean = 0.0, m2 = 0.0, jumps = 0.0, last = 0.0;
  void add(double e) {
    if (n > 0) jumps += (e - last) * (e - last);
    ++n;
    const double d = e - mean;
    mean += d / static_cast<double>(n);
    m2 += d * (e - mean);
    last = e;
  }
  double value() const { return n < 2 ? std::numeric_limits<double>::quiet_NaN() : jumps / m2; }
};

// What a chain has done so far, exactly (every iteration counts, kept or not).
struct chain_live {
  chain_state state = chain_state::waiting;
  std::string message;  // why it failed, or what happened to an earlier attempt
  int epoch = 0;        // attempts restarted (an MPI re-run starts again at iteration 0)
  long iteration = -1;
  bool warmup = true;
  long divergent_warmup = 0, divergent = 0, depth_hits = 0, sampling_draws = 0;
  double accept_sum = 0.0;
  double step_size = std::numeric_limits<double>::quiet_NaN();
  int treedepth = 0;
  std::size_t grad_evals = 0;
  double first_time = std::numeric_limits<double>::quiet_NaN(), last_time = first_time;
  double last_energy = first_time;
  energy_fraction ebfmi;  // sampling iterations only, as diagnose() counts them
  long stride = 1, kept = 0;
  long divergent_stride = 1, divergent_kept = 0, divergent_seen = 0;
};

// The run as the sampler was asked for it.
struct run_shape {
  int chains = 4, warmup = 1000, draws = 1000, max_depth = 10;
  double target_accept = 0.8;  // NaN when unknown (a report of Stan CSV files)
  std::string title = "exmc";
  // A report's: "report", when it was written, and each chain's warmup + sampling seconds.
  std::string mode = "live", generated;
  std::vector<double> seconds;

  static run_shape of(const sample_options& o, std::string title) {
    run_shape r;
    r.chains = o.chains;
    r.warmup = o.warmup;
    r.draws = o.draws;
    r.max_depth = o.max_depth;
    r.target_accept = o.target_accept;
    r.title = std::move(title);
    return r;
  }
  long total() const { return static_cast<long>(warmup) + draws; }
};

struct store_options {
  int points_per_chain = 0;        // 0: 2048 for up to 32 chains, 65536 / chains beyond (at least 256)
  int divergences_per_chain = 512;
  std::size_t max_doubles = std::size_t{8} << 20;  // memory cap of the history (64 MiB): fewer points for wide draws
};

// What one reader (a browser connection, a report) has been sent so far.
struct view {
  std::vector<int> selection;     // quantities whose values it receives
  double seq = 0.0;               // records up to this sequence number were sent
  std::vector<int> epochs;        // per chain: the attempt its points belong to
  long status_version = -1, summary_version = -1, run_version = -1;
  bool started = false;
  bool want_default = true;       // no selection asked for: the first three quantities
  long meta_width = -2;           // the names it was sent are those of this many quantities
};

// One chain's kept records (n_columns + width doubles each, in sequence order), for the attempt
// `epoch`.
struct history {
  int epoch = 0;
  std::vector<double> rows, divergent;
  void reset(int e) {
    epoch = e;
    rows.clear();
    divergent.clear();
  }
};

// Everything a reader can be sent; guarded by the store's history lock.
struct history_state {
  run_shape shape;
  int divergences_per_chain = 512;
  std::vector<std::string> names;
  long width = -1;   // quantities per record (-1 until the first draw)
  long points = 0;   // points kept per chain
  std::vector<history> hist;
  std::vector<chain_live> status;
  double seq = 0.0;  // sequence number of the newest record
  long dropped = 0, ignored = 0;
  long status_version = 0, summary_version = 0, run_version = 0;
  bool ended = false, final = false;  // final: the fit's own summary and statuses are in
  std::vector<summary_row> summary;
  std::vector<char> computed;         // summary[j] holds numbers
  long summary_draws = 0, summary_chains = 0, summary_stride = 1;

  std::size_t record_size() const { return static_cast<std::size_t>(n_columns + std::max(0L, width)); }
};

inline void put_meta(std::string& out, const history_state& st, const view& v) {
  out += ",\"meta\":{";
  put_key(out, "title");
  put_string(out, st.shape.title);
  out += ",\"chains\":";
  put_integer(out, st.shape.chains);
  out += ",\"warmup\":";
  put_integer(out, st.shape.warmup);
  out += ",\"draws\":";
  put_integer(out, st.shape.draws);
  out += ",\"max_depth\":";
  put_integer(out, st.shape.max_depth);
  out += ",\"target_accept\":";
  put_number(out, st.shape.target_accept);
  out += ",\"mode\":";
  put_string(out, st.shape.mode);
  out += ",\"generated\":";
  put_string(out, st.shape.generated);
  out += ",\"seconds\":";
  put_numbers(out, st.shape.seconds.size(), [&](std::size_t c) { return st.shape.seconds[c]; });
  out += ",\"points_per_chain\":";
  put_integer(out, st.points);
  out += ",\"divergences_per_chain\":";
  put_integer(out, st.divergences_per_chain);
  out += ",\"names\":[";
  for (std::size_t j = 0; j < st.names.size(); ++j) {
    if (j) out += ',';
    put_string(out, st.names[j]);
  }
  out += "],\"selection\":[";
  for (std::size_t k = 0; k < v.selection.size(); ++k) {
    if (k) out += ',';
    put_integer(out, v.selection[k]);
  }
  out += "]}";
}

inline void put_run(std::string& out, const history_state& st) {
  out += ",\"run\":{";
  put_key(out, "state");
  put_string(out, st.ended ? "ended" : "running");
  out += ",\"final\":";
  out += st.final ? "true" : "false";
  out += ",\"dropped\":";
  put_integer(out, st.dropped);
  out += ",\"ignored\":";
  put_integer(out, st.ignored);
  out += '}';
}

inline void put_chains(std::string& out, const history_state& st) {
  out += ",\"chains\":[";
  for (std::size_t c = 0; c < st.status.size(); ++c) {
    const chain_live& l = st.status[c];
    if (c) out += ',';
    out += '{';
    put_key(out, "state");
    put_string(out, to_string(l.state));
    out += ",\"message\":";
    put_string(out, l.message);
    const std::pair<const char*, double> fields[] = {
        {"epoch", l.epoch}, {"it", static_cast<double>(l.iteration)}, {"total", static_cast<double>(st.shape.total())},
        {"warmup", l.warmup ? 1.0 : 0.0}, {"div_warmup", static_cast<double>(l.divergent_warmup)},
        {"div", static_cast<double>(l.divergent)}, {"depth_hits", static_cast<double>(l.depth_hits)},
        {"sampling", static_cast<double>(l.sampling_draws)},
        {"accept", l.sampling_draws > 0 ? l.accept_sum / static_cast<double>(l.sampling_draws) : std::nan("")},
        {"step", l.step_size}, {"depth", l.treedepth}, {"grads", static_cast<double>(l.grad_evals)},
        {"t0", l.first_time}, {"t1", l.last_time}, {"ebfmi", l.ebfmi.value()},
        {"stride", static_cast<double>(l.stride)}, {"div_stride", static_cast<double>(l.divergent_stride)}};
    for (const auto& [key, value] : fields) {
      out += ",\"";
      out += key;
      out += "\":";
      put_number(out, value);
    }
    out += '}';
  }
  out += ']';
}

// The records of chain c with a sequence number above `after`, as columns (with `ord`, the
// ordinal among the chain's divergences, for divergent records).
inline void put_records(std::string& out, const history_state& st, std::size_t c, int epoch, bool reset, bool divergent,
                        const std::vector<double>& v, double after, const std::vector<int>& selection) {
  const std::size_t rec = st.record_size();
  const std::size_t count = v.size() / rec;
  // Records are in sequence order: find the first new one.
  std::size_t lo = 0, hi = count;
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (v[mid * rec + c_kind] > after) hi = mid;
    else lo = mid + 1;
  }
  if (lo == count && !reset) return;
  if (!out.empty()) out += ',';
  out += "{\"chain\":";
  put_integer(out, static_cast<long long>(c));
  out += ",\"epoch\":";
  put_integer(out, epoch);
  out += ",\"reset\":";
  out += reset ? "true" : "false";
  const std::size_t n = count - lo;
  const auto column = [&](const char* key, int col) {
    out += ",\"";
    out += key;
    out += "\":";
    put_numbers(out, n, [&](std::size_t i) { return v[(lo + i) * rec + static_cast<std::size_t>(col)]; });
  };
  column("it", c_iteration);
  if (divergent) column("ord", c_ordinal);
  column("lp", c_lp);
  column("accept", c_accept);
  column("step", c_step);
  column("depth", c_depth);
  column("leapfrog", c_leapfrog);
  column("divergent", c_divergent);
  column("energy", c_energy);
  column("jump", c_energy_jump);
  column("t", c_time);
  out += ",\"q\":[";
  for (std::size_t k = 0; k < selection.size(); ++k) {
    if (k) out += ',';
    put_numbers(out, n, [&](std::size_t i) { return v[(lo + i) * rec + n_columns + static_cast<std::size_t>(selection[k])]; });
  }
  out += "]}";
}

inline void put_summary(std::string& out, const history_state& st) {
  out += ",\"summary\":{\"final\":";
  out += st.final ? "true" : "false";
  out += ",\"draws\":";
  put_integer(out, st.summary_draws);
  out += ",\"chains\":";
  put_integer(out, st.summary_chains);
  out += ",\"stride\":";
  put_integer(out, st.summary_stride);
  out += ",\"rows\":[";
  bool first = true;
  for (std::size_t j = 0; j < st.summary.size(); ++j) {
    if (!st.computed[j]) continue;
    const summary_row& r = st.summary[j];
    if (!first) out += ',';
    first = false;
    out += '[';
    put_integer(out, static_cast<long long>(j));
    for (double x : {r.mean, r.sd, r.q5, r.q50, r.q95, r.r_hat, r.ess_bulk, r.ess_tail}) {
      out += ',';
      put_number(out, x);
    }
    out += ']';
  }
  out += "]}";
}

// JSON of what `v` has not seen yet: everything on its first call (a "snapshot"), then
// "delta"s; empty when there is nothing new.
inline std::string write_update(history_state& st, view& v, double now) {
  const bool full = !v.started;
  if (full) {
    v.started = true;
    v.seq = 0.0;
    v.epochs.assign(st.hist.size(), -1);
    v.status_version = v.summary_version = v.run_version = -1;
    v.meta_width = -2;
  }
  if (v.want_default && st.width > 0 && v.selection.empty()) {
    for (long j = 0; j < std::min(3L, st.width); ++j) v.selection.push_back(static_cast<int>(j));
    v.want_default = false;
  }
  std::erase_if(v.selection, [&](int j) { return j < 0 || j >= st.width; });
  std::string out = "{";
  put_key(out, "type");
  put_string(out, full ? "snapshot" : "delta");
  out += ',';
  put_key(out, "now");
  put_number(out, now);
  bool any = full;
  if (v.meta_width != st.width) {
    put_meta(out, st, v);
    v.meta_width = st.width;
    any = true;
  }
  if (v.run_version != st.run_version || v.status_version != st.status_version) {
    put_run(out, st);
    v.run_version = st.run_version;
    any = true;
  }
  if (v.status_version != st.status_version) {
    put_chains(out, st);
    v.status_version = st.status_version;
  }
  std::string points, divergent;
  for (std::size_t c = 0; c < st.hist.size(); ++c) {
    const history& h = st.hist[c];
    const bool reset = v.epochs[c] != h.epoch;
    const double after = reset ? 0.0 : v.seq;
    put_records(points, st, c, h.epoch, reset, false, h.rows, after, v.selection);
    put_records(divergent, st, c, h.epoch, reset, true, h.divergent, after, v.selection);
    v.epochs[c] = h.epoch;
  }
  if (!points.empty()) {
    out += ",\"points\":[" + points + "]";
    any = true;
  }
  if (!divergent.empty()) {
    out += ",\"divergent\":[" + divergent + "]";
    any = true;
  }
  v.seq = st.seq;
  if (v.summary_version != st.summary_version) {
    put_summary(out, st);
    v.summary_version = st.summary_version;
    any = true;
  }
  if (!any) return {};
  return out + "}";
}

}  // namespace exmc::dash
