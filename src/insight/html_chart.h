// Inline SVG charts and HTML text helpers for the insight page (report_html.h): plain
// markup, drawn on the server side, so the page needs no script and fetches nothing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::insight {

// One bar: its label ("" continues the previous label's group), value, and series
// ("p50", "p95", ""), which picks its colour.
struct ChartBar {
  std::string label;
  double value = 0;
  std::string series;
};

// &, <, >, " and ' as entities.
std::string HtmlEscape(std::string_view text);
// "2026-11-21" (UTC).
std::string DayLabel(int64_t unix_ms);

// Horizontal bars, one row per bar, labelled on the left, scaled to the largest value.
std::string BarChart(const std::vector<ChartBar>& bars);
// The bars end to end on one line: a chain of jobs, each segment as long as its share.
std::string PathChart(const std::vector<ChartBar>& bars);
// Vertical columns side by side, labelled below (days).
std::string ColumnChart(const std::vector<ChartBar>& bars);

}  // namespace gauntlet::insight
