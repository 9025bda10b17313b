#include "gate/repo_paths.h"

#include <filesystem>

#include "gate/text.h"

namespace gauntlet::gate {

namespace fs = std::filesystem;

namespace {

bool Escapes(const fs::path& rel) { return rel.empty() || *rel.begin() == ".."; }

bool InRepository(const std::string& path) {
  return !path.empty() && path.front() != '/' && !path.starts_with("../");
}

// `path` normalised, without leading "../" segments: what a tracked path may end in.
std::string SuffixOf(const std::string& path) {
  std::string p = fs::path(path).lexically_normal().generic_string();
  while (p.starts_with("../")) p.erase(0, 3);
  return p == ".." || p == "." ? "" : p;
}

}  // namespace

RepoPaths::RepoPaths(std::string repo_root, const std::string& job_dir, const RepoFiles* files)
    : root_(fs::path(std::move(repo_root)).lexically_normal().string()), files_(files) {
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

RepoPaths::Placed RepoPaths::Place(std::string_view path) const {
  Placed out{Map(path), true};
  if (files_ == nullptr || out.path.empty()) return out;
  if (out.path.front() == '/') return out;  // outside the repository: not ours to place
  if (InRepository(out.path) && files_->Exists(out.path)) return out;
  const std::string printed = RelativePath(path, "");
  if (printed.empty() || printed.front() != '/') {
    std::vector<std::string> found = files_->WithSuffix(SuffixOf(printed));
    // Several files end in the same name: the ones under the job's directory first.
    if (found.size() > 1 && !prefix_.empty()) {
      std::erase_if(found, [&](const std::string& f) { return !f.starts_with(prefix_ + "/"); });
    }
    if (found.size() == 1) return {found.front(), true};
  }
  out.found = false;
  return out;
}

void PreferRepositoryLocation(Diagnostic& d) {
  if (d.file.empty() || d.file.front() != '/') return;
  int chosen = -1;
  for (int i = 0; i < static_cast<int>(d.notes.size()); ++i) {
    const Note& n = d.notes[i];
    if (!InRepository(n.file)) continue;
    const bool here = n.message.starts_with("required from here");
    if (here || chosen < 0 || !d.notes[chosen].message.starts_with("required from here"))
      chosen = i;
  }
  if (chosen < 0) return;
  Note& n = d.notes[chosen];
  Note outside{d.file, d.line, d.col, "reported here, outside the repository"};
  d.file = n.file;
  d.line = n.line;
  d.col = n.col;
  d.end_line.reset();
  d.end_col.reset();
  n = std::move(outside);
}

void RepoPaths::Apply(std::vector<Diagnostic>& diagnostics) const {
  for (Diagnostic& d : diagnostics) {
    Placed placed = Place(d.file);
    d.file = std::move(placed.path);
    d.file_unresolved = !placed.found;
    for (Note& n : d.notes) n.file = Place(n.file).path;
    PreferRepositoryLocation(d);
  }
}

void RepoPaths::Apply(Coverage& coverage) const {
  for (FileCoverage& f : coverage.files) f.file = Map(f.file);
}

}  // namespace gauntlet::gate
