#include "cache/change_filter.h"

#include "core/glob.h"

namespace gauntlet::cache {
namespace {

std::string Files(size_t n) { return std::to_string(n) + (n == 1 ? " file" : " files"); }

}  // namespace

ChangeDecision Decide(const spec::ChangeFilter& filter, const std::vector<std::string>& changed) {
  ChangeDecision d;
  if (filter.empty()) {
    d.reason = "no change filter";
    return d;
  }
  auto ignore = GlobSet::Compile(filter.ignore);
  auto paths = GlobSet::Compile(filter.paths);
  if (!ignore.ok() || !paths.ok()) {
    d.reason = "change filter not applied: " +
               (!ignore.ok() ? ignore.error().message : paths.error().message);
    return d;
  }
  for (const auto& f : changed) {
    if (!paths->empty() && !paths->Matches(f)) continue;
    if (ignore->Matches(f)) continue;
    d.relevant.push_back(f);
  }
  if (!d.relevant.empty()) {
    d.reason = Files(d.relevant.size()) + " relevant of " + Files(changed.size()) + " changed (";
    for (size_t i = 0; i < d.relevant.size() && i < 3; ++i) {
      d.reason += (i > 0 ? ", " : "") + d.relevant[i];
    }
    d.reason += d.relevant.size() > 3 ? ", ...)" : ")";
    return d;
  }
  d.run = false;
  if (changed.empty()) {
    d.reason = "no relevant changes: no files changed";
  } else if (filter.paths.empty()) {
    d.reason = "no relevant changes: " + Files(changed.size()) + " changed, all match ignore";
  } else if (filter.ignore.empty()) {
    d.reason = "no relevant changes: " + Files(changed.size()) + " changed, none match paths";
  } else {
    d.reason = "no relevant changes: " + Files(changed.size()) +
               " changed, none match paths outside ignore";
  }
  return d;
}

ChangeDecision Decide(const spec::ChangeFilter& filter, const vcs::ChangeSet& changes) {
  if (!changes.available && !filter.empty()) {
    ChangeDecision d;
    d.reason = "change filter not applied: " + changes.how;
    return d;
  }
  return Decide(filter, changes.files);
}

}  // namespace gauntlet::cache
