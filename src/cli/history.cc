#include "cli/history.h"

#include <fmt/core.h>
#include <signal.h>
#include <string.h>

#include <charconv>
#include <ctime>

#include "cli/cli.h"
#include "store/store.h"

namespace gauntlet::cli {

std::optional<History> OpenHistory(const std::string& state_dir_arg, int* exit_code) {
  auto ws = FindWorkspace(state_dir_arg);
  if (!ws.ok()) {
    fmt::print(stderr, "gauntlet: {}\n", ws.error().message);
    *exit_code = kExitNotFound;
    return std::nullopt;
  }
  auto s = OpenStore(*ws);
  if (!s.ok()) {
    fmt::print(stderr, "gauntlet: cannot open {}: {}\n", ws->db_path(), s.error().message);
    *exit_code = kExitInternal;
    return std::nullopt;
  }
  return History{std::move(*ws), std::move(s.value())};
}

std::optional<OpenedRun> OpenRunWithJobs(const std::string& state_dir_arg,
                                         const std::string& run_arg, int* exit_code) {
  auto h = OpenHistory(state_dir_arg, exit_code);
  if (!h) return std::nullopt;
  auto run = ResolveRun(*h->store, run_arg, exit_code);
  if (!run) return std::nullopt;
  auto jobs = h->store->GetJobs(run->id);
  if (!jobs.ok()) {
    fmt::print(stderr, "gauntlet: {}\n", jobs.error().message);
    *exit_code = kExitInternal;
    return std::nullopt;
  }
  return OpenedRun{std::move(*h), std::move(*run), std::move(*jobs)};
}

namespace {

std::optional<double> Metric(const std::map<std::string, double>& m, const char* key) {
  auto it = m.find(key);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

}  // namespace

std::string TestsSummary(const std::map<std::string, double>& metrics) {
  auto total = Metric(metrics, "tests.total");
  if (!total) return "";
  const int t = static_cast<int>(*total);
  const int failed = static_cast<int>(Metric(metrics, "tests.failed").value_or(0));
  const int skipped = static_cast<int>(Metric(metrics, "tests.skipped").value_or(0));
  return fmt::format("{} passed, {} failed, {} skipped of {}", t - failed - skipped, failed,
                     skipped, t);
}

std::string CoverageSummary(const std::map<std::string, double>& metrics) {
  auto line = Metric(metrics, "coverage.line");
  if (!line) return "";
  std::string out = fmt::format("{:.1f}% lines", *line);
  if (auto branch = Metric(metrics, "coverage.branch"))
    out += fmt::format(", {:.1f}% branches", *branch);
  return out;
}

nlohmann::json TestsJson(const std::map<std::string, double>& metrics) {
  auto total = Metric(metrics, "tests.total");
  if (!total) return nullptr;
  const int t = static_cast<int>(*total);
  const int failed = static_cast<int>(Metric(metrics, "tests.failed").value_or(0));
  const int skipped = static_cast<int>(Metric(metrics, "tests.skipped").value_or(0));
  return {{"total", t}, {"passed", t - failed - skipped}, {"failed", failed}, {"skipped", skipped}};
}

nlohmann::json CoverageJson(const std::map<std::string, double>& metrics) {
  auto line = Metric(metrics, "coverage.line");
  if (!line) return nullptr;
  nlohmann::json out = {{"line", *line}};
  auto branch = Metric(metrics, "coverage.branch");
  out["branch"] = branch ? nlohmann::json(*branch) : nlohmann::json(nullptr);
  return out;
}

std::optional<store::RunId> ParseRunId(std::string_view arg) {
  if (!arg.empty() && arg.front() == '#') arg.remove_prefix(1);
  store::RunId id = 0;
  auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), id);
  if (ec != std::errc() || end != arg.data() + arg.size() || id <= 0) return std::nullopt;
  return id;
}

std::optional<store::RunRecord> ResolveRun(store::Store& s, const std::string& arg,
                                           int* exit_code) {
  if (arg.empty() || arg == "latest") {
    auto r = s.LatestRun(std::nullopt);
    if (!r.ok()) {
      fmt::print(stderr, "gauntlet: {}\n", r.error().message);
      *exit_code = kExitInternal;
      return std::nullopt;
    }
    if (!r->has_value()) {
      fmt::print(stderr, "gauntlet: no runs recorded yet\n");
      *exit_code = kExitNotFound;
      return std::nullopt;
    }
    return std::move(**r);
  }
  auto id = ParseRunId(arg);
  if (!id) {
    fmt::print(stderr, "gauntlet: '{}' is not a run id (a number, or 'latest')\n", arg);
    *exit_code = kExitInvalid;
    return std::nullopt;
  }
  auto r = s.GetRun(*id);
  if (!r.ok()) {
    fmt::print(stderr, "gauntlet: {}\n", r.error().message);
    *exit_code = kExitInternal;
    return std::nullopt;
  }
  if (!r->has_value()) {
    fmt::print(stderr, "gauntlet: no run {}\n", *id);
    *exit_code = kExitNotFound;
    return std::nullopt;
  }
  return std::move(**r);
}

bool EngineGone(const store::RunRecord& run) {
  return run.status == store::RunStatus::kRunning && run.engine_host == store::HostName() &&
         !store::ProcessAlive(run.engine_pid);
}

std::string_view ShownStatus(const store::RunRecord& run) {
  if (EngineGone(run)) return store::ToString(store::RunStatus::kInterrupted);
  return store::ToString(run.status);
}

int64_t ElapsedMs(int64_t started_ms, int64_t finished_ms, int64_t now_ms) {
  if (started_ms <= 0) return 0;
  int64_t end = finished_ms > 0 ? finished_ms : now_ms;
  return end > started_ms ? end - started_ms : 0;
}

std::string HumanDuration(int64_t ms) {
  if (ms < 1000) return fmt::format("{}ms", ms);
  if (ms < 60'000) return fmt::format("{}.{}s", ms / 1000, (ms % 1000) / 100);
  int64_t s = ms / 1000;
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

std::string LocalTime(int64_t unix_ms) {
  if (unix_ms <= 0) return "-";
  time_t t = static_cast<time_t>(unix_ms / 1000);
  struct tm tm {};
  localtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string DescribeExit(const store::AttemptRecord& a) {
  std::string sig;
  if (a.signal > 0) {
    const char* abbrev = sigabbrev_np(a.signal);
    sig = abbrev ? fmt::format("signal {} ({})", a.signal, abbrev)
                 : fmt::format("signal {}", a.signal);
  }
  if (a.timed_out) {
    const char* abbrev = a.signal > 0 ? sigabbrev_np(a.signal) : nullptr;
    return abbrev ? fmt::format("timeout, SIG{}", abbrev) : std::string("timeout");
  }
  if (!sig.empty()) return sig;
  if (a.exit_code >= 0) return fmt::format("exit {}", a.exit_code);
  return "-";
}

nlohmann::json RunJson(const store::RunRecord& run, int64_t now_ms) {
  nlohmann::json trailers = nlohmann::json::array();
  for (const auto& [k, v] : run.trailers) trailers.push_back({{"key", k}, {"value", v}});
  return {
      {"id", run.id},
      {"pipeline", run.pipeline},
      {"file", run.file},
      {"status", ShownStatus(run)},
      {"recorded_status", store::ToString(run.status)},
      {"reason", run.reason},
      {"started_ms", run.started_ms},
      {"finished_ms", run.finished_ms},
      {"duration_ms", ElapsedMs(run.started_ms, run.finished_ms, now_ms)},
      {"git",
       {{"commit", run.git_commit},
        {"branch", run.git_branch},
        {"author_name", run.author_name},
        {"author_email", run.author_email},
        {"subject", run.subject},
        {"trailers", trailers}}},
      {"engine", {{"pid", run.engine_pid}, {"host", run.engine_host}}},
  };
}

nlohmann::json AttemptJson(const store::AttemptRecord& a) {
  return {
      {"number", a.number},           {"exit_code", a.exit_code},   {"signal", a.signal},
      {"timed_out", a.timed_out},     {"wall_ms", a.wall_ms},       {"user_cpu_ms", a.user_cpu_ms},
      {"sys_cpu_ms", a.sys_cpu_ms},   {"max_rss_kb", a.max_rss_kb}, {"started_ms", a.started_ms},
      {"finished_ms", a.finished_ms},
  };
}

}  // namespace gauntlet::cli
