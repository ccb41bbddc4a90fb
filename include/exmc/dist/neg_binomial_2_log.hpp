#pragma once
#include <array>

#include "neg_binomial_2.hpp"

namespace exmc {

// neg_binomial_2_log(eta, phi): neg_binomial_2 with log mean eta (mu = e^eta), finite for any
// finite eta. Stan: neg_binomial_2_log; PyMC: NegativeBinomial (mu = exp(eta), alpha = phi).
struct neg_binomial_2_log_fn {
  static constexpr const char* name = "neg_binomial_2_log";
  static constexpr std::array<const char*, 2> arg_names{"eta", "phi"};
  static constexpr std::array<domain, 2> domains{domain::real, domain::positive};
  static constexpr support_kind support = support_kind::nonneg_int;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = true;
  static bool in_support(double y) { return detail::is_count(y); }

  template <class Y, class E, class P>
  static double lpdf(index_t n, Y& y, E& eta, P& phi) {
    return detail::nb2_lpdf<true>(n, y, eta, phi);
  }

  // See detail::nb2_cdf_point; lccdf is log P(Y > y).
  template <class Y, class E, class P>
  static double lcdf(index_t n, const Y& y, E& eta, P& phi) {
    return detail::nb2_cdf_sum<true, true>(n, y, eta, phi);
  }
  template <class Y, class E, class P>
  static double lccdf(index_t n, const Y& y, E& eta, P& phi) {
    return detail::nb2_cdf_sum<false, true>(n, y, eta, phi);
  }

  static double generate(rng& g, double eta, double phi) { return neg_binomial_2_fn::generate(g, std::exp(eta), phi); }
};

template <class E, class P>
auto neg_binomial_2_log(E&& eta, P&& phi) {
  return make_dist<neg_binomial_2_log_fn>(std::forward<E>(eta), std::forward<P>(phi));
}

}  // namespace exmc
