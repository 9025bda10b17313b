#include "insight/report_html.h"

#include <fmt/core.h>

#include <algorithm>
#include <string>

#include "core/duration.h"
#include "insight/html_chart.h"

namespace gauntlet::insight {
namespace {

using nlohmann::json;

// A number from the JSON at `path`, written as `kind` says; "-" for null.
std::string Num(const json& value, const std::string& path, const char* kind) {
  std::string text = "-";
  if (value.is_number()) {
    std::string k = kind;
    if (k == "ms") text = HumanDuration(value.get<int64_t>());
    if (k == "pct") text = fmt::format("{:.1f}%", 100.0 * value.get<double>());
    if (k == "int") text = std::to_string(value.get<int64_t>());
    if (k == "rate") text = fmt::format("{:.2f}", value.get<double>());
    if (k == "latency") text = fmt::format("{:.3f} ms", value.get<double>());
  }
  return fmt::format(R"(<span class="n" data-path="{}" data-kind="{}">{}</span>)", path, kind,
                     text);
}

std::string At(const json& parent, const std::string& base, const char* key, const char* kind) {
  return Num(parent.contains(key) ? parent[key] : json(nullptr), base + "." + key, kind);
}

std::string Text(const json& v) { return HtmlEscape(v.is_string() ? v.get<std::string>() : ""); }

void PipelineSummary(const json& p, const std::string& base, std::string* out) {
  const json& d = p["duration_ms"];
  std::string db = base + ".duration_ms";
  *out += fmt::format("<h2>pipeline {}</h2>\n<p>{} runs: {} succeeded ({}), {} failed. ",
                      Text(p["name"]), At(p, base, "runs", "int"), At(p, base, "succeeded", "int"),
                      At(p, base, "success_rate", "pct"), At(p, base, "failed", "int"));
  *out += fmt::format(
      "Duration of successful runs: p50 {}, p95 {}, p99 {} (previous p50 {}, "
      "change {}).</p>\n",
      At(d, db, "p50", "ms"), At(d, db, "p95", "ms"), At(d, db, "p99", "ms"),
      At(p, base, "previous_p50_ms", "ms"), At(p, base, "trend", "pct"));
  const json& par = p["parallelism"];
  *out += fmt::format(
      "<p>Slots {}; jobs at once p50 {}, max {}; all slots busy in {} runs; slot wait per run "
      "p50 {}.</p>\n",
      At(p, base, "slots", "int"), At(par, base + ".parallelism", "p50", "int"),
      At(par, base + ".parallelism", "max", "int"), At(p, base, "saturated_runs", "int"),
      At(p["wait_ms_per_run"], base + ".wait_ms_per_run", "p50", "ms"));
}

void CriticalPathSection(const json& p, const std::string& base, std::string* out) {
  const json& c = p["critical_path"];
  if (!c.is_object()) return;
  std::string cb = base + ".critical_path";
  *out += fmt::format("<h3>Critical path of the median run {} ({} long, {} along the path)</h3>\n",
                      At(c, cb, "run", "int"), At(c, cb, "run_duration_ms", "ms"),
                      At(c, cb, "length_ms", "ms"));
  std::vector<ChartBar> bars;
  for (const json& j : c["jobs"]) bars.push_back({j["name"], j["duration_ms"].get<double>(), ""});
  *out += PathChart(bars);
  *out +=
      "<table><tr><th>job</th><th>duration</th><th>saves if it took 0</th><th>saves if "
      "halved</th></tr>\n";
  for (size_t i = 0; i < c["jobs"].size(); ++i) {
    const json& j = c["jobs"][i];
    std::string jb = cb + ".jobs." + std::to_string(i);
    *out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", Text(j["name"]),
                        At(j, jb, "duration_ms", "ms"), At(j, jb, "shrink_if_zero_ms", "ms"),
                        At(j, jb, "shrink_if_halved_ms", "ms"));
  }
  *out += "</table>\n";
}

void JobSection(const json& p, const std::string& base, std::string* out) {
  std::vector<ChartBar> bars;
  for (const json& j : p["jobs"]) {
    const json& d = j["duration_ms"];
    if (d["p50"].is_number()) {
      bars.push_back({j["name"], d["p50"].get<double>(), "p50"});
      bars.push_back({"", d["p95"].get<double>(), "p95"});
    }
  }
  *out += "<h3>Jobs: duration p50 and p95</h3>\n" + BarChart(bars);
  *out +=
      "<table><tr><th>job</th><th>runs</th><th>ok</th><th>p50</th><th>p95</th><th>p99</th>"
      "<th>change</th><th>slot wait (mean)</th><th>cache hits</th><th>retries</th>"
      "<th>on critical path</th></tr>\n";
  for (size_t i = 0; i < p["jobs"].size(); ++i) {
    const json& j = p["jobs"][i];
    std::string jb = base + ".jobs." + std::to_string(i);
    const json& d = j["duration_ms"];
    *out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        Text(j["name"]), At(j, jb, "runs", "int"), At(j, jb, "success_rate", "pct"),
        At(d, jb + ".duration_ms", "p50", "ms"), At(d, jb + ".duration_ms", "p95", "ms"),
        At(d, jb + ".duration_ms", "p99", "ms"), At(j, jb, "trend", "pct"),
        At(j["wait_ms"], jb + ".wait_ms", "mean", "ms"), At(j, jb, "cache_hit_rate", "pct"),
        At(j, jb, "retries", "int"), At(j, jb, "critical_runs", "int"));
  }
  *out += "</table>\n";
}

void DaysSection(const json& p, std::string* out) {
  std::vector<ChartBar> bars;
  for (const json& d : p["days"]) {
    if (d["p50_ms"].is_number()) {
      bars.push_back({DayLabel(d["start_ms"].get<int64_t>()), d["p50_ms"].get<double>(), ""});
    }
  }
  if (bars.empty()) return;
  *out += "<h3>Successful run duration by day (p50)</h3>\n" + ColumnChart(bars);
}

void FlakySection(const json& r, std::string* out) {
  *out += "<h2>Flaky jobs</h2>\n";
  if (r["flaky"].empty()) {
    *out += "<p>None in the window.</p>\n";
    return;
  }
  *out +=
      "<table><tr><th>pipeline</th><th>job</th><th>flaky</th><th>of</th><th>rate</th>"
      "<th>passed on retry</th><th>failed where the same inputs passed</th><th>retries</th>"
      "<th>cost</th></tr>\n";
  for (size_t i = 0; i < r["flaky"].size(); ++i) {
    const json& f = r["flaky"][i];
    std::string fb = "flaky." + std::to_string(i);
    *out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td></tr>\n",
        Text(f["pipeline"]), Text(f["job"]), At(f, fb, "flaky", "int"),
        At(f, fb, "executions", "int"), At(f, fb, "rate", "pct"),
        At(f, fb, "passed_on_retry", "int"), At(f, fb, "failed_on_passing_inputs", "int"),
        At(f, fb, "retries", "int"), At(f, fb, "cost_ms", "ms"));
  }
  *out += "</table>\n";
}

void AdviceSection(const json& r, std::string* out) {
  *out += "<h2>Advice</h2>\n";
  if (r["advice"].empty()) {
    *out += "<p>None: nothing in the window clears the thresholds.</p>\n";
    return;
  }
  *out += "<ol>\n";
  for (size_t i = 0; i < r["advice"].size(); ++i) {
    const json& a = r["advice"][i];
    std::string ab = "advice." + std::to_string(i);
    *out += fmt::format("<li><b>{}</b> {}: {} <i>Saves {} per run, {} over the window.</i></li>\n",
                        Text(a["kind"]), Text(a["pipeline"]), Text(a["message"]),
                        At(a, ab, "saving_ms_per_run", "ms"), At(a, ab, "saving_ms_window", "ms"));
  }
  *out += "</ol>\n";
}

void DoraSection(const json& r, std::string* out) {
  *out += "<h2>DORA</h2>\n";
  if (r["dora"].empty()) {
    *out += "<p>No deployment finished in the window.</p>\n";
    return;
  }
  *out += fmt::format("<p>Bands: {}.</p>\n", Text(r["dora_bands"]));
  *out +=
      "<table><tr><th>environment</th><th>deployments</th><th>per day</th><th>lead time "
      "(median)</th><th>change failure rate</th><th>time to restore (median)</th>"
      "<th>latest deployment observed p50 / p95 / p99 / errors</th></tr>\n";
  for (size_t i = 0; i < r["dora"].size(); ++i) {
    const json& e = r["dora"][i];
    std::string eb = "dora." + std::to_string(i);
    auto band = [](const json& m) { return m["band"].is_string() ? " " + Text(m["band"]) : ""; };
    const json& seen = e["latest_deployment"]["observed"];
    const std::string sb = eb + ".latest_deployment.observed";
    *out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}{}</td><td>{}{}</td><td>{}{}</td><td>{}{}</td>"
        "<td>{} / {} / {} / {}</td></tr>\n",
        Text(e["environment"]), At(e, eb, "deployments", "int"),
        At(e["deployment_frequency"], eb + ".deployment_frequency", "per_day", "rate"),
        band(e["deployment_frequency"]), At(e["lead_time"], eb + ".lead_time", "median_ms", "ms"),
        band(e["lead_time"]),
        At(e["change_failure_rate"], eb + ".change_failure_rate", "rate", "pct"),
        band(e["change_failure_rate"]),
        At(e["time_to_restore"], eb + ".time_to_restore", "median_ms", "ms"),
        band(e["time_to_restore"]), At(seen, sb, "p50_ms", "latency"),
        At(seen, sb, "p95_ms", "latency"), At(seen, sb, "p99_ms", "latency"),
        At(seen, sb, "error_rate", "pct"));
  }
  *out += "</table>\n";
}

constexpr const char* kInsightCss =
    "body{font-family:sans-serif;margin:2em;max-width:70em;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}"
    "td,th{border-bottom:1px solid #ddd;padding:.2em .6em;text-align:right}"
    "td:first-child,th:first-child{text-align:left}"
    "svg{display:block;margin:.5em 0}.n{font-variant-numeric:tabular-nums}";

}  // namespace

std::string ReportHtml(const json& r) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>gauntlet insight</title><style>";
  out += kInsightCss;
  out += "</style></head><body>\n<h1>gauntlet insight</h1>\n";
  const json& w = r["window"];
  out += fmt::format(
      "<p>The last {} ({} to {}); {} runs and {} job rows read. Percentiles: nearest rank.</p>\n",
      Text(w["since"]), DayLabel(w["since_ms"].get<int64_t>()),
      DayLabel(w["until_ms"].get<int64_t>()), At(r["read"], "read", "runs", "int"),
      At(r["read"], "read", "jobs", "int"));
  if (r["pipelines"].empty()) out += "<p>No runs in the window.</p>\n";
  for (size_t i = 0; i < r["pipelines"].size(); ++i) {
    const json& p = r["pipelines"][i];
    std::string base = "pipelines." + std::to_string(i);
    PipelineSummary(p, base, &out);
    CriticalPathSection(p, base, &out);
    JobSection(p, base, &out);
    DaysSection(p, &out);
  }
  FlakySection(r, &out);
  AdviceSection(r, &out);
  DoraSection(r, &out);
  out += "</body></html>\n";
  return out;
}

}  // namespace gauntlet::insight
