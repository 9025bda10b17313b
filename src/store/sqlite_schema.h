// The SQLite schema of state.db, versioned with PRAGMA user_version.
//
// Migrations()[i] takes a database from version i to i + 1; version 0 is an
// empty file. Never edit a released migration: append a new one. Migrate runs
// every missing step in one IMMEDIATE transaction (SQLite DDL is
// transactional), so a crash mid-migration leaves the old version intact.
// A database newer than this binary is refused rather than misread.
//
// Version 2 (current), SQL kept portable to PostgreSQL where cheap (TEXT,
// INTEGER, REAL, UPSERT; AUTOINCREMENT would become an identity column):
//   runs(id INTEGER PRIMARY KEY AUTOINCREMENT, pipeline, file, status, reason,
//        started_ms, finished_ms, git_commit, git_branch, author_name,
//        author_email, subject, trailers /* JSON [[key, value], ...] */,
//        engine_pid, engine_host, options /* JSON */, plan_fingerprint)
//   jobs(run_id, idx, name, status, reason, started_ms, finished_ms, attempts,
//        outputs /* JSON {name: value} */)   PRIMARY KEY (run_id, idx)
//   attempts(run_id, job_idx, number, exit_code, term_signal, timed_out,
//        wall_ms, user_cpu_ms, sys_cpu_ms, max_rss_kb, started_ms,
//        finished_ms)                          PRIMARY KEY (run_id, job_idx, number)
//   metrics(run_id, name, value REAL)          PRIMARY KEY (run_id, name)
// Job cache and artifacts (docs/caching.md), a later migration:
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

}  // namespace gauntlet::store
