#include "store/open.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace gauntlet::store {
namespace {

class OpenStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gauntlet-open-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(OpenStoreTest, SqliteUrlOpensAWorkingStoreAtThatPath) {
  const std::string path = dir_ + "/state/state.db";
  auto s = OpenStore(SqliteUrl(path));
  ASSERT_TRUE(s.ok()) << s.error().message;
  RunRecord run;
  run.pipeline = "p";
  auto id = (*s)->CreateRun(run);
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_TRUE(std::filesystem::exists(path));
  // A second store opened from the same URL sees what the first wrote.
  auto again = OpenStore("sqlite:" + path);
  ASSERT_TRUE(again.ok());
  auto got = (*again)->GetRun(*id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->pipeline, "p");
}

TEST_F(OpenStoreTest, OtherUrlsAreInvalidAndNameWhatIsAccepted) {
  for (const std::string& url :
       std::vector<std::string>{"", "sqlite:", "sqlite", dir_ + "/state.db", "postgresql://db/x",
                                "SQLITE:" + dir_ + "/x.db"}) {
    auto s = OpenStore(url);
    ASSERT_FALSE(s.ok()) << url;
    EXPECT_EQ(s.error().kind, ErrorKind::kInvalid) << url;
    EXPECT_NE(s.error().message.find("sqlite:PATH"), std::string::npos) << s.error().message;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/state.db"));  // nothing created on the way
}

}  // namespace
}  // namespace gauntlet::store
