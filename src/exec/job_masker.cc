#include "exec/job_masker.h"

namespace gauntlet::exec {
namespace {

constexpr std::string_view kAddMask = "::add-mask::";

}  // namespace

std::string UnescapeCommandData(std::string_view data) {
  std::string out;
  out.reserve(data.size());
  for (size_t i = 0; i < data.size(); ++i) {
    std::string_view rest = data.substr(i);
    if (rest.starts_with("%25")) {
      out += '%';
    } else if (rest.starts_with("%0D") || rest.starts_with("%0d")) {
      out += '\r';
    } else if (rest.starts_with("%0A") || rest.starts_with("%0a")) {
      out += '\n';
    } else {
      out += data[i];
      continue;
    }
    i += 2;
  }
  return out;
}

JobMasker::JobMasker(const Masker& secrets, bool commands)
    : masker_(secrets), commands_(commands) {}

void JobMasker::Write(std::string_view chunk, std::string* out) {
  if (!commands_) return stream_.Write(chunk, out);
  size_t i = 0;
  while (i < chunk.size()) {
    if (!at_line_start_ && held_.empty()) {
      // Not a command: through the masker up to the end of the line.
      size_t nl = chunk.find('\n', i);
      size_t end = nl == std::string_view::npos ? chunk.size() : nl + 1;
      stream_.Write(chunk.substr(i, end - i), out);
      at_line_start_ = nl != std::string_view::npos;
      i = end;
      continue;
    }
    at_line_start_ = false;
    const char c = chunk[i++];
    if (c == '\n') {
      if (held_.starts_with(kAddMask)) Command(held_);
      held_ += c;
      Release(out);
      at_line_start_ = true;
      continue;
    }
    held_ += c;
    // Still possibly a command: keep holding; else let the line through.
    const size_t n = std::min(held_.size(), kAddMask.size());
    if (held_.compare(0, n, kAddMask, 0, n) != 0) Release(out);
  }
}

void JobMasker::Flush(std::string* out) {
  // A last line without a newline is a command too (the runner reads it so).
  if (held_.starts_with(kAddMask)) Command(held_);
  Release(out);
  stream_.Flush(out);
  at_line_start_ = true;
}

void JobMasker::Command(std::string_view line) {
  std::string_view value = line.substr(kAddMask.size());
  if (!value.empty() && value.back() == '\r') value.remove_suffix(1);
  // The runner trims the value: `::add-mask:: x` masks "x".
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  masker_.Add(UnescapeCommandData(value));
}

void JobMasker::Release(std::string* out) {
  stream_.Write(held_, out);
  held_.clear();
}

}  // namespace gauntlet::exec
