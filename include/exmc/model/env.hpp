#pragma once
// Where a compiled model's declarations keep their values and adjoints: one slot per
// declaration, held in a workspace (compiled.hpp) that each chain owns and that every evaluation
// reuses, so nothing is allocated per call.
#include <Eigen/Core>
#include <tuple>
#include <utility>

#include "../core/fixed_string.hpp"
#include "../expr/node.hpp"

namespace exmc {

// A declaration's values and adjoints, and where the log of its values can be read without
// computing it: q's own coordinates for a parameter sampled as x = exp(u) (a positive parameter
// centred), so that a family taking log(sigma) reads u instead of calling log (D58). Set by each
// evaluation and cleared by anything else that writes val; it points into that evaluation's q.
template <class T, bool Vec>
struct decl_slot : cached<T, Vec> {
  const T* logv = nullptr;
};

// A vector declaration's values and adjoints are views (Eigen::Map), normally of the slot's own
// buffers. Each evaluation points an identity-transformed parameter's views at its coordinates of
// q and of grad instead, so its values are read where the sampler wrote them and its adjoints
// accumulate where the sampler reads them: no copy in, no copy out (D63). Whatever else writes
// values (draw_prior, load_constrained) points the views back at the own buffers first; a copy of
// the slot takes the values it views.
template <class T>
struct decl_slot<T, true> {
  using map_type = Eigen::Map<vector_t<T>>;
  vector_t<T> own_val, own_adj;
  map_type val{nullptr, 0};
  map_type adj{nullptr, 0};
  const T* logv = nullptr;

  decl_slot() = default;
  decl_slot(const decl_slot& o) : own_val(o.val), own_adj(o.adj) { bind_own(); }
  decl_slot(decl_slot&& o) noexcept : own_val(std::move(o.own_val)), own_adj(std::move(o.own_adj)) {
    const bool viewed_own = o.val.data() == own_val.data();
    bind_own();
    if (!viewed_own) {
      val = o.val;
      adj = o.adj;
    }
  }
  decl_slot& operator=(decl_slot o) noexcept {
    std::swap(own_val, o.own_val);
    std::swap(own_adj, o.own_adj);
    logv = nullptr;
    bind_own();
    return *this;
  }
  ~decl_slot() = default;

  void allocate(index_t n) {
    own_val.setZero(n);
    own_adj.setZero(n);
    bind_own();
  }
  // Eigen's documented way to re-point a Map: construct it again in place.
  void bind(T* v, T* a) {
    new (&val) map_type(v, own_val.size());
    new (&adj) map_type(a, own_val.size());
  }
  void bind_own() { bind(own_val.data(), own_adj.data()); }
};

template <class T, class Info, class... Decls>
struct model_env {
  using scalar = T;
  using info = Info;
  std::tuple<decl_slot<T, Decls::template decl_is_vec<Info>()>...> slots;
  template <fixed_string Name>
  auto& slot() {
    return std::get<Info::template index<Name>()>(slots);
  }
  template <fixed_string Name>
  const auto& slot() const {
    return std::get<Info::template index<Name>()>(slots);
  }
};

}  // namespace exmc
