// The commit, branch, author and trailers of a new run, read on a thread of their own:
// libgit2's first use costs milliseconds (it loads TLS certificates), and the first jobs
// need not wait for it. They reach the run record when first asked after they are known.
// Used on one thread at a time (the run's); joins its thread when destroyed.
#pragma once

#include <future>
#include <string>
#include <thread>

#include "core/result.h"
#include "store/records.h"
#include "vcs/repo.h"

namespace gauntlet::engine {

class GitReader {
 public:
  // Starts reading the repository holding `root`.
  explicit GitReader(std::string root);
  // Nothing to read (a resumed run keeps its record's): Fill is always true.
  GitReader() = default;

  // Puts the git fields into *run once they are known (`wait`: until they are); true
  // when they are in. Outside a repository they stay empty.
  bool Fill(store::RunRecord* run, bool wait);

 private:
  std::shared_future<Result<vcs::CommitInfo>> head_;
  bool known_ = true;
  std::jthread thread_;  // declared last: joined before the future goes away
};

}  // namespace gauntlet::engine
