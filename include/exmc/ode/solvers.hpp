#pragma once
// The solvers behind the ODE nodes (D100): Boost.Odeint's Dormand-Prince 5(4) with step-size
// control and dense output for ode_rk45, which steps freely and interpolates at the output times
// as Stan's ode_rk45 does; the order-4 L-stable Rosenbrock method of rosenbrock.hpp for
// ode_rosenbrock, which ends a step on each output time instead.
//
// Everything a solve needs is allocated when the solver is built (the model's workspace); a solve
// allocates nothing (D103). A failure (too many steps, no acceptable step size, a step size that
// no longer advances, a state that is not finite) throws ode_error, which the samplers treat as a
// divergent transition (D18). A solve does not depend on the solves before it.
#include <boost/numeric/odeint/stepper/controlled_runge_kutta.hpp>
#include <boost/numeric/odeint/stepper/dense_output_runge_kutta.hpp>
#include <boost/numeric/odeint/stepper/runge_kutta_dopri5.hpp>
#include <boost/numeric/odeint/util/odeint_error.hpp>
#include <cmath>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "rosenbrock.hpp"
#include "system.hpp"

namespace exmc {

// An ODE solver gave up (the message says where and why). A sampling-level error: NUTS counts
// the transition as divergent, optimisers and variational methods treat the point as invalid.
struct ode_error : sampling_error {
  using sampling_error::sampling_error;
};

namespace ode {

// Relative and absolute tolerances of the local error (of the states and the sensitivities),
// and the most steps taken between two output times (Stan's max_num_steps).
struct options {
  double rtol = 1e-6;
  double atol = 1e-6;
  long max_num_steps = 1000000;
};

struct rk45_method {
  static constexpr const char* name = "ode_rk45";
};
struct rosenbrock_method {
  static constexpr const char* name = "ode_rosenbrock";
};

namespace odeint = boost::numeric::odeint;

template <class Method, int N>
struct stepper;

// Dormand-Prince through odeint: controlled stepper and dense output, sized at construction.
template <int N>
struct stepper<rk45_method, N> {
  using state_type = std::vector<double>;
  using base_type = odeint::runge_kutta_dopri5<state_type>;
  using controlled_type = odeint::controlled_runge_kutta<base_type>;
  using dense_type = odeint::dense_output_runge_kutta<controlled_type>;

  stepper(index_t K, const options& o) : dense_(make(N * (1 + K), o)), buf_(static_cast<std::size_t>(N * (1 + K))) {}

  void start(const double* z0, double t0, double dt0) {
    std::copy(z0, z0 + buf_.size(), buf_.begin());
    dense_.initialize(buf_, t0, dt0);
  }
  // One accepted step; false when odeint found no acceptable step size (500 rejections in a row).
  // It may pass t_stop: the dense output of Dormand-Prince is of order 4, and Stan's ode_rk45
  // interpolates the same way.
  template <class System>
  bool do_step(const System& sys, double /*t_stop*/) {
    try {
      dense_.do_step([&sys](const state_type& z, state_type& dz, double t) { sys.rhs(z.data(), dz.data(), t); });
    } catch (const odeint::step_adjustment_error&) {
      return false;
    }
    return true;
  }
  double time() const { return dense_.current_time(); }
  double previous_time() const { return dense_.previous_time(); }
  const double* state() const { return dense_.current_state().data(); }
  const double* interpolate(double t) {
    dense_.calc_state(t, buf_);
    return buf_.data();
  }

 private:
  static dense_type make(index_t M, const options& o) {
    const state_type x(static_cast<std::size_t>(M), 0.0);
    controlled_type c(typename controlled_type::error_checker_type(o.atol, o.rtol),
                      typename controlled_type::step_adjuster_type(), base_type());
    c.adjust_size(x);
    c.stepper().adjust_size(x);
    dense_type d(c);
    d.initialize(x, 0.0, 1.0);  // sizes its own buffers
    return d;
  }
  dense_type dense_;
  state_type buf_;
};

template <int N>
struct stepper<rosenbrock_method, N> : rosenbrock_stepper<N> {
  stepper(index_t K, const options& o) : rosenbrock_stepper<N>(K, o.rtol, o.atol) {}
};

// Checks what a solve is given: t0 and ts finite, ts sorted (repeated times allowed, as in Stan),
// t0 before ts[0], tolerances positive, max_num_steps at least 1.
template <class Method>
void check_inputs(double t0, const std::vector<double>& ts, const options& o) {
  const std::string who = str_cat({Method::name, ": "});
  if (ts.empty()) throw model_error(who + "ts is empty; give at least one output time");
  if (!std::isfinite(t0)) throw model_error(who + "t0 is not finite");
  for (std::size_t i = 0; i < ts.size(); ++i) {
    if (!std::isfinite(ts[i])) throw model_error(str_cat({who, "ts[", std::to_string(i), "] is not finite"}));
    if (i > 0 && ts[i] < ts[i - 1])
      throw model_error(str_cat({who, "ts must be sorted, but ts[", std::to_string(i), "] = ", std::to_string(ts[i]),
                                 " comes after ts[", std::to_string(i - 1), "] = ", std::to_string(ts[i - 1])}));
  }
  if (!(t0 < ts[0]))
    throw model_error(str_cat({who, "the initial time t0 = ", std::to_string(t0),
                               " must be before the first output time ts[0] = ", std::to_string(ts[0])}));
  if (!(o.rtol > 0) || !std::isfinite(o.rtol)) throw model_error(who + "the relative tolerance must be positive and finite");
  if (!(o.atol > 0) || !std::isfinite(o.atol)) throw model_error(who + "the absolute tolerance must be positive and finite");
  if (o.max_num_steps < 1) throw model_error(who + "max_num_steps must be at least 1");
}

// A solver for one right-hand side: the coupled system, the stepper and the results of the last
// solve. Copying one builds a fresh solver of the same shape (steppers hold no results).
template <class Method, class F, bool Y0Grad, class... Specs>
class solver {
 public:
  using system_type = coupled_system<F, Y0Grad, Specs...>;
  static constexpr int N = system_type::N;
  static constexpr std::size_t A = sizeof...(Specs);

  solver(const F& f, index_t T, const std::array<index_t, A>& lens, const options& o)
      : sys_(f, lens, std::is_same_v<Method, rosenbrock_method>),
        opts_(o),
        T_(T),
        step_(sys_.directions(), o),
        z0_(static_cast<std::size_t>(sys_.coupled_size()), 0.0),
        values_(T * N),
        sens_(T * N, sys_.directions()) {}
  solver(const solver& o) : solver(o.sys_.function(), o.T_, o.sys_.lengths(), o.opts_) {}
  solver& operator=(const solver&) = delete;

  index_t directions() const { return sys_.directions(); }
  index_t outputs() const { return T_; }
  // The states at the output times, column by column: y_n(ts[t]) at t + n * T.
  const Eigen::VectorXd& values() const { return values_; }
  // d values / d direction k in column k: y0's elements first, then the arguments' (system.hpp).
  const Eigen::MatrixXd& sensitivities() const { return sens_; }

  // Solves from y0 (N values) at t0 to the T times ts with the given argument values; throws
  // ode_error when the solver fails.
  void solve(const double* y0, const std::array<const double*, A>& args, double t0, const double* ts) {
    sys_.set_arguments(args);
    sys_.initial_state(y0, z0_.data());
    check_finite(z0_.data(), t0);
    step_.start(z0_.data(), t0, (ts[0] - t0) / 10);
    for (index_t k = 0; k < T_; ++k) {
      long steps = 0;
      while (step_.time() < ts[k]) {
        const double before = step_.time();
        if (steps++ >= opts_.max_num_steps)
          fail(str_cat({"max_num_steps (", std::to_string(opts_.max_num_steps), ") taken between t = ",
                        number(step_.previous_time()), " and the output time ts[", std::to_string(k), "] = ",
                        number(ts[k]), std::is_same_v<Method, rk45_method> ? "; the system may be stiff (ode_rosenbrock)" : "",
                        "; raise max_num_steps with the _tol form if the solution is right"}));
        if (!step_.do_step(sys_, ts[k]))
          fail(str_cat({"no acceptable step size at t = ", number(before), " (500 rejected steps in a row)"}));
        if (!(step_.time() > before)) fail(str_cat({"the step size underflowed at t = ", number(before)}));
        check_finite(step_.state(), step_.time());
      }
      const double* z = step_.interpolate(ts[k]);
      for (int n = 0; n < N; ++n) values_[k + n * T_] = z[n];
      for (index_t d = 0; d < sys_.directions(); ++d)
        for (int n = 0; n < N; ++n) sens_(k + n * T_, d) = z[N + d * N + n];
    }
  }

 private:
  static std::string number(double x) {
    std::ostringstream os;
    os.precision(6);
    os << x;
    return os.str();
  }
  [[noreturn]] static void fail(const std::string& why) { throw ode_error(str_cat({Method::name, ": ", why})); }
  void check_finite(const double* z, double t) const {
    for (index_t i = 0; i < sys_.coupled_size(); ++i)
      if (!std::isfinite(z[i]))
        fail(str_cat({"the solution is not finite at t = ", number(t), i < N ? "" : " (a sensitivity)"}));
  }

  system_type sys_;
  options opts_;
  index_t T_;
  stepper<Method, N> step_;
  std::vector<double> z0_;
  Eigen::VectorXd values_;
  Eigen::MatrixXd sens_;
};


// The solution at given numbers (simulating data, checking a model): T x N, row t the N states
// at ts[t]. Arguments are numbers or Eigen vectors, as f expects them; no sensitivities.
//   Eigen::MatrixXd y = ode::solve<ode::rk45_method>(f, y0, 0.0, ts, {}, theta);
template <class Method, class F, class... A>
Eigen::MatrixXd solve(const F& f, const Eigen::VectorXd& y0, double t0, const std::vector<double>& ts,
                      const options& o, const A&... args) {
  static_assert(((std::is_arithmetic_v<A> || std::is_base_of_v<Eigen::EigenBase<A>, A>) && ...),
                "exmc::ode::solve: extra arguments are numbers or Eigen vectors");
  using S = solver<Method, F, false, arg_spec<!std::is_arithmetic_v<A>, false>...>;
  if (y0.size() != S::N)
    throw model_error(str_cat({Method::name, ": y0 has ", std::to_string(y0.size()), " elements but the right-hand side returns ",
                               std::to_string(S::N)}));
  check_inputs<Method>(t0, ts, o);
  const auto as_vector = [](const auto& a) {
    if constexpr (std::is_arithmetic_v<std::remove_cvref_t<decltype(a)>>)
      return Eigen::VectorXd::Constant(1, static_cast<double>(a));
    else
      return Eigen::VectorXd(a.template cast<double>());
  };
  const std::array<Eigen::VectorXd, sizeof...(A)> values{as_vector(args)...};
  std::array<index_t, sizeof...(A)> lens{};
  std::array<const double*, sizeof...(A)> ptrs{};
  for (std::size_t j = 0; j < sizeof...(A); ++j) {
    lens[j] = values[j].size();
    ptrs[j] = values[j].data();
  }
  const auto T = static_cast<index_t>(ts.size());
  S s(f, T, lens, o);
  s.solve(y0.data(), ptrs, t0, ts.data());
  return Eigen::Map<const Eigen::MatrixXd>(s.values().data(), T, S::N);
}

}  // namespace ode
}  // namespace exmc
