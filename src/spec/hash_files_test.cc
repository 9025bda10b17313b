#include "spec/hash_files.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace gauntlet::spec {
namespace {

namespace fs = std::filesystem;

class HashFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::path(::testing::TempDir()) / "hashfiles-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& rel, const std::string& text) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << text;
  }
  std::string Hash(std::vector<std::string> patterns) {
    Result<std::string> r = HashFiles(root_.string(), patterns);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : "";
  }
  fs::path root_;
};

// The figures are Python's: sha256(sha256(b'hello\n')) and
// sha256(sha256(b'hello\n') + sha256(b'world\n')), GitHub's algorithm.
TEST_F(HashFilesTest, GithubsAlgorithmOverTheMatchingFilesInPathOrder) {
  Write("b/world.lock", "world\n");
  Write("a/hello.lock", "hello\n");
  Write("a/other.txt", "not matched\n");
  Write(".git/x.lock", "never searched\n");
  EXPECT_EQ(Hash({"a/*.lock"}),
            "ecb65bb98f9d905b70458986c39fcbad7715e5f2fcc3b1f07767d7c83e2438cc");
  EXPECT_EQ(Hash({"**/*.lock"}),
            "96cb8058ed58b58f8fc0ad459bacf81108599b403e91674460ccb089f8ebb9db");
  EXPECT_EQ(Hash({"**/*.lock", "!b/**"}),
            "ecb65bb98f9d905b70458986c39fcbad7715e5f2fcc3b1f07767d7c83e2438cc");
  EXPECT_EQ(Hash({"nothing/*"}), "");
}

TEST_F(HashFilesTest, ABadPatternIsAnError) {
  Result<std::string> r = HashFiles(root_.string(), {"a/[b"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("hashFiles()"), std::string::npos);
}

}  // namespace
}  // namespace gauntlet::spec
