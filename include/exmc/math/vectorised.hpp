#pragma once
// Elementwise kernels that Eigen 3.4 would evaluate one scalar at a time, or at a width where it
// does not pay (D134). Eigen's `select` has no packet path, so a single
// `(a >= 0).select(1, e) / (1 + e)` makes the whole expression around it scalar, its division,
// log or exp included: inv_logit_from_exp is that select with a packet form, built from Eigen's
// own packet operations, so it runs at the width the compiler targets (two doubles with the
// default SSE2, four with AVX2, eight with AVX-512 under -march=native), and a scalar form for the
// tail of an array that does not fill a packet. It does the same IEEE operations as the select,
// so its results are the same bits. vlog is the opposite choice: a packet log only where the
// build makes it faster than the C library's (tests/math/test_vectorised.cpp).
#include <Eigen/Core>
#include <cmath>

namespace exmc::math {

namespace packet_op {

// inv_logit(a) given e = exp(-|a|): 1 / (1 + e) where a >= 0, e / (1 + e) below.
template <class T>
struct inv_logit_from_exp {
  T operator()(T a, T e) const { return (a >= T(0) ? T(1) : e) / (T(1) + e); }
  template <class P>
  P packetOp(const P& a, const P& e) const {
    namespace ei = Eigen::internal;
    const P one = ei::pset1<P>(T(1));
    return ei::pdiv(ei::pselect(ei::pcmp_le(ei::pset1<P>(T(0)), a), one, e), ei::padd(one, e));
  }
};

// std::log one element at a time: no packet form, so Eigen calls the C library for each element.
template <class T>
struct scalar_log {
  T operator()(T x) const { return std::log(x); }
};

}  // namespace packet_op

// Whether Eigen's packet log beats the C library's scalar one. With the SSE2 baseline it does not:
// glibc picks an FMA variant of its scalar log at run time, which is faster than Eigen's two-wide
// log built without FMA (logistic's gradient: 0.67 -> 0.78 s per 10^5). With FMA and 256-bit or
// wider vectors (-march=native on a recent x86, CMake EXMC_NATIVE) the packet log wins (D134).
#if defined(EIGEN_VECTORIZE_FMA)
inline constexpr bool packet_log_pays = Eigen::internal::packet_traits<double>::size >= 4;
#else
inline constexpr bool packet_log_pays = false;
#endif

// log(x) elementwise, with packets where they pay.
template <class E>
auto vlog(const Eigen::ArrayBase<E>& x) {
  if constexpr (packet_log_pays)
    return x.log();
  else
    return x.unaryExpr(packet_op::scalar_log<typename E::Scalar>{});
}

template <class A, class E>
auto vinv_logit_from_exp(const Eigen::ArrayBase<A>& a, const Eigen::ArrayBase<E>& e) {
  return a.binaryExpr(e.derived(), packet_op::inv_logit_from_exp<typename A::Scalar>{});
}

}  // namespace exmc::math

// Eigen uses a functor's packet form only when functor_traits says it has one.
namespace Eigen::internal {
template <class T>
struct functor_traits<exmc::math::packet_op::inv_logit_from_exp<T>> {
  enum { Cost = 8 * NumTraits<T>::MulCost, PacketAccess = packet_traits<T>::HasDiv };
};
}  // namespace Eigen::internal
