// Streaming draws to a consumer while sampling runs: a callback keeps running means, a progress
// display reports on stderr, a Stan CSV file is written as the draws arrive, and sampling stops
// early once every chain has given the consumer 400 draws.
#include <exmc/exmc.hpp>
#include <exmc/io/callbacks.hpp>
#include <exmc/io/progress.hpp>
#include <exmc/io/stan_csv_writer.hpp>
#include <iostream>

int main(int argc, char** argv) {
  using namespace exmc;
  const std::string csv_path = argc > 1 ? argv[1] : "streaming.csv";
  auto mu = param<"mu">(normal(1.0, 2.0));
  auto sigma = param<"sigma">(half_normal(1.0));
  auto density = compile<double>(model(mu, sigma));

  sample_options o;
  o.chains = 2;
  o.warmup = 200;
  o.draws = 100000;  // more than we want: the consumer stops the run
  o.seed = 4;
  o.threads = 2;  // both chains run at once, so both reach 400 draws

  // The consumer: running mean of mu over sampling draws, per chain.
  std::vector<double> sum(2, 0.0);
  std::vector<long> count(2, 0);
  // Callbacks are serialised by the sampler, so no lock is needed here.
  auto consumer = [&](const draw_event& ev) {
    if (!ev.warmup && count[ev.chain] < 400) {
      sum[ev.chain] += ev.values[0];  // values are named by *ev.names: "mu", "sigma"
      ++count[ev.chain];
    }
    return count[0] < 400 || count[1] < 400;  // false stops every chain
  };
  progress_display progress(o);
  stan_csv_writer csv(o, {.path = csv_path, .model = "streaming"});
  o.callback = callbacks({consumer, progress.callback(), csv.callback()});
  const fit f = sample(density, o);
  progress.finish(f);
  csv.finish(f);
  for (int c = 0; c < 2; ++c) std::cout << "chain " << c + 1 << ": " << count[c] << " draws, mean of mu " << sum[c] / count[c] << "\n";
  std::cout << "CSV written to";
  for (const auto& p : csv.paths()) std::cout << " " << p;
  std::cout << "\n";
  return 0;
}
