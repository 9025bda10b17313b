// End to end: an artifact object changed in the store after it was stored is refused,
// by name, wherever it would be used: restored for a dependent, or downloaded.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "store/sqlite_db.h"

namespace gauntlet {
namespace {

using ::testing::HasSubstr;
using testing::ReadFile;
using testing::Workspace;
namespace fs = std::filesystem;

// The one object file under .gauntlet/artifacts/objects.
fs::path TheObject(const Workspace& ws) {
  fs::path found;
  for (const auto& e : fs::recursive_directory_iterator(ws.dir() / ".gauntlet/artifacts/objects"))
    if (e.is_regular_file()) found = e.path();
  return found;
}

// Same size, different bytes: the size check alone passes it.
void Tamper(const fs::path& object) {
  fs::permissions(object, fs::perms::owner_write, fs::perm_options::add);
  std::string text = ReadFile(object);
  text[0] = text[0] == 'X' ? 'Y' : 'X';
  std::ofstream(object, std::ios::binary | std::ios::trunc) << text;
}

TEST(CliIntegrityTest, ATamperedObjectIsRefusedByNameOnRestoreAndDownload) {
  Workspace ws;
  ws.Write("gauntlet.yml", R"YML(name: integrity
jobs:
  build:
    artifacts: ["out/**"]
    commands:
      - mkdir -p out
      - echo "the real build output" > out/app.bin
  use:
    needs: [build]
    run: "[ -e go ] && cat out/app.bin > used.txt"
)YML");
  ASSERT_EQ(ws.Run({"run"}).code, 1);  // `use` fails: no `go` yet
  const fs::path object = TheObject(ws);
  ASSERT_FALSE(object.empty());
  Tamper(object);

  // `retry` takes build from run 1 and restores its artifacts into `use`.
  ws.Write("go", "");
  auto retried = ws.Run({"retry", "1", "--json"});
  EXPECT_EQ(retried.code, 1) << retried.out << retried.err;
  auto j = nlohmann::json::parse(retried.out);
  const std::string reason = j["jobs"][1]["reason"];
  EXPECT_THAT(reason, HasSubstr("artifact 'out/app.bin' refused"));
  EXPECT_THAT(reason, HasSubstr(object.filename().string()));
  EXPECT_THAT(reason, HasSubstr("does not hold what was stored"));
  EXPECT_FALSE(fs::exists(ws.dir() / "used.txt"));

  auto down = ws.Run({"artifacts", "1", "--download", "dl"});
  EXPECT_EQ(down.code, 1);
  EXPECT_THAT(down.err, HasSubstr("artifact 'out/app.bin' refused"));
  EXPECT_THAT(down.err, HasSubstr(object.string()));
  EXPECT_FALSE(fs::exists(ws.dir() / "dl/out/app.bin"));
}

TEST(CliIntegrityTest, AnIntactObjectIsRestoredAndDownloaded) {
  Workspace ws;
  ws.Write("gauntlet.yml", R"YML(name: intact
jobs:
  build:
    artifacts: ["out/**"]
    commands: ["mkdir -p out", "echo payload > out/app.bin"]
  use: { needs: [build], run: "cat out/app.bin > used.txt" }
)YML");
  ASSERT_EQ(ws.Run({"run"}).code, 0);
  EXPECT_EQ(ReadFile(ws.dir() / "used.txt"), "payload\n");
  auto down = ws.Run({"artifacts", "1", "--download", "dl"});
  EXPECT_EQ(down.code, 0) << down.err;
  EXPECT_EQ(ReadFile(ws.dir() / "dl/out/app.bin"), "payload\n");
}

// One job's record listing one path twice with different contents is damaged: the
// message says so, rather than naming the job twice as if two jobs clashed.
TEST(CliIntegrityTest, ADuplicatedPathInOneRecordIsNamedAsDamage) {
  Workspace ws;
  ws.Write("gauntlet.yml", R"YML(name: dup
jobs:
  good:
    artifacts: ["out/**"]
    commands: ["mkdir -p out", "echo a > out/a", "echo b > out/b"]
)YML");
  ASSERT_EQ(ws.Run({"run"}).code, 0);
  {
    auto db = store::SqliteDb::Open((ws.dir() / ".gauntlet/state.db").string(), false);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Exec("UPDATE job_artifacts SET manifest = replace(manifest, "
                           "'\"out/b\"', '\"out/a\"')")
                    .ok());
  }
  auto down = ws.Run({"artifacts", "1", "--download", "dl"});
  EXPECT_EQ(down.code, 1);
  EXPECT_THAT(down.err, HasSubstr("job 'good' lists 'out/a' twice with different contents"));
  EXPECT_THAT(down.err, ::testing::Not(HasSubstr("jobs 'good' and 'good'")));
}

}  // namespace
}  // namespace gauntlet
