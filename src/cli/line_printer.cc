#include "cli/line_printer.h"

#include <fmt/core.h>

#include <cstdio>

namespace gauntlet::cli {
namespace {

void Write(std::string_view s) { fwrite(s.data(), 1, s.size(), stdout); }

}  // namespace

void LinePrinter::Add(const std::string& job, std::string_view data) {
  if (!prefix_) {
    Write(data);
    return;
  }
  std::string& pending = pending_[job];
  pending.append(data);
  size_t start = 0;
  for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
    Write(fmt::format("[{}] ", job));
    Write(std::string_view(pending).substr(start, nl + 1 - start));
  }
  pending.erase(0, start);
}

void LinePrinter::Finish() {
  for (auto& [job, pending] : pending_) {
    if (pending.empty()) continue;
    Write(fmt::format("[{}] {}\n", job, pending));
    pending.clear();
  }
  fflush(stdout);
}

}  // namespace gauntlet::cli
