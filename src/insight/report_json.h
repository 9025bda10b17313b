// The JSON form of a Report: `gauntlet insight --json`, and the numbers the HTML page
// shows. Every field is documented in docs/insight.md. Missing values are null.
#pragma once

#include <nlohmann/json.hpp>

#include "insight/report.h"

namespace gauntlet::insight {

// Where the DORA bands come from, as shown with them.
inline constexpr const char* kDoraBandsSource =
    "Accelerate State of DevOps Report 2023 (DORA), made contiguous (docs/insight.md)";

nlohmann::json ReportJson(const Report& report);

}  // namespace gauntlet::insight
