// For end-to-end tests of `gauntlet release`: a workspace that is a real git repository
// (vcs::TestRepo, written through libgit2) holding a pipeline file with a release:
// section, and the real binary run in it.
#pragma once

#include <git2.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "cli_test_util.h"
#include "vcs/history.h"
#include "vcs/publish.h"
#include "vcs/repo.h"
#include "vcs/test_repo.h"

namespace gauntlet {

// A quality job `test` that passes unless the file `broken` is committed.
inline constexpr const char* kReleasePipeline = R"(name: app
jobs:
  test:
    run: test ! -e broken
  docs:
    run: "true"
)";

class ReleaseE2E : public ::testing::Test {
 protected:
  ReleaseE2E() : repo_(ws_.dir().string()) {
    // The harness writes each command's stdout/stderr into the workspace: not the
    // project's files.
    repo_.Write(".gitignore", ".stdout*\n.stderr*\n");
  }

  // The pipeline file with `release` (indented YAML under `release:`) appended.
  void Pipeline(const std::string& release, const std::string& extra = "") {
    repo_.Write("gauntlet.yml", std::string(kReleasePipeline) + extra + "release:\n" + release);
  }

  // The pipeline with `release`, and VERSION 1.0.0 released: committed, tagged v1.0.0.
  void FirstRelease(const std::string& release) {
    Pipeline(release);
    repo_.Write("VERSION", "1.0.0\n");
    Commit("feat: first");
    Tag("v1.0.0");
  }

  std::string Commit(const std::string& message, const std::string& file = "src.txt") {
    repo_.Write(file, message + " " + std::to_string(++n_) + "\n");
    return repo_.Commit(message);
  }

  void Tag(const std::string& name) {
    ASSERT_TRUE(vcs::CreateTag(repo_.dir(), name, Head(), name).ok());
  }

  std::string Head() {
    git_oid id;
    EXPECT_EQ(git_reference_name_to_id(&id, repo_.repo(), "HEAD"), 0);
    char hex[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(hex, sizeof hex, &id);
    return hex;
  }

  std::set<std::string> Tags() {
    std::set<std::string> names;
    auto tags = vcs::ListTags(repo_.dir());
    EXPECT_TRUE(tags.ok());
    if (tags.ok())
      for (const auto& t : *tags) names.insert(t.name);
    return names;
  }

  testing::Output Release(std::vector<std::string> args = {}) {
    args.insert(args.begin(), "release");
    return ws_.Run(args);
  }

  // `release --json`; its document (null when stdout is not JSON).
  nlohmann::json ReleaseJson(std::vector<std::string> args, int want_code) {
    args.push_back("--json");
    testing::Output o = Release(args);
    EXPECT_EQ(o.code, want_code) << o.out << o.err;
    return nlohmann::json::parse(o.out, nullptr, false);
  }

  nlohmann::json StatusFile() {
    return nlohmann::json::parse(testing::ReadFile(ws_.dir() / ".gauntlet/last-release.json"),
                                 nullptr, false);
  }

  std::string File(const std::string& rel) { return testing::ReadFile(ws_.dir() / rel); }

  testing::Workspace ws_;
  vcs::TestRepo repo_;
  int n_ = 0;
};

}  // namespace gauntlet
