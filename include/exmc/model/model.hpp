#pragma once
// model(...): collects the declarations, checks the graph at compile time and the sizes, data
// and constant hyperparameters at construction (model_error naming the culprit).
#include <string>
#include <tuple>
#include <utility>

#include "graph.hpp"

namespace exmc {

// Compile-time loop helpers.
template <class F, std::size_t... I>
constexpr void for_each_index(std::index_sequence<I...>, F&& f) {
  (f(std::integral_constant<std::size_t, I>{}), ...);
}
template <std::size_t N, class F>
constexpr void for_each_index(F&& f) {
  for_each_index(std::make_index_sequence<N>{}, std::forward<F>(f));
}

// Sizes of all declarations, used to validate expressions before any state exists.
template <class Info>
struct size_env {
  using info = Info;
  std::array<index_t, Info::size> n{};
  template <fixed_string Name>
  index_t size_of() const {
    return n[Info::template index<Name>()];
  }
};

template <class Decl>
std::string decl_label() {
  const char* k = Decl::kind == decl_kind::param     ? "param"
                  : Decl::kind == decl_kind::observe ? "observe"
                  : Decl::kind == decl_kind::let     ? "let"
                                                     : "potential";
  return str_cat({k, "<\"", Decl::name, "\">"});
}

template <class... Decls>
class model_t {
 public:
  using info = model_info<Decls...>;
  static constexpr std::size_t size = sizeof...(Decls);

  explicit model_t(Decls... d) : decls_(std::move(d)...) { sizes_ = validate(decls_); }

  const std::tuple<Decls...>& decls() const { return decls_; }
  const size_env<info>& sizes() const { return sizes_; }

  // Sizes and validation for any tuple of declarations with this name table (also used after
  // casting to float, where it is cheap and keeps one code path).
  template <class Tuple>
  static size_env<info> validate(const Tuple& decls) {
    size_env<info> senv;
    for_each_index<size>([&](auto ic) {
      constexpr std::size_t I = ic;
      const auto& d = std::get<I>(decls);
      using D = std::remove_cvref_t<decltype(d)>;
      if constexpr (D::kind == decl_kind::param) senv.n[I] = d.n;
      if constexpr (D::kind == decl_kind::observe) senv.n[I] = d.data.size();
    });
    for_each_index<size>([&](auto kc) {
      constexpr std::size_t I = info::topo.order[kc];
      const auto& d = std::get<I>(decls);
      using D = std::remove_cvref_t<decltype(d)>;
      try {
        if constexpr (D::kind == decl_kind::let || D::kind == decl_kind::potential) {
          senv.n[I] = d.expr.size(senv);
        } else {
          d.dist.validate(senv, senv.n[I]);
          if constexpr (D::kind == decl_kind::param) {
            if constexpr (dependent_transform<decltype(d.tf)>) d.tf.validate(senv, senv.n[I]);
          }
        }
      } catch (const model_error& e) {
        throw model_error(str_cat({decl_label<D>(), ": ", e.what()}));
      }
    });
    return senv;
  }

 private:
  std::tuple<Decls...> decls_;
  size_env<info> sizes_;
};

template <class... D>
auto model(D&&... d) {
  static_assert(sizeof...(D) > 0, "exmc::model: a model needs at least one declaration");
  static_assert(((std::remove_cvref_t<D>::kind == decl_kind::param || std::remove_cvref_t<D>::kind == decl_kind::observe ||
                  std::remove_cvref_t<D>::kind == decl_kind::let || std::remove_cvref_t<D>::kind == decl_kind::potential) &&
                 ...),
                "exmc::model: arguments must be param<>, observe<>, let<> or potential<> declarations");
  static_assert(check_graph<std::remove_cvref_t<D>...>());
  return model_t<std::remove_cvref_t<D>...>(std::forward<D>(d)...);
}

}  // namespace exmc
