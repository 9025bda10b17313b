#include "spec/deploy_template.h"

#include <cctype>

namespace gauntlet::spec {
namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

bool IsEnvName(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

Result<std::string> Variable(const std::string& ref) {
  if (ref == "release.version") return std::string("GAUNTLET_RELEASE_VERSION");
  if (ref == "slot") return std::string("GAUNTLET_SLOT");
  if (ref == "instance" || ref == "instance.name") return std::string("GAUNTLET_INSTANCE");
  if (ref == "instance.address") return std::string("GAUNTLET_ADDRESS");
  if (ref == "instance.port") return std::string("GAUNTLET_PORT");
  if (ref.rfind("env.", 0) == 0 && IsEnvName(ref.substr(4))) return ref.substr(4);
  return Error{"unknown reference '${{ " + ref +
               " }}' in a deploy command: use release.version, slot, instance, "
               "instance.address, instance.port or env.NAME"};
}

}  // namespace

Result<std::string> RenderDeployCommand(const std::string& command) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t open = command.find("${{", pos);
    if (open == std::string::npos) {
      out += command.substr(pos);
      return out;
    }
    size_t close = command.find("}}", open + 3);
    if (close == std::string::npos) return Error{"unterminated '${{' in a deploy command"};
    out += command.substr(pos, open - pos);
    auto var = Variable(Trim(command.substr(open + 3, close - open - 3)));
    if (!var.ok()) return var.error();
    out += "${" + *var + "}";
    pos = close + 2;
  }
}

}  // namespace gauntlet::spec
