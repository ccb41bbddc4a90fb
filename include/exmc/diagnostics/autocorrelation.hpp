#pragma once
// Autocovariance and autocorrelation of one chain by FFT, the building block of every
// effective-sample-size estimate.
#include <Eigen/Core>
#include <complex>
#include <limits>
#include <unsupported/Eigen/FFT>
#include <vector>

#include "../core/error.hpp"

namespace exmc {

namespace detail {

// Smallest m >= n whose only prime factors are 2, 3 and 5 (R's stats::nextn): those
// lengths keep the mixed-radix FFT fast.
template <class = void> inline Eigen::Index fft_friendly_length(Eigen::Index n) {
  for (Eigen::Index m = n < 1 ? 1 : n;; ++m) {
    Eigen::Index r = m;
    for (Eigen::Index p : {2, 3, 5})
      while (r % p == 0) r /= p;
    if (r == 1) return m;
  }
}

// Two-pass sample variance with divisor n - 1 (R's var); NaN for fewer than two values.
template <class = void> inline double sample_variance(const Eigen::Ref<const Eigen::VectorXd>& x) {
  const Eigen::Index n = x.size();
  if (n < 2) return std::numeric_limits<double>::quiet_NaN();
  const double m = x.mean();
  return (x.array() - m).square().sum() / static_cast<double>(n - 1);
}

}  // namespace detail

// Autocovariance at lags 0..n-1 with divisor n (the "biased" estimate Geyer 1992 recommends:
// it keeps the sequence positive definite). Zero-padding to twice an FFT-friendly length
// turns the circular correlation of the FFT into the linear one. A constant chain has
// autocovariance zero at every lag (as in the R package posterior).
template <class = void> inline Eigen::VectorXd autocovariance(const Eigen::Ref<const Eigen::VectorXd>& x) {
  const Eigen::Index n = x.size();
  if (n == 0) throw model_error("autocovariance: the chain has no draws");
  Eigen::VectorXd out = Eigen::VectorXd::Zero(n);
  const double var = detail::sample_variance(x);
  if (n < 2 || var == 0.0) return out;
  const Eigen::Index padded = 2 * detail::fft_friendly_length(n);
  const double mean = x.mean();
  std::vector<double> centred(static_cast<std::size_t>(padded), 0.0);
  for (Eigen::Index i = 0; i < n; ++i) centred[static_cast<std::size_t>(i)] = x[i] - mean;

  // One FFT object per thread: it caches its plans (twiddle factors) per length, which would
  // otherwise be recomputed for every chain of every quantity.
  thread_local Eigen::FFT<double> fft;
  std::vector<std::complex<double>> spectrum;
  fft.fwd(spectrum, centred);
  for (auto& s : spectrum) s = std::norm(s);  // power spectrum: |F|^2
  std::vector<double> circular;
  fft.inv(circular, spectrum);

  // Rescale so lag 0 equals the variance with divisor n exactly; the FFT's own scaling
  // then never matters.
  const double lag0 = circular[0];
  const double scale = var * static_cast<double>(n - 1) / static_cast<double>(n);
  for (Eigen::Index t = 0; t < n; ++t) out[t] = circular[static_cast<std::size_t>(t)] / lag0 * scale;
  return out;
}

namespace detail {

// The mean over chains of the autocovariances (divisor n, as above), lag by lag, computed only
// as far as the caller asks. Geyer's truncation usually stops within a few dozen lags, where
// direct sums cost a fraction of two FFTs per chain; a caller that needs more than
// `direct_lags` lags (a slowly mixing chain) gets the FFT of every chain instead. The two
// agree to rounding error.
class mean_autocovariance {
 public:
  static constexpr Eigen::Index direct_lags = 128;

  explicit mean_autocovariance(const Eigen::MatrixXd& x) : x_(x), centred_(x) {
    for (Eigen::Index c = 0; c < x.cols(); ++c) {
      if (x.rows() < 2 || sample_variance(x.col(c)) == 0.0)
        centred_.col(c).setZero();  // a constant chain: zero at every lag, as autocovariance() says
      else
        centred_.col(c).array() -= x.col(c).mean();
    }
  }

  // Mean autocovariance at lag t, 0 <= t < rows.
  double operator()(Eigen::Index t) {
    if (t < static_cast<Eigen::Index>(direct_.size())) return direct_[static_cast<std::size_t>(t)];
    if (t < direct_lags) {
      const Eigen::Index n = centred_.rows();
      for (auto k = static_cast<Eigen::Index>(direct_.size()); k <= t; ++k) {
        double sum = 0.0;
        for (Eigen::Index c = 0; c < centred_.cols(); ++c)
          sum += centred_.col(c).head(n - k).dot(centred_.col(c).tail(n - k));
        direct_.push_back(sum / static_cast<double>(n) / static_cast<double>(centred_.cols()));
      }
      return direct_[static_cast<std::size_t>(t)];
    }
    if (fft_.size() == 0) {
      fft_ = Eigen::VectorXd::Zero(x_.rows());
      for (Eigen::Index c = 0; c < x_.cols(); ++c) fft_ += autocovariance(x_.col(c));
      fft_ /= static_cast<double>(x_.cols());
    }
    return fft_[t];
  }

 private:
  const Eigen::MatrixXd& x_;
  Eigen::MatrixXd centred_;
  std::vector<double> direct_;
  Eigen::VectorXd fft_;
};

}  // namespace detail

// Autocorrelation at lags 0..n-1 (lag 0 is 1; NaN for a constant chain).
template <class = void> inline Eigen::VectorXd autocorrelation(const Eigen::Ref<const Eigen::VectorXd>& x) {
  Eigen::VectorXd ac = autocovariance(x);
  return ac / ac[0];
}

}  // namespace exmc
