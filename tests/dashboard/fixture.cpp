// A run for the browser check (browser_check.py) to watch: the centred eight schools posterior,
// written by hand, at a steady pace (a sleep per gradient), with one chain made to fail after its
// warmup so that the page's failure banner can be checked.
//
//   dashboard_fixture [--port 0] [--fail-chain 2] [--pace-us 300] [--wait 30] [--linger 20]
//   dashboard_fixture cli ARGS...     (exmc::cli::run on the same model: --dashboard, report)
//
// Prints the dashboard's address on stderr, starts sampling once a page has connected (or after
// `wait` seconds), and serves until the run has ended and then `linger` seconds more.
#include <exmc/dashboard/dashboard.hpp>  // before cli.hpp: enables --dashboard
#include <exmc/cli/cli.hpp>
#include <exmc/nuts/nuts.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

#include "schools.hpp"

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "cli")
    return exmc::cli::run([](const exmc::data_file&) { return dashboard_test::schools{}; }, argc - 1, argv + 1);
  int port = 0, fail_chain = 2, pace = 300;
  double linger = 20.0, wait = 30.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--port") port = std::atoi(v.c_str());
    else if (a == "--fail-chain") fail_chain = std::atoi(v.c_str());
    else if (a == "--pace-us") pace = std::atoi(v.c_str());
    else if (a == "--linger") linger = std::atof(v.c_str());
    else if (a == "--wait") wait = std::atof(v.c_str());
    else {
      std::cerr << "unknown option " << a << "\n";
      return 2;
    }
  }
  dashboard_test::schools density{fail_chain - 1, pace};
  exmc::sample_options o;
  o.chains = 4;
  o.threads = 4;
  o.warmup = 150;
  o.draws = 800;
  o.seed = 11;
  o.max_consecutive_faults = 10;
  exmc::dashboard dash(o, {.port = port, .title = "dashboard fixture (eight schools, centred)"});
  dash.attach(o);
  o.callback = exmc::callbacks({[](const exmc::draw_event& ev) {
                                  dashboard_test::current_chain = ev.chain;
                                  dashboard_test::past_warmup = !ev.warmup;
                                  return true;
                                },
                                o.callback});
  dash.wait_for_viewer(wait);
  const exmc::fit f = exmc::sample(density, o);
  dash.finish(f);
  for (const auto& st : f.status)
    if (!st.message.empty()) std::cerr << st.message << "\n";
  std::cerr << "run ended\n" << std::flush;
  dash.linger(linger);  // the browser check ends the process when it is done
  return 0;
}
