// Stan CSV writer and reader, the callback combinator and the plain progress display.
// Densities are hand-written (no DSL) to keep this translation unit quick to compile.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <unistd.h>

#include "exmc/diagnostics/diagnostics.hpp"
#include "exmc/io/callbacks.hpp"
#include "exmc/io/progress.hpp"
#include "exmc/io/stan_csv_reader.hpp"
#include "exmc/io/stan_csv_writer.hpp"
#include "exmc/nuts/sample.hpp"
#include "expect_error.hpp"

namespace {

// mu ~ N(1, 2), theta[k] = exp(z_k) with z_k ~ N(0, 0.5): named, constrained output.
struct named_density {
  using scalar = double;
  std::ptrdiff_t dim() const { return 3; }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
    g[0] = -(q[0] - 1.0) / 4.0;
    g[1] = -q[1] / 0.25;
    g[2] = -q[2] / 0.25;
    return -0.5 * ((q[0] - 1.0) * (q[0] - 1.0) / 4.0 + (q[1] * q[1] + q[2] * q[2]) / 0.25);
  }
  std::vector<std::string> param_names() const { return {"mu", "theta[0]", "theta[1]"}; }
  void constrain(const exmc::vector_t<double>& q, Eigen::VectorXd& out) const {
    out.resize(3);
    out << q[0], std::exp(q[1]), std::exp(q[2]);
  }
};

std::string temp_dir() {
  const auto dir = std::filesystem::temp_directory_path() / ("exmc_io_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

exmc::sample_options small_run() {
  exmc::sample_options o;
  o.chains = 2;
  o.warmup = 150;
  o.draws = 120;
  o.seed = 7;
  o.threads = 1;
  return o;
}

}  // namespace

TEST_CASE("names go between exmc's 0-based and Stan's 1-based forms", "[io][csv]") {
  using namespace exmc::io;
  CHECK(to_stan_name("mu") == "mu");
  CHECK(to_stan_name("theta[0]") == "theta.1");
  CHECK(to_stan_name("Sigma[1,2]") == "Sigma.2.3");
  CHECK(to_stan_name("Sigma[1][2]") == "Sigma.2.3");
  CHECK(to_stan_name("odd[x]") == "odd[x]");
  CHECK(from_stan_name("theta.1") == "theta[0]");
  CHECK(from_stan_name("Sigma.2.3") == "Sigma[1,2]");
  CHECK(from_stan_name("lp__") == "lp__");
  CHECK(from_stan_name("a.0") == "a.0");  // Stan indices start at 1: not an index
  CHECK(split("Sigma[1,2]").index == std::vector<long>{1, 2});
  CHECK(chain_path("out/run.csv", 2, 4) == "out/run_3.csv");
  CHECK(chain_path("out.d/run", 0, 2) == "out.d/run_1");
  CHECK(chain_path("run.csv", 0, 1) == "run.csv");
}

TEST_CASE("CSV written while sampling reads back bit-identical", "[io][csv]") {
  const std::string dir = temp_dir();
  exmc::sample_options o = small_run();
  o.thin = 2;
  o.save_warmup = true;
  exmc::stan_csv_writer csv(o, {.path = dir + "/run.csv", .model = "named", .data = "none.json"});
  o.callback = csv.callback();
  const exmc::fit f = exmc::sample(named_density{}, o);
  csv.finish(f);
  REQUIRE(f.all_ok());
  REQUIRE(csv.paths() == std::vector<std::string>{dir + "/run_1.csv", dir + "/run_2.csv"});

  const std::string text = slurp(csv.paths()[0]);
  CHECK(text.find("lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,mu,theta.1,theta.2\n") != std::string::npos);
  CHECK(text.find("# Adaptation terminated\n# Step size = ") != std::string::npos);
  CHECK(text.find("#  Elapsed Time: ") != std::string::npos);
  CHECK(text.find("#     num_warmup = 150\n") != std::string::npos);
  CHECK(text.find("# id = 1\n") != std::string::npos);

  const exmc::fit r = exmc::read_stan_csv(csv.paths());
  REQUIRE(r.posterior.names == f.posterior.names);
  REQUIRE(r.sample_stats.names == f.sample_stats.names);
  REQUIRE(r.posterior.num_chains() == 2);
  for (std::size_t c = 0; c < 2; ++c) {
    CHECK(r.posterior.chains[c].rows() == 60);  // 120 draws, thin 2
    CHECK(r.posterior.chains[c] == f.posterior.chains[c]);
    CHECK(r.sample_stats.chains[c] == f.sample_stats.chains[c]);
    CHECK(r.warmup_posterior.chains[c].rows() == 75);
    CHECK(r.warmup_posterior.chains[c] == f.warmup_posterior.chains[c]);
    CHECK(r.step_size[c] == f.step_size[c]);
    CHECK(r.inv_metric_diag[c] == f.inv_metric_diag[c]);
    // The default low-rank metric's parts come back too (D136), whatever its rank.
    CHECK(r.inv_metric_low_rank[c].diag == f.inv_metric_low_rank[c].diag);
    CHECK(r.inv_metric_low_rank[c].values == f.inv_metric_low_rank[c].values);
    CHECK(r.inv_metric_low_rank[c].vectors == f.inv_metric_low_rank[c].vectors);
    CHECK(r.status[c].outcome == exmc::chain_outcome::ok);
    CHECK(std::abs(r.warmup_seconds[c] + r.sampling_seconds[c] - f.warmup_seconds[c] - f.sampling_seconds[c]) < 2e-3);
  }
  CHECK(r.metric == exmc::metric_kind::low_rank);  // files say diag_e, for Stan's tools, and exmc_metric = low_rank
  CHECK(r.max_depth == 10);
  const exmc::stan_csv_file one = exmc::read_stan_csv_file(csv.paths()[1]);
  CHECK(one.setting("num_samples", 0) == 120);
  CHECK(one.setting("thin", 0) == 2);
  CHECK(one.config.at("file") == "none.json");  // data file comes before the output file
  CHECK(one.complete);
}

TEST_CASE("dense and unit metrics and CmdStan's precision", "[io][csv]") {
  const std::string dir = temp_dir();
  for (const auto metric : {exmc::metric_kind::dense, exmc::metric_kind::unit}) {
    exmc::sample_options o = small_run();
    o.chains = 1;
    o.metric = metric;
    exmc::stan_csv_writer csv(o, {.path = dir + "/metric.csv", .sig_figs = 6});
    o.callback = csv.callback();
    const exmc::fit f = exmc::sample(named_density{}, o);
    csv.finish(f);
    const exmc::stan_csv_file r = exmc::read_stan_csv_file(dir + "/metric.csv");
    REQUIRE(r.draws.rows() == 120);
    // Six significant digits: relative error at most 5e-6.
    const Eigen::MatrixXd& post = f.posterior.chains[0];
    CHECK(((r.draws.rightCols(3) - post).array().abs() <= 5e-6 * post.array().abs() + 1e-300).all());
    if (metric == exmc::metric_kind::dense) {
      REQUIRE(r.inv_metric_dense.rows() == 3);
      CHECK(r.inv_metric_dense.isApprox(f.inv_metric_dense[0], 1e-5));
    } else {
      CHECK(slurp(dir + "/metric.csv").find("# No free parameters for unit metric") != std::string::npos);
      CHECK(r.inv_metric_diag.size() == 0);
    }
  }
}

TEST_CASE("an interrupted run keeps its draws in the CSV", "[io][csv]") {
  const std::string dir = temp_dir();
  exmc::sample_options o = small_run();
  o.chains = 1;
  std::vector<Eigen::VectorXd> seen;
  {
    exmc::stan_csv_writer csv(o, {.path = dir + "/cut.csv"});
    // Stop after 30 sampling iterations; no finish(): as if the process had died.
    o.callback = exmc::callbacks({csv.callback(), [&](const exmc::draw_event& ev) {
                                    if (!ev.warmup) seen.emplace_back(Eigen::Map<const Eigen::VectorXd>(ev.values.data(), 3));
                                    return ev.iteration + 1 < o.warmup + 30;
                                  }});
    const exmc::fit f = exmc::sample(named_density{}, o);
    CHECK(f.status[0].outcome == exmc::chain_outcome::stopped);
  }
  // Without finish() the draws stay in the .partial file; nothing appears at the final name.
  CHECK_FALSE(std::filesystem::exists(dir + "/cut.csv"));
  { std::ofstream(dir + "/cut.csv.partial", std::ios::app) << "-1.5,0.9,0.3"; }  // a row cut off mid-write
  const exmc::fit r = exmc::read_stan_csv({dir + "/cut.csv.partial"});
  REQUIRE(seen.size() == 30);
  REQUIRE(r.posterior.chains[0].rows() == 30);
  for (int i = 0; i < 30; ++i) CHECK(r.posterior.chains[0].row(i).transpose() == seen[static_cast<std::size_t>(i)]);
  CHECK(r.status[0].outcome == exmc::chain_outcome::stopped);
}

TEST_CASE("an incomplete run stays in .partial files that say why; what was drawn can be summarised", "[io][csv]") {
  const std::string dir = temp_dir() + "/stopped";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/run_1.csv") << "earlier results\n";
  exmc::sample_options o = small_run();
  o.chains = 3;
  exmc::stan_csv_writer csv(o, {.path = dir + "/run.csv"});
  // One thread: chain 1 runs to the end, chain 2 is stopped in warmup (no draws), chain 3
  // never starts.
  o.callback = exmc::callbacks({csv.callback(), [](const exmc::draw_event& ev) { return !(ev.chain == 1 && ev.iteration == 10); }});
  const exmc::fit f = exmc::sample(named_density{}, o);
  CHECK_FALSE(csv.finish(f));
  CHECK(f.status[0].outcome == exmc::chain_outcome::ok);
  CHECK(f.status[1].outcome == exmc::chain_outcome::stopped);
  CHECK(f.status[1].message == "chain 2: stopped early after 11 of 150 warmup iterations: a callback asked to stop");
  CHECK(f.status[2].message == "chain 3: never started: the run was stopped first");
  CHECK(f.chain_ids == std::vector<int>{0});  // the chain without draws is left out of the draws
  CHECK(csv.paths() == std::vector<std::string>{dir + "/run_1.csv.partial", dir + "/run_2.csv.partial"});
  CHECK(slurp(dir + "/run_1.csv") == "earlier results\n");  // an incomplete run replaces nothing
  CHECK_FALSE(std::filesystem::exists(dir + "/run_3.csv.partial"));  // never started: no file
  CHECK_THAT(slurp(dir + "/run_2.csv.partial"),
             Catch::Contains("# exmc_status = stopped\n# exmc_message = chain 2: stopped early after 11 of 150 warmup"));

  const exmc::fit r = exmc::read_stan_csv(csv.paths());
  CHECK(r.chain_ids == std::vector<int>{0});
  REQUIRE(r.status.size() == 2);
  CHECK(r.status[0].outcome == exmc::chain_outcome::ok);
  CHECK(r.status[1].outcome == exmc::chain_outcome::stopped);
  CHECK_THAT(r.status[1].message, Catch::Contains("run_2.csv.partial': chain 2: stopped early"));
  const exmc::summary_table t = exmc::summary(r);  // threw before: one chain had 0 draws
  CHECK(t["mu"].mean == exmc::summary(f)["mu"].mean);
  CHECK_THAT(exmc::diagnose(r).verdict(), Catch::StartsWith("INCOMPLETE RUN: 1 of 2 chains stopped early"));

  // A chain that failed before its first draw: no column names, only the reason, passed on.
  std::ofstream(dir + "/failed.csv") << "# model = x\n# id = 2\n# exmc_status = failed\n"
                                        "# exmc_message = chain 2: no finite starting point after 100 tries\n";
  const exmc::fit g = exmc::read_stan_csv({dir + "/run_1.csv.partial", dir + "/failed.csv"});
  CHECK(g.chain_ids == std::vector<int>{0});
  CHECK(g.status[1].outcome == exmc::chain_outcome::failed);
  CHECK_THAT(g.status[1].message, Catch::EndsWith("failed.csv': chain 2: no finite starting point after 100 tries"));
  CHECK_THAT(exmc::diagnose(g).verdict(), Catch::StartsWith("1 of 2 chains FAILED"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a CSV written by CmdStan is read", "[io][csv]") {
  const std::string path = temp_dir() + "/cmdstan.csv";
  std::ofstream(path) << "# stan_version_major = 2\n# model = bernoulli_model\n# method = sample (Default)\n"
                         "#   sample\n#     num_samples = 3\n#     num_warmup = 1000 (Default)\n"
                         "#     save_warmup = 0 (Default)\n#     thin = 1 (Default)\n#         metric = diag_e (Default)\n"
                         "# data\n#   file = bernoulli.data.json\n# output\n#   file = output.csv (Default)\n"
                         "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,theta,z.1.2\n"
                         "# Adaptation terminated\n# Step size = 0.893542\n# Diagonal elements of inverse mass matrix:\n"
                         "# 0.483503, 2\n"
                         "-6.74827,0.917303,0.893542,1,3,0,7.01229,0.212115,1\n"
                         "-6.8,1,0.893542,2,3,0,6.9,0.25,nan\n"
                         "-7.1,0.8,0.893542,1,1,1,7.4,0.3,-inf\n"
                         "# \n#  Elapsed Time: 0.005 seconds (Warm-up)\n#                0.015 seconds (Sampling)\n"
                         "#                0.02 seconds (Total)\n# \n";
  const exmc::stan_csv_file f = exmc::read_stan_csv_file(path);
  CHECK(f.config.at("file") == "bernoulli.data.json");
  CHECK(f.setting("num_warmup", 0) == 1000);
  CHECK(f.step_size == 0.893542);
  REQUIRE(f.inv_metric_diag.size() == 2);
  CHECK(f.inv_metric_diag[1] == 2.0);
  CHECK(f.warmup_seconds == 0.005);
  CHECK(f.sampling_seconds == 0.015);
  REQUIRE(f.draws.rows() == 3);
  CHECK(std::isnan(f.draws(1, 8)));
  CHECK(f.draws(2, 8) == -HUGE_VAL);
  const exmc::fit r = exmc::read_stan_csv({path});
  CHECK(r.posterior.names == std::vector<std::string>{"theta", "z[0,1]"});
  CHECK(r.status[0].divergent == 1);
}

TEST_CASE("bad CSV input and bad writer options raise model_error", "[io][csv]") {
  using exmc_test::model_error_of;
  const std::string dir = temp_dir();
  CHECK_THAT(model_error_of([&] { exmc::read_stan_csv_file(dir + "/missing.csv"); }), Catch::Contains("cannot be opened"));
  CHECK_THAT(model_error_of([&] { exmc::read_stan_csv({}); }), Catch::Contains("no files"));
  std::ofstream(dir + "/bad.csv") << "# x = 1\na,b\n1,2\n1,zz\n";
  CHECK_THAT(model_error_of([&] { exmc::read_stan_csv_file(dir + "/bad.csv"); }), Catch::Contains("line 4: not a row of numbers"));
  std::ofstream(dir + "/short.csv") << "a,b\n1,2,3\n";
  CHECK_THAT(model_error_of([&] { exmc::read_stan_csv_file(dir + "/short.csv"); }), Catch::Contains("3 values, the header names 2"));
  std::ofstream(dir + "/other.csv") << "a,c\n1,2\n";
  std::ofstream(dir + "/good.csv") << "a,b\n1,2\n";
  CHECK_THAT(model_error_of([&] { exmc::read_stan_csv({dir + "/good.csv", dir + "/other.csv"}); }), Catch::Contains("other columns"));
  std::ofstream(dir + "/twice.csv") << "a,b,a\n1,2,3\n";
  CHECK_THAT(model_error_of([&] { exmc::read_stan_csv_file(dir + "/twice.csv"); }), Catch::Contains("column 'a' appears twice (columns 1 and 3)"));
  // Complete files of different lengths are from different runs, not chains to cut.
  std::ofstream(dir + "/long.csv") << "a,b\n1,2\n3,4\n# \n#  Elapsed Time: 1 seconds (Warm-up)\n#   1 seconds (Sampling)\n";
  std::ofstream(dir + "/shorter.csv") << "a,b\n1,2\n# \n#  Elapsed Time: 1 seconds (Warm-up)\n#   1 seconds (Sampling)\n";
  CHECK_THAT(model_error_of([&] { exmc::read_stan_csv({dir + "/long.csv", dir + "/shorter.csv"}); }),
             Catch::Contains("has 1 draws but") && Catch::Contains("has 2"));
  std::ofstream(dir + "/empty.csv") << "# only = comments\n";
  CHECK_THAT(model_error_of([&] { exmc::read_stan_csv_file(dir + "/empty.csv"); }), Catch::Contains("no header line"));
  const exmc::sample_options o = small_run();
  CHECK_THROWS_WITH(exmc::stan_csv_writer(o, {.path = dir + "/no/such/dir/x.csv"}),
                    Catch::Contains("cannot write '" + dir + "/no/such/dir/x_1.csv'"));
  CHECK_THROWS_AS(exmc::stan_csv_writer(o, {.path = dir + "/no/such/dir/x.csv"}), exmc::io_error);
  CHECK_THAT(model_error_of([&] { exmc::stan_csv_writer(o, {.path = ""}); }), Catch::Contains("path is empty"));
  CHECK_THAT(model_error_of([&] { exmc::stan_csv_writer(o, {.path = dir + "/x.csv", .sig_figs = 40}); }), Catch::Contains("sig_figs"));
}

TEST_CASE("callbacks() calls every callback and stops when one says so", "[io]") {
  int a = 0, b = 0;
  const exmc::draw_callback both = exmc::callbacks({[&](const exmc::draw_event&) { ++a; return a < 3; }, {},
                                                    [&](const exmc::draw_event&) { ++b; return true; }});
  exmc::draw_event ev;
  CHECK(both(ev));
  CHECK(both(ev));
  CHECK_FALSE(both(ev));
  CHECK(a == 3);
  CHECK(b == 3);
  CHECK_FALSE(static_cast<bool>(exmc::callbacks({{}, {}})));
}

TEST_CASE("plain progress prints a line per chain at every tenth and a final state", "[io][progress]") {
  std::ostringstream out;
  exmc::sample_options o = small_run();
  o.chains = 3;
  exmc::progress_display progress(o, {.mode = exmc::progress_mode::plain, .out = &out});
  o.callback = progress.callback();
  const exmc::fit f = exmc::sample(named_density{}, o);
  progress.finish(f);
  std::vector<std::string> lines;
  std::istringstream in(out.str());
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  REQUIRE(lines.size() == 3 * 10 + 3 + 1);
  const std::regex running(
      R"(chain [123] +\d{2,3}/270  (warmup  |sampling|done    )  div \d+ +step [0-9.e+-]+ +grad/draw [0-9.]+ +elapsed [0-9.]+s +left ([0-9.]+s|-))");
  for (std::size_t i = 0; i < 30; ++i) CHECK(std::regex_match(lines[i], running));
  CHECK(lines[0].starts_with("chain 1    27/270  warmup  "));  // one thread: chain 1 first
  // A chain is done, its clock stopped, as soon as its last iteration is in.
  CHECK(lines[29].starts_with("chain 3   270/270  done"));
  CHECK(lines[29].ends_with("left -"));
  for (std::size_t i = 30; i < 33; ++i) CHECK(std::regex_search(lines[i], std::regex(R"(270/270  done .* left -$)")));
  // The final elapsed time is the one frozen at the chain's last iteration, not a later one.
  CHECK(lines[32].substr(0, lines[32].find("left")) == lines[29].substr(0, lines[29].find("left")));
  CHECK(std::regex_match(lines[33], std::regex(R"(all 3 chains  810/810 \(100%\)  3 done  elapsed [0-9.]+s  left -)")));
  // Warmup ends at iteration 150 of 270: milestones 1..5 are warmup, 6..10 sampling.
  CHECK(lines[4].find("warmup") != std::string::npos);
  CHECK(lines[5].find("sampling") != std::string::npos);
}

TEST_CASE("the terminal block fits any terminal and chain count", "[io][progress]") {
  for (const int chains : {4, 40}) {
    std::ostringstream out;
    exmc::sample_options o = small_run();
    o.chains = chains;
    exmc::progress_display progress(o, {.mode = exmc::progress_mode::terminal, .out = &out, .refresh_seconds = 0.0, .columns = 60, .rows = 20});
    const exmc::draw_callback cb = progress.callback();
    exmc::draw_event ev;
    // Chain 1 finished, chain 2 in warmup, the others waiting.
    for (long it = 0; it < 270; ++it) {
      ev.chain = 0;
      ev.iteration = it;
      ev.warmup = it < 150;
      ev.step_size = 0.5;
      cb(ev);
    }
    ev.chain = 1;
    ev.iteration = 40;
    ev.warmup = true;
    cb(ev);
    for (const auto& [cols, rows] : std::vector<std::pair<std::size_t, std::size_t>>{{60, 20}, {120, 40}, {30, 6}}) {
      const std::vector<std::string> block = progress.block(cols, rows);
      INFO(chains << " chains on " << cols << "x" << rows);
      CHECK(block.size() < rows);  // a row stays free for the cursor: the block never scrolls
      for (const auto& l : block) CHECK(l.size() < cols);
      CHECK(block.back().starts_with("all " + std::to_string(chains) + " chains"));
      if (static_cast<std::size_t>(chains) + 2 <= rows) {
        CHECK(block.size() == static_cast<std::size_t>(chains) + 1);
        CHECK(block[0].starts_with("chain 1"));
        CHECK_THAT(block[0], Catch::Contains("done"));
      } else {
        CHECK_THAT(block[block.size() - 2], Catch::StartsWith("+ "));
        CHECK_THAT(block[0], Catch::StartsWith("chain 2") && Catch::Contains("warmup"));  // the running chain is shown
      }
    }
    // Redraws move back exactly over the lines drawn before and clear what is below.
    const std::string text = out.str();
    CHECK(text.find(chains == 4 ? "\x1b[5F" : "\x1b[3F") != std::string::npos);  // 4 chains + run line; 1 + summary + run line
    CHECK(text.find("\x1b[J") != std::string::npos);
  }
}

TEST_CASE("silent progress writes nothing; bad progress options are rejected", "[io][progress]") {
  std::ostringstream out;
  const exmc::sample_options o = small_run();
  exmc::progress_display quiet(o, {.mode = exmc::progress_mode::silent, .out = &out});
  CHECK_FALSE(static_cast<bool>(quiet.callback()));
  quiet.finish(exmc::fit{});
  CHECK(out.str().empty());
  CHECK_THAT(exmc_test::model_error_of([&] { exmc::progress_display(o, {.plain_steps = 0}); }), Catch::Contains("plain_steps"));
}

TEST_CASE("exmc's low-rank metric lines are read back, and inconsistent ones are refused", "[io][csv]") {
  const std::string path = temp_dir() + "/low_rank.csv";
  auto write = [&](const std::string& vector_line) {
    std::ofstream(path) << "# stan_version_major = 2\n# model = m\n#         metric = diag_e (Default)\n"
                           "#         exmc_metric = low_rank (Default)\n"
                           "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,a,b\n"
                           "# Adaptation terminated\n# Step size = 0.5\n# Diagonal elements of inverse mass matrix:\n"
                           "# 2.5, 2.5\n# Low-rank D: 1, 1\n# Low-rank values: 4\n"
                        << vector_line << "-1,0.9,0.5,2,3,0,1.5,0.1,0.2\n";
  };
  write("# Low-rank vector: 0.7071067811865476, 0.7071067811865476\n");
  const exmc::stan_csv_file f = exmc::read_stan_csv_file(path);
  CHECK(f.inv_metric_diag == Eigen::Vector2d(2.5, 2.5));
  CHECK(f.inv_metric_low_rank.diag == Eigen::Vector2d(1, 1));
  REQUIRE(f.inv_metric_low_rank.rank() == 1);
  CHECK(f.inv_metric_low_rank.values[0] == 4.0);
  CHECK(f.inv_metric_low_rank.vectors.col(0) == Eigen::Vector2d(0.7071067811865476, 0.7071067811865476));
  CHECK(exmc::read_stan_csv({path}).metric == exmc::metric_kind::low_rank);
  write("# Low-rank vector: 1, 0, 0\n");
  CHECK_THROWS_WITH(exmc::read_stan_csv_file(path), Catch::Contains("low_rank.csv") && Catch::Contains("low-rank vectors"));
  write("");
  CHECK_THROWS_WITH(exmc::read_stan_csv_file(path), Catch::Contains("low-rank vectors do not match its values"));
}
