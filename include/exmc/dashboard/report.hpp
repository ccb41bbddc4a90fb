#pragma once
// A finished fit as one self-contained HTML file, with the live dashboard's plots: traces,
// densities and rank plots per quantity, sampler statistics, energy, a pair plot with the
// divergences and the summary table. It loads nothing from anywhere (Chart.js is embedded), so
// it can be opened offline, mailed or archived.
//
//   exmc::fit f = exmc::sample(density, options);
//   exmc::write_report(f, "report.html", {.title = "eight schools"});
//   exmc::write_report(exmc::read_stan_csv({"out_1.csv", "out_2.csv"}), "report.html");
//
// Needs no server and no library beyond exmc: only the Chart.js file of Debian's libjs-chart.js
// at run time (see dash::chart_js). The draws go through the same store as a live run: at most
// points_per_chain evenly spaced draws per chain are plotted; the table is exmc::summary of all.
#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "../core/error.hpp"
#include "../nuts/fit.hpp"
#include "page.hpp"
#include "store.hpp"

namespace exmc {

struct report_options {
  std::string title = "exmc";
  int points_per_chain = 1024;             // draws plotted per chain (evenly spaced); the table uses all
  std::size_t max_quantities = 200;        // quantities whose draws are embedded, the first ones ...
  std::size_t max_values = 2'000'000;      // ... fewer if their draws would be more values than this (~15 MB) ...
  std::vector<std::string> quantities{};   // ... or these, by name (the table always has every one)
  std::string chart_js{};                  // Chart.js file (empty: $EXMC_CHARTJS, else Debian's libjs-chart.js)
};

namespace dash {

// Feeds a fit's draws to a store in the order a live run would have streamed them: each chain's
// warmup draws (when the fit kept them), then its sampling draws, then how it ended.
inline void feed(store& s, const fit& f) {
  const auto stat = [&](const char* name) -> Eigen::Index {
    const auto& n = f.sample_stats.names;
    const auto it = std::find(n.begin(), n.end(), name);
    return it == n.end() ? -1 : static_cast<Eigen::Index>(it - n.begin());
  };
  const Eigen::Index lp = stat("lp__"), accept = stat("accept_stat__"), step = stat("stepsize__"), depth = stat("treedepth__"),
                     leapfrog = stat("n_leapfrog__"), divergent = stat("divergent__"), energy = stat("energy__");
  const bool with_warmup = !f.warmup_posterior.chains.empty() && f.warmup_posterior.chains.size() == f.posterior.chains.size();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> values(f.posterior.names.size());
  for (std::size_t i = 0; i < f.chain_ids.size() && i < f.posterior.chains.size(); ++i) {
    const int chain = f.chain_ids[i];
    long iteration = 0;
    const auto run = [&](const Eigen::MatrixXd& post, const Eigen::MatrixXd& stats, bool warmup) {
      for (Eigen::Index r = 0; r < post.rows(); ++r, ++iteration) {
        for (Eigen::Index j = 0; j < post.cols(); ++j) values[static_cast<std::size_t>(j)] = post(r, j);
        const auto at = [&](Eigen::Index col) { return col >= 0 && r < stats.rows() ? stats(r, col) : nan; };
        draw_event ev;
        ev.chain = chain;
        ev.iteration = iteration;
        ev.warmup = warmup;
        ev.names = &f.posterior.names;
        ev.values = values;
        ev.lp = at(lp);
        ev.accept_stat = at(accept);
        ev.step_size = at(step);
        ev.treedepth = static_cast<int>(std::isfinite(at(depth)) ? at(depth) : 0.0);
        ev.n_leapfrog = static_cast<int>(std::isfinite(at(leapfrog)) ? at(leapfrog) : 0.0);
        ev.divergent = at(divergent) > 0.0;
        ev.energy = at(energy);
        s.add(ev);
        if (iteration % 4096 == 4095) s.ingest();  // keeps the pending buffer short
      }
    };
    const auto c = static_cast<std::size_t>(i);
    if (with_warmup) run(f.warmup_posterior.chains[c], f.warmup_sample_stats.chains[c], true);
    run(f.posterior.chains[c], f.sample_stats.chains[c], false);
    s.ingest();
  }
  for (std::size_t c = 0; c < f.status.size(); ++c) s.chain_ended(static_cast<int>(c), f.status[c]);
  s.finish(f);
}

inline std::string now_text() {
  const std::time_t t = std::time(nullptr);
  char buf[64];
  std::tm tm{};
  localtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "written %Y-%m-%d %H:%M", &tm);
  return buf;
}

}  // namespace dash

// The report as a string (write_report writes it to a file).
inline std::string report_html(const fit& f, const report_options& o = {}) {
  if (o.points_per_chain < 16) throw model_error("write_report: points_per_chain must be at least 16 (got " + std::to_string(o.points_per_chain) + ")");
  if (f.status.empty()) throw model_error("write_report: the fit has no chains");
  const std::string library = dash::chart_js(o.chart_js);

  const std::vector<std::string>& names = f.posterior.names;
  std::vector<int> selection;
  if (o.quantities.empty()) {
    // Values per quantity: each chain's plotted points (warmup included when kept).
    std::size_t per_quantity = 0;
    for (std::size_t i = 0; i < f.posterior.chains.size(); ++i) {
      const auto rows = f.posterior.chains[i].rows() + (i < f.warmup_posterior.chains.size() ? f.warmup_posterior.chains[i].rows() : 0);
      per_quantity += static_cast<std::size_t>(std::min<Eigen::Index>(rows, o.points_per_chain));
    }
    const std::size_t fit_budget = std::max<std::size_t>(1, o.max_values / std::max<std::size_t>(1, per_quantity));
    for (std::size_t j = 0; j < names.size() && j < std::min(o.max_quantities, fit_budget); ++j) selection.push_back(static_cast<int>(j));
  } else {
    for (const auto& q : o.quantities) {
      const auto it = std::find(names.begin(), names.end(), q);
      if (it == names.end()) throw model_error("write_report: quantities names '" + q + "', which the fit does not have");
      selection.push_back(static_cast<int>(it - names.begin()));
    }
  }

  dash::run_shape shape;
  shape.chains = static_cast<int>(f.status.size());
  shape.warmup = 0;
  shape.draws = 0;
  for (std::size_t i = 0; i < f.posterior.chains.size(); ++i) {
    if (i < f.warmup_posterior.chains.size()) shape.warmup = std::max(shape.warmup, static_cast<int>(f.warmup_posterior.chains[i].rows()));
    shape.draws = std::max(shape.draws, static_cast<int>(f.posterior.chains[i].rows()));
  }
  shape.max_depth = f.max_depth;
  shape.target_accept = std::numeric_limits<double>::quiet_NaN();  // not recorded in a fit
  shape.title = o.title;
  shape.mode = "report";
  shape.generated = dash::now_text();
  for (std::size_t c = 0; c < f.status.size(); ++c)
    shape.seconds.push_back((c < f.warmup_seconds.size() ? f.warmup_seconds[c] : 0.0) +
                            (c < f.sampling_seconds.size() ? f.sampling_seconds[c] : 0.0));

  dash::store s(shape, {.points_per_chain = o.points_per_chain, .max_doubles = std::numeric_limits<std::size_t>::max()});
  dash::feed(s, f);
  dash::view v;
  v.selection = std::move(selection);
  v.want_default = false;
  return dash::page(o.title, library, s.update(v));
}

// Writes the report; throws model_error when the file cannot be written.
inline void write_report(const fit& f, const std::string& path, const report_options& o = {}) {
  const std::string html = report_html(f, o);
  std::ofstream out(path, std::ios::binary);
  if (!out) throw model_error("write_report: cannot open '" + path + "' for writing");
  out << html;
  out.close();
  if (!out) throw model_error("write_report: writing '" + path + "' failed (disk full?)");
}

}  // namespace exmc
