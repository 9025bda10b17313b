#include "gate/repo_paths.h"

#include <filesystem>

#include "gate/text.h"

namespace gauntlet::gate {

namespace fs = std::filesystem;

namespace {

bool Escapes(const fs::path& rel) { return rel.empty() || *rel.begin() == ".."; }

}  // namespace

RepoPaths::RepoPaths(std::string repo_root, const std::string& job_dir)
    : root_(fs::path(std::move(repo_root)).lexically_normal().string()) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  fs::path rel = fs::path(job_dir).lexically_normal().lexically_relative(root_);
  if (rel == ".") {
    prefix_.clear();
  } else if (Escapes(rel)) {
    inside_ = false;
  } else {
    prefix_ = rel.string();
    while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
  }
}

std::string RepoPaths::Map(std::string_view path) const {
  if (path.empty()) return "";
  std::string p = RelativePath(path, "");  // drops "./" and a file:// scheme
  if (!p.empty() && p.front() == '/') return RelativePath(p, root_);
  if (!inside_ || prefix_.empty()) return fs::path(p).lexically_normal().string();
  fs::path joined = (fs::path(prefix_) / p).lexically_normal();
  if (Escapes(joined)) return p;
  return joined.string();
}

void RepoPaths::Apply(std::vector<Diagnostic>& diagnostics) const {
  for (Diagnostic& d : diagnostics) {
    d.file = Map(d.file);
    for (Note& n : d.notes) n.file = Map(n.file);
  }
}

void RepoPaths::Apply(Coverage& coverage) const {
  for (FileCoverage& f : coverage.files) f.file = Map(f.file);
}

}  // namespace gauntlet::gate
