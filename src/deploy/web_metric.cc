#include "deploy/web_metric.h"

#include <cstdlib>

#include "deploy/http_get.h"

namespace gauntlet::deploy {
namespace {

bool AllDigits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

const nlohmann::json* Step(const nlohmann::json* at, const std::string& key) {
  if (at->is_object()) {
    auto it = at->find(key);
    return it == at->end() ? nullptr : &*it;
  }
  if (at->is_array() && AllDigits(key)) {
    size_t i = std::strtoul(key.c_str(), nullptr, 10);
    return i < at->size() ? &(*at)[i] : nullptr;
  }
  return nullptr;
}

}  // namespace

const nlohmann::json* FindJsonPath(const nlohmann::json& doc, const std::string& path) {
  if (!path.empty() && path[0] == '/') {
    try {
      nlohmann::json::json_pointer ptr(path);
      return doc.contains(ptr) ? &doc.at(ptr) : nullptr;
    } catch (const nlohmann::json::exception&) {
      return nullptr;
    }
  }
  std::string p = path;
  if (p.rfind("$.", 0) == 0) p = p.substr(2);
  if (p == "$" || p.empty()) return &doc;
  // "a.b[0].c" -> a, b, 0, c
  std::vector<std::string> keys;
  std::string cur;
  for (char c : p) {
    if (c == '.' || c == '[' || c == ']') {
      if (!cur.empty()) keys.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) keys.push_back(cur);
  const nlohmann::json* at = &doc;
  for (const auto& k : keys) {
    at = Step(at, k);
    if (!at) return nullptr;
  }
  return at;
}

MetricSample QueryWeb(const std::string& url, const std::string& json_path, Duration timeout) {
  auto r = HttpGet(url, timeout);
  if (!r) return {MetricSample::Kind::kError, nullptr, "web: " + r.error().message};
  if (r->status < 200 || r->status > 299) {
    return {MetricSample::Kind::kError, nullptr,
            "web: " + url + " answered HTTP " + std::to_string(r->status)};
  }
  auto doc = nlohmann::json::parse(r->body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return {MetricSample::Kind::kError, nullptr, "web: body is not JSON"};
  const nlohmann::json* v = FindJsonPath(doc, json_path);
  if (!v)
    return {MetricSample::Kind::kError, nullptr, "web: json_path '" + json_path + "' not found"};
  if (v->is_null()) return {MetricSample::Kind::kInconclusive, nullptr, "web: value is null"};
  if (v->is_string()) {
    const std::string& s = v->get_ref<const std::string&>();
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size()) return {MetricSample::Kind::kValue, d, ""};
  }
  return {MetricSample::Kind::kValue, *v, ""};
}

}  // namespace gauntlet::deploy
