#include "cli/history.h"

#include <fmt/core.h>

#include <charconv>
#include <ctime>

#include "cli/cli.h"
#include "store/open.h"

namespace gauntlet::cli {

std::optional<History> OpenHistory(const std::string& state_dir_arg, int* exit_code) {
  auto ws = engine::FindWorkspace(state_dir_arg, CurrentDir());
  if (!ws.ok()) {
    *exit_code = Fail(ws.error());
    return std::nullopt;
  }
  auto s = store::OpenStore(ws->store_url());
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

// The one-line forms of the run views' test and coverage objects (engine/views_run.h).
std::string TestsSummary(const std::map<std::string, double>& metrics) {
  nlohmann::json t = engine::TestsJson(metrics);
  if (t.is_null()) return "";
  return fmt::format("{} passed, {} failed, {} skipped of {}", t["passed"].get<int>(),
                     t["failed"].get<int>(), t["skipped"].get<int>(), t["total"].get<int>());
}

std::string CoverageSummary(const std::map<std::string, double>& metrics) {
  nlohmann::json c = engine::CoverageJson(metrics);
  if (c.is_null()) return "";
  std::string out = fmt::format("{:.1f}% lines", c["line"].get<double>());
  if (!c["branch"].is_null()) out += fmt::format(", {:.1f}% branches", c["branch"].get<double>());
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

std::string LocalTime(int64_t unix_ms) {
  if (unix_ms <= 0) return "-";
  time_t t = static_cast<time_t>(unix_ms / 1000);
  struct tm tm {};
  localtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

}  // namespace gauntlet::cli
