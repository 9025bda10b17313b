#include "store/sqlite_store.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <system_error>
#include <utility>

#include "store/sqlite_schema.h"

namespace gauntlet::store {
namespace {

using nlohmann::json;

constexpr std::string_view kRunColumns =
    "id, pipeline, file, status, reason, started_ms, finished_ms, git_commit, git_branch, "
    "author_name, author_email, subject, trailers, engine_pid, engine_host, options, "
    "plan_fingerprint, commit_ms, slots, needs, title";

std::string TrailersToJson(const std::vector<Trailer>& trailers) {
  json a = json::array();
  for (const auto& [k, v] : trailers) a.push_back({k, v});
  return a.dump();
}

// Stored JSON is our own; a damaged value reads as empty rather than failing the run listing.
std::vector<Trailer> TrailersFromJson(const std::string& text) {
  std::vector<Trailer> out;
  json a = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!a.is_array()) return out;
  for (const auto& e : a) {
    if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) {
      out.emplace_back(e[0].get<std::string>(), e[1].get<std::string>());
    }
  }
  return out;
}

RunRecord ReadRun(const SqliteStmt& s) {
  RunRecord r;
  r.id = s.Int(0);
  r.pipeline = s.Text(1);
  r.file = s.Text(2);
  r.status = ParseRunStatus(s.Text(3)).value_or(RunStatus::kFailed);
  r.reason = s.Text(4);
  r.started_ms = s.Int(5);
  r.finished_ms = s.Int(6);
  r.git_commit = s.Text(7);
  r.git_branch = s.Text(8);
  r.author_name = s.Text(9);
  r.author_email = s.Text(10);
  r.subject = s.Text(11);
  r.trailers = TrailersFromJson(s.Text(12));
  r.engine_pid = s.Int(13);
  r.engine_host = s.Text(14);
  r.options_json = s.Text(15);
  r.plan_fingerprint = s.Text(16);
  r.commit_ms = s.Int(17);
  r.slots = static_cast<int>(s.Int(18));
  r.needs = s.Text(19);
  r.title = s.Text(20);
  return r;
}

Result<std::vector<RunRecord>> CollectRuns(SqliteStmt& s) {
  return CollectRows<RunRecord>(s, ReadRun);
}

Result<std::optional<RunRecord>> FirstRun(Result<std::vector<RunRecord>> runs) {
  if (!runs.ok()) return runs.error();
  if (runs->empty()) return std::optional<RunRecord>();
  return std::optional<RunRecord>(std::move(runs->front()));
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       SqliteStoreOptions options) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Error{"cannot create " + dir.string() + ": " + ec.message()};
  }
  auto writer = SqliteDb::Open(path, /*readonly=*/false);
  if (!writer.ok()) return writer.error();
  SqliteDb& w = **writer;
  // journal_mode=WAL is persistent in the file; the others are per connection.
  if (Status s = w.Exec("PRAGMA journal_mode=WAL"); !s.ok()) return s.error();
  const char* sync = options.sync == SqliteStoreOptions::Sync::kFull ? "PRAGMA synchronous=FULL"
                                                                     : "PRAGMA synchronous=NORMAL";
  if (Status s = w.Exec(sync); !s.ok()) return s.error();
  if (Status s = w.Exec("PRAGMA foreign_keys=ON"); !s.ok()) return s.error();
  if (Status s = Migrate(w); !s.ok()) return s.error();

  auto reader = SqliteDb::Open(path, /*readonly=*/true);
  if (!reader.ok()) return reader.error();
  return std::unique_ptr<SqliteStore>(
      new SqliteStore(std::move(writer).value(), std::move(reader).value(), path));
}

Status SqliteStore::Begin() {
  std::lock_guard lock(write_mu_);
  if (in_batch_) return Error{"store: Begin inside a batch"};
  // IMMEDIATE takes the write lock now, so a concurrent engine waits here rather
  // than failing at the first write.
  if (Status s = writer_->ExecCached("BEGIN IMMEDIATE"); !s.ok()) return s;
  in_batch_ = true;
  return Ok();
}

Status SqliteStore::Commit() {
  std::lock_guard lock(write_mu_);
  if (!in_batch_) return Error{"store: Commit without Begin"};
  Status s = writer_->ExecCached("COMMIT");
  if (!s.ok()) {
    (void)writer_->Exec("ROLLBACK");
  }
  in_batch_ = false;
  return s;
}

void SqliteStore::Rollback() {
  std::lock_guard lock(write_mu_);
  if (!in_batch_) return;
  (void)writer_->Exec("ROLLBACK");
  in_batch_ = false;
}

Result<RunId> SqliteStore::CreateRun(const RunRecord& r) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "INSERT INTO runs (pipeline, file, status, reason, started_ms, finished_ms, git_commit, "
      "git_branch, author_name, author_email, subject, trailers, engine_pid, engine_host, "
      "options, plan_fingerprint, commit_ms, slots, needs, title) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!s.ok()) return s.error();
  s->Bind(r.pipeline).Bind(r.file).Bind(ToString(r.status)).Bind(r.reason).Bind(r.started_ms);
  s->Bind(r.finished_ms).Bind(r.git_commit).Bind(r.git_branch).Bind(r.author_name);
  s->Bind(r.author_email).Bind(r.subject).Bind(TrailersToJson(r.trailers)).Bind(r.engine_pid);
  s->Bind(r.engine_host).Bind(r.options_json).Bind(r.plan_fingerprint).Bind(r.commit_ms);
  s->Bind(r.slots).Bind(r.needs).Bind(r.title);
  if (Status st = s->Run(); !st.ok()) return st.error();
  return writer_->LastInsertId();
}

Status SqliteStore::UpdateRun(const RunRecord& r) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "UPDATE runs SET pipeline=?, file=?, status=?, reason=?, started_ms=?, finished_ms=?, "
      "git_commit=?, git_branch=?, author_name=?, author_email=?, subject=?, trailers=?, "
      "engine_pid=?, engine_host=?, options=?, plan_fingerprint=?, commit_ms=?, slots=?, "
      "needs=?, title=? WHERE id=?");
  if (!s.ok()) return s.error();
  s->Bind(r.pipeline).Bind(r.file).Bind(ToString(r.status)).Bind(r.reason).Bind(r.started_ms);
  s->Bind(r.finished_ms).Bind(r.git_commit).Bind(r.git_branch).Bind(r.author_name);
  s->Bind(r.author_email).Bind(r.subject).Bind(TrailersToJson(r.trailers)).Bind(r.engine_pid);
  s->Bind(r.engine_host).Bind(r.options_json).Bind(r.plan_fingerprint).Bind(r.commit_ms);
  s->Bind(r.slots).Bind(r.needs).Bind(r.title).Bind(r.id);
  if (Status st = s->Run(); !st.ok()) return st;
  if (writer_->Changes() == 0) return Error{"store: no run " + std::to_string(r.id)};
  return Ok();
}

Result<bool> SqliteStore::ClaimRun(const RunRecord& seen, int64_t pid, const std::string& host) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "UPDATE runs SET status='running', engine_pid=?, engine_host=? "
      "WHERE id=? AND status=? AND engine_pid=? AND engine_host=?");
  if (!s.ok()) return s.error();
  s->Bind(pid).Bind(host).Bind(seen.id).Bind(ToString(seen.status)).Bind(seen.engine_pid);
  s->Bind(seen.engine_host);
  if (Status st = s->Run(); !st.ok()) return st.error();
  return writer_->Changes() == 1;
}

Status SqliteStore::UpsertJob(const JobRecord& j) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "INSERT INTO jobs (run_id, idx, name, status, reason, started_ms, finished_ms, attempts, "
      "outputs, ready_ms, cache_key) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
      "ON CONFLICT (run_id, idx) DO UPDATE SET "
      "name=excluded.name, status=excluded.status, reason=excluded.reason, "
      "started_ms=excluded.started_ms, finished_ms=excluded.finished_ms, "
      "attempts=excluded.attempts, outputs=excluded.outputs, ready_ms=excluded.ready_ms, "
      "cache_key=excluded.cache_key");
  if (!s.ok()) return s.error();
  s->Bind(j.run_id).Bind(j.index).Bind(j.name).Bind(ToString(j.status)).Bind(j.reason);
  s->Bind(j.started_ms).Bind(j.finished_ms).Bind(j.attempts).Bind(OutputsToJson(j.outputs));
  s->Bind(j.ready_ms).Bind(j.cache_key);
  return s->Run();
}

Status SqliteStore::AddPendingJobs(RunId run,
                                   const std::vector<std::pair<int, std::string_view>>& jobs) {
  if (jobs.empty()) return Ok();
  // The rows travel as one JSON array [[index, name], ...] read by json_each: a 10,000-job
  // plan is one statement, not 10,000.
  json rows = json::array();
  for (const auto& [index, name] : jobs) rows.push_back({index, name});
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "INSERT INTO jobs (run_id, idx, name, status) "
      "SELECT ?1, value->>0, value->>1, 'pending' FROM json_each(?2) WHERE true "
      "ON CONFLICT (run_id, idx) DO UPDATE SET name=excluded.name, status='pending', "
      "reason='', started_ms=0, finished_ms=0, attempts=0, outputs='{}'");
  if (!s.ok()) return s.error();
  s->Bind(run).Bind(rows.dump());
  return s->Run();
}

Status SqliteStore::JobStarted(RunId run, int job_index, std::string_view name, UnixMs at,
                               int attempt) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "INSERT INTO jobs (run_id, idx, name, status, started_ms, attempts) "
      "VALUES (?,?,?,'running',?,?) "
      "ON CONFLICT (run_id, idx) DO UPDATE SET name=excluded.name, status='running', "
      "started_ms=CASE WHEN jobs.started_ms=0 THEN excluded.started_ms ELSE jobs.started_ms END, "
      "attempts=excluded.attempts");
  if (!s.ok()) return s.error();
  s->Bind(run).Bind(job_index).Bind(name).Bind(at).Bind(attempt);
  return s->Run();
}

Status SqliteStore::AttemptFinished(const AttemptRecord& a) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "INSERT INTO attempts (run_id, job_idx, number, exit_code, term_signal, timed_out, wall_ms, "
      "user_cpu_ms, sys_cpu_ms, max_rss_kb, started_ms, finished_ms) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (run_id, job_idx, number) DO UPDATE SET "
      "exit_code=excluded.exit_code, term_signal=excluded.term_signal, "
      "timed_out=excluded.timed_out, wall_ms=excluded.wall_ms, "
      "user_cpu_ms=excluded.user_cpu_ms, sys_cpu_ms=excluded.sys_cpu_ms, "
      "max_rss_kb=excluded.max_rss_kb, started_ms=excluded.started_ms, "
      "finished_ms=excluded.finished_ms");
  if (!s.ok()) return s.error();
  s->Bind(a.run_id).Bind(a.job_index).Bind(a.number).Bind(a.exit_code).Bind(a.signal);
  s->Bind(a.timed_out ? 1 : 0).Bind(a.wall_ms).Bind(a.user_cpu_ms).Bind(a.sys_cpu_ms);
  s->Bind(a.max_rss_kb).Bind(a.started_ms).Bind(a.finished_ms);
  return s->Run();
}

Status SqliteStore::JobFinished(RunId run, int job_index, std::string_view name, JobStatus status,
                                UnixMs at, const Outputs& outputs, std::string_view reason) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "INSERT INTO jobs (run_id, idx, name, status, reason, finished_ms, outputs) "
      "VALUES (?,?,?,?,?,?,?) ON CONFLICT (run_id, idx) DO UPDATE SET name=excluded.name, "
      "status=excluded.status, reason=excluded.reason, finished_ms=excluded.finished_ms, "
      "outputs=excluded.outputs");
  if (!s.ok()) return s.error();
  s->Bind(run).Bind(job_index).Bind(name).Bind(ToString(status)).Bind(reason).Bind(at);
  s->Bind(OutputsToJson(outputs));
  return s->Run();
}

Status SqliteStore::SetMetric(RunId run, std::string_view key, double value) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "INSERT INTO metrics (run_id, name, value) VALUES (?,?,?) "
      "ON CONFLICT (run_id, name) DO UPDATE SET value=excluded.value");
  if (!s.ok()) return s.error();
  s->Bind(run).Bind(key).Bind(value);
  return s->Run();
}

Result<std::vector<RunRecord>> SqliteStore::ListRuns(const RunFilter& f) {
  // One SQL text per combination of filters, so each stays a cached statement.
  std::string sql = "SELECT " + std::string(kRunColumns) + " FROM runs WHERE 1=1";
  if (f.pipeline) sql += " AND pipeline=?";
  if (f.status) sql += " AND status=?";
  if (f.branch) sql += " AND git_branch=?";
  if (f.before_id) sql += " AND id<?";
  sql += " ORDER BY id DESC LIMIT ?";
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(sql);
  if (!s.ok()) return s.error();
  if (f.pipeline) s->Bind(*f.pipeline);
  if (f.status) s->Bind(ToString(*f.status));
  if (f.branch) s->Bind(*f.branch);
  if (f.before_id) s->Bind(*f.before_id);
  s->Bind(f.limit);
  return CollectRuns(*s);
}

Result<std::optional<RunRecord>> SqliteStore::GetRun(RunId id) {
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare("SELECT " + std::string(kRunColumns) + " FROM runs WHERE id=?");
  if (!s.ok()) return s.error();
  s->Bind(id);
  return FirstRun(CollectRuns(*s));
}

Result<std::optional<RunRecord>> SqliteStore::LatestRun(std::optional<std::string> pipeline) {
  RunFilter f;
  f.limit = 1;
  f.pipeline = std::move(pipeline);
  return FirstRun(ListRuns(f));
}

Result<std::vector<JobRecord>> SqliteStore::GetJobs(RunId run) {
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(
      "SELECT run_id, idx, name, status, reason, started_ms, finished_ms, attempts, outputs, "
      "ready_ms, cache_key FROM jobs WHERE run_id=? ORDER BY idx");
  if (!s.ok()) return s.error();
  s->Bind(run);
  return CollectRows<JobRecord>(*s, [](const SqliteStmt& row) {
    JobRecord j;
    j.run_id = row.Int(0);
    j.index = static_cast<int>(row.Int(1));
    j.name = row.Text(2);
    j.status = ParseJobStatus(row.Text(3)).value_or(JobStatus::kFailed);
    j.reason = row.Text(4);
    j.started_ms = row.Int(5);
    j.finished_ms = row.Int(6);
    j.attempts = static_cast<int>(row.Int(7));
    j.outputs = OutputsFromJson(row.Text(8));
    j.ready_ms = row.Int(9);
    j.cache_key = row.Text(10);
    return j;
  });
}

Result<std::vector<AttemptRecord>> SqliteStore::GetAttempts(RunId run,
                                                            std::optional<int> job_index) {
  std::string sql =
      "SELECT run_id, job_idx, number, exit_code, term_signal, timed_out, wall_ms, user_cpu_ms, "
      "sys_cpu_ms, max_rss_kb, started_ms, finished_ms FROM attempts WHERE run_id=?";
  if (job_index) sql += " AND job_idx=?";
  sql += " ORDER BY job_idx, number";
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(sql);
  if (!s.ok()) return s.error();
  s->Bind(run);
  if (job_index) s->Bind(*job_index);
  return CollectRows<AttemptRecord>(*s, [](const SqliteStmt& row) {
    AttemptRecord a;
    a.run_id = row.Int(0);
    a.job_index = static_cast<int>(row.Int(1));
    a.number = static_cast<int>(row.Int(2));
    a.exit_code = static_cast<int>(row.Int(3));
    a.signal = static_cast<int>(row.Int(4));
    a.timed_out = row.Int(5) != 0;
    a.wall_ms = row.Int(6);
    a.user_cpu_ms = row.Int(7);
    a.sys_cpu_ms = row.Int(8);
    a.max_rss_kb = row.Int(9);
    a.started_ms = row.Int(10);
    a.finished_ms = row.Int(11);
    return a;
  });
}

Result<std::map<std::string, Outputs>> SqliteStore::GetOutputs(RunId run) {
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare("SELECT name, outputs FROM jobs WHERE run_id=? AND outputs<>'{}'");
  if (!s.ok()) return s.error();
  s->Bind(run);
  std::map<std::string, Outputs> out;
  Status st = ForEachRow(
      *s, [&](const SqliteStmt& row) { out[row.Text(0)] = OutputsFromJson(row.Text(1)); });
  if (!st.ok()) return st.error();
  return out;
}

Result<std::map<std::string, double>> SqliteStore::GetMetrics(RunId run) {
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare("SELECT name, value FROM metrics WHERE run_id=?");
  if (!s.ok()) return s.error();
  s->Bind(run);
  std::map<std::string, double> out;
  Status st = ForEachRow(*s, [&](const SqliteStmt& row) { out[row.Text(0)] = row.Real(1); });
  if (!st.ok()) return st.error();
  return out;
}

Result<std::vector<RunRecord>> SqliteStore::FindInterruptedRuns(
    std::string_view host, const std::function<bool(int64_t pid)>& alive) {
  Result<std::vector<RunRecord>> running = [&]() -> Result<std::vector<RunRecord>> {
    std::lock_guard lock(read_mu_);
    auto s = reader_->Prepare("SELECT " + std::string(kRunColumns) +
                              " FROM runs WHERE status='running' AND engine_host=? ORDER BY id");
    if (!s.ok()) return s.error();
    s->Bind(host);
    return CollectRuns(*s);
  }();
  if (!running.ok()) return running.error();
  std::vector<RunRecord> dead;
  for (auto& r : *running) {
    if (!alive(r.engine_pid)) dead.push_back(std::move(r));
  }
  return dead;
}

}  // namespace gauntlet::store
