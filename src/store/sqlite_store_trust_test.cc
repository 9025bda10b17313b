#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "store/sqlite_store.h"

namespace gauntlet::store {
namespace {

TEST(SqliteTrustTest, ChangesAreKeptOncePerRepositoryAuthorTimeAndLevel) {
  char tmpl[] = "/tmp/gauntlet-trust-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  {
    auto opened = SqliteStore::Open(dir + "/state.db");
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    Store& store = **opened;
    TrustChangeRecord up{0, "webapp", "ada@example.com", "L0", "L1", "20 changes merged", 2000};
    TrustChangeRecord down{0, "webapp", "ada@example.com", "L1", "L0", "incident", 3000};
    TrustChangeRecord other{0, "webapp", "bob@example.com", "L0", "L1", "20 changes", 1000};
    TrustChangeRecord elsewhere{0, "api", "ada@example.com", "L0", "L1", "20 changes", 1500};
    for (const auto* c : {&down, &up, &other, &elsewhere, &up}) {
      ASSERT_TRUE(store.RecordTrustChange(*c).ok());
    }
    auto ada = store.ListTrustChanges("webapp", "ada@example.com");
    ASSERT_TRUE(ada.ok()) << ada.error().message;
    ASSERT_EQ(ada->size(), 2u);  // the duplicate was ignored
    EXPECT_EQ((*ada)[0].to_level, "L1");
    EXPECT_EQ((*ada)[0].reason, "20 changes merged");
    EXPECT_EQ((*ada)[1].from_level, "L1");
    EXPECT_EQ((*ada)[1].at_ms, 3000);
    auto all = store.ListTrustChanges("webapp", "");
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->size(), 3u);
    EXPECT_EQ((*all)[0].author, "bob@example.com");
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gauntlet::store
