#pragma once
// Stan's warmup schedule for metric estimation: an initial fast buffer (step size only), slow
// windows of doubling length in which draws feed a Welford estimate of the posterior (co)variance,
// and a terminal fast buffer. The last slow window is stretched to reach the terminal buffer.
// Warmups too short for the configured buffers are rescaled to 15% / 75% / 10%.
#include <Eigen/Core>
#include <cstddef>

namespace exmc {

struct window_settings {
  unsigned init_buffer = 75;
  unsigned term_buffer = 50;
  unsigned base_window = 25;
};

class warmup_windows {
 public:
  // num_warmup < 20: no metric adaptation at all (only the step size is tuned), as in Stan.
  warmup_windows(unsigned num_warmup, window_settings s = {}) {
    if (num_warmup < 20) return;
    num_warmup_ = num_warmup;
    if (s.init_buffer + s.base_window + s.term_buffer > num_warmup) {
      init_buffer_ = static_cast<unsigned>(0.15 * num_warmup);
      term_buffer_ = static_cast<unsigned>(0.1 * num_warmup);
      base_window_ = num_warmup - (init_buffer_ + term_buffer_);
    } else {
      init_buffer_ = s.init_buffer;
      term_buffer_ = s.term_buffer;
      base_window_ = s.base_window;
    }
    window_size_ = base_window_;
    next_window_end_ = init_buffer_ + window_size_ - 1;
  }

  unsigned init_buffer() const { return init_buffer_; }
  unsigned term_buffer() const { return term_buffer_; }
  unsigned base_window() const { return base_window_; }

  // Should the draw of warmup iteration `counter()` feed the estimator?
  bool in_slow_window() const {
    return counter_ >= init_buffer_ && counter_ + term_buffer_ < num_warmup_ && counter_ != num_warmup_;
  }
  // Does a slow window end at this iteration (metric update due)?
  bool at_window_end() const { return counter_ == next_window_end_ && counter_ != num_warmup_; }

  unsigned counter() const { return counter_; }

  // Advance by one warmup iteration; computes the next window when one just ended.
  void advance() {
    if (at_window_end()) compute_next_window();
    ++counter_;
  }

 private:
  void compute_next_window() {
    const unsigned last = num_warmup_ - term_buffer_ - 1;
    if (next_window_end_ == last) return;
    window_size_ *= 2;
    next_window_end_ = counter_ + window_size_;
    if (next_window_end_ == last) return;
    // If the window after this one would overrun the slow phase, stretch this one to its end.
    if (next_window_end_ + 2 * window_size_ >= num_warmup_ - term_buffer_) next_window_end_ = last;
  }

  unsigned num_warmup_ = 0;
  unsigned init_buffer_ = 0;
  unsigned term_buffer_ = 0;
  unsigned base_window_ = 0;
  unsigned window_size_ = 0;
  unsigned next_window_end_ = 0;
  unsigned counter_ = 0;
};

// Welford running mean and (co)variance, in double.
class welford_variance {
 public:
  explicit welford_variance(Eigen::Index dim) : mean_(Eigen::VectorXd::Zero(dim)), m2_(mean_) {}
  void restart() { n_ = 0; mean_.setZero(); m2_.setZero(); }
  template <class V>
  void add(const V& x) {
    ++n_;
    const Eigen::VectorXd delta = x.template cast<double>() - mean_;
    mean_ += delta / static_cast<double>(n_);
    m2_.array() += delta.array() * (x.template cast<double>() - mean_).array();
  }
  std::size_t count() const { return n_; }
  const Eigen::VectorXd& mean() const { return mean_; }
  Eigen::VectorXd variance() const { return n_ > 1 ? Eigen::VectorXd(m2_ / (n_ - 1.0)) : Eigen::VectorXd(m2_ * 0.0); }

 private:
  std::size_t n_ = 0;
  Eigen::VectorXd mean_, m2_;
};

class welford_covariance {
 public:
  explicit welford_covariance(Eigen::Index dim)
      : mean_(Eigen::VectorXd::Zero(dim)), m2_(Eigen::MatrixXd::Zero(dim, dim)) {}
  void restart() { n_ = 0; mean_.setZero(); m2_.setZero(); }
  template <class V>
  void add(const V& x) {
    ++n_;
    const Eigen::VectorXd delta = x.template cast<double>() - mean_;
    mean_ += delta / static_cast<double>(n_);
    m2_.noalias() += (x.template cast<double>() - mean_) * delta.transpose();
  }
  std::size_t count() const { return n_; }
  Eigen::MatrixXd covariance() const { return n_ > 1 ? Eigen::MatrixXd(m2_ / (n_ - 1.0)) : Eigen::MatrixXd(m2_ * 0.0); }

 private:
  std::size_t n_ = 0;
  Eigen::VectorXd mean_;
  Eigen::MatrixXd m2_;
};

// Stan's regularisation: shrink the estimate towards 1e-3 x identity with weight 5 / (n + 5),
// which keeps the metric positive definite after short windows.
inline Eigen::VectorXd regularise_variance(const Eigen::VectorXd& var, std::size_t n) {
  const double w = static_cast<double>(n) / (static_cast<double>(n) + 5.0);
  return (w * var.array() + 1e-3 * (1.0 - w)).matrix();
}
inline Eigen::MatrixXd regularise_covariance(const Eigen::MatrixXd& cov, std::size_t n) {
  const double w = static_cast<double>(n) / (static_cast<double>(n) + 5.0);
  Eigen::MatrixXd out = w * cov;
  out.diagonal().array() += 1e-3 * (1.0 - w);
  return out;
}

}  // namespace exmc
