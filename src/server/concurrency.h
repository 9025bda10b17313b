// Concurrency groups (`concurrency:` of a pipeline file, GitHub's semantics within one
// repository): of the items whose group renders to the same name, at most one runs and
// one waits. A queued item is *admitted* before any slot may take it: its group is found
// from the pipeline file at its commit, read from the repository (no checkout needed, so
// a newer item can act while an older one runs); then an older waiting item of the group
// ends `cancelled` (replaced), and with `cancel-in-progress` the running one is cancelled.
// docs/server.md, "Concurrency groups".
#pragma once

#include <string>

#include "server/server_db.h"

namespace gauntlet::server {

struct ItemGroup {
  std::string key;   // "REPO:GROUP" (groups are per repository, as on GitHub); "": none
  std::string name;  // GROUP as rendered, for people
  bool cancel_in_progress = false;
  std::string problem;  // why the group could not be rendered ("" none): the item has none
};

// The group of `item` of repository `repo` (read from `source`, a repository path): none
// when the item runs several pipeline files (it fans out: each file's own item is
// admitted), when its file does not load or has no `concurrency:`, or when the file's
// `on:` does not take the event (an item that will be ignored replaces nothing).
// `main_file` is the server's --pipeline.
ItemGroup GroupOf(const QueueItem& item, const std::string& source, const std::string& main_file);

}  // namespace gauntlet::server
