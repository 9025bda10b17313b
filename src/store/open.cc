#include "store/open.h"

#include <filesystem>

#include "store/sqlite_store.h"
#include "store/state_dir.h"

namespace gauntlet::store {
namespace {

constexpr std::string_view kSqlite = "sqlite:";
constexpr std::string_view kAccepted =
    "expected sqlite:PATH (e.g. sqlite:.gauntlet/state.db); postgresql:// is not available yet";

}  // namespace

std::string SqliteUrl(std::string_view path) { return std::string(kSqlite) + std::string(path); }

Result<std::unique_ptr<Store>> OpenStore(std::string_view url) {
  if (url.starts_with(kSqlite)) {
    std::string path(url.substr(kSqlite.size()));
    if (path.empty())
      return Error::Invalid("store URL '" + std::string(url) + "': no path; " +
                            std::string(kAccepted));
    const std::string dir = std::filesystem::path(path).parent_path().string();
    if (!dir.empty()) {
      if (Status made = EnsureStateDir(dir); !made.ok()) return made.error();
    }
    auto s = SqliteStore::Open(path);
    if (!s.ok()) return s.error();
    return std::unique_ptr<Store>(std::move(s).value());
  }
  return Error::Invalid("unknown store URL '" + std::string(url) + "': " + std::string(kAccepted));
}

}  // namespace gauntlet::store
