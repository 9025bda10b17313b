// The text form of a Report, for people at a terminal (`gauntlet insight`).
#pragma once

#include <string>

#include "insight/report.h"

namespace gauntlet::insight {

std::string ReportText(const Report& report);

}  // namespace gauntlet::insight
