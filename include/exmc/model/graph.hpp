#pragma once
// Compile-time resolution of a model's graph: the name table, reference checks, cycle detection
// and a topological order. Plain constexpr C++20 over arrays of string_views (see DECISIONS.md:
// cheaper to compile than Boost.Hana and reads as ordinary code).
#include <array>
#include <span>
#include <string_view>
#include <tuple>

#include "declarations.hpp"

namespace exmc {

template <class... Decls>
struct model_info {
  static constexpr std::size_t size = sizeof...(Decls);
  static constexpr std::array<std::string_view, size> names{Decls::name...};
  static constexpr std::array<decl_kind, size> kinds{Decls::kind...};

  // Position of a declaration by name; `size` when there is none.
  static constexpr std::size_t index_of(std::string_view n) {
    for (std::size_t i = 0; i < size; ++i)
      if (names[i] == n) return i;
    return size;
  }
  template <fixed_string Name>
  static constexpr std::size_t index() {
    return index_of(Name.view());
  }
  template <std::size_t I>
  using decl = std::tuple_element_t<I, std::tuple<Decls...>>;

  template <fixed_string Name>
  static constexpr bool is_vec() {
    constexpr std::size_t i = index<Name>();
    if constexpr (i < size)
      return decl<i>::template decl_is_vec<model_info>();
    else
      return false;
  }
  template <fixed_string Name>
  static constexpr bool has_grad() {
    constexpr std::size_t i = index<Name>();
    if constexpr (i < size)
      return decl<i>::template decl_has_grad<model_info>();
    else
      return false;
  }

  // deps[i]: the names declaration i refers to.
  static constexpr std::array<std::span<const std::string_view>, size> deps{
      std::span<const std::string_view>(Decls::refs::values)...};

  static constexpr bool names_unique() {
    for (std::size_t i = 0; i < size; ++i)
      for (std::size_t j = i + 1; j < size; ++j)
        if (names[i] == names[j]) return false;
    return true;
  }

  struct order_result {
    std::array<std::size_t, size> order{};
    bool acyclic = true;
  };
  // Kahn's algorithm; references to unknown names are ignored here (reported separately).
  static constexpr order_result topological_order() {
    order_result r;
    std::array<bool, size> done{};
    for (std::size_t k = 0; k < size; ++k) {
      bool found = false;
      for (std::size_t i = 0; i < size && !found; ++i) {
        if (done[i]) continue;
        bool ready = true;
        for (auto d : deps[i]) {
          const std::size_t j = index_of(d);
          if (j < size && !done[j]) ready = false;
        }
        if (ready) {
          done[i] = true;
          r.order[k] = i;
          found = true;
        }
      }
      if (!found) {
        r.acyclic = false;
        return r;
      }
    }
    return r;
  }
  static constexpr order_result topo = topological_order();
};

// Each check is its own template so that the compiler's error names the culprit in the
// template arguments right above the message: the name first, then the declaration using it.
template <class ReferencedName, bool Declared, bool NotObserved, class Declaration>
struct check_reference {
  static_assert(Declared,
                "exmc::model: a declaration refers to a name that no param<> or let<> of this model declares "
                "(the name is the first template argument of check_reference above); pass every parameter to "
                "model(...)");
  static_assert(NotObserved,
                "exmc::model: a declaration refers to the name of an observe<> or potential<> node; only "
                "param<> and let<> values can be referenced by name (for observed data, pass the data itself)");
  static constexpr bool ok = Declared && NotObserved;
};

template <class Info, class Decl, class... Names>
constexpr bool check_references(name_list<Names...>) {
  return (check_reference<Names, (Info::index_of(Names::value) < Info::size),
                          (Info::index_of(Names::value) >= Info::size ||
                           is_output(Info::kinds[Info::index_of(Names::value)])),
                          Decl>::ok &&
          ... && true);
}

template <class... Decls>
constexpr bool check_graph() {
  using I = model_info<Decls...>;
  static_assert(I::names_unique(),
                "exmc::model: two declarations (param<>, observe<> or let<>) share one name; names must be unique");
  constexpr bool refs_ok = (check_references<I, Decls>(typename Decls::refs{}) && ... && true);
  static_assert(!refs_ok || I::topo.acyclic,
                "exmc::model: the declarations form a cycle (a parameter's prior or a let<> depends on itself "
                "through other nodes); a model must be a directed acyclic graph");
  return true;
}

}  // namespace exmc
