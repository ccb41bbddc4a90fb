#pragma once
// The dashboard page as one HTML document: our markup, style and script (compiled into the
// program, page_*.hpp) and the chart library, read at run time from the file Debian's
// libjs-chart.js installs, so that a page or a report never loads anything from the network.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../core/error.hpp"
#include "page_app.hpp"
#include "page_html.hpp"
#include "page_plots.hpp"

// Where Chart.js is looked for when neither an option nor $EXMC_CHARTJS names a file.
#ifndef EXMC_CHARTJS_PATH
#define EXMC_CHARTJS_PATH "/usr/share/javascript/chart.js/chart.min.js"
#endif

namespace exmc::dash {

// The text of Chart.js: from `path` if given, else from $EXMC_CHARTJS, else from
// EXMC_CHARTJS_PATH. Throws model_error naming what was tried.
inline std::string chart_js(const std::string& path = {}) {
  std::vector<std::string> candidates;
  if (!path.empty()) {
    candidates.push_back(path);
  } else {
    if (const char* env = std::getenv("EXMC_CHARTJS"); env && *env) candidates.emplace_back(env);
    candidates.emplace_back(EXMC_CHARTJS_PATH);
  }
  for (const auto& p : candidates) {
    std::ifstream in(p, std::ios::binary);
    if (!in) continue;
    std::ostringstream text;
    text << in.rdbuf();
    std::string js = text.str();
    if (js.find("Chart") == std::string::npos)
      throw model_error("dashboard: '" + p + "' does not look like Chart.js");
    // Inside <script>, "</script" would end the element; "<\/" means the same to JavaScript.
    for (std::size_t at = js.find("</"); at != std::string::npos; at = js.find("</", at + 3)) js.replace(at, 2, "<\\/");
    return js;
  }
  std::string tried;
  for (const auto& p : candidates) tried += (tried.empty() ? "" : ", ") + p;
  throw model_error("dashboard: Chart.js not found (tried " + tried +
                    "); install Debian's libjs-chart.js (scripts/install-deps does) or set EXMC_CHARTJS to chart.min.js");
}

inline std::string html_escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// The page: `data` is a report's JSON (json.hpp escapes "<" in it), or "null" for a live page,
// which then connects to the server that sent it.
inline std::string page(std::string_view title, std::string_view chart_library, std::string_view data) {
  const std::string app = std::string(page_app_js) + std::string(page_plots_js);
  const std::string escaped_title = html_escape(title);
  const std::pair<std::string_view, std::string_view> keys[] = {
      {"@TITLE@", escaped_title}, {"@CHARTJS@", chart_library}, {"@DATA@", data}, {"@APP@", app}};
  // One pass over the template: text filled in is never searched again.
  std::string out;
  out.reserve(page_html.size() + app.size() + chart_library.size() + data.size());
  std::size_t pos = 0;
  for (std::size_t at = page_html.find('@'); at != std::string_view::npos; at = page_html.find('@', at + 1)) {
    for (const auto& [key, value] : keys) {
      if (page_html.compare(at, key.size(), key) != 0) continue;
      out.append(page_html.substr(pos, at - pos));
      out.append(value);
      pos = at + key.size();
      at = pos - 1;
      break;
    }
  }
  out.append(page_html.substr(pos));
  return out;
}

}  // namespace exmc::dash
