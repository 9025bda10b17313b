// The HTML form of a Report (`gauntlet insight --html FILE`): one self-contained page,
// inline CSS and SVG charts, no script, nothing fetched from the network. It is drawn
// from the report's JSON (report_json.h), so it shows the same numbers: every number is
// an element with data-path (where it is in the JSON) and data-kind (how it is written:
// ms, pct, int, rate), which tests/browser/ checks in a real browser.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace gauntlet::insight {

std::string ReportHtml(const nlohmann::json& report);

}  // namespace gauntlet::insight
