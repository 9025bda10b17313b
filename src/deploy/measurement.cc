#include "deploy/measurement.h"

#include <cmath>
#include <limits>

namespace gauntlet::deploy {
namespace {

nlohmann::json Number(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  return d;
}

Result<std::optional<double>> ReadNumber(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::optional<double>();
  if (it->is_number()) return std::optional<double>(it->get<double>());
  if (it->is_string()) {
    const auto& s = it->get_ref<const std::string&>();
    if (s == "NaN") return std::optional<double>(std::numeric_limits<double>::quiet_NaN());
    if (s == "+Inf") return std::optional<double>(std::numeric_limits<double>::infinity());
    if (s == "-Inf") return std::optional<double>(-std::numeric_limits<double>::infinity());
  }
  return Error{std::string("measurement: '") + key + "' is not a number"};
}

}  // namespace

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kPass:
      return "pass";
    case Verdict::kFail:
      return "fail";
    case Verdict::kInconclusive:
      return "inconclusive";
    case Verdict::kError:
      return "error";
  }
  return "error";
}

nlohmann::json ToJson(const Measurement& m) {
  nlohmann::json j = {{"metric", m.metric},
                      {"provider", m.provider},
                      {"verdict", VerdictName(m.verdict)},
                      {"window_ms", m.window.count()}};
  if (m.value) j["value"] = Number(*m.value);
  if (m.baseline) j["baseline"] = Number(*m.baseline);
  if (m.threshold) j["threshold"] = Number(*m.threshold);
  if (!m.condition.empty()) j["condition"] = m.condition;
  if (!m.detail.empty()) j["detail"] = m.detail;
  return j;
}

Result<Measurement> MeasurementFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return Error{"measurement: not an object"};
  Measurement m;
  m.metric = j.value("metric", "");
  m.provider = j.value("provider", "");
  m.condition = j.value("condition", "");
  m.detail = j.value("detail", "");
  m.window = Duration(j.value("window_ms", int64_t{0}));
  std::string verdict = j.value("verdict", "");
  if (verdict == "pass")
    m.verdict = Verdict::kPass;
  else if (verdict == "fail")
    m.verdict = Verdict::kFail;
  else if (verdict == "inconclusive")
    m.verdict = Verdict::kInconclusive;
  else if (verdict == "error")
    m.verdict = Verdict::kError;
  else
    return Error{"measurement: unknown verdict '" + verdict + "'"};
  for (auto [key, field] : {std::pair{"value", &m.value}, std::pair{"baseline", &m.baseline},
                            std::pair{"threshold", &m.threshold}}) {
    auto n = ReadNumber(j, key);
    if (!n) return n.error();
    *field = *n;
  }
  return m;
}

}  // namespace gauntlet::deploy
