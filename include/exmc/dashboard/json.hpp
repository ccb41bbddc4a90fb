#pragma once
// The little JSON the dashboard writes: numbers to six significant digits (a plot needs no more,
// and a snapshot of 64 chains stays a few megabytes), NaN and infinities as null, and strings
// escaped so that the text is safe inside an HTML <script> element as well as in JSON.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>

namespace exmc::dash {

inline void put_number(std::string& out, double x) {
  if (!std::isfinite(x)) {
    out += "null";
    return;
  }
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::general, 6);
  out.append(buf, r.ptr);
}

inline void put_integer(std::string& out, long long x) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  out.append(buf, r.ptr);
}

// "<", ">" and "&" as \u escapes: the text may end up inside <script>...</script>, where "</"
// would end the element.
inline void put_string(std::string& out, std::string_view s) {
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || ch == '<' || ch == '>' || ch == '&') {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

// `"key":` (keys are literals of ours, never user text).
inline void put_key(std::string& out, std::string_view key) {
  out += '"';
  out += key;
  out += "\":";
}

// [a,b,c] from a callable giving element i.
template <class Get>
void put_numbers(std::string& out, std::size_t n, Get get) {
  out += '[';
  for (std::size_t i = 0; i < n; ++i) {
    if (i) out += ',';
    put_number(out, get(i));
  }
  out += ']';
}

}  // namespace exmc::dash
