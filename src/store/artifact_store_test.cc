#include "store/artifact_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "cache/test_dir.h"

namespace gauntlet::store {
namespace {

using cache::TestDir;

class ArtifactStoreTest : public ::testing::Test {
 protected:
  std::string ws() const { return root_ / "ws"; }
  std::string store_dir() const { return root_ / "ws/.gauntlet/artifacts"; }
  void Write(const std::string& rel, const std::string& content) {
    root_.Write("ws/" + rel, content);
  }
  std::string Read(const std::string& ws_rel) { return root_.Read(ws_rel); }
  bool Exists(const std::string& rel) { return std::filesystem::exists(root_ / rel); }

  TestDir root_;
  ArtifactStore store_{root_ / "ws/.gauntlet/artifacts"};
};

TEST_F(ArtifactStoreTest, PutRestoreRoundTripDeduplicatesAndAccountsBytes) {
  Write("dist/app.bin", "binary");
  Write("dist/copy.bin", "binary");  // same content: one object
  Write("dist/sub/readme.txt", "hello");
  Write("src/main.cc", "not an artifact");
  ASSERT_EQ(::chmod((root_ / "ws/dist/app.bin").c_str(), 0755), 0);
  TransferStats put;
  auto manifest = store_.Put(ws(), {"dist/**"}, &put);
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  ASSERT_EQ(manifest->size(), 3u);
  EXPECT_EQ((*manifest)[0].path, "dist/app.bin");
  EXPECT_EQ((*manifest)[0].hash, (*manifest)[1].hash);
  EXPECT_EQ((*manifest)[0].mode, 0755u);
  EXPECT_EQ(put.files, 3u);
  EXPECT_EQ(put.bytes, 6u + 6u + 5u);
  EXPECT_EQ(put.stored_bytes, 6u + 5u);
  EXPECT_EQ(put.reused_files, 1u);
  auto objects = store_.List();
  ASSERT_TRUE(objects.ok());
  EXPECT_EQ(objects->size(), 2u);
  EXPECT_EQ(*store_.TotalBytes(), 11u);

  // Storing again adds nothing.
  TransferStats again;
  ASSERT_TRUE(store_.Put(ws(), {"dist/**"}, &again).ok());
  EXPECT_EQ(again.stored_bytes, 0u);
  EXPECT_EQ(again.reused_files, 3u);

  // Restore into another workspace, over an existing file.
  root_.Write("other/dist/app.bin", "stale");
  auto restored = store_.Restore(*manifest, root_ / "other");
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  EXPECT_EQ(restored->files, 3u);
  EXPECT_EQ(restored->bytes, 17u);
  EXPECT_EQ(Read("other/dist/app.bin"), "binary");
  EXPECT_EQ(Read("other/dist/sub/readme.txt"), "hello");
  struct stat st;
  ASSERT_EQ(::stat((root_ / "other/dist/app.bin").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  // A restored file is a copy: writing it leaves the store intact.
  root_.Write("other/dist/app.bin", "corrupted by a job");
  ASSERT_TRUE(store_.Restore(*manifest, root_ / "third").ok());
  EXPECT_EQ(Read("third/dist/app.bin"), "binary");
}

TEST_F(ArtifactStoreTest, RefusesGlobsThatEscape) {
  Write("a.txt", "a");
  root_.Write("secret.txt", "outside");
  for (const std::string bad : {"../secret.txt", "/etc/passwd", "dist/../../secret.txt"}) {
    auto r = store_.Put(ws(), {bad});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find(bad), std::string::npos) << r.error().message;
  }
}

TEST_F(ArtifactStoreTest, RefusesSymlinksPointingOutOfTheWorkspace) {
  Write("dist/ok.txt", "ok");
  ASSERT_EQ(::symlink("/etc", (root_ / "ws/dist/etc").c_str()), 0);
  auto dir_link = store_.Put(ws(), {"dist/**"});
  ASSERT_FALSE(dir_link.ok());
  EXPECT_NE(dir_link.error().message.find("dist/etc"), std::string::npos);
  EXPECT_NE(dir_link.error().message.find("outside the workspace"), std::string::npos);
  // A glob reaching through the link is refused too (not silently empty).
  auto through = store_.Put(ws(), {"dist/etc/passwd"});
  ASSERT_FALSE(through.ok());
  EXPECT_NE(through.error().message.find("outside the workspace"), std::string::npos);

  ASSERT_EQ(::unlink((root_ / "ws/dist/etc").c_str()), 0);
  root_.Write("secret.txt", "outside");
  ASSERT_EQ(::symlink("../../secret.txt", (root_ / "ws/dist/leak.txt").c_str()), 0);
  auto file_link = store_.Put(ws(), {"dist/*.txt"});
  ASSERT_FALSE(file_link.ok());
  EXPECT_NE(file_link.error().message.find("dist/leak.txt"), std::string::npos);

  // A symlink to a file inside the workspace stores that file's content.
  ASSERT_EQ(::unlink((root_ / "ws/dist/leak.txt").c_str()), 0);
  ASSERT_EQ(::symlink("ok.txt", (root_ / "ws/dist/alias.txt").c_str()), 0);
  auto inside = store_.Put(ws(), {"dist/*.txt"});
  ASSERT_TRUE(inside.ok()) << inside.error().message;
  ASSERT_EQ(inside->size(), 2u);
  EXPECT_EQ((*inside)[0].path, "dist/alias.txt");
  EXPECT_EQ((*inside)[0].hash, (*inside)[1].hash);
}

TEST_F(ArtifactStoreTest, RestoreRefusesManifestsThatEscape) {
  Write("f.txt", "content");
  auto manifest = store_.Put(ws(), {"f.txt"});
  ASSERT_TRUE(manifest.ok());
  const ArtifactEntry good = (*manifest)[0];
  auto attempt = [&](ArtifactEntry e) {
    auto r = store_.Restore({good, e}, root_ / "dest");
    EXPECT_FALSE(r.ok()) << e.path << " " << e.hash;
    return r.ok() ? std::string() : r.error().message;
  };
  ArtifactEntry e = good;
  e.path = "../x";
  EXPECT_NE(attempt(e).find("'../x' refused"), std::string::npos);
  e.path = "a/../../x";
  EXPECT_NE(attempt(e).find("refused"), std::string::npos);
  e.path = root_ / "abs.txt";
  EXPECT_NE(attempt(e).find("refused"), std::string::npos);
  e = good;
  e.hash = "../../../../etc/passwd";
  EXPECT_NE(attempt(e).find("not an object hash"), std::string::npos);
  EXPECT_FALSE(Exists("x"));
  EXPECT_FALSE(Exists("abs.txt"));
  EXPECT_FALSE(Exists("dest/f.txt"));  // validated before writing anything

  // A symlinked parent directory in the destination is refused.
  std::filesystem::create_directories(root_ / "outside");
  std::filesystem::create_directories(root_ / "dest");
  ASSERT_EQ(::symlink((root_ / "outside").c_str(), (root_ / "dest/sub").c_str()), 0);
  e = good;
  e.path = "sub/f.txt";
  auto parent = store_.Restore({e}, root_ / "dest");
  ASSERT_FALSE(parent.ok());
  EXPECT_NE(parent.error().message.find("symlink"), std::string::npos) << parent.error().message;
  EXPECT_FALSE(Exists("outside/f.txt"));

  // A symlink at the file's own name is replaced, not written through.
  root_.Write("victim.txt", "untouched");
  ASSERT_EQ(::symlink((root_ / "victim.txt").c_str(), (root_ / "dest/f.txt").c_str()), 0);
  ASSERT_TRUE(store_.Restore({good}, root_ / "dest").ok());
  EXPECT_EQ(Read("victim.txt"), "untouched");
  EXPECT_EQ(Read("dest/f.txt"), "content");
  EXPECT_FALSE(std::filesystem::is_symlink(root_ / "dest/f.txt"));
}

TEST_F(ArtifactStoreTest, RestoreDetectsMissingOrDamagedObjects) {
  Write("f.txt", "content");
  auto manifest = store_.Put(ws(), {"f.txt"});
  ASSERT_TRUE(manifest.ok());
  auto wrong = *manifest;
  wrong[0].size = 3;
  auto r = store_.Restore(wrong, root_ / "dest");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("damaged"), std::string::npos);
  ASSERT_TRUE(store_.Clear().ok());
  auto gone = store_.Restore(*manifest, root_ / "dest");
  ASSERT_FALSE(gone.ok());
  EXPECT_NE(gone.error().message.find("missing"), std::string::npos);
}

TEST_F(ArtifactStoreTest, PruneByLastUseAndReferences) {
  Write("old.txt", "old!");
  Write("new.txt", "new");
  Write("kept.txt", "kept");
  auto m = store_.Put(ws(), {"*.txt"});
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->size(), 3u);
  const std::string kept = (*m)[0].hash, fresh = (*m)[1].hash, old = (*m)[2].hash;
  // Last used a minute before and a minute after the 7-day threshold (the clock of the
  // test is the file's mtime): an off-by-a-day or a `<` for `<=` slip prunes both or none.
  const auto now = std::chrono::system_clock::now();
  const auto threshold = now - std::chrono::hours(24 * 7);
  auto age = [&](const std::string& hash, std::chrono::system_clock::time_point at) {
    struct timespec times[2];
    times[0].tv_sec = times[1].tv_sec = std::chrono::system_clock::to_time_t(at);
    times[0].tv_nsec = times[1].tv_nsec = 0;
    return ::utimensat(AT_FDCWD, store_.ObjectPath(hash).c_str(), times, 0);
  };
  ASSERT_EQ(age(old, threshold - std::chrono::minutes(1)), 0);
  ASSERT_EQ(age(fresh, threshold + std::chrono::minutes(1)), 0);

  PruneOptions by_age;
  by_age.unused_since = threshold;
  auto pruned = store_.Prune(by_age);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(pruned->files, 1u);
  EXPECT_EQ(pruned->bytes, 4u);
  EXPECT_FALSE(std::filesystem::exists(store_.ObjectPath(old)));
  EXPECT_TRUE(std::filesystem::exists(store_.ObjectPath(fresh)));  // just inside: kept

  PruneOptions by_ref;
  by_ref.referenced = std::set<std::string>{kept};
  auto unref = store_.Prune(by_ref);
  ASSERT_TRUE(unref.ok());
  EXPECT_EQ(unref->files, 1u);
  EXPECT_FALSE(std::filesystem::exists(store_.ObjectPath(fresh)));
  EXPECT_EQ(*store_.TotalBytes(), 4u);

  auto cleared = store_.Clear();
  ASSERT_TRUE(cleared.ok());
  EXPECT_EQ(cleared->files, 1u);
  EXPECT_TRUE(store_.List()->empty());
}

}  // namespace
}  // namespace gauntlet::store
