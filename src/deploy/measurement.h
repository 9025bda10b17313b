// One analysis measurement: what was measured, against what, and the verdict. Persisted
// with the deployment and shown by `gauntlet deployments` / `--json`, so it carries
// everything a person needs to see why a step passed or failed.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/duration.h"
#include "core/result.h"

namespace gauntlet::deploy {

enum class Verdict { kPass, kFail, kInconclusive, kError };
const char* VerdictName(Verdict v);  // "pass", "fail", "inconclusive", "error"

// What a metric provider returned: a value, no usable value (empty result, NaN: a person
// decides), or an error of the provider itself (unreachable, bad query).
struct MetricSample {
  enum class Kind { kValue, kInconclusive, kError } kind = Kind::kError;
  nlohmann::json result;  // number (or array/string) the condition sees as `result`
  std::string detail;     // why inconclusive / the error
};

struct Measurement {
  std::string metric;    // "error_rate", "p99_latency_ms", or the MetricQuery name
  std::string provider;  // probe | prometheus | web
  Verdict verdict = Verdict::kError;
  std::optional<double> value;      // the canary's (or the query's) value
  std::optional<double> baseline;   // the stable slot's value, when compared to one
  std::optional<double> threshold;  // the limit value was held to
  std::string condition;            // for query metrics: the expression
  Duration window{0};               // time the value covers
  std::string detail;               // one line for people
};

// JSON object; non-finite numbers are written as strings ("NaN", "+Inf", "-Inf") since
// JSON has none. Absent optionals are omitted.
nlohmann::json ToJson(const Measurement& m);
Result<Measurement> MeasurementFromJson(const nlohmann::json& j);

}  // namespace gauntlet::deploy
