#include "store/approvals.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/sqlite_store.h"

namespace gauntlet::store {
namespace {

namespace fs = std::filesystem;

ApprovalRecord Deploy(std::string who, std::string version = "1.0.0") {
  ApprovalRecord r;
  r.kind = "deploy";
  r.pipeline = "app";
  r.environment = "production";
  r.commit = std::string(40, 'a');
  r.version = std::move(version);
  r.requested_by = std::move(who);
  return r;
}

struct Book {
  std::unique_ptr<ApprovalBook> book;
  explicit Book(const std::string& name) {
    fs::path dir = fs::path(::testing::TempDir()) / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    // The run store made the file first, as in use: the book's migration finds it current.
    auto st = SqliteStore::Open((dir / "state.db").string());
    EXPECT_TRUE(st.ok());
    auto b = ApprovalBook::Open((dir / "state.db").string());
    EXPECT_TRUE(b.ok()) << b.error().message;
    book = std::move(*b);
  }
};

TEST(ApprovalBook, ARetryReusesThePendingRequestAnotherActionGetsItsOwn) {
  Book b("approvals-reuse");
  auto first = b.book->Request(Deploy("agent"), 1000);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->state, "pending");
  auto again = b.book->Request(Deploy("agent"), 2000);
  EXPECT_EQ(again->id, first->id);
  EXPECT_NE(b.book->Request(Deploy("agent", "2.0.0"), 2000)->id, first->id);  // other version
  EXPECT_NE(b.book->Request(Deploy("other"), 2000)->id, first->id);           // other identity
  auto pending = b.book->List(true, 10, 3000);
  ASSERT_EQ(pending->size(), 3u);
  EXPECT_EQ(pending->back().id, first->id);  // newest first
}

TEST(ApprovalBook, AnApprovalAllowsItsActionOnceAndOnlyItsAction) {
  Book b("approvals-consume");
  auto asked = b.book->Request(Deploy("agent"), 1000);
  EXPECT_FALSE(*b.book->Consume(Deploy("agent"), 1500));  // pending allows nothing
  auto decided = b.book->Decide(asked->id, true, "alice", "looks fine", 2000);
  ASSERT_TRUE(decided.ok()) << decided.error().message;
  EXPECT_EQ(decided->state, "approved");
  EXPECT_EQ(decided->decided_by, "alice");
  EXPECT_FALSE(*b.book->Consume(Deploy("agent", "9.9.9"), 2500));  // another version
  EXPECT_FALSE(*b.book->Consume(Deploy("other"), 2500));          // another identity
  auto used = b.book->Consume(Deploy("agent"), 3000);
  ASSERT_TRUE(used.ok() && *used);
  EXPECT_EQ((*used)->id, asked->id);
  EXPECT_EQ((*used)->used_ms, 3000);
  EXPECT_FALSE(*b.book->Consume(Deploy("agent"), 3500));  // once
  // Deciding again is a conflict that says the state.
  auto twice = b.book->Decide(asked->id, false, "bob", "", 4000);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().kind, ErrorKind::kConflict);
  EXPECT_NE(twice.error().message.find("approved (by alice)"), std::string::npos);
  EXPECT_EQ(b.book->Decide(999, true, "bob", "", 4000).error().kind, ErrorKind::kNotFound);
}

TEST(ApprovalBook, ADenialAllowsNothingAndANewRequestIsMade) {
  Book b("approvals-deny");
  auto asked = b.book->Request(Deploy("agent"), 1000);
  ASSERT_TRUE(b.book->Decide(asked->id, false, "alice", "not today", 2000).ok());
  EXPECT_FALSE(*b.book->Consume(Deploy("agent"), 3000));
  EXPECT_NE(b.book->Request(Deploy("agent"), 3000)->id, asked->id);
}

TEST(ApprovalBook, RequestsAndUnusedApprovalsExpireAfterTheTtl) {
  Book b("approvals-expiry");
  auto asked = b.book->Request(Deploy("agent"), 0);
  // At the boundary it is still pending; one millisecond later it has expired.
  EXPECT_EQ((*b.book->Get(asked->id, kApprovalTtlMs))->state, "pending");
  EXPECT_EQ((*b.book->Get(asked->id, kApprovalTtlMs + 1))->state, "expired");
  EXPECT_EQ(b.book->Decide(asked->id, true, "alice", "", kApprovalTtlMs + 2).error().kind,
            ErrorKind::kConflict);
  auto second = b.book->Request(Deploy("agent"), kApprovalTtlMs + 3);
  ASSERT_TRUE(b.book->Decide(second->id, true, "alice", "", kApprovalTtlMs + 4).ok());
  EXPECT_FALSE(*b.book->Consume(Deploy("agent"), 2 * kApprovalTtlMs + 5));  // unused too long
  EXPECT_EQ((*b.book->Get(second->id, 2 * kApprovalTtlMs + 5))->state, "expired");
}

}  // namespace
}  // namespace gauntlet::store
