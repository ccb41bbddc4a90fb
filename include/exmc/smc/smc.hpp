#pragma once
// exmc::smc: sequential Monte Carlo with likelihood tempering (as in PyMC's SMC). Particles
// drawn from the prior are reweighted by likelihood^(beta' - beta), with beta' chosen by
// bisection so the weights keep an ESS of ess_target * particles, resampled systematically,
// then moved by HMC or random-walk MH at the new temperature, until beta = 1. The product of
// mean incremental weights estimates the marginal likelihood.
//
//   exmc::smc_options o;  o.particles = 2000;  o.seed = 3;
//   exmc::smc_fit f = exmc::smc(density, o);   // density: a TemperedLogDensity
//   f.log_evidence;  exmc::summary(f);
//
// Particle i of stage s draws from rng(seed, s * 2^32 + i) and the kernel parameters are
// reduced over particles in index order, so results are bit-identical for any thread count, and
// for any split of the particles over MPI ranks (exmc::mpi::smc, <exmc/mpi/smc.hpp>).
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "../core/error.hpp"
#include "../core/random.hpp"
#include "kernels.hpp"
#include "options.hpp"
#include "tempered_density.hpp"
#include "tempering.hpp"

namespace exmc {

namespace smc_detail {

[[noreturn]] inline void bad_option(std::string_view what) { throw model_error(str_cat({"smc: ", what})); }

template <TemperedLogDensity D>
void validate(const D& d, const smc_options& o) {
  auto n = [](auto x) { return std::to_string(x); };
  const auto dim = static_cast<std::ptrdiff_t>(d.dim());
  if (dim < 1) bad_option(str_cat({"the density has no coordinates (dim() = ", n(dim), ")"}));
  if (o.particles < 2 || o.particles > (1 << 30)) bad_option(str_cat({"particles must lie in [2, 2^30] (got ", n(o.particles), ")"}));
  if (o.threads < 0) bad_option(str_cat({"threads must be >= 0 (got ", n(o.threads), ")"}));
  if (!(o.ess_target > 0.0 && o.ess_target < 1.0)) bad_option(str_cat({"ess_target must lie in (0, 1) (got ", n(o.ess_target), ")"}));
  if (!(o.move_probability > 0.0 && o.move_probability < 1.0))
    bad_option(str_cat({"move_probability must lie in (0, 1) (got ", n(o.move_probability), ")"}));
  if (o.min_steps < 1) bad_option(str_cat({"min_steps must be at least 1 (got ", n(o.min_steps), ")"}));
  if (o.max_steps < o.min_steps)
    bad_option(str_cat({"max_steps (", n(o.max_steps), ") must be >= min_steps (", n(o.min_steps), ")"}));
  if (o.leapfrog_steps < 1) bad_option(str_cat({"leapfrog_steps must be at least 1 (got ", n(o.leapfrog_steps), ")"}));
  if (!(o.step_size > 0.0) || !std::isfinite(o.step_size))
    bad_option(str_cat({"step_size must be finite and > 0 (got ", n(o.step_size), ")"}));
  if (!(o.target_accept >= 0.0 && o.target_accept < 1.0))
    bad_option(str_cat({"target_accept must lie in [0, 1) (got ", n(o.target_accept), ")"}));
  if (o.max_stages < 1) bad_option(str_cat({"max_stages must be at least 1 (got ", n(o.max_stages), ")"}));
  if (o.init_tries < 1) bad_option(str_cat({"init_tries must be at least 1 (got ", n(o.init_tries), ")"}));
}

// f(i, t) for i in [0, n) on `threads` threads, thread t taking the t-th contiguous block (so it
// may use workspace t). f must not throw.
template <class F>
void parallel_for(int threads, std::size_t n, F&& f) {
  if (threads <= 1) {
    for (std::size_t i = 0; i < n; ++i) f(i, 0);
    return;
  }
  std::vector<std::jthread> pool;
  pool.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&f, t, threads, n] {
      const std::size_t begin = n * static_cast<std::size_t>(t) / static_cast<std::size_t>(threads);
      const std::size_t end = n * static_cast<std::size_t>(t + 1) / static_cast<std::size_t>(threads);
      for (std::size_t i = begin; i < end; ++i) f(i, t);
    });
}

inline std::uint64_t stream(int stage, std::size_t particle) { return (static_cast<std::uint64_t>(stage) << 32) | particle; }
inline std::uint64_t resample_stream(int stage) { return (static_cast<std::uint64_t>(stage) << 32) | 0xFFFFFFFFull; }

// Moves needed for a particle to have moved at least once with probability p when each move is
// accepted with probability a: 1 - (1 - a)^n >= p (PyMC's rule).
inline int steps_for(double a, const smc_options& o) {
  if (!(a > 0.0)) return o.max_steps;
  if (a >= 1.0) return o.min_steps;
  const double n = std::ceil(std::log1p(-o.move_probability) / std::log1p(-a));
  return static_cast<int>(std::clamp(n, static_cast<double>(o.min_steps), static_cast<double>(o.max_steps)));
}

// Kernel proposals from the current (equally weighted) particles.
template <class T>
void tune_from_particles(const std::vector<particle<T>>& ps, smc_kernel kind, kernel_params& k) {
  const auto n = static_cast<Eigen::Index>(ps.size());
  const Eigen::Index d = ps.front().q.size();
  Eigen::MatrixXd x(n, d);
  for (Eigen::Index i = 0; i < n; ++i) x.row(i) = ps[static_cast<std::size_t>(i)].q.template cast<double>().transpose();
  const Eigen::RowVectorXd mean = x.colwise().mean();
  x.rowwise() -= mean;
  const Eigen::MatrixXd cov = x.transpose() * x / static_cast<double>(n - 1);
  // A coordinate on which all particles agree (one survivor) gets unit scale, so moves can
  // spread the population again.
  k.sd = cov.diagonal().cwiseSqrt();
  for (Eigen::Index j = 0; j < d; ++j)
    if (!(k.sd[j] > 1e-12) || !std::isfinite(k.sd[j])) k.sd[j] = 1.0;
  if (kind == smc_kernel::mh) {
    Eigen::LLT<Eigen::MatrixXd> llt(cov + 1e-10 * Eigen::MatrixXd::Identity(d, d));
    if (llt.info() == Eigen::Success && cov.allFinite())
      k.chol = llt.matrixL();
    else
      k.chol = Eigen::MatrixXd(k.sd.asDiagonal());
  }
}

// How the particles are shared out. run() below is the whole algorithm; a policy says which
// contiguous block [lo, hi) of particles this process moves and, after each collective step,
// makes the other blocks' results known here. Everything else (reweighting, resampling, kernel
// tuning, every reduction) is computed by every process from the full population in particle
// order, so any split gives the same bits. A policy provides:
//   lo, hi                              this process's block
//   share_round(rec, failed)            after a round of moves (or the prior draws): accept, evals
//                                       and faults of every particle; fault texts only where
//                                       run() reads them (each block's last non-empty one, and
//                                       that of its first particle with failed[i] set, failed
//                                       being null except after the prior draws)
//   share_particles(ps, kernel)         after a stage's moves: every particle's state, at least
//                                       the fields `kernel` reads (q, lp, ll; gp and gl for hmc)
//   share_constrained(m, problem)       after constrain(): rows of m outside the block, and the
//                                       first non-empty problem of any block (by block order)
// Every share_* call is collective: run() reaches each one on every process, and decides every
// error from shared data only, after the exchange, so all processes throw together.
struct local_exchange {  // this process moves every particle; nothing to share
  std::size_t lo = 0, hi = 0;
  void share_round(std::vector<move_record>&, std::vector<char>*) {}
  template <class T>
  void share_particles(std::vector<particle<T>>&, smc_kernel) {}
  void share_constrained(Eigen::MatrixXd&, std::string&) {}
};

// The algorithm behind exmc::smc and exmc::mpi::smc; `o` must have passed validate().
template <TemperedLogDensity D, class Exchange>
smc_fit run(const D& d, const smc_options& o, Exchange& ex) {
  using T = typename D::scalar;
  const auto dim = static_cast<Eigen::Index>(d.dim());
  const auto np = static_cast<std::size_t>(o.particles);
  const std::size_t lo = ex.lo, block = ex.hi - ex.lo;
  int threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min(threads, static_cast<int>(std::max<std::size_t>(block, 1)));
  const double target = o.target_accept > 0.0 ? o.target_accept : (o.kernel == smc_kernel::hmc ? 0.65 : 0.234);

  std::vector<tempered_workspace_t<D>> ws;
  ws.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) ws.emplace_back(d.make_workspace());
  std::vector<particle<T>> ps(np, particle<T>(dim)), scratch(static_cast<std::size_t>(threads), particle<T>(dim));
  std::vector<Eigen::VectorXd> noise(static_cast<std::size_t>(threads));
  std::vector<move_record> rec(np);
  smc_fit out;

  auto collect = [&] {  // totals of one round, in particle order
    double accept = 0.0;
    for (const auto& r : rec) {
      accept += r.accept;
      out.grad_evals += r.evals;
      out.faults += r.faults;
      if (!r.fault.empty()) out.last_fault = r.fault;
    }
    return accept / static_cast<double>(np);
  };

  // Stage 0: prior draws. A draw where the prior fails is redrawn; one where only the
  // likelihood fails is kept with likelihood zero (ll = -inf), so it drops out at the first
  // reweighting and the evidence still counts the prior mass where the likelihood vanishes.
  std::vector<char> failed(np, 0);
  parallel_for(threads, block, [&](std::size_t b, int t) {
    const std::size_t i = lo + b;
    rng g(o.seed, stream(0, i));
    auto& r = rec[i];
    auto& w = ws[static_cast<std::size_t>(t)];
    r.reset();
    for (int k = 0; k < o.init_tries; ++k) {
      try {
        d.draw_prior(g, ps[i].q, w);
      } catch (const std::exception& e) {
        r.fault = str_cat({"draw_prior: ", e.what()});
        ++r.faults;
        continue;
      } catch (...) {
        r.fault = "draw_prior: unknown exception";
        ++r.faults;
        continue;
      }
      const eval_result e = evaluate_parts(d, ps[i], w, r);
      if (e == eval_result::bad_likelihood) ps[i].ll = -std::numeric_limits<double>::infinity();
      if (e != eval_result::bad_prior) return;
    }
    failed[i] = 1;
  });
  ex.share_round(rec, &failed);
  ex.share_particles(ps, o.kernel);
  collect();
  std::size_t finite = 0;
  for (std::size_t i = 0; i < np; ++i) {
    if (failed[i])
      throw sampling_error(str_cat({"smc: particle ", std::to_string(i), " found no finite log prior in ",
                                    std::to_string(o.init_tries), " prior draws; last failure: ", rec[i].fault}));
    finite += std::isfinite(ps[i].ll) ? 1 : 0;
  }
  if (finite == 0)
    throw sampling_error(str_cat({"smc: the likelihood failed at all ", std::to_string(np), " prior draws; last failure: ", out.last_fault}));

  kernel_params k;
  k.leapfrog = o.leapfrog_steps;
  k.step = o.kernel == smc_kernel::hmc ? o.step_size : 2.38 / std::sqrt(static_cast<double>(dim));
  int steps = steps_for(target, o);
  double beta = 0.0;
  out.temperatures.push_back(0.0);
  Eigen::VectorXd ll(static_cast<Eigen::Index>(np));
  std::vector<rng> gens;
  gens.reserve(block);

  while (beta < 1.0) {
    const int stage = out.stages + 1;
    if (out.stages == o.max_stages)
      throw sampling_error(str_cat({"smc: tempering reached only beta = ", std::to_string(beta), " after max_stages = ",
                                    std::to_string(o.max_stages), " stages"}));
    // Reweight to the next temperature and resample.
    for (std::size_t i = 0; i < np; ++i) ll[static_cast<Eigen::Index>(i)] = ps[i].ll;
    // The ESS target counts only particles of non-zero likelihood (all of them after stage 1).
    std::size_t alive = 0;
    for (std::size_t i = 0; i < np; ++i) alive += std::isfinite(ps[i].ll) ? 1 : 0;
    const double delta = next_increment(ll, beta, o.ess_target * static_cast<double>(alive));
    const Eigen::VectorXd log_w = delta * ll;
    out.log_evidence += log_mean_exp(log_w);
    beta = delta >= 1.0 - beta ? 1.0 : beta + delta;
    out.temperatures.push_back(beta);
    rng resampler(o.seed, resample_stream(stage));
    const auto parents = systematic_resample(log_w, resampler);
    std::vector<particle<T>> next(np);
    for (std::size_t i = 0; i < np; ++i) next[i] = ps[parents[i]];
    ps.swap(next);

    // Move at the new temperature; the step size follows the acceptance after every round.
    k.beta = beta;
    tune_from_particles(ps, o.kernel, k);
    gens.clear();
    for (std::size_t i = lo; i < ex.hi; ++i) gens.emplace_back(o.seed, stream(stage, i));
    double stage_accept = 0.0;
    for (int s = 0; s < steps; ++s) {
      parallel_for(threads, block, [&](std::size_t b, int t) {
        const std::size_t i = lo + b;
        const auto ti = static_cast<std::size_t>(t);
        rec[i].reset();
        if (o.kernel == smc_kernel::hmc)
          hmc_move(d, ps[i], scratch[ti], k, gens[b], ws[ti], rec[i], noise[ti]);
        else
          mh_move(d, ps[i], scratch[ti], k, gens[b], ws[ti], rec[i], noise[ti]);
      });
      ex.share_round(rec, nullptr);
      const double a = collect();
      stage_accept += a;
      k.step *= std::exp(a - target);
    }
    ex.share_particles(ps, o.kernel);
    stage_accept /= steps;
    out.acceptance.push_back(stage_accept);
    out.mutation_steps.push_back(steps);
    out.step_size.push_back(k.step);
    ++out.stages;
    steps = steps_for(stage_accept, o);
  }

  // Final particles, unconstrained and constrained.
  out.unconstrained.resize(static_cast<Eigen::Index>(np), dim);
  out.log_likelihood.resize(static_cast<Eigen::Index>(np));
  for (std::size_t i = 0; i < np; ++i) {
    out.unconstrained.row(static_cast<Eigen::Index>(i)) = ps[i].q.template cast<double>().transpose();
    out.log_likelihood[static_cast<Eigen::Index>(i)] = ps[i].ll;
  }
  if constexpr (NamedConstrain<D>) {
    out.posterior.names = d.param_names();
    Eigen::MatrixXd m(static_cast<Eigen::Index>(np), static_cast<Eigen::Index>(out.posterior.names.size()));
    Eigen::VectorXd c;
    std::string problem;  // the block's first failure; raised only once every block's is known
    for (std::size_t i = lo; i < ex.hi && problem.empty(); ++i) {
      try {
        d.constrain(ps[i].q, c);
      } catch (const std::exception& e) {
        problem = str_cat({"smc: constrain() failed on a final particle: ", e.what()});
        continue;
      } catch (...) {
        problem = "smc: constrain() failed on a final particle: unknown exception";
        continue;
      }
      if (c.size() != m.cols())
        problem = str_cat({"smc: constrain() gave ", std::to_string(c.size()), " values for ", std::to_string(m.cols()), " names"});
      else
        m.row(static_cast<Eigen::Index>(i)) = c.transpose();
    }
    ex.share_constrained(m, problem);
    if (!problem.empty()) throw sampling_error(problem);
    out.posterior.chains = {std::move(m)};
  } else {
    for (Eigen::Index j = 0; j < dim; ++j) out.posterior.names.push_back(str_cat({"q[", std::to_string(j), "]"}));
    out.posterior.chains = {out.unconstrained};
  }
  return out;
}

}  // namespace smc_detail

// Throws model_error for bad options, sampling_error when a particle finds no finite prior and
// likelihood in init_tries prior draws or tempering needs more than max_stages stages.
template <TemperedLogDensity D>
smc_fit smc(const D& d, const smc_options& o = {}) {
  smc_detail::validate(d, o);
  smc_detail::local_exchange all{0, static_cast<std::size_t>(o.particles)};
  return smc_detail::run(d, o, all);
}

}  // namespace exmc
