#pragma once
// Quantity names between exmc's 0-based `theta[0]` / `Sigma[1,2]` and Stan's 1-based CSV names
// `theta.1` / `Sigma.2.3`, plus the split into a base name and indices that the NetCDF writer
// uses to rebuild arrays.
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace exmc::io {

// "theta[0]" -> {"theta", {0}}; "Sigma[1,2]" and "Sigma[1][2]" -> {"Sigma", {1, 2}};
// a name without a well-formed index suffix is a scalar: {name, {}}.
struct split_name {
  std::string base;
  std::vector<long> index;
};

inline split_name split(std::string_view name) {
  const auto open = name.find('[');
  if (open == std::string_view::npos || open == 0 || name.back() != ']') return {std::string(name), {}};
  split_name out{std::string(name.substr(0, open)), {}};
  long value = 0;
  bool digits = false;
  for (std::size_t i = open + 1; i < name.size(); ++i) {
    const char c = name[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      if (value > 100'000'000L) return {std::string(name), {}};
      value = value * 10 + (c - '0');
      digits = true;
    } else if ((c == ',' || c == ']') && digits) {
      out.index.push_back(value);
      value = 0;
      digits = false;
      if (c == ']' && i + 1 < name.size() && name[i + 1] == '[') ++i;  // "][" as in theta[1][2]
      else if (c == ']' && i + 1 != name.size()) return {std::string(name), {}};
    } else if (c == ' ' && !digits) {
      continue;
    } else {
      return {std::string(name), {}};
    }
  }
  return out;
}

// exmc name -> Stan CSV column name (1-based, dot-separated).
inline std::string to_stan_name(std::string_view name) {
  const split_name s = split(name);
  std::string out = s.base;
  for (long i : s.index) {
    out += '.';  // appended piecewise: g++ 12 flags "." + std::string with a false -Wrestrict
    out += std::to_string(i + 1);
  }
  return out;
}

// Stan CSV column name -> exmc name: "theta.1.2" -> "theta[0,1]". Names without an all-digit
// dot suffix are returned unchanged.
inline std::string from_stan_name(std::string_view name) {
  std::vector<long> index;
  std::size_t end = name.size();
  while (true) {
    const auto dot = name.rfind('.', end - 1);
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == end) break;
    const std::string_view part = name.substr(dot + 1, end - dot - 1);
    bool all_digits = part.size() <= 9;
    for (char c : part) all_digits = all_digits && std::isdigit(static_cast<unsigned char>(c));
    if (!all_digits || std::stol(std::string(part)) < 1) break;
    index.insert(index.begin(), std::stol(std::string(part)) - 1);
    end = dot;
  }
  if (index.empty()) return std::string(name);
  std::string out(name.substr(0, end));
  out += '[';
  for (std::size_t i = 0; i < index.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(index[i]);
  }
  return out + ']';
}

}  // namespace exmc::io
