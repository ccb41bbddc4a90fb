// Watching a sampler work: the stochastic volatility model (100 latent log-volatilities under a
// Gaussian random walk, student-t returns) with 4 chains, served as a live web page while it
// runs. Open the address it prints; traces grow per chain, the warmup is shaded, divergences are
// marked, and R-hat / ESS fill in as the sampling draws arrive.
//
//   live_dashboard [--port 8080] [--chains 4] [--warmup 1000] [--draws 1000] [--seed 1]
//                  [--wait 0] [--linger 30] [--report report.html] [--data sv.json]
//
// --port 0 picks a free port. --wait gives a browser that many seconds to open the page before
// sampling starts (a page opened later gets the run so far at once). --linger keeps the page
// served that many seconds after the run (Ctrl-C ends it sooner; the page keeps what it shows).
// --report also writes the finished fit as one self-contained HTML file. Build: link
// exmc::dashboard (cpp-httplib) and have Debian's libjs-chart.js installed.
#include <exmc/exmc.hpp>
#include <exmc/dashboard/dashboard.hpp>
#include <exmc/io/cmdstan_json.hpp>
#include <exmc/io/progress.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  using namespace exmc;
  sample_options o;
  o.chains = 4;
  o.seed = 1;
  o.target_accept = 0.9;
  int port = 8080;
  double linger = 30.0, wait = 0.0;
  std::string report, data = std::string(EXMC_DATA_DIR) + "/sv.json";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--port") port = std::atoi(v.c_str());
    else if (a == "--chains") o.chains = std::atoi(v.c_str());
    else if (a == "--warmup") o.warmup = std::atoi(v.c_str());
    else if (a == "--draws") o.draws = std::atoi(v.c_str());
    else if (a == "--seed") o.seed = std::strtoull(v.c_str(), nullptr, 10);
    else if (a == "--linger") linger = std::atof(v.c_str());
    else if (a == "--wait") wait = std::atof(v.c_str());
    else if (a == "--report") report = v;
    else if (a == "--data") data = v;
    else {
      std::cerr << "unknown option " << a << " (see the comment at the top of live_dashboard.cpp)\n";
      return 2;
    }
  }
  o.threads = o.chains;  // every chain moves at once, even on a small machine

  const data_file d = data_file::from_file(data);
  auto sigma = param<"sigma">(exponential(50.0));
  auto nu = param<"nu">(exponential(0.1));
  auto s = param<"s">(gaussian_random_walk(sigma), d.integer("T"));
  auto density = compile<double>(model(sigma, nu, s, observe<"r">(student_t(nu, 0.0, exp(s)), d.vector("r"))));

  dashboard dash(o, {.port = port, .title = "stochastic volatility"});  // prints its address
  dash.attach(o);
  if (wait > 0 && !dash.wait_for_viewer(wait)) std::cerr << "no page opened within " << wait << " s; sampling anyway\n";
  progress_display progress(o, {.mode = progress_mode::plain});
  o.callback = callbacks({o.callback, progress.callback()});
  const fit f = sample(density, o);
  dash.finish(f);
  progress.finish(f);
  std::cout << summary(f) << "\n" << diagnose(f).verdict() << "\n";
  if (!report.empty()) {
    write_report(f, report, {.title = "stochastic volatility"});
    std::cout << "report written to " << report << "\n";
  }
  if (linger > 0) {
    std::cerr << "run finished; serving " << dash.url() << " for " << linger << " s more\n";
    dash.linger(linger);
  }
  return f.all_ok() ? 0 : 1;
}
