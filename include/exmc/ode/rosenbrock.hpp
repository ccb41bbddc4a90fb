#pragma once
// The stiff solver: a linearly implicit Rosenbrock method of order 4 with an embedded order-3
// error estimate and an order-3 continuous extension, L-stable and stiffly accurate: Hairer and
// Wanner's RODAS (Solving Ordinary Differential Equations II, IV.7), the method of Boost.Odeint's
// rosenbrock4. odeint's own class cannot serve: it stores states in uBLAS, which Boost 1.74 does
// not compile as C++20, and its d4 (gamma_4, the weight of df/dt in the fourth stage) has the
// wrong sign, which leaves it first-order accurate on any f that depends on t (D100).
//
// Each step solves, for every stage i, (I/(gamma h) - dF/dz) g_i = F(stage) + ... with the exact
// Jacobian dF/dz of the coupled system (system.hpp). That matrix is block lower triangular with
// the N x N block A = I/(gamma h) - df/dy repeated on its diagonal, so one LU of A (N x N, fixed
// size) solves the whole M x M system: g_y = A^-1 r_y, g_k = A^-1 (r_k + H_k g_y) (D101).
// Everything lives in buffers sized at construction; a step allocates nothing (D103).
#include <Eigen/Core>
#include <Eigen/LU>
#include <algorithm>
#include <array>
#include <cmath>

#include "../expr/node.hpp"

namespace exmc::ode {

struct rosenbrock_coefficients {
  static constexpr double gamma = 0.25;
  // gamma_i, the weights of h df/dt; odeint 1.74 has +0.0362 for d4 (see above)
  static constexpr double d1 = 0.25, d2 = -0.1043, d3 = 0.1035, d4 = -0.3620000000000023e-01;
  static constexpr double c2 = 0.386, c3 = 0.21, c4 = 0.63;
  static constexpr double c21 = -0.5668800000000000e+01, a21 = 0.1544000000000000e+01;
  static constexpr double c31 = -0.2430093356833875e+01, c32 = -0.2063599157091915e+00;
  static constexpr double a31 = 0.9466785280815826e+00, a32 = 0.2557011698983284e+00;
  static constexpr double c41 = -0.1073529058151375e+00, c42 = -0.9594562251023355e+01, c43 = -0.2047028614809616e+02;
  static constexpr double a41 = 0.3314825187068521e+01, a42 = 0.2896124015972201e+01, a43 = 0.9986419139977817e+00;
  static constexpr double c51 = 0.7496443313967647e+01, c52 = -0.1024680431464352e+02, c53 = -0.3399990352819905e+02,
                          c54 = 0.1170890893206160e+02;
  static constexpr double a51 = 0.1221224509226641e+01, a52 = 0.6019134481288629e+01, a53 = 0.1253708332932087e+02,
                          a54 = -0.6878860361058950e+00;
  static constexpr double c61 = 0.8083246795921522e+01, c62 = -0.7981132988064893e+01, c63 = -0.3152159432874371e+02,
                          c64 = 0.1631930543123136e+02, c65 = -0.6058818238834054e+01;
  // continuous extension
  static constexpr double d21 = 0.1012623508344586e+02, d22 = -0.7487995877610167e+01, d23 = -0.3480091861555747e+02,
                          d24 = -0.7992771707568823e+01, d25 = 0.1025137723295662e+01;
  static constexpr double d31 = -0.6762803392801253e+00, d32 = 0.6087714651680015e+01, d33 = 0.1643084320892478e+02,
                          d34 = 0.2476722511418386e+02, d35 = -0.6594389125716872e+01;
};

// Steps of the coupled system of N states and K sensitivity directions (M = N (1 + K) values),
// with Hairer and Wanner's step-size controller (predictive after the first accepted step).
// The same interface as the Runge-Kutta stepper of solvers.hpp: start, do_step, time,
// previous_time, state, interpolate.
template <int N>
class rosenbrock_stepper {
 public:
  using coef = rosenbrock_coefficients;
  using matrix_n = Eigen::Matrix<double, N, N>;

  rosenbrock_stepper(index_t K, double rtol, double atol) : K_(K), M_(N * (1 + K)), rtol_(rtol), atol_(atol) {
    for (Eigen::VectorXd* v : {&z_, &z_old_, &f_, &ft_, &tmp_, &r_, &e_, &cont3_, &cont4_, &out_}) v->setZero(M_);
    for (auto& g : g_) g.setZero(M_);
    H_.setZero(N, N * K_);
    Jy_.setZero();
  }

  void start(const double* z0, double t0, double dt0) {
    z_ = Eigen::Map<const Eigen::VectorXd>(z0, M_);
    t_ = t_old_ = t0;
    dt_ = dt0;
    first_ = true;
    last_rejected_ = false;
    dt_old_ = err_old_ = 0;
  }

  double time() const { return t_; }
  double previous_time() const { return t_old_; }
  const double* state() const { return z_.data(); }

  // State at t in [previous_time(), time()], from the continuous extension of the last step.
  // The solver lands a step on every output time (do_step's t_stop), so this is the step's own
  // state there: the extension is of order 3 only, and less in the stiff regime, where the
  // steps grow long (D100).
  const double* interpolate(double t) {
    if (t == t_) return z_.data();
    const double h = t_ - t_old_, s = (t - t_old_) / h, s1 = 1 - s;
    out_ = s1 * z_old_ + s * (z_ + s1 * (cont3_ + s * cont4_));
    return out_.data();
  }

  // One accepted step, not past t_stop (a step that would pass it ends on it instead); false
  // when 500 tries in a row were rejected (no step size works).
  template <class System>
  bool do_step(const System& sys, double t_stop) {
    sys.rhs(z_.data(), f_.data(), t_);
    sys.jacobian(z_.data(), t_, Jy_, H_, ft_.data());  // kept for the retries at this point
    for (int tries = 0; tries < 500; ++tries) {
      const double proposed = dt_;
      const bool lands = t_ + proposed >= t_stop;
      if (try_step(sys, lands ? t_stop - t_ : proposed)) {
        if (lands) {
          t_ = t_stop;                      // exactly, not t_old + h rounded
          dt_ = std::max(dt_, proposed);    // a shortened step says little about the next
        }
        return true;
      }
    }
    return false;
  }

 private:
  template <class System>
  bool try_step(const System& sys, double h) {
    using c = coef;
    lu_.compute(matrix_n::Identity() / (c::gamma * h) - Jy_);
    auto& [g1, g2, g3, g4, g5] = g_;
    const double ih = 1 / h;
    r_ = f_ + h * c::d1 * ft_;
    solve(g1);
    tmp_ = z_ + c::a21 * g1;
    sys.rhs(tmp_.data(), r_.data(), t_ + c::c2 * h);
    r_ += h * c::d2 * ft_ + (c::c21 * ih) * g1;
    solve(g2);
    tmp_ = z_ + c::a31 * g1 + c::a32 * g2;
    sys.rhs(tmp_.data(), r_.data(), t_ + c::c3 * h);
    r_ += h * c::d3 * ft_ + ih * (c::c31 * g1 + c::c32 * g2);
    solve(g3);
    tmp_ = z_ + c::a41 * g1 + c::a42 * g2 + c::a43 * g3;
    sys.rhs(tmp_.data(), r_.data(), t_ + c::c4 * h);
    r_ += h * c::d4 * ft_ + ih * (c::c41 * g1 + c::c42 * g2 + c::c43 * g3);
    solve(g4);
    tmp_ = z_ + c::a51 * g1 + c::a52 * g2 + c::a53 * g3 + c::a54 * g4;
    sys.rhs(tmp_.data(), r_.data(), t_ + h);
    r_ += ih * (c::c51 * g1 + c::c52 * g2 + c::c53 * g3 + c::c54 * g4);
    solve(g5);
    tmp_ += g5;
    sys.rhs(tmp_.data(), r_.data(), t_ + h);
    r_ += ih * (c::c61 * g1 + c::c62 * g2 + c::c63 * g3 + c::c64 * g4 + c::c65 * g5);
    solve(e_);
    tmp_ += e_;  // the new state; e_ estimates its local error

    double sum = 0;
    for (index_t i = 0; i < M_; ++i) {
      const double sk = atol_ + rtol_ * std::max(std::abs(z_[i]), std::abs(tmp_[i]));
      sum += (e_[i] / sk) * (e_[i] / sk);
    }
    const double err = std::sqrt(sum / static_cast<double>(M_));
    constexpr double safe = 0.9, fac_max = 5.0, fac_min = 1.0 / 6.0;
    if (!(err <= 1.0)) {  // rejected (a non-finite error too): shrink and retry
      dt_ = std::isfinite(err) ? h / std::clamp(std::pow(err, 0.25) / safe, fac_min, fac_max) : h * fac_min;
      last_rejected_ = true;
      return false;
    }
    double fac = std::clamp(std::pow(err, 0.25) / safe, fac_min, fac_max);
    if (!first_) {  // Gustafsson's predictive control
      const double pred = std::clamp((dt_old_ / h) * std::pow(err * err / err_old_, 0.25) / safe, fac_min, fac_max);
      fac = std::max(fac, pred);
    }
    double next = h / fac;
    if (last_rejected_) next = std::min(next, h);
    first_ = false;
    last_rejected_ = false;
    dt_old_ = h;
    err_old_ = std::max(0.01, err);
    cont3_ = c::d21 * g1 + c::d22 * g2 + c::d23 * g3 + c::d24 * g4 + c::d25 * g5;
    cont4_ = c::d31 * g1 + c::d32 * g2 + c::d33 * g3 + c::d34 * g4 + c::d35 * g5;
    z_old_.swap(z_);
    z_.swap(tmp_);
    t_old_ = t_;
    t_ += h;
    dt_ = next;
    return true;
  }

  // g = W^-1 r_ by blocks: A g_y = r_y, then A g_k = r_k + H_k g_y for each direction k.
  void solve(Eigen::VectorXd& g) {
    using vec_n = Eigen::Matrix<double, N, 1>;
    const vec_n gy = lu_.solve(r_.template head<N>());
    g.template head<N>() = gy;
    for (index_t k = 0; k < K_; ++k) {
      const vec_n rk = r_.template segment<N>(N + k * N) + H_.template middleCols<N>(k * N) * gy;
      g.template segment<N>(N + k * N) = lu_.solve(rk);
    }
  }

  index_t K_, M_;
  double rtol_, atol_;
  matrix_n Jy_;
  Eigen::PartialPivLU<matrix_n> lu_;
  Eigen::MatrixXd H_;
  Eigen::VectorXd z_, z_old_, f_, ft_, tmp_, r_, e_, cont3_, cont4_, out_;
  std::array<Eigen::VectorXd, 5> g_;
  double t_ = 0, t_old_ = 0, dt_ = 0, dt_old_ = 0, err_old_ = 0;
  bool first_ = true, last_rejected_ = false;
};

}  // namespace exmc::ode
