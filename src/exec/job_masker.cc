#include "exec/job_masker.h"

#include <algorithm>

namespace gauntlet::exec {
namespace {

constexpr std::string_view kAddMask = "::add-mask::";
constexpr std::string_view kGroup = "::group::";
constexpr std::string_view kEndGroup = "::endgroup::";
constexpr std::string_view kStopCommands = "::stop-commands::";

// Whether `held` is the start of `command` (or all of it and more).
bool Prefix(std::string_view held, std::string_view command) {
  const size_t n = std::min(held.size(), command.size());
  return held.compare(0, n, command, 0, n) == 0;
}

std::string_view WithoutEol(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

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
      held_ += c;
      Line();
      Release(out);
      at_line_start_ = true;
      continue;
    }
    held_ += c;
    // Still possibly a command: keep holding; else let the line through.
    if (!MayBeCommand()) Release(out);
  }
}

bool JobMasker::MayBeCommand() const {
  if (!resume_.empty()) return Prefix(held_, resume_);
  return Prefix(held_, kAddMask) || Prefix(held_, kGroup) || Prefix(held_, kEndGroup) ||
         Prefix(held_, kStopCommands);
}

void JobMasker::Line() {
  const std::string_view line = WithoutEol(held_);
  if (!resume_.empty()) {
    if (line == resume_) resume_.clear();
    return;  // shown as printed, acted on by no one
  }
  if (line.starts_with(kAddMask)) return Command(line);
  if (line.starts_with(kStopCommands)) {
    // An empty token stops nothing (the runner refuses it).
    if (line.size() > kStopCommands.size())
      resume_ = "::" + std::string(line.substr(kStopCommands.size())) + "::";
    return;
  }
  if (line.starts_with(kGroup)) {
    const bool eol = held_.back() == '\n';
    held_ = "\u25b8 " + UnescapeCommandData(line.substr(kGroup.size())) + (eol ? "\n" : "");
    return;
  }
  if (line == kEndGroup) held_.clear();
}

void JobMasker::Flush(std::string* out) {
  // A last line without a newline is a command too (the runner reads it so).
  if (!held_.empty()) Line();
  Release(out);
  stream_.Flush(out);
  at_line_start_ = true;
  resume_.clear();  // a new attempt is a new process: commands run again
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
