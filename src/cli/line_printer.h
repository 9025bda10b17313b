// Output of several jobs on one terminal as whole lines prefixed "[job] ", keeping each
// job's unfinished last line until its end arrives (or Finish), so that jobs whose output
// interleaves never share a line. `gauntlet logs` uses it.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace gauntlet::cli {

class LinePrinter {
 public:
  // Without `prefix`, chunks are written as they come.
  explicit LinePrinter(bool prefix) : prefix_(prefix) {}
  void Add(const std::string& job, std::string_view data);
  // Writes every unfinished line and flushes stdout.
  void Finish();

 private:
  bool prefix_;
  std::map<std::string, std::string> pending_;
};

}  // namespace gauntlet::cli
