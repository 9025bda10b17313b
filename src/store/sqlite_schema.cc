#include "store/sqlite_schema.h"

#include <string>

namespace gauntlet::store {

const std::vector<std::string_view>& Migrations() {
  static const std::vector<std::string_view> kMigrations = {
      // 0 -> 1: runs, jobs, attempts.
      R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  pipeline TEXT NOT NULL,
  file TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  started_ms INTEGER NOT NULL DEFAULT 0,
  finished_ms INTEGER NOT NULL DEFAULT 0,
  git_commit TEXT NOT NULL DEFAULT '',
  git_branch TEXT NOT NULL DEFAULT '',
  author_name TEXT NOT NULL DEFAULT '',
  author_email TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL DEFAULT '',
  trailers TEXT NOT NULL DEFAULT '[]',
  engine_pid INTEGER NOT NULL DEFAULT 0,
  engine_host TEXT NOT NULL DEFAULT '',
  options TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE jobs (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  idx INTEGER NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  started_ms INTEGER NOT NULL DEFAULT 0,
  finished_ms INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  outputs TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (run_id, idx)
);
CREATE TABLE attempts (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  job_idx INTEGER NOT NULL,
  number INTEGER NOT NULL,
  exit_code INTEGER NOT NULL,
  term_signal INTEGER NOT NULL DEFAULT 0,
  timed_out INTEGER NOT NULL DEFAULT 0,
  wall_ms INTEGER NOT NULL DEFAULT 0,
  user_cpu_ms INTEGER NOT NULL DEFAULT 0,
  sys_cpu_ms INTEGER NOT NULL DEFAULT 0,
  max_rss_kb INTEGER NOT NULL DEFAULT 0,
  started_ms INTEGER NOT NULL DEFAULT 0,
  finished_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, job_idx, number)
);
)sql",
      // 1 -> 2: plan fingerprint (for --resume), metrics, run listing by pipeline.
      R"sql(
ALTER TABLE runs ADD COLUMN plan_fingerprint TEXT NOT NULL DEFAULT '';
CREATE TABLE metrics (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  name TEXT NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (run_id, name)
);
CREATE INDEX runs_by_pipeline ON runs(pipeline, id);
CREATE INDEX runs_by_status ON runs(status);
)sql",
      // 2 -> 3: job reports (JUnit, coverage) and incidents (gates).
      R"sql(
CREATE TABLE reports (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  job_idx INTEGER NOT NULL,
  job_name TEXT NOT NULL,
  kind TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (run_id, job_idx, kind)
);
CREATE TABLE incidents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  git_commit TEXT NOT NULL DEFAULT '',
  environment TEXT NOT NULL DEFAULT '',
  version TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  at_ms INTEGER NOT NULL
);
CREATE INDEX incidents_by_time ON incidents(at_ms);
)sql",
      // Deployments: the state machines, their events, stable releases and slots.
      R"sql(
CREATE TABLE deployments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  environment TEXT NOT NULL,
  version TEXT NOT NULL,
  strategy TEXT NOT NULL,
  state TEXT NOT NULL,
  phase TEXT NOT NULL DEFAULT '',
  step INTEGER NOT NULL DEFAULT -1,
  weight INTEGER NOT NULL DEFAULT 0,
  target_slot TEXT NOT NULL DEFAULT '',
  stable_slot TEXT NOT NULL DEFAULT '',
  previous_version TEXT NOT NULL DEFAULT '',
  git_commit TEXT NOT NULL DEFAULT '',
  trigger TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  engine_pid INTEGER NOT NULL DEFAULT 0,
  engine_host TEXT NOT NULL DEFAULT '',
  started_ms INTEGER NOT NULL DEFAULT 0,
  finished_ms INTEGER NOT NULL DEFAULT 0,
  request TEXT NOT NULL DEFAULT ''
);
CREATE INDEX deployments_by_env ON deployments(environment, id);
CREATE TABLE deployment_events (
  deployment_id INTEGER NOT NULL REFERENCES deployments(id),
  seq INTEGER NOT NULL,
  at_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  step INTEGER NOT NULL DEFAULT -1,
  weight INTEGER NOT NULL DEFAULT -1,
  verdict TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (deployment_id, seq)
);
CREATE TABLE deploy_slots (
  environment TEXT NOT NULL,
  slot TEXT NOT NULL,
  version TEXT NOT NULL DEFAULT '',
  git_commit TEXT NOT NULL DEFAULT '',
  running INTEGER NOT NULL DEFAULT 0,
  updated_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (environment, slot)
);
CREATE TABLE deploy_stable (
  environment TEXT PRIMARY KEY,
  slot TEXT NOT NULL DEFAULT '',
  version TEXT NOT NULL DEFAULT '',
  git_commit TEXT NOT NULL DEFAULT '',
  deployment_id INTEGER NOT NULL DEFAULT 0,
  updated_ms INTEGER NOT NULL DEFAULT 0
);
)sql",
      // trust: promotions and demotions of authors' trust levels (gates).
      R"sql(
CREATE TABLE trust_changes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  repository TEXT NOT NULL,
  author TEXT NOT NULL,
  from_level TEXT NOT NULL,
  to_level TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  at_ms INTEGER NOT NULL,
  UNIQUE (repository, author, at_ms, to_level)
);
)sql",
      // Job cache and artifacts: reusable job results by cache key, and the artifact
      // manifest each job of a run stored.
      R"sql(
CREATE TABLE cache_entries (
  key TEXT PRIMARY KEY,
  pipeline TEXT NOT NULL,
  job TEXT NOT NULL,
  run_id INTEGER NOT NULL,
  job_idx INTEGER NOT NULL,
  outputs TEXT NOT NULL DEFAULT '{}',
  artifacts TEXT NOT NULL DEFAULT '[]',
  bytes INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL DEFAULT 0,
  last_used_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cache_entries_by_use ON cache_entries(last_used_ms);
CREATE TABLE job_artifacts (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  job_idx INTEGER NOT NULL,
  job TEXT NOT NULL,
  manifest TEXT NOT NULL DEFAULT '[]',
  files INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, job_idx)
);
)sql",
      // jobs and attempts become WITHOUT ROWID tables, stored in their primary key's
      // order: a job's row is one b-tree write instead of a table row plus its key index,
      // which halves the store's work per job (docs/performance.md).
      R"sql(
CREATE TABLE jobs_by_key (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  idx INTEGER NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  started_ms INTEGER NOT NULL DEFAULT 0,
  finished_ms INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  outputs TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (run_id, idx)
) WITHOUT ROWID;
INSERT INTO jobs_by_key SELECT run_id, idx, name, status, reason, started_ms, finished_ms,
  attempts, outputs FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_by_key RENAME TO jobs;
CREATE TABLE attempts_by_key (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  job_idx INTEGER NOT NULL,
  number INTEGER NOT NULL,
  exit_code INTEGER NOT NULL,
  term_signal INTEGER NOT NULL DEFAULT 0,
  timed_out INTEGER NOT NULL DEFAULT 0,
  wall_ms INTEGER NOT NULL DEFAULT 0,
  user_cpu_ms INTEGER NOT NULL DEFAULT 0,
  sys_cpu_ms INTEGER NOT NULL DEFAULT 0,
  max_rss_kb INTEGER NOT NULL DEFAULT 0,
  started_ms INTEGER NOT NULL DEFAULT 0,
  finished_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, job_idx, number)
) WITHOUT ROWID;
INSERT INTO attempts_by_key SELECT run_id, job_idx, number, exit_code, term_signal, timed_out,
  wall_ms, user_cpu_ms, sys_cpu_ms, max_rss_kb, started_ms, finished_ms FROM attempts;
DROP TABLE attempts;
ALTER TABLE attempts_by_key RENAME TO attempts;
)sql",
      // `gauntlet insight` (docs/insight.md): a commit's time, the slot limit and plan edges
      // of a run, a job's ready time and cache key; runs read by window and by commit.
      R"sql(
ALTER TABLE runs ADD COLUMN commit_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN slots INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN needs TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN ready_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN cache_key TEXT NOT NULL DEFAULT '';
CREATE INDEX runs_by_commit ON runs(git_commit, id, started_ms);
CREATE INDEX deployments_by_finish ON deployments(finished_ms);
)sql",
      // Releases (docs/release.md): one row per release attempt, one per step of it.
      R"sql(
CREATE TABLE releases (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  pipeline TEXT NOT NULL,
  package TEXT NOT NULL DEFAULT '',
  version TEXT NOT NULL DEFAULT '',
  previous_version TEXT NOT NULL DEFAULT '',
  tag TEXT NOT NULL DEFAULT '',
  git_commit TEXT NOT NULL DEFAULT '',
  branch TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  deployment_id INTEGER NOT NULL DEFAULT 0,
  notes TEXT NOT NULL DEFAULT '',
  started_ms INTEGER NOT NULL DEFAULT 0,
  finished_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX releases_by_pipeline ON releases (pipeline, package, id);
CREATE TABLE release_steps (
  release_id INTEGER NOT NULL REFERENCES releases(id),
  step TEXT NOT NULL,
  seq INTEGER NOT NULL,
  result TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  started_ms INTEGER NOT NULL DEFAULT 0,
  finished_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (release_id, step)
) WITHOUT ROWID;
)sql",
      // What a deployment's probe observed of the new version (docs/deploy.md, "SLOs").
      R"sql(
ALTER TABLE deployments ADD COLUMN observed_requests INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deployments ADD COLUMN observed_errors INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deployments ADD COLUMN observed_p50_ms REAL NOT NULL DEFAULT 0;
ALTER TABLE deployments ADD COLUMN observed_p95_ms REAL NOT NULL DEFAULT 0;
ALTER TABLE deployments ADD COLUMN observed_p99_ms REAL NOT NULL DEFAULT 0;
)sql",
      // The MCP audit trail (docs/agents.md): every tool call, allowed or denied.
      R"sql(
CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  identity TEXT NOT NULL,
  level TEXT NOT NULL DEFAULT '',
  tool TEXT NOT NULL,
  arguments TEXT NOT NULL DEFAULT '{}',
  decision TEXT NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  duration_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX audit_by_identity ON audit (identity, at_ms);
CREATE INDEX audit_by_time ON audit (at_ms);
)sql",
      // Approval requests (store/approvals.h, docs/agents.md): deploys and releases held
      // until a person runs `gauntlet approve`.
      R"sql(
CREATE TABLE approvals (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  pipeline TEXT NOT NULL,
  environment TEXT NOT NULL DEFAULT '',
  commit_id TEXT NOT NULL DEFAULT '',
  version TEXT NOT NULL DEFAULT '',
  requested_by TEXT NOT NULL,
  state TEXT NOT NULL,
  decided_by TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  requested_ms INTEGER NOT NULL,
  decided_ms INTEGER NOT NULL DEFAULT 0,
  used_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX approvals_by_action ON approvals (kind, pipeline, environment, commit_id, requested_by);
CREATE INDEX approvals_by_state ON approvals (state, id);
)sql",
      // Notifications (docs/pipeline.md, "Notifications"): each delivery of a run's or a
      // deployment's end to a notify URL (masked), and each attempt.
      R"sql(
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id INTEGER NOT NULL DEFAULT 0,
  deployment_id INTEGER NOT NULL DEFAULT 0,
  event TEXT NOT NULL,
  url TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  status_code INTEGER NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL DEFAULT 0,
  finished_ms INTEGER NOT NULL DEFAULT 0,
  body TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notifications_by_run ON notifications (run_id, id);
CREATE TABLE notify_attempts (
  notification_id INTEGER NOT NULL REFERENCES notifications(id),
  number INTEGER NOT NULL,
  at_ms INTEGER NOT NULL,
  status_code INTEGER NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  duration_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (notification_id, number)
);
)sql",
      // A run's title: the rendered `run-name:` of its workflow (store/records.h).
      R"sql(
ALTER TABLE runs ADD COLUMN title TEXT NOT NULL DEFAULT '';
)sql",
  };
  return kMigrations;
}

int CurrentSchemaVersion() { return static_cast<int>(Migrations().size()); }

Status Migrate(SqliteDb& db) { return Migrate(db, Migrations()); }

Status Migrate(SqliteDb& db, const std::vector<std::string_view>& steps) {
  if (Status s = db.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  auto fail = [&db](Error e) -> Status {
    (void)db.Exec("ROLLBACK");
    return e;
  };
  // Read inside the write lock: two engines opening a fresh file must not both migrate.
  auto version = db.QueryInt("PRAGMA user_version");
  if (!version.ok()) return fail(version.error());
  const int current = static_cast<int>(steps.size());
  if (*version > current) {
    return fail(Error{db.path() + " has schema version " + std::to_string(*version) +
                      ", newer than this gauntlet understands (" + std::to_string(current) +
                      "): use a newer gauntlet"});
  }
  for (int v = static_cast<int>(*version); v < current; ++v) {
    if (Status s = db.Exec(steps[v]); !s.ok()) {
      return fail(Error{"migrating " + db.path() + " to schema version " + std::to_string(v + 1) +
                        ": " + s.error().message});
    }
  }
  if (*version != current) {
    if (Status s = db.Exec("PRAGMA user_version = " + std::to_string(current)); !s.ok()) {
      return fail(s.error());
    }
  }
  return db.Exec("COMMIT");
}

}  // namespace gauntlet::store
