#include "engine/secrets.h"

#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>

namespace gauntlet::engine {

Result<Secrets> CollectSecrets(const spec::Pipeline& p, const std::string& secrets_file) {
  Secrets from_file;
  if (!secrets_file.empty()) {
    auto r = ReadSecretsFile(secrets_file);
    if (!r.ok()) return r.error();
    from_file = std::move(*r);
  }
  std::vector<std::string> names = p.secrets;
  for (const spec::Job& j : p.jobs) names.insert(names.end(), j.secrets.begin(), j.secrets.end());
  for (const spec::Environment& e : p.environments)
    names.insert(names.end(), e.secrets.begin(), e.secrets.end());
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  Secrets out;
  for (const std::string& name : names) {
    auto it = std::find_if(from_file.begin(), from_file.end(),
                           [&](const auto& kv) { return kv.first == name; });
    if (it != from_file.end()) {
      out.push_back(*it);
    } else if (const char* v = std::getenv(name.c_str())) {
      out.emplace_back(name, v);
    }
  }
  // Values in the file that no job names are still masked: they are secrets.
  for (const auto& kv : from_file) {
    if (!std::binary_search(names.begin(), names.end(), kv.first)) out.push_back(kv);
  }
  return out;
}

Result<Secrets> ReadSecretsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    Error e = Error::Errno("cannot read secrets file " + path, errno);
    e.kind = ErrorKind::kInvalid;  // the file the user named: their input
    return e;
  }
  Secrets out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos || eq == 0)
      return Error::Invalid(fmt::format("{}:{}: expected KEY=VALUE", path, n));
    out.emplace_back(line.substr(first, eq - first), line.substr(eq + 1));
  }
  return out;
}

}  // namespace gauntlet::engine
