// `gauntlet release` end to end, the flow around the version: quality jobs (reused when
// green, a failure stops before any tag), the remote (a local bare repository), a
// resumed release after the process was killed between the tag and the push, one
// release at a time, --dry-run changing nothing, and a deployment that rolls back.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <map>

#include "core/hash.h"
#include "release_e2e.h"

namespace gauntlet {
namespace {

constexpr const char* kQuality = "  bump: [VERSION]\n  quality: [test]\n  gate: off\n";

class ReleaseFlowE2E : public ReleaseE2E {
 protected:
  void Start() { FirstRelease(kQuality); }

  // A bare repository beside the workspace, as `origin`, holding main.
  std::string MakeRemote() {
    remote_ = ws_.dir().string() + "-remote.git";
    git_repository* bare = nullptr;
    EXPECT_EQ(git_repository_init(&bare, remote_.c_str(), 1), 0);
    git_repository_free(bare);
    // origin's url in the config (git_remote_create would look it up first, which leaks
    // in libgit2 1.5: vcs/publish.cc).
    git_config* config = nullptr;
    EXPECT_EQ(git_repository_config(&config, repo_.repo()), 0);
    EXPECT_EQ(git_config_set_string(config, "remote.origin.url", remote_.c_str()), 0);
    git_config_free(config);
    EXPECT_TRUE(vcs::Push(repo_.dir(), "origin", {"refs/heads/main:refs/heads/main"}).ok());
    return remote_;
  }
  ~ReleaseFlowE2E() override {
    if (!remote_.empty()) std::filesystem::remove_all(remote_);
  }

  std::set<std::string> RemoteTags() {
    auto tags = vcs::ListTags(remote_);
    std::set<std::string> names;
    if (tags.ok())
      for (const auto& t : *tags) names.insert(t.name);
    return names;
  }

  std::string remote_;
};

TEST_F(ReleaseFlowE2E, QualityJobsRunThenAGreenRunIsReused) {
  Start();
  Commit("fix: one");
  auto doc = ReleaseJson({}, 0);
  EXPECT_EQ(doc["version"], "1.0.1");
  EXPECT_EQ(doc["steps"][2]["name"], "quality");
  EXPECT_EQ(doc["steps"][2]["result"], "ok");
  EXPECT_EQ(doc["quality"]["run"], 1);  // the workspace's first run
  // A run of HEAD made beforehand is reused: no second run of the jobs.
  Commit("fix: two");
  testing::Output run = ws_.Run({"run", "--json"});
  ASSERT_EQ(run.code, 0) << run.out << run.err;
  const int64_t run_id = nlohmann::json::parse(run.out)["run"].get<int64_t>();
  doc = ReleaseJson({}, 0);
  EXPECT_EQ(doc["steps"][2]["result"], "reused");
  EXPECT_EQ(doc["quality"]["run"], run_id);
}

TEST_F(ReleaseFlowE2E, TheGateJudgesTheQualityRunAndWaitsForApproval) {
  // `docs` is not a quality job: the quality run leaves it out, and the gate judges the
  // quality jobs only (a reject for "docs did not run" would stop every release).
  Pipeline("  bump: [VERSION]\n  quality: [test]\n");
  repo_.Write("VERSION", "1.0.0\n");
  Commit("feat: first");
  Tag("v1.0.0");
  Commit("fix: judged");
  auto doc = ReleaseJson({}, 0);
  EXPECT_EQ(doc["status"], "released");
  EXPECT_EQ(doc["quality"]["gate"], "needs-approval");  // a new author: L0
  testing::Output st = ws_.Run({"status", doc["quality"]["run"].dump(), "--json"});
  ASSERT_EQ(st.code, 0) << st.out << st.err;
  const auto jobs = nlohmann::json::parse(st.out)["jobs"];  // the quality jobs only
  ASSERT_EQ(jobs.size(), 2u) << st.out;
  EXPECT_EQ(jobs[0]["name"], "test");
  EXPECT_EQ(jobs[0]["status"], "success");
  EXPECT_EQ(jobs[1]["name"], "docs");
  EXPECT_EQ(jobs[1]["status"], "skipped");
  EXPECT_EQ(jobs[1]["reason"], "not selected (--only)");
  // gate: approval with approval: stop ends there until a person approves with --approve
  // (approval: wait, the default, waits: cli_release_approval_test.cc).
  Pipeline("  bump: [VERSION]\n  quality: [test]\n  gate: approval\n  approval: stop\n");
  Commit("fix: needs a person");
  doc = ReleaseJson({}, 10);
  EXPECT_EQ(doc["status"], "needs_approval");
  EXPECT_EQ(Tags().count("v1.0.2"), 0u);
  doc = ReleaseJson({"--approve"}, 0);
  EXPECT_EQ(doc["tag"], "v1.0.2");
}

TEST_F(ReleaseFlowE2E, AFailingQualityJobStopsBeforeTheTag) {
  Start();
  Commit("feat: breaks the tests", "broken");
  auto doc = ReleaseJson({}, 1);
  EXPECT_EQ(doc["status"], "failed");
  EXPECT_NE(doc["reason"].get<std::string>().find("no tag was made"), std::string::npos);
  ASSERT_EQ(doc["quality"]["failed_jobs"].size(), 1u);
  EXPECT_EQ(doc["quality"]["failed_jobs"][0]["name"], "test");
  EXPECT_EQ(Tags(), (std::set<std::string>{"v1.0.0"}));
  EXPECT_EQ(File("VERSION"), "1.0.0\n");
  EXPECT_EQ(StatusFile()["status"], "failed");
  // Fixed: the next release goes through (a new attempt, the old one stays failed).
  repo_.Remove("broken");
  Commit("fix: tests again");
  EXPECT_EQ(ReleaseJson({}, 0)["version"], "1.1.0");
}

TEST_F(ReleaseFlowE2E, PushesToABareRemoteAndRefusesAStaleHead) {
  Start();
  Pipeline(std::string(kQuality) + "  remote: origin\n");
  Commit("chore: remote");
  MakeRemote();
  Commit("fix: unpushed");  // HEAD is ahead of origin/main: refused
  auto doc = ReleaseJson({"--no-quality"}, 1);
  EXPECT_NE(doc["reason"].get<std::string>().find("is not origin's main"), std::string::npos);
  ASSERT_TRUE(vcs::Push(repo_.dir(), "origin", {"refs/heads/main:refs/heads/main"}).ok());
  doc = ReleaseJson({"--no-quality"}, 0);
  EXPECT_EQ(doc["tag"], "v1.0.1");
  EXPECT_EQ(RemoteTags().count("v1.0.1"), 1u);
  auto remote_head = vcs::RemoteBranchHead(repo_.dir(), "origin", "main");
  ASSERT_TRUE(remote_head.ok());
  EXPECT_EQ(*remote_head, Head());  // the release commit is on the remote's main
}

TEST_F(ReleaseFlowE2E, KilledBetweenTagAndPushResumesWithoutASecondTag) {
  Start();
  Pipeline(std::string(kQuality) + "  remote: origin\n");
  Commit("chore: remote");
  MakeRemote();
  Commit("feat: resumable");
  ASSERT_TRUE(vcs::Push(repo_.dir(), "origin", {"refs/heads/main:refs/heads/main"}).ok());
  // The process kills itself (SIGKILL) right after the version step was recorded.
  setenv("GAUNTLET_TEST_RELEASE_KILL_AFTER", "version", 1);
  testing::Output killed = Release({"--no-quality"});
  unsetenv("GAUNTLET_TEST_RELEASE_KILL_AFTER");
  ASSERT_EQ(killed.code, 128 + SIGKILL) << killed.out << killed.err;
  EXPECT_EQ(Tags().count("v1.1.0"), 1u);
  EXPECT_EQ(RemoteTags().count("v1.1.0"), 0u);
  EXPECT_EQ(StatusFile()["status"], "running");
  EXPECT_EQ(StatusFile()["steps"].back()["name"], "version");

  auto doc = ReleaseJson({"--no-quality"}, 0);
  EXPECT_EQ(doc["status"], "released");
  EXPECT_EQ(doc["tag"], "v1.1.0");
  EXPECT_EQ(RemoteTags().count("v1.1.0"), 1u);
  EXPECT_EQ(Tags().size(), 2u);  // v1.0.0 and v1.1.0: no second tag
  const std::string log = File("CHANGELOG.md");
  EXPECT_EQ(log.find("## v1.1.0"), log.rfind("## v1.1.0"));  // one section
  // The earlier steps are not done again; the push is.
  std::map<std::string, std::string> results;
  for (const auto& s : doc["steps"]) results[s["name"]] = s["result"];
  EXPECT_EQ(results["version"], "ok");
  EXPECT_EQ(results["push"], "ok");
  testing::Output list = ws_.Run({"releases", "--json"});
  auto releases = nlohmann::json::parse(list.out)["releases"];
  ASSERT_EQ(releases.size(), 1u);  // the same release, continued
  EXPECT_EQ(releases[0]["status"], "released");
}

// A kill inside the version step, after a file was written and before the commit, or
// after the commit and before the tag: the next release continues the same one, with
// one release commit, one tag and one changelog section.
TEST_F(ReleaseFlowE2E, KilledInsideTheVersionStepContinuesWithOneReleaseCommit) {
  for (const char* point : {"version:files", "version:commit"}) {
    SCOPED_TRACE(point);
    if (Tags().empty()) Start();
    const std::string version = Tags().size() == 1 ? "1.1.0" : "1.2.0";
    Commit("feat: resumable at " + std::string(point));
    setenv("GAUNTLET_TEST_RELEASE_KILL_AFTER", point, 1);
    testing::Output killed = Release({"--no-quality"});
    unsetenv("GAUNTLET_TEST_RELEASE_KILL_AFTER");
    ASSERT_EQ(killed.code, 128 + SIGKILL) << killed.out << killed.err;
    EXPECT_EQ(Tags().count("v" + version), 0u);
    EXPECT_EQ(File("VERSION"), version + "\n");

    auto doc = ReleaseJson({"--no-quality"}, 0);
    EXPECT_EQ(doc["status"], "released");
    EXPECT_EQ(doc["tag"], "v" + version);
    std::string first;  // v1.0.0's commit
    auto tags = vcs::ListTags(repo_.dir());
    ASSERT_TRUE(tags.ok());
    for (const auto& t : *tags)
      if (t.name == "v1.0.0") first = t.commit;
    auto log = vcs::CommitsSince(repo_.dir(), first);
    ASSERT_TRUE(log.ok());
    int release_commits = 0;
    for (const auto& c : log->commits)
      release_commits += c.message.starts_with("chore(release): v" + version);
    EXPECT_EQ(release_commits, 1);
    EXPECT_EQ(log->commits.back().message.substr(0, 22), "chore(release): v" + version);
    EXPECT_EQ(Head(), doc["commit"]);
    auto dirty = vcs::UncommittedPaths(repo_.dir());
    ASSERT_TRUE(dirty.ok());
    EXPECT_TRUE(dirty->empty());
    const std::string changelog = File("CHANGELOG.md");
    EXPECT_EQ(changelog.find("## v" + version), changelog.rfind("## v" + version));
    testing::Output list = ws_.Run({"releases", "--json"});
    auto releases = nlohmann::json::parse(list.out)["releases"];
    EXPECT_EQ(releases.size(), Tags().size() - 1);  // the killed one was continued
  }
}

// What is left uncommitted beside the release's own files is someone's work: the killed
// release is not continued over it, and the stale row stops saying "running".
TEST_F(ReleaseFlowE2E, AKilledReleaseIsNotContinuedOverSomeoneElsesChanges) {
  Start();
  Commit("feat: interrupted");
  setenv("GAUNTLET_TEST_RELEASE_KILL_AFTER", "version:files", 1);
  testing::Output killed = Release({"--no-quality"});
  unsetenv("GAUNTLET_TEST_RELEASE_KILL_AFTER");
  ASSERT_EQ(killed.code, 128 + SIGKILL) << killed.out << killed.err;
  repo_.Write("src.txt", "someone's edit\n");
  testing::Output again = Release({"--no-quality"});
  EXPECT_EQ(again.code, 1) << again.out << again.err;
  EXPECT_NE(again.out.find("uncommitted changes"), std::string::npos) << again.out << again.err;
  EXPECT_EQ(Tags().count("v1.1.0"), 0u);
  testing::Output list = ws_.Run({"releases", "--json"});
  auto releases = nlohmann::json::parse(list.out)["releases"];
  ASSERT_EQ(releases.size(), 2u);
  for (const auto& r : releases) EXPECT_EQ(r["status"], "failed") << r.dump();
}

TEST_F(ReleaseFlowE2E, ASecondReleaseWhileOneRunsIsRefusedNamingIt) {
  Start();
  repo_.Write("gauntlet.yml", std::string("name: app\njobs:\n  test:\n    commands:\n") +
                                  testing::kHoldSteps + "release:\n" + kQuality);
  repo_.Write(".gitignore", ".stdout*\n.stderr*\nhold\nreached\n");
  Commit("fix: held");
  testing::MakeHold(ws_.dir());
  testing::Signal reached(ws_.dir() / "reached");
  const pid_t first = ws_.Start({"release"});
  ASSERT_FALSE(reached.Wait().empty());  // the quality job is running
  testing::Workspace other_out;
  testing::Output second = testing::WaitGauntlet(
      testing::SpawnGauntlet({"release", "--no-quality"}, ws_.dir(), other_out.dir() / "o",
                             other_out.dir() / "e"),
      other_out.dir() / "o", other_out.dir() / "e");
  EXPECT_EQ(second.code, 6) << second.err;
  EXPECT_NE(second.err.find("another gauntlet release is already running"), std::string::npos);
  EXPECT_NE(second.err.find("pid " + std::to_string(first)), std::string::npos) << second.err;
  testing::ReleaseHold(ws_.dir());
  testing::Output done = ws_.Wait(first);
  EXPECT_EQ(done.code, 0) << done.out << done.err;
}

// Every file under `dir` (the repository with .git, the state directory) by its content
// and mode; the harness's own output files are left out.
std::map<std::string, std::string> Snapshot(const std::filesystem::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    const std::string rel = e.path().lexically_relative(dir).string();
    if (rel.starts_with(".stdout") || rel.starts_with(".stderr")) continue;
    std::string what = std::to_string(static_cast<int>(e.status().permissions()));
    if (e.is_regular_file()) what += " " + testing::ReadFile(e.path());
    files[rel] = what;
  }
  return files;
}

TEST_F(ReleaseFlowE2E, DryRunChangesNothing) {
  Start();
  Pipeline(std::string(kQuality) + "  remote: origin\n");
  Commit("chore: remote");
  MakeRemote();
  Commit("feat: planned\n\nAgent-By: bot\n");
  ASSERT_TRUE(vcs::Push(repo_.dir(), "origin", {"refs/heads/main:refs/heads/main"}).ok());
  ASSERT_EQ(ws_.Run({"run"}).code, 0);  // some history in the state directory
  const auto before = Snapshot(ws_.dir());
  const auto remote_before = Snapshot(remote_);
  testing::Output o = Release({"--dry-run"});
  EXPECT_EQ(o.code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("version  1.0.0 -> 1.1.0 (minor)"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("file     VERSION: 1.0.0 -> 1.1.0"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("commit   chore(release): v1.1.0"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("- planned ("), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("; Agent-By: bot)"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("push     "), std::string::npos) << o.out;
  auto doc = ReleaseJson({"--dry-run"}, 0);
  EXPECT_EQ(doc["status"], "dry_run");
  EXPECT_EQ(doc["plan"]["tag"], "v1.1.0");
  EXPECT_EQ(Snapshot(ws_.dir()), before);
  EXPECT_EQ(Snapshot(remote_), remote_before);
}

constexpr const char* kEnvironment = R"yaml(environments:
  prod:
    strategy: recreate
    instances: [{name: one, address: "127.0.0.1:1"}]
    deploy: echo ${{ release.version }} > deployed
    health: {type: command, command: "test ! -e bad-$(cat deployed)", period: 50ms, failure_threshold: 1}
)yaml";

TEST_F(ReleaseFlowE2E, ARolledBackDeploymentIsReleasedNotDeployed) {
  Pipeline(std::string(kQuality) + "  environment: prod\n", kEnvironment);
  repo_.Write(".gitignore", ".stdout*\n.stderr*\ndeployed\nbad-*\n");
  repo_.Write("VERSION", "0.1.0\n");
  Commit("feat: first");
  Tag("v0.1.0");
  Commit("feat: deployable");
  auto doc = ReleaseJson({"--no-quality"}, 0);
  EXPECT_EQ(doc["status"], "deployed");
  EXPECT_EQ(doc["deployment"]["outcome"], "succeeded");
  EXPECT_EQ(File("deployed"), "0.2.0\n");
  Commit("feat: broken in production");
  ws_.Write("bad-0.3.0", "");
  doc = ReleaseJson({"--no-quality"}, 13);
  EXPECT_EQ(doc["status"], "released_not_deployed");
  EXPECT_EQ(doc["tag"], "v0.3.0");
  EXPECT_EQ(doc["deployment"]["outcome"], "rolled_back");
  EXPECT_NE(doc["reason"].get<std::string>().find("v0.3.0 is released but not deployed to prod"),
            std::string::npos);
  EXPECT_EQ(File("deployed"), "0.2.0\n");  // the previous release is back
  EXPECT_EQ(Tags().count("v0.3.0"), 1u);
  EXPECT_EQ(StatusFile()["deployment"]["id"], doc["deployment"]["id"]);
}

}  // namespace
}  // namespace gauntlet
