#include <gtest/gtest.h>

#include <filesystem>

#include "store/sqlite_store.h"

namespace gauntlet::store {
namespace {

namespace fs = std::filesystem;

AuditRecord Call(int64_t at, std::string identity, std::string tool) {
  AuditRecord r;
  r.at_ms = at;
  r.identity = std::move(identity);
  r.level = "L0";
  r.tool = std::move(tool);
  r.arguments = R"({"environment":"production"})";
  r.decision = "denied";
  r.outcome = "denied";
  r.detail = "needs L3";
  r.duration_ms = 3;
  return r;
}

TEST(SqliteStoreAudit, RecordsAndFiltersByIdentityAndTime) {
  fs::path dir = fs::path(::testing::TempDir()) / "audit-store";
  fs::remove_all(dir);
  auto st = SqliteStore::Open((dir / "state.db").string());
  ASSERT_TRUE(st.ok()) << st.error().message;
  ASSERT_TRUE((*st)->RecordAudit(Call(100, "alice", "deploy")).ok());
  ASSERT_TRUE((*st)->RecordAudit(Call(200, "bob", "run")).ok());
  ASSERT_TRUE((*st)->RecordAudit(Call(300, "alice", "rollback")).ok());

  auto all = (*st)->ListAudit({});
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].tool, "deploy");  // oldest first
  EXPECT_EQ((*all)[0].arguments, R"({"environment":"production"})");
  EXPECT_EQ((*all)[0].detail, "needs L3");
  EXPECT_EQ((*all)[0].duration_ms, 3);
  EXPECT_EQ((*all)[2].tool, "rollback");

  auto alice = (*st)->ListAudit({.identity = "alice"});
  ASSERT_TRUE(alice.ok());
  ASSERT_EQ(alice->size(), 2u);
  EXPECT_EQ((*alice)[1].tool, "rollback");

  // since is inclusive: the boundary row is in, the one before is out.
  auto since = (*st)->ListAudit({.identity = "", .since_ms = 200});
  ASSERT_TRUE(since.ok());
  ASSERT_EQ(since->size(), 2u);
  EXPECT_EQ((*since)[0].identity, "bob");

  // The limit keeps the newest, still shown oldest first.
  auto last = (*st)->ListAudit({.identity = "", .since_ms = 0, .limit = 1});
  ASSERT_TRUE(last.ok());
  ASSERT_EQ(last->size(), 1u);
  EXPECT_EQ((*last)[0].tool, "rollback");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace gauntlet::store
