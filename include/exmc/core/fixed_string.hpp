#pragma once
// A string usable as a non-type template parameter: param<"mu">, observe<"y">.
#include <algorithm>
#include <cstddef>
#include <string_view>

namespace exmc {

template <std::size_t N>
struct fixed_string {
  char chars[N]{};
  constexpr fixed_string(const char (&s)[N]) { std::copy_n(s, N, chars); }
  constexpr std::string_view view() const { return {chars, N - 1}; }
  constexpr std::size_t size() const { return N - 1; }
  template <std::size_t M>
  constexpr bool operator==(const fixed_string<M>& o) const { return view() == o.view(); }
};

// A name carried as a type, so name lists can be compared in constant expressions.
template <fixed_string Name>
struct name_t {
  static constexpr std::string_view value = Name.view();
};

}  // namespace exmc
