// Reading the report files a job names (`reports: { junit: FILE, coverage: FILE }`)
// after it ran: confined to the workspace, parsed, with paths made relative to
// the repository root. Every problem (missing, stale, unparseable, escaping the
// workspace) is a warning for the job, never an error of the run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gate/coverage.h"
#include "gate/junit.h"
#include "spec/model.h"

namespace gauntlet::gate {

// Largest report file read by default (docs/diagnostics.md).
inline constexpr int64_t kMaxReportBytes = int64_t{256} << 20;

struct JobReportContext {
  std::string workspace_root;  // absolute: report paths must stay beneath it
  std::string job_dir;    // the job's working directory (absolute, or relative to the workspace)
  std::string repo_root;  // absolute: report paths come out relative to it
  // A file last modified before this (Unix ms, minus a second of clock slack) was
  // not written by this run and is refused as stale; 0: no check.
  int64_t not_before_ms = 0;
  // Largest report file read; a bigger one is refused with a warning (tests lower it).
  int64_t max_bytes = kMaxReportBytes;
};

struct JobReports {
  std::optional<TestReport> tests;
  std::optional<Coverage> coverage;
  // "junit report 'report.xml': no such file (the job did not write it)", ...
  std::vector<std::string> warnings;
};

// Reads and parses the job's report files. No file system access for an empty
// `reports`.
JobReports ReadJobReports(const spec::Reports& reports, const JobReportContext& context);

}  // namespace gauntlet::gate
