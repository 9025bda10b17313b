// The masking of one job's output: the run's secrets, and, in a GitHub Actions workflow
// job, every value a step announced with the workflow command `::add-mask::VALUE`
// (docs/github-actions.md, "Workflow commands"). From that line on, the value is masked
// in what the job prints (log, terminal, diagnostics read from the log) and in the
// outputs it stores; the command's own line shows `::add-mask::***`.
//
// A line is held back only while it may be such a command (it begins with a prefix of
// `::add-mask::`): the value must join the masker before any byte of it is emitted.
//
// The other commands read here: `::group::TITLE` is shown as `▸ TITLE` and
// `::endgroup::` is left out (a log has no folds); after `::stop-commands::TOKEN` no
// command is acted on, and every line is shown as printed, until the line `::TOKEN::`.
#pragma once

#include <string>
#include <string_view>

#include "exec/masker.h"

namespace gauntlet::exec {

class JobMasker {
 public:
  // `secrets`: the run's masker, copied; `commands`: read ::add-mask:: lines.
  JobMasker(const Masker& secrets, bool commands);
  JobMasker(const JobMasker&) = delete;
  JobMasker& operator=(const JobMasker&) = delete;

  // Nothing to mask and nothing to read: output may be emitted as it is.
  bool passthrough() const { return !commands_ && masker_.empty(); }
  const Masker& masker() const { return masker_; }

  // Appends the masked bytes that are safe to emit now to *out.
  void Write(std::string_view chunk, std::string* out);
  // The stream ended (the attempt is over): emits what was held back. Masks added stay
  // for the next attempt.
  void Flush(std::string* out);

 private:
  // A complete line that began with `::add-mask::`, without its newline.
  void Command(std::string_view line);
  // A complete line held back (its newline included, if it had one): acted on and
  // rewritten as it is to be shown.
  void Line();
  // Whether `held_` may still become a command that is acted on.
  bool MayBeCommand() const;
  void Release(std::string* out);

  Masker masker_;
  Masker::Stream stream_{&masker_};
  const bool commands_;
  std::string held_;           // the start of the current line, while it may be a command
  bool at_line_start_ = true;  // the next byte begins a line
  std::string resume_;         // "::TOKEN::" after ::stop-commands::TOKEN; "": commands run
};

// GitHub's unescaping of a workflow command's data: %25, %0D and %0A.
std::string UnescapeCommandData(std::string_view data);

}  // namespace gauntlet::exec
