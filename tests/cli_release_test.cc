// `gauntlet release` end to end on real temporary repositories: the version it makes
// from real histories (patch, minor, major, breaking below 1.0.0, Release-As, reverts,
// prereleases, maintenance branches, packages), and nothing to release.
#include <gtest/gtest.h>

#include "release_e2e.h"

namespace gauntlet {
namespace {

constexpr const char* kBasic = "  bump: [VERSION]\n  quality: [test]\n  gate: off\n";

TEST_F(ReleaseE2E, PatchMinorAndMajorFromConventionalCommits) {
  Pipeline(kBasic);
  repo_.Write("VERSION", "1.2.3\n");
  Commit("chore: start");
  Tag("v1.2.3");
  Commit("fix: a bug\n\nTask-ID: 7\n");
  auto doc = ReleaseJson({"--no-quality"}, 0);
  EXPECT_EQ(doc["status"], "released");
  EXPECT_EQ(doc["version"], "1.2.4");
  EXPECT_EQ(doc["previous_version"], "1.2.3");
  EXPECT_EQ(doc["bump"], "patch");
  EXPECT_EQ(File("VERSION"), "1.2.4\n");
  EXPECT_NE(File("CHANGELOG.md").find("## v1.2.4 ("), std::string::npos);
  EXPECT_NE(File("CHANGELOG.md").find("- a bug ("), std::string::npos);
  EXPECT_NE(File("CHANGELOG.md").find("; Task-ID: 7)"), std::string::npos);

  Commit("feat: a feature");
  Commit("fix: another");
  EXPECT_EQ(ReleaseJson({"--no-quality"}, 0)["version"], "1.3.0");
  Commit("feat(api)!: drop v1");
  EXPECT_EQ(ReleaseJson({"--no-quality"}, 0)["version"], "2.0.0");
  EXPECT_EQ(Tags(), (std::set<std::string>{"v1.2.3", "v1.2.4", "v1.3.0", "v2.0.0"}));
  // Newest section first; each once.
  const std::string log = File("CHANGELOG.md");
  EXPECT_LT(log.find("## v2.0.0"), log.find("## v1.3.0"));
  EXPECT_LT(log.find("## v1.3.0"), log.find("## v1.2.4"));
  for (const char* section : {"## v2.0.0", "## v1.3.0", "## v1.2.4"}) {
    ASSERT_NE(log.find(section), std::string::npos) << section;
    EXPECT_EQ(log.find(section), log.rfind(section)) << section << " twice\n" << log;
  }
  EXPECT_NE(log.find("### Breaking changes\n\n- **api:** drop v1"), std::string::npos) << log;
  // HEAD is the release commit.
  auto head = vcs::CommitsSince(repo_.dir(), "", "");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->commits.back().message.substr(0, 24), "chore(release): v2.0.0\n\n");
}

TEST_F(ReleaseE2E, BreakingChangeBelowOneIsAMinorBump) {
  Pipeline(kBasic);
  repo_.Write("VERSION", "0.3.0\n");
  Commit("feat: first");
  Tag("v0.3.0");
  Commit("refactor: new config\n\nBREAKING CHANGE: keys renamed\n");
  auto doc = ReleaseJson({"--no-quality"}, 0);
  EXPECT_EQ(doc["version"], "0.4.0");
  EXPECT_NE(doc["changelog"].get<std::string>().find("- keys renamed ("), std::string::npos);
}

TEST_F(ReleaseE2E, ReleaseAsFooterAndFlag) {
  Pipeline(kBasic);
  repo_.Write("VERSION", "1.0.0\n");
  Commit("feat: first");
  Tag("v1.0.0");
  Commit("fix: small\n\nRelease-As: 3.0.0\n");
  EXPECT_EQ(ReleaseJson({"--no-quality"}, 0)["version"], "3.0.0");
  Commit("fix: tiny");
  EXPECT_EQ(ReleaseJson({"--no-quality", "--as", "4.1.0"}, 0)["version"], "4.1.0");
  // Not above the last release: refused, nothing tagged.
  Commit("fix: more");
  auto doc = ReleaseJson({"--no-quality", "--as", "4.0.0"}, 1);
  EXPECT_EQ(doc["status"], "failed");
  EXPECT_NE(doc["reason"].get<std::string>().find("not above the last release 4.1.0"),
            std::string::npos);
  EXPECT_EQ(Tags().count("v4.0.0"), 0u);
}

TEST_F(ReleaseE2E, ARevertCancelsTheFeatureItReverts) {
  Pipeline(kBasic);
  repo_.Write("VERSION", "1.0.0\n");
  Commit("feat: first");
  Tag("v1.0.0");
  const std::string feat = Commit("feat: risky thing");
  Commit("fix: keep this");
  Commit("Revert \"feat: risky thing\"\n\nThis reverts commit " + feat + ".\n");
  auto doc = ReleaseJson({"--no-quality"}, 0);
  EXPECT_EQ(doc["version"], "1.0.1");  // without the revert it would be 1.1.0
  EXPECT_EQ(doc["changelog"].get<std::string>().find("risky"), std::string::npos);
}

TEST_F(ReleaseE2E, PrereleaseBranchCountsRc1ThenRc2) {
  Pipeline(std::string(kBasic) + "  prerelease: {next: rc}\n");
  repo_.Write("VERSION", "1.0.0\n");
  Commit("feat: first");
  Tag("v1.0.0");
  repo_.Branch("next");
  Commit("feat: preview");
  EXPECT_EQ(ReleaseJson({"--no-quality"}, 0)["version"], "1.1.0-rc.1");
  Commit("fix: preview fix");
  auto doc = ReleaseJson({"--no-quality"}, 0);
  EXPECT_EQ(doc["version"], "1.1.0-rc.2");
  EXPECT_EQ(doc["tag"], "v1.1.0-rc.2");
  EXPECT_EQ(File("VERSION"), "1.1.0-rc.2\n");
  // The feature of rc.1 is part of what rc.2 leads to: still listed.
  EXPECT_NE(doc["changelog"].get<std::string>().find("preview ("), std::string::npos);
}

TEST_F(ReleaseE2E, MaintenanceBranchStaysInItsRange) {
  Pipeline(std::string(kBasic) + "  maintenance: [\"1.x\"]\n");
  repo_.Write("VERSION", "1.0.0\n");
  Commit("feat: first");
  Tag("v1.0.0");
  repo_.Branch("1.x");
  git_oid at_one;
  ASSERT_EQ(git_reference_name_to_id(&at_one, repo_.repo(), "HEAD"), 0);
  ASSERT_EQ(git_repository_set_head(repo_.repo(), "refs/heads/main"), 0);
  Commit("feat!: the 2.0 line");
  EXPECT_EQ(ReleaseJson({"--no-quality"}, 0)["version"], "2.0.0");
  // Back to 1.x (its files as they were), a fix there: 1.0.1, not 2.0.1.
  ASSERT_EQ(git_repository_set_head(repo_.repo(), "refs/heads/1.x"), 0);
  git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
  co.checkout_strategy = GIT_CHECKOUT_FORCE;
  ASSERT_EQ(git_checkout_head(repo_.repo(), &co), 0);
  Commit("fix: backport");
  auto doc = ReleaseJson({"--no-quality"}, 0);
  EXPECT_EQ(doc["version"], "1.0.1");
  EXPECT_EQ(doc["previous_version"], "1.0.0");
  Commit("feat!: does not belong on 1.x");
  doc = ReleaseJson({"--no-quality"}, 1);
  EXPECT_NE(doc["reason"].get<std::string>().find("maintenance branch 1.x cannot release 2.0.0"),
            std::string::npos);
  // A branch that is none of the release branches.
  repo_.Branch("feature");
  doc = ReleaseJson({"--no-quality"}, 1);
  EXPECT_NE(doc["reason"].get<std::string>().find("branch 'feature' does not release"),
            std::string::npos);
}

TEST_F(ReleaseE2E, MonorepoPackagesReleaseIndependently) {
  Pipeline(
      "  gate: off\n"
      "  packages:\n"
      "    api: {path: services/api, bump: [VERSION], changelog: services/api/CHANGELOG.md}\n"
      "    web: {path: web, bump: [package.json], changelog: web/CHANGELOG.md}\n");
  repo_.Write("services/api/VERSION", "0.1.0\n");
  repo_.Write("web/package.json", "{\n  \"name\": \"web\",\n  \"version\": \"2.0.0\"\n}\n");
  Commit("chore: start", "README");
  Tag("api@v0.1.0");
  Tag("web@v2.0.0");
  Commit("fix: api bug", "services/api/main.txt");
  // Without --package: which one?
  EXPECT_EQ(Release({"--no-quality"}).code, 2);
  auto api = ReleaseJson({"--no-quality", "--package", "api"}, 0);
  EXPECT_EQ(api["tag"], "api@v0.1.1");
  EXPECT_EQ(File("services/api/VERSION"), "0.1.1\n");
  // web has no commit of its own yet.
  auto web = ReleaseJson({"--no-quality", "--package", "web"}, 12);
  EXPECT_EQ(web["status"], "nothing_to_release");
  Commit("feat: web page", "web/index.html");
  Commit("feat: api endpoint", "services/api/main.txt");
  web = ReleaseJson({"--no-quality", "--package", "web"}, 0);
  EXPECT_EQ(web["tag"], "web@v2.1.0");
  EXPECT_EQ(web["changelog"].get<std::string>().find("endpoint"), std::string::npos);
  EXPECT_NE(File("web/package.json").find("\"version\": \"2.1.0\""), std::string::npos);
  EXPECT_EQ(ReleaseJson({"--no-quality", "--package", "api"}, 0)["tag"], "api@v0.2.0");
  testing::Output list = ws_.Run({"releases", "--package", "web", "--json"});
  ASSERT_EQ(list.code, 0) << list.err;
  auto releases = nlohmann::json::parse(list.out)["releases"];
  ASSERT_EQ(releases.size(), 2u);
  EXPECT_EQ(releases[0]["tag"], "web@v2.1.0");  // newest first
  EXPECT_EQ(releases[1]["status"], "nothing_to_release");
}

TEST_F(ReleaseE2E, NothingToReleaseHasItsOwnExitCode) {
  Pipeline(kBasic);
  repo_.Write("VERSION", "1.0.0\n");
  Commit("feat: first");
  Tag("v1.0.0");
  auto none = ReleaseJson({"--no-quality"}, 12);
  EXPECT_EQ(none["reason"], "no commits since v1.0.0");
  Commit("docs: readme");
  Commit("chore: deps");
  none = ReleaseJson({"--no-quality"}, 12);
  EXPECT_EQ(none["status"], "nothing_to_release");
  EXPECT_EQ(StatusFile()["reason"],
            "no feat, fix, perf or breaking commit since v1.0.0 (2 commit(s) of other types)");
  EXPECT_EQ(Tags(), (std::set<std::string>{"v1.0.0"}));
  EXPECT_EQ(File("VERSION"), "1.0.0\n");
}

}  // namespace
}  // namespace gauntlet
