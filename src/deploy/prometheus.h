// A Prometheus instant query (GET /api/v1/query) turned into a MetricSample.
//   scalar / one-series vector -> a number; several series -> an array of numbers
//   "NaN" (e.g. 0/0 with no traffic) or an empty vector -> inconclusive
//   "+Inf"/"-Inf" -> a number (a condition can still judge it)
//   string result -> a number when numeric, else the string
//   matrix results, status "error", HTTP or transport failures -> provider error
#pragma once

#include <string>

#include "core/duration.h"
#include "deploy/measurement.h"

namespace gauntlet::deploy {

MetricSample QueryPrometheus(const std::string& base_url, const std::string& query,
                             Duration timeout);

// The parsing half, for tests and for bodies fetched elsewhere.
MetricSample ParsePrometheusResponse(long http_status, const std::string& body);

}  // namespace gauntlet::deploy
