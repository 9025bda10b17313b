#include "gate/json_in_log.h"

namespace gauntlet::gate {

nlohmann::json FindJsonInLog(std::string_view log, nlohmann::json::value_t type) {
  const char open = type == nlohmann::json::value_t::array ? '[' : '{';
  for (size_t pos = 0; pos < log.size();) {
    if (log[pos] == open) {
      // The rest of the log, then only this line (JSON followed by more text).
      std::string_view rest = log.substr(pos);
      nlohmann::json j = nlohmann::json::parse(rest, nullptr, false);
      if (j.is_discarded()) {
        j = nlohmann::json::parse(rest.substr(0, rest.find('\n')), nullptr, false);
      }
      if (!j.is_discarded() && j.type() == type) return j;
    }
    size_t nl = log.find('\n', pos);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return nlohmann::json(nlohmann::json::value_t::discarded);
}

}  // namespace gauntlet::gate

namespace gauntlet::gate {

const nlohmann::json& Field(const nlohmann::json& j, const char* key) {
  static const nlohmann::json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

}  // namespace gauntlet::gate
