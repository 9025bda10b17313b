#include "cache/hasher.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/cache_key.h"
#include "cache/test_dir.h"

namespace gauntlet::cache {
namespace {

Digest DigestOf(const TestDir& dir, const std::vector<std::string>& patterns,
                unsigned threads = 0) {
  auto d = HashInputs(dir.path(), patterns, threads);
  EXPECT_TRUE(d.ok()) << d.error().message;
  return d.ok() ? d->digest : Digest{};
}

TEST(HasherTest, DigestDependsOnContentPathAndExecBitOnly) {
  TestDir dir;
  dir.Write("src/a.cc", "int a;");
  dir.Write("src/b.cc", "int b;");
  dir.Write("docs/x.md", "doc");
  const Digest base = DigestOf(dir, {"src/**"});
  EXPECT_EQ(DigestOf(dir, {"src/**"}, 1), base);  // thread count does not matter
  EXPECT_EQ(DigestOf(dir, {"src/**"}, 4), base);
  dir.Write("docs/x.md", "changed doc");  // outside the inputs
  EXPECT_EQ(DigestOf(dir, {"src/**"}), base);
  dir.Write("src/a.cc", "int a2;");
  const Digest changed = DigestOf(dir, {"src/**"});
  EXPECT_NE(changed, base);
  dir.Write("src/a.cc", "int a;");
  EXPECT_EQ(DigestOf(dir, {"src/**"}), base);  // back to the same content
  ASSERT_EQ(::chmod((dir / "src/a.cc").c_str(), 0755), 0);
  EXPECT_NE(DigestOf(dir, {"src/**"}), base);
  ASSERT_EQ(::chmod((dir / "src/a.cc").c_str(), 0600), 0);  // non-exec bits ignored
  EXPECT_EQ(DigestOf(dir, {"src/**"}), base);
  // A rename with the same content changes the digest.
  ASSERT_EQ(::rename((dir / "src/b.cc").c_str(), (dir / "src/c.cc").c_str()), 0);
  EXPECT_NE(DigestOf(dir, {"src/**"}), base);
}

TEST(HasherTest, StreamsLargeFilesAndCountsBytes) {
  TestDir dir;
  std::string big(3 * 1024 * 1024 + 17, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 31 + 7);
  dir.Write("big.bin", big);
  auto d = HashInputs(dir.path(), {"*.bin"});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->bytes, big.size());
  ASSERT_EQ(d->files.size(), 1u);
  EXPECT_EQ(d->files[0].content, HashBytes(big));  // streaming == one-shot
}

TEST(HasherTest, SymlinksHashTheirTargetAndAreNotFollowed) {
  TestDir dir;
  dir.Write("src/a.cc", "a");
  ASSERT_EQ(::symlink("/etc/hostname", (dir / "src/l").c_str()), 0);
  const Digest one = DigestOf(dir, {"src/**"});
  ASSERT_EQ(::unlink((dir / "src/l").c_str()), 0);
  ASSERT_EQ(::symlink("/etc/passwd", (dir / "src/l").c_str()), 0);
  EXPECT_NE(DigestOf(dir, {"src/**"}), one);
}

TEST(HasherTest, EmptySelectionHasAStableDigestAndBadGlobsFail) {
  TestDir dir;
  EXPECT_EQ(DigestOf(dir, {"none/**"}), DigestOf(dir, {"none/**"}));
  auto bad = HashInputs(dir.path(), {"../outside/**"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("outside the workspace"), std::string::npos);
}

TEST(CacheKeyTest, EveryPartChangesTheKey) {
  CacheKeyParts p;
  p.definition = "commands:make\nshell:bash";
  p.inputs = HashBytes("inputs");
  p.need_outputs["build"]["version"] = "1.2";
  const std::string key = CacheKey(p);
  EXPECT_EQ(key.size(), 32u);
  EXPECT_EQ(CacheKey(p), key);
  auto changed = [&](auto mutate) {
    CacheKeyParts q = p;
    mutate(q);
    return CacheKey(q) != key;
  };
  EXPECT_TRUE(changed([](CacheKeyParts& q) { q.definition += " "; }));
  EXPECT_TRUE(changed([](CacheKeyParts& q) { q.inputs = HashBytes("other"); }));
  EXPECT_TRUE(changed([](CacheKeyParts& q) { q.need_outputs["build"]["version"] = "1.3"; }));
  EXPECT_TRUE(changed([](CacheKeyParts& q) { q.need_outputs["lint"] = {}; }));
  // Moving a character between key and value is a different key.
  EXPECT_TRUE(changed([](CacheKeyParts& q) {
    q.need_outputs["build"].clear();
    q.need_outputs["build"]["versio"] = "n1.2";
  }));
}

}  // namespace
}  // namespace gauntlet::cache
