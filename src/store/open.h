// Opening a store from its URL: the one place that knows which implementations exist,
// so every other layer holds only the Store interface.
//
//   sqlite:PATH        the embedded SQLite store (the default, PATH =
//                      <workspace>/.gauntlet/state.db); PATH may be relative
//   postgresql://...   a shared PostgreSQL history (not available yet: refused)
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/store.h"

namespace gauntlet::store {

// "sqlite:" + path.
std::string SqliteUrl(std::string_view path);

// Opens (creating if needed) the store `url` names. A SQLite database's directory is a
// state directory: created with a `.gitignore` of everything when missing
// (store/state_dir.h), so the history never ends up in the project's commits. A malformed or unknown URL is
// ErrorKind::kInvalid, naming the accepted forms.
Result<std::unique_ptr<Store>> OpenStore(std::string_view url);

}  // namespace gauntlet::store
