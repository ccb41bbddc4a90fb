#pragma once
// One NUTS transition (Betancourt 2017, as in Stan's base_nuts): multinomial sampling over a
// trajectory doubled in random directions, uniform progressive sampling inside subtrees,
// biased progressive sampling at the top, the generalised (rho) U-turn criterion on every merged
// span plus the two cross-subtree checks, and divergence when h - H0 exceeds max_delta_h.
//
// The builder is generic in the System (leapfrog, energy, momentum refresh) so that the tree
// logic can be tested on hand-made trajectories; all scratch space is allocated once per chain.
#include <Eigen/Core>
#include <algorithm>
#include <concepts>
#include <type_traits>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "../core/random.hpp"

namespace exmc {

// What the tree needs from a Hamiltonian system. point has momentum p and velocity v = M^-1 p.
template <class S>
concept nuts_system = requires(S& s, typename S::point& z, rng& r, double eps) {
  s.sample_momentum(r, z);
  s.leapfrog(z, eps);
  { s.energy(z) } -> std::convertible_to<double>;
  z.p.dot(z.v);
  z.q.swap(z.g);  // a proposal keeps position and gradient,
  z.logp = 0.0;   // and the log density
};

inline double log_sum_exp(double a, double b) {
  if (a == -std::numeric_limits<double>::infinity()) return b;
  if (b == -std::numeric_limits<double>::infinity()) return a;
  const double m = std::max(a, b);
  return m + std::log1p(std::exp(-std::abs(a - b)));
}

// Generalised no-U-turn criterion: the span with summed momentum rho keeps expanding at both
// ends (velocities v_minus at the start, v_plus at the end).
template <class V>
bool no_uturn(const V& v_minus, const V& v_plus, const V& rho) {
  return v_plus.dot(rho) > 0 && v_minus.dot(rho) > 0;
}

// Uniform progressive sampling inside a subtree: take the second half's proposal with
// probability w_final / (w_init + w_final), given log w_final and log(w_init + w_final).
inline bool take_final_uniform(double log_w_final, double log_w_subtree, rng& r) {
  return log_w_final > log_w_subtree || r.uniform() < std::exp(log_w_final - log_w_subtree);
}

// Biased progressive sampling at the top level: take the new subtree's proposal with
// probability min(1, w_new / w_old), which favours moving far from the start.
inline bool take_new_biased(double log_w_new, double log_w_old, rng& r) {
  return log_w_new > log_w_old || r.uniform() < std::exp(log_w_new - log_w_old);
}

struct transition_info {
  int depth = 0;             // number of doublings accepted
  int n_leapfrog = 0;
  bool divergent = false;
  double accept_stat = 0.0;  // mean Metropolis acceptance over every leapfrog step
  double energy = 0.0;       // H at the selected point
  bool moved = false;        // the selected point is not the starting point
};

template <nuts_system System>
class nuts_tree {
 public:
  using point = typename System::point;
  using vec = std::remove_cvref_t<decltype(std::declval<point&>().p)>;

  nuts_tree(Eigen::Index dim, int max_depth, double max_delta_h = 1000.0)
      : max_depth_(max_depth), max_delta_h_(max_delta_h) {
    const auto zero = vec::Zero(dim);
    auto make_span = [&] { return span{zero, zero, zero, zero, zero, 0.0}; };
    auto make_candidate = [&] { return candidate{zero, zero, 0.0, 0.0}; };
    levels_.assign(static_cast<std::size_t>(std::max(max_depth, 1)), level{make_span(), make_span(), make_candidate()});
    fwd_ = bck_ = point(dim);
    sample_ = propose_ = make_candidate();
    traj_ = fresh_ = make_span();
    tmp_ = zero;
  }

  int max_depth() const { return max_depth_; }

  // Draws a momentum, builds a trajectory from z and replaces z's position, gradient and log
  // density by those of the selected point; z's momentum and velocities are left unspecified.
  // z must be valid (finite log density and gradient).
  transition_info transition(System& sys, rng& r, point& z, double eps) {
    sys.sample_momentum(r, z);
    h0_ = static_cast<double>(sys.energy(z));
    fwd_ = z;
    bck_ = z;
    take(sample_, z, h0_);
    set_leaf_span(traj_, z);
    traj_.log_w = 0.0;  // log(exp(H0 - H0))
    n_leapfrog_ = 0;
    sum_metro_ = 0.0;
    divergent_ = false;
    transition_info info;

    while (info.depth < max_depth_) {
      const bool forward = r.uniform() > 0.5;
      end_ = forward ? &fwd_ : &bck_;  // the trajectory grows from this end, in place
      if (!build(sys, r, info.depth, forward ? eps : -eps, fresh_, propose_)) break;
      ++info.depth;

      if (take_new_biased(fresh_.log_w, traj_.log_w, r)) {
        std::swap(sample_, propose_);
        info.moved = true;
      }
      traj_.log_w = log_sum_exp(traj_.log_w, fresh_.log_w);
      if (!merge_top(forward)) break;
    }

    info.n_leapfrog = n_leapfrog_;
    info.divergent = divergent_;
    info.accept_stat = n_leapfrog_ > 0 ? sum_metro_ / n_leapfrog_ : 0.0;
    if (info.moved) {
      z.q.swap(sample_.q);
      z.g.swap(sample_.g);
      z.logp = sample_.logp;
    }
    info.energy = sample_.h;
    return info;
  }

 private:
  // A contiguous piece of trajectory in build order: summed momentum, end momenta/velocities,
  // log of the summed weights exp(H0 - h).
  struct span {
    vec rho, p_beg, v_beg, p_end, v_end;
    double log_w;
  };
  // What a point must keep to become the sample: the next transition starts from q, g and log p
  // alone (momentum and velocities are drawn afresh), so proposals copy two vectors, not five.
  struct candidate {
    vec q, g;
    double logp;
    double h;  // energy, reported for the selected point
  };
  struct level {
    span init, fin;
    candidate propose;
  };

  static void take(candidate& c, const point& z, double h) {
    c.q = z.q;
    c.g = z.g;
    c.logp = z.logp;
    c.h = h;
  }

  static void set_leaf_span(span& s, const point& z) {
    s.rho = z.p;
    s.p_beg = z.p;
    s.p_end = z.p;
    s.v_beg = z.v;
    s.v_end = z.v;
  }

  // One leapfrog step of the growing end; returns its energy (NaN counted as +inf) and records
  // divergence and the acceptance statistic.
  double step(System& sys, double eps) {
    sys.leapfrog(*end_, eps);
    ++n_leapfrog_;
    double h = static_cast<double>(sys.energy(*end_));
    if (std::isnan(h)) h = std::numeric_limits<double>::infinity();
    if (h - h0_ > max_delta_h_) divergent_ = true;
    sum_metro_ += h0_ - h > 0 ? 1.0 : std::exp(h0_ - h);
    return h;
  }

  bool build(System& sys, rng& r, int depth, double eps, span& out, candidate& propose) {
    if (depth == 0) {  // only the first doubling of a transition builds a lone leaf
      const double h = step(sys, eps);
      if (divergent_) return false;
      out.log_w = h0_ - h;
      take(propose, *end_, h);
      set_leaf_span(out, *end_);
      return true;
    }
    if (depth == 1) return build_pair(sys, r, eps, out, propose);
    level& lv = levels_[static_cast<std::size_t>(depth - 1)];
    if (!build(sys, r, depth - 1, eps, lv.init, propose)) return false;
    if (!build(sys, r, depth - 1, eps, lv.fin, lv.propose)) return false;

    const double log_w = log_sum_exp(lv.init.log_w, lv.fin.log_w);
    if (take_final_uniform(lv.fin.log_w, log_w, r)) std::swap(propose, lv.propose);

    out.log_w = log_w;
    out.rho = lv.init.rho + lv.fin.rho;
    bool keep_going = no_uturn(lv.init.v_beg, lv.fin.v_end, out.rho);
    tmp_ = lv.init.rho + lv.fin.p_beg;
    keep_going = keep_going && no_uturn(lv.init.v_beg, lv.fin.v_beg, tmp_);
    tmp_ = lv.fin.rho + lv.init.p_end;
    keep_going = keep_going && no_uturn(lv.init.v_end, lv.fin.v_end, tmp_);
    out.p_beg.swap(lv.init.p_beg);
    out.v_beg.swap(lv.init.v_beg);
    out.p_end.swap(lv.fin.p_end);
    out.v_end.swap(lv.fin.v_end);
    return keep_going;
  }

  // A subtree of two leaves, written out: most of the per-leaf work of the general merge is
  // copying each leaf into a span of its own. Here the first leaf's momentum and velocity are
  // kept as the span's start and the second's as its end, and the second leaf is copied into the
  // proposal only when it is selected. The general merge's two cross-subtree checks coincide with
  // the whole-span check for a pair (both compare v1 and v2 against p1 + p2), so one suffices.
  bool build_pair(System& sys, rng& r, double eps, span& out, candidate& propose) {
    const double h1 = step(sys, eps);
    if (divergent_) return false;
    take(propose, *end_, h1);
    out.p_beg = end_->p;
    out.v_beg = end_->v;
    const double h2 = step(sys, eps);
    if (divergent_) return false;

    const double log_w1 = h0_ - h1, log_w2 = h0_ - h2;
    const double log_w = log_sum_exp(log_w1, log_w2);
    if (take_final_uniform(log_w2, log_w, r)) take(propose, *end_, h2);
    out.log_w = log_w;
    out.rho = out.p_beg + end_->p;
    out.p_end = end_->p;
    out.v_end = end_->v;
    return no_uturn(out.v_beg, out.v_end, out.rho);
  }

  // Joins the fresh subtree to the trajectory (on its forward or backward side) and applies the
  // criterion to the whole span and across the junction.
  bool merge_top(bool forward) {
    // In time order the trajectory is [left | right].
    const span& left = forward ? traj_ : fresh_;
    const span& right = forward ? fresh_ : traj_;
    const vec& l_first_v = forward ? left.v_beg : left.v_end;  // fresh_ was built backwards
    const vec& l_last_v = forward ? left.v_end : left.v_beg;
    const vec& l_last_p = forward ? left.p_end : left.p_beg;
    const vec& r_first_v = right.v_beg;  // the right part is always in build order
    const vec& r_first_p = right.p_beg;
    const vec& r_last_v = right.v_end;

    tmp_ = left.rho + r_first_p;
    bool keep_going = no_uturn(l_first_v, r_first_v, tmp_);
    tmp_ = right.rho + l_last_p;
    keep_going = keep_going && no_uturn(l_last_v, r_last_v, tmp_);

    traj_.rho += fresh_.rho;
    if (forward) {
      traj_.p_end.swap(fresh_.p_end);
      traj_.v_end.swap(fresh_.v_end);
    } else {
      traj_.p_beg.swap(fresh_.p_end);
      traj_.v_beg.swap(fresh_.v_end);
    }
    return no_uturn(traj_.v_beg, traj_.v_end, traj_.rho) && keep_going;
  }

  int max_depth_;
  double max_delta_h_;
  std::vector<level> levels_;
  point fwd_, bck_;
  point* end_ = &fwd_;
  candidate sample_, propose_;
  span traj_, fresh_;
  vec tmp_;
  double h0_ = 0.0;
  double sum_metro_ = 0.0;
  int n_leapfrog_ = 0;
  bool divergent_ = false;
};

}  // namespace exmc
