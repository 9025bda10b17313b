// The SQLite schema of state.db, versioned with PRAGMA user_version.
//
// Migrations()[i] takes a database from version i to i + 1; version 0 is an
// empty file. Never edit a released migration: append a new one. Migrate runs
// every missing step in one IMMEDIATE transaction (SQLite DDL is
// transactional), so a crash mid-migration leaves the old version intact.
// A database newer than this binary is refused rather than misread.
//
// Current version, SQL kept portable to PostgreSQL where cheap (TEXT,
// INTEGER, REAL, UPSERT; AUTOINCREMENT would become an identity column):
//   runs(id INTEGER PRIMARY KEY AUTOINCREMENT, pipeline, file, status, reason,
//        started_ms, finished_ms, git_commit, git_branch, author_name,
//        author_email, subject, trailers /* JSON [[key, value], ...] */,
//        engine_pid, engine_host, options /* JSON */, plan_fingerprint)
//   jobs(run_id, idx, name, status, reason, started_ms, finished_ms, attempts,
//        outputs /* JSON {name: value} */)   PRIMARY KEY (run_id, idx), WITHOUT ROWID
//   attempts(run_id, job_idx, number, exit_code, term_signal, timed_out,
//        wall_ms, user_cpu_ms, sys_cpu_ms, max_rss_kb, started_ms,
//        finished_ms)             PRIMARY KEY (run_id, job_idx, number), WITHOUT ROWID
//   metrics(run_id, name, value REAL)          PRIMARY KEY (run_id, name)
//   reports(run_id, job_idx, job_name, kind, body /* JSON */)
//                                              PRIMARY KEY (run_id, job_idx, kind)
//   incidents(id INTEGER PRIMARY KEY AUTOINCREMENT, kind, git_commit,
//        environment, version, detail, at_ms)
//   deployments(id INTEGER PRIMARY KEY AUTOINCREMENT, environment, version,
//        strategy, state, phase, step, weight, target_slot, stable_slot,
//        previous_version, git_commit, trigger, reason, engine_pid,
//        engine_host, started_ms, finished_ms, request)
//   deployment_events(deployment_id, seq, at_ms, kind, step, weight, verdict,
//        detail, body /* JSON */)            PRIMARY KEY (deployment_id, seq)
//   deploy_slots(environment, slot, version, git_commit, running, updated_ms)
//                                              PRIMARY KEY (environment, slot)
//   deploy_stable(environment PRIMARY KEY, slot, version, git_commit,
//        deployment_id, updated_ms)
//   trust_changes(id INTEGER PRIMARY KEY AUTOINCREMENT, repository, author,
//        from_level, to_level, reason, at_ms)  UNIQUE (repository, author, at_ms, to_level)
// Job cache and artifacts (docs/caching.md):
//   cache_entries(key PRIMARY KEY, pipeline, job, run_id, job_idx, outputs /* JSON */,
//        artifacts /* manifest JSON */, bytes, created_ms, last_used_ms)
//   job_artifacts(run_id, job_idx, job, manifest /* JSON */, files, bytes)
//                                              PRIMARY KEY (run_id, job_idx)
// Times are Unix milliseconds, 0 = not yet. Statuses are the lower-case words
// of records.h ("running").
#pragma once

#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/sqlite_db.h"

namespace gauntlet::store {

// The schema version this binary writes.
int CurrentSchemaVersion();

// The SQL of each step, in order.
const std::vector<std::string_view>& Migrations();

// Brings the database to CurrentSchemaVersion(), or explains why it cannot.
Status Migrate(SqliteDb& db);
// The same for another database with its own `steps` (the server's, server/server_db.h).
Status Migrate(SqliteDb& db, const std::vector<std::string_view>& steps);

}  // namespace gauntlet::store
