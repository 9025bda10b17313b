#include "engine/git_reader.h"

#include <chrono>

#include "core/thread.h"

namespace gauntlet::engine {

GitReader::GitReader(std::string root) : known_(false) {
  std::promise<Result<vcs::CommitInfo>> info;
  head_ = info.get_future().share();
  thread_ = BackgroundThread([info = std::move(info), root = std::move(root)]() mutable {
    info.set_value(vcs::HeadInfo(root));
  });
}

bool GitReader::Fill(store::RunRecord* run, bool wait) {
  if (known_) return true;
  if (!wait && head_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return false;
  const Result<vcs::CommitInfo>& info = head_.get();
  known_ = true;
  if (!info.ok()) return true;  // not a repository (or no commit yet): no git context
  run->git_commit = info->commit;
  run->git_branch = info->branch;
  run->author_name = info->author_name;
  run->author_email = info->author_email;
  run->subject = info->subject;
  run->trailers = info->trailers;
  run->commit_ms = info->committer_time * 1000;
  return true;
}

}  // namespace gauntlet::engine
