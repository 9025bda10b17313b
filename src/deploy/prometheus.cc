#include "deploy/prometheus.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>

#include "deploy/http_get.h"
#include "deploy/libcurl.h"

namespace gauntlet::deploy {
namespace {

MetricSample Fail(std::string detail) {
  return MetricSample{MetricSample::Kind::kError, nullptr, std::move(detail)};
}

// Prometheus writes sample values as strings: "0.5", "NaN", "+Inf", "-Inf".
bool ParseValue(const nlohmann::json& v, double* out) {
  if (v.is_number()) {
    *out = v.get<double>();
    return true;
  }
  if (!v.is_string()) return false;
  const std::string& s = v.get_ref<const std::string&>();
  if (s == "NaN")
    *out = std::numeric_limits<double>::quiet_NaN();
  else if (s == "+Inf" || s == "Inf")
    *out = std::numeric_limits<double>::infinity();
  else if (s == "-Inf")
    *out = -std::numeric_limits<double>::infinity();
  else {
    char* end = nullptr;
    *out = std::strtod(s.c_str(), &end);
    return !s.empty() && end == s.c_str() + s.size();
  }
  return true;
}

// A [timestamp, "value"] pair.
bool PairValue(const nlohmann::json& pair, double* out) {
  return pair.is_array() && pair.size() == 2 && ParseValue(pair[1], out);
}

}  // namespace

MetricSample ParsePrometheusResponse(long http_status, const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Fail("prometheus: HTTP " + std::to_string(http_status) + ", body is not JSON");
  }
  if (j.value("status", "") != "success" || http_status != 200) {
    return Fail("prometheus: HTTP " + std::to_string(http_status) + " " + j.value("errorType", "") +
                ": " + j.value("error", "no error message"));
  }
  const auto data = j.value("data", nlohmann::json::object());
  const std::string type = data.value("resultType", "");
  const auto result = data.value("result", nlohmann::json());
  double value = 0;
  if (type == "scalar" || type == "string") {
    if (!result.is_array() || result.size() != 2) return Fail("prometheus: malformed " + type);
    if (PairValue(result, &value)) {
      if (std::isnan(value)) return {MetricSample::Kind::kInconclusive, nullptr, "result is NaN"};
      return {MetricSample::Kind::kValue, value, ""};
    }
    if (type == "string" && result[1].is_string())
      return {MetricSample::Kind::kValue, result[1], ""};
    return Fail("prometheus: value is not a number");
  }
  if (type == "vector") {
    if (!result.is_array()) return Fail("prometheus: malformed vector");
    if (result.empty()) {
      return {MetricSample::Kind::kInconclusive, nullptr, "empty result (no series matched)"};
    }
    nlohmann::json values = nlohmann::json::array();
    for (const auto& series : result) {
      if (!series.is_object() || !PairValue(series.value("value", nlohmann::json()), &value)) {
        return Fail("prometheus: malformed vector sample");
      }
      if (std::isnan(value)) return {MetricSample::Kind::kInconclusive, nullptr, "result is NaN"};
      values.push_back(value);
    }
    if (values.size() == 1) return {MetricSample::Kind::kValue, values[0], ""};
    return {MetricSample::Kind::kValue, values,
            std::to_string(values.size()) + " series (result is an array)"};
  }
  return Fail("prometheus: result type '" + type +
              "' is not supported; write an instant query (vector or scalar)");
}

MetricSample QueryPrometheus(const std::string& base_url, const std::string& query,
                             Duration timeout) {
  auto api = Curl();
  if (!api.ok()) return Fail("prometheus: " + api.error().message);
  const CurlApi& c = **api;
  std::unique_ptr<char, void (*)(void*)> escaped(
      c.easy_escape(nullptr, query.c_str(), static_cast<int>(query.size())), c.free);
  if (!escaped) return Fail("prometheus: cannot encode the query");
  std::string url = base_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/api/v1/query?query=" + std::string(escaped.get());
  auto r = HttpGet(url, timeout);
  if (!r) return Fail("prometheus: " + r.error().message);
  return ParsePrometheusResponse(r->status, r->body);
}

}  // namespace gauntlet::deploy
