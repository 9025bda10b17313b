// Approval requests (docs/agents.md): a deploy or promote to a protected environment that
// the trust gateway would refuse, or a release the gate says needs approval
// (docs/release.md), held until a person decides with `gauntlet approve`. Kept in the run store's SQLite file (table `approvals`,
// sqlite_schema.cc) through a connection of their own, so the processes involved (an MCP
// session, `gauntlet approve`, a release waiting for the decision) meet there.
//
// An approval is for one identity's one action: its kind, pipeline, environment, commit
// and version. It allows that action once (`Consume`); a request not decided, or an approval
// not used, within kApprovalTtlMs expires.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/sqlite_db.h"

namespace gauntlet::store {

inline constexpr int64_t kApprovalTtlMs = 24LL * 60 * 60 * 1000;

struct ApprovalRecord {
  int64_t id = 0;
  std::string kind;  // deploy | promote | release
  std::string pipeline;
  std::string environment;  // a release's: its package ("" the whole repository)
  std::string commit;
  std::string version;  // deployed, promoted or released
  std::string requested_by;
  std::string state = "pending";  // pending | approved | denied | expired
  std::string decided_by, reason;
  int64_t requested_ms = 0, decided_ms = 0;
  int64_t used_ms = 0;  // when the approved action went ahead (0: not yet)
};

class ApprovalBook {
 public:
  // Opens (and migrates) the store file at `db_path`.
  static Result<std::unique_ptr<ApprovalBook>> Open(const std::string& db_path);

  // The pending request for `r`'s identity and action, created when there is none (a
  // retry asks nothing twice).
  Result<ApprovalRecord> Request(const ApprovalRecord& r, int64_t now_ms);
  // An approved, unused approval of that identity and action, marked used in the same
  // transaction; nullopt when there is none.
  Result<std::optional<ApprovalRecord>> Consume(const ApprovalRecord& action, int64_t now_ms);
  // Decides a pending request. kNotFound: no such id; kConflict: it is not pending (the
  // message says its state).
  Result<ApprovalRecord> Decide(int64_t id, bool approve, const std::string& by,
                                const std::string& reason, int64_t now_ms);
  Result<std::optional<ApprovalRecord>> Get(int64_t id, int64_t now_ms);
  // The newest request for `action` (same identity, kind, pipeline, environment, commit and
  // version), in any state; nullopt when it was never asked.
  Result<std::optional<ApprovalRecord>> Latest(const ApprovalRecord& action, int64_t now_ms);
  // Newest first; `pending_only`: the ones waiting for a person.
  Result<std::vector<ApprovalRecord>> List(bool pending_only, int limit, int64_t now_ms);

 private:
  explicit ApprovalBook(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
  // Marks pending requests and unused approvals older than kApprovalTtlMs expired.
  Status Expire(int64_t now_ms);
  std::unique_ptr<SqliteDb> db_;
};

}  // namespace gauntlet::store
