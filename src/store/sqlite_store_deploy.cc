// SqliteStore: deployments, their events, slots and stable releases (deploy layer).
// Schema in sqlite_schema.h.
#include <mutex>

#include "store/sqlite_store.h"

namespace gauntlet::store {
namespace {

constexpr const char* kDeploymentColumns =
    "id, environment, version, strategy, state, phase, step, weight, target_slot, stable_slot, "
    "previous_version, git_commit, trigger, reason, engine_pid, engine_host, started_ms, "
    "finished_ms, request, observed_requests, observed_errors, observed_p50_ms, observed_p95_ms, "
    "observed_p99_ms";

DeploymentRecord ReadDeployment(const SqliteStmt& s) {
  DeploymentRecord d;
  d.id = s.Int(0);
  d.environment = s.Text(1);
  d.version = s.Text(2);
  d.strategy = s.Text(3);
  d.state = s.Text(4);
  d.phase = s.Text(5);
  d.step = static_cast<int>(s.Int(6));
  d.weight = static_cast<int>(s.Int(7));
  d.target_slot = s.Text(8);
  d.stable_slot = s.Text(9);
  d.previous_version = s.Text(10);
  d.git_commit = s.Text(11);
  d.trigger = s.Text(12);
  d.reason = s.Text(13);
  d.engine_pid = s.Int(14);
  d.engine_host = s.Text(15);
  d.started_ms = s.Int(16);
  d.finished_ms = s.Int(17);
  d.request = s.Text(18);
  d.observed_requests = s.Int(19);
  d.observed_errors = s.Int(20);
  d.observed_p50_ms = s.Real(21);
  d.observed_p95_ms = s.Real(22);
  d.observed_p99_ms = s.Real(23);
  return d;
}

Result<std::vector<DeploymentRecord>> ReadDeployments(SqliteStmt& s) {
  return CollectRows<DeploymentRecord>(s, ReadDeployment);
}

// Binds every column but id and request, in kDeploymentColumns order.
void BindDeployment(SqliteStmt& s, const DeploymentRecord& d) {
  s.Bind(d.environment).Bind(d.version).Bind(d.strategy).Bind(d.state).Bind(d.phase);
  s.Bind(d.step).Bind(d.weight).Bind(d.target_slot).Bind(d.stable_slot).Bind(d.previous_version);
  s.Bind(d.git_commit).Bind(d.trigger).Bind(d.reason).Bind(d.engine_pid).Bind(d.engine_host);
  s.Bind(d.started_ms).Bind(d.finished_ms);
  s.Bind(d.observed_requests).Bind(d.observed_errors).Bind(d.observed_p50_ms);
  s.Bind(d.observed_p95_ms).Bind(d.observed_p99_ms);
}

}  // namespace

Result<DeploymentStart> SqliteStore::StartDeployment(const DeploymentRecord& d) {
  return StartDeploymentPreempting(d, "", "");
}

Result<DeploymentStart> SqliteStore::StartDeploymentPreempting(const DeploymentRecord& d,
                                                               const std::string& preempt_phase,
                                                               const std::string& preempt_reason) {
  std::lock_guard lock(write_mu_);
  if (in_batch_) return Error{"store: StartDeployment inside a batch"};
  // IMMEDIATE: the write lock is held from the check to the insert.
  if (Status s = writer_->Exec("BEGIN IMMEDIATE"); !s.ok()) return s.error();
  auto fail = [this](Error e) -> Result<DeploymentStart> {
    (void)writer_->Exec("ROLLBACK");
    return e;
  };
  DeploymentStart out;
  {
    auto q = writer_->Prepare(std::string("SELECT ") + kDeploymentColumns +
                              " FROM deployments WHERE environment=? AND state IN "
                              "('running','paused') ORDER BY id LIMIT 1");
    if (!q.ok()) return fail(q.error());
    q->Bind(d.environment);
    auto found = ReadDeployments(*q);
    if (!found.ok()) return fail(found.error());
    if (!found->empty()) out.holder = found->front();
  }
  if (out.holder && !preempt_phase.empty() && out.holder->state == kDeployRunning &&
      out.holder->phase == preempt_phase) {
    auto end = writer_->Prepare(
        "UPDATE deployments SET state=?, reason=?, finished_ms=? WHERE id=? AND phase=?");
    if (!end.ok()) return fail(end.error());
    end->Bind(kDeploySucceeded).Bind(preempt_reason).Bind(d.started_ms).Bind(out.holder->id);
    end->Bind(preempt_phase);
    if (Status st = end->Run(); !st.ok()) return fail(st.error());
    out.holder.reset();
  }
  if (!out.holder) {
    auto ins = writer_->Prepare(
        "INSERT INTO deployments (environment, version, strategy, state, phase, step, weight, "
        "target_slot, stable_slot, previous_version, git_commit, trigger, reason, engine_pid, "
        "engine_host, started_ms, finished_ms, observed_requests, observed_errors, "
        "observed_p50_ms, observed_p95_ms, observed_p99_ms) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!ins.ok()) return fail(ins.error());
    BindDeployment(*ins, d);
    if (Status st = ins->Run(); !st.ok()) return fail(st.error());
    out.id = writer_->LastInsertId();
  }
  if (Status s = writer_->Exec("COMMIT"); !s.ok()) return fail(s.error());
  return out;
}

Status SqliteStore::UpdateDeployment(const DeploymentRecord& d) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "UPDATE deployments SET environment=?, version=?, strategy=?, state=?, phase=?, step=?, "
      "weight=?, target_slot=?, stable_slot=?, previous_version=?, git_commit=?, trigger=?, "
      "reason=?, engine_pid=?, engine_host=?, started_ms=?, finished_ms=?, observed_requests=?, "
      "observed_errors=?, observed_p50_ms=?, observed_p95_ms=?, observed_p99_ms=? WHERE id=?");
  if (!s.ok()) return s.error();
  BindDeployment(*s, d);
  s->Bind(d.id);
  if (Status st = s->Run(); !st.ok()) return st;
  if (writer_->Changes() == 0) return Error{"store: no deployment " + std::to_string(d.id)};
  return Ok();
}

Result<bool> SqliteStore::ClaimDeployment(int64_t id, int64_t old_pid, const std::string& old_host,
                                          int64_t pid, const std::string& host) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "UPDATE deployments SET engine_pid=?, engine_host=? WHERE id=? AND engine_pid=? AND "
      "engine_host=? AND state IN ('running','paused')");
  if (!s.ok()) return s.error();
  s->Bind(pid).Bind(host).Bind(id).Bind(old_pid).Bind(old_host);
  if (Status st = s->Run(); !st.ok()) return st.error();
  return writer_->Changes() == 1;
}

Result<bool> SqliteStore::AdvanceDeploymentPhase(int64_t id, const std::string& from,
                                                 const std::string& to, int64_t pid,
                                                 const std::string& host) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "UPDATE deployments SET phase=? WHERE id=? AND phase=? AND state='running' AND "
      "engine_pid=? AND engine_host=?");
  if (!s.ok()) return s.error();
  s->Bind(to).Bind(id).Bind(from).Bind(pid).Bind(host);
  if (Status st = s->Run(); !st.ok()) return st.error();
  return writer_->Changes() == 1;
}

Status SqliteStore::SetDeploymentRequest(int64_t id, const std::string& request) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare("UPDATE deployments SET request=? WHERE id=?");
  if (!s.ok()) return s.error();
  s->Bind(request).Bind(id);
  return s->Run();
}

Result<std::optional<DeploymentRecord>> SqliteStore::GetDeployment(int64_t id) {
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(std::string("SELECT ") + kDeploymentColumns +
                            " FROM deployments WHERE id=?");
  if (!s.ok()) return s.error();
  s->Bind(id);
  auto all = ReadDeployments(*s);
  if (!all.ok()) return all.error();
  if (all->empty()) return std::optional<DeploymentRecord>();
  return std::optional<DeploymentRecord>(std::move(all->front()));
}

Result<std::optional<DeploymentRecord>> SqliteStore::ActiveDeployment(const std::string& env) {
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(std::string("SELECT ") + kDeploymentColumns +
                            " FROM deployments WHERE environment=? AND state IN "
                            "('running','paused') ORDER BY id LIMIT 1");
  if (!s.ok()) return s.error();
  s->Bind(env);
  auto all = ReadDeployments(*s);
  if (!all.ok()) return all.error();
  if (all->empty()) return std::optional<DeploymentRecord>();
  return std::optional<DeploymentRecord>(std::move(all->front()));
}

Result<std::vector<DeploymentRecord>> SqliteStore::ListDeployments(const std::string& env,
                                                                   int limit) {
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(std::string("SELECT ") + kDeploymentColumns +
                            " FROM deployments WHERE (?='' OR environment=?) ORDER BY id DESC "
                            "LIMIT ?");
  if (!s.ok()) return s.error();
  s->Bind(env).Bind(env).Bind(limit > 0 ? limit : -1);
  return ReadDeployments(*s);
}

Status SqliteStore::AddDeploymentEvent(const DeploymentEvent& e) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "INSERT INTO deployment_events (deployment_id, seq, at_ms, kind, step, weight, verdict, "
      "detail, body) VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM deployment_events "
      "WHERE deployment_id=?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!s.ok()) return s.error();
  s->Bind(e.deployment_id).Bind(e.at_ms).Bind(e.kind).Bind(e.step).Bind(e.weight);
  s->Bind(e.verdict).Bind(e.detail).Bind(e.json);
  return s->Run();
}

Result<std::vector<DeploymentEvent>> SqliteStore::GetDeploymentEvents(int64_t id) {
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(
      "SELECT deployment_id, seq, at_ms, kind, step, weight, verdict, detail, body FROM "
      "deployment_events WHERE deployment_id=? ORDER BY seq");
  if (!s.ok()) return s.error();
  s->Bind(id);
  return CollectRows<DeploymentEvent>(*s, [](const SqliteStmt& row) {
    DeploymentEvent e;
    e.deployment_id = row.Int(0);
    e.seq = static_cast<int>(row.Int(1));
    e.at_ms = row.Int(2);
    e.kind = row.Text(3);
    e.step = static_cast<int>(row.Int(4));
    e.weight = static_cast<int>(row.Int(5));
    e.verdict = row.Text(6);
    e.detail = row.Text(7);
    e.json = row.Text(8);
    return e;
  });
}

Status SqliteStore::PutSlot(const SlotRecord& r) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "INSERT INTO deploy_slots (environment, slot, version, git_commit, running, updated_ms) "
      "VALUES (?,?,?,?,?,?) ON CONFLICT (environment, slot) DO UPDATE SET "
      "version=excluded.version, git_commit=excluded.git_commit, running=excluded.running, "
      "updated_ms=excluded.updated_ms");
  if (!s.ok()) return s.error();
  s->Bind(r.environment).Bind(r.slot).Bind(r.version).Bind(r.git_commit);
  s->Bind(r.running ? 1 : 0).Bind(r.updated_ms);
  return s->Run();
}

Result<std::vector<SlotRecord>> SqliteStore::GetSlots(const std::string& env) {
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(
      "SELECT environment, slot, version, git_commit, running, updated_ms FROM deploy_slots "
      "WHERE environment=? ORDER BY slot");
  if (!s.ok()) return s.error();
  s->Bind(env);
  return CollectRows<SlotRecord>(*s, [](const SqliteStmt& row) {
    SlotRecord r;
    r.environment = row.Text(0);
    r.slot = row.Text(1);
    r.version = row.Text(2);
    r.git_commit = row.Text(3);
    r.running = row.Int(4) != 0;
    r.updated_ms = row.Int(5);
    return r;
  });
}

Status SqliteStore::SetStable(const StableRecord& r) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "INSERT INTO deploy_stable (environment, slot, version, git_commit, deployment_id, "
      "updated_ms) VALUES (?,?,?,?,?,?) ON CONFLICT (environment) DO UPDATE SET "
      "slot=excluded.slot, version=excluded.version, git_commit=excluded.git_commit, "
      "deployment_id=excluded.deployment_id, updated_ms=excluded.updated_ms");
  if (!s.ok()) return s.error();
  s->Bind(r.environment).Bind(r.slot).Bind(r.version).Bind(r.git_commit).Bind(r.deployment_id);
  s->Bind(r.updated_ms);
  return s->Run();
}

Result<std::optional<StableRecord>> SqliteStore::GetStable(const std::string& env) {
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(
      "SELECT environment, slot, version, git_commit, deployment_id, updated_ms FROM "
      "deploy_stable WHERE environment=?");
  if (!s.ok()) return s.error();
  s->Bind(env);
  auto row = s->Step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<StableRecord>();
  StableRecord r;
  r.environment = s->Text(0);
  r.slot = s->Text(1);
  r.version = s->Text(2);
  r.git_commit = s->Text(3);
  r.deployment_id = s->Int(4);
  r.updated_ms = s->Int(5);
  return std::optional<StableRecord>(std::move(r));
}

}  // namespace gauntlet::store
