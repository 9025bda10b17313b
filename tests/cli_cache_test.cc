// End-to-end tests of the job cache, change filters and artifacts through the real
// binary: real processes, a real SQLite store, real git repositories made in temp dirs
// with the git CLI (argv, no shell).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "store/sqlite_db.h"

namespace gauntlet {
namespace {

using ::testing::HasSubstr;
using testing::JobStatuses;
using testing::ReadFile;
using ::testing::StartsWith;
using testing::Workspace;
using json = nlohmann::json;
namespace fs = std::filesystem;

// Runs a program with `args` in `cwd`, output discarded; returns its exit code.
int Exec(const std::vector<std::string>& args, const fs::path& cwd) {
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A workspace that is a git repository on `main`; the test harness's own files, the
// jobs' scratch files and gauntlet's state are ignored, as a user's .gitignore would.
class GitWorkspace : public Workspace {
 public:
  GitWorkspace() {
    Git({"init", "-q", "-b", "main"});
    Write(".gitignore", ".stdout*\n.stderr*\nran.log\ndist/\nout/\n");
  }
  void Git(std::vector<std::string> args) {
    args.insert(args.begin(), {"git", "-c", "user.name=Ada", "-c", "user.email=ada@example.com",
                               "-c", "commit.gpgsign=false"});
    ASSERT_EQ(Exec(args, dir()), 0) << args[7];
  }
  void Commit(const std::string& message) {
    Git({"add", "-A"});
    Git({"commit", "-q", "-m", message});
  }
};

// The jobs that ran, in the order they wrote to ran.log (cleared after reading).
std::vector<std::string> Ran(const Workspace& ws) {
  std::vector<std::string> out;
  std::istringstream in(ReadFile(ws.dir() / "ran.log"));
  for (std::string line; std::getline(in, line);) out.push_back(line);
  fs::remove(ws.dir() / "ran.log");
  std::sort(out.begin(), out.end());
  return out;
}

constexpr const char* kBuildPipeline = R"YML(name: cached
jobs:
  build:
    inputs: ["src/**"]
    artifacts: ["dist/**"]
    commands:
      - echo build >> ran.log
      - mkdir -p dist
      - cat src/*.c > dist/app
      - echo "digest=$(cksum < dist/app | cut -d' ' -f1)" >> "$GAUNTLET_OUTPUT"
  test:
    needs: [build]
    inputs: ["tests/**"]
    commands:
      - echo test >> ran.log
      - grep -q main dist/app
  docs:
    inputs: ["docs/**"]
    run: echo docs >> ran.log
  package:
    needs: [build]
    commands:
      - echo "package ${{ needs.build.outputs.digest }} $(cksum < dist/app | cut -d' ' -f1)" >> ran.log
)YML";

void WriteBuildProject(Workspace& ws) {
  ws.Write("gauntlet.yml", kBuildPipeline);
  ws.Write("src/main.c", "int main() { return 0; }\n");
  ws.Write("tests/t.sh", "true\n");
  ws.Write("docs/guide.md", "# guide\n");
}

TEST(CliCacheTest, SecondRunIsCachedAndRestoresOutputsAndArtifacts) {
  Workspace ws;
  WriteBuildProject(ws);
  auto first = ws.Run({"run", "--json"});
  ASSERT_EQ(first.code, 0) << first.out << first.err;
  std::vector<std::string> ran = Ran(ws);
  ASSERT_EQ(ran.size(), 4u);
  const std::string package_line = ran[2];  // sorted: build, docs, package, test
  EXPECT_THAT(package_line, StartsWith("package "));

  // The build output is gone: a cached build must bring it back for its dependents.
  fs::remove_all(ws.dir() / "dist");
  auto second = ws.Run({"run", "--json"});
  ASSERT_EQ(second.code, 0) << second.out << second.err;
  auto s = JobStatuses(second);
  EXPECT_EQ(s["build"], "cached");
  EXPECT_EQ(s["test"], "cached");
  EXPECT_EQ(s["docs"], "cached");
  EXPECT_EQ(s["package"], "success");  // no inputs: never cached
  // Only package ran, and it saw the same output and the same restored file.
  EXPECT_EQ(Ran(ws), std::vector<std::string>{package_line});
  EXPECT_EQ(ReadFile(ws.dir() / "dist/app"), "int main() { return 0; }\n");
  json j = json::parse(second.out);
  EXPECT_EQ(j["jobs"][0]["outputs"], json::parse(first.out)["jobs"][0]["outputs"]);
  EXPECT_THAT(j["jobs"][0]["reason"].get<std::string>(),
              StartsWith("cached: same inputs as in run 1"));

  // The terminal summary and `status` say so too.
  auto text = ws.Run({"run"});
  ASSERT_EQ(text.code, 0) << text.out << text.err;
  EXPECT_THAT(text.out, HasSubstr("cached build"));
  EXPECT_THAT(text.out, HasSubstr("4 succeeded (3 cached)"));
  auto status = ws.Run({"status", "--json"});
  ASSERT_EQ(status.code, 0) << status.err;
  EXPECT_EQ(json::parse(status.out)["jobs"][0]["status"], "cached");
}

TEST(CliCacheTest, AChangeRerunsOnlyTheJobsWhoseInputsItTouchesAndTheirDependents) {
  GitWorkspace ws;
  WriteBuildProject(ws);
  ws.Commit("initial");
  ASSERT_EQ(ws.Run({"run"}).code, 0);
  Ran(ws);

  ws.Write("src/main.c", "int main() { return 1; }\n");
  ws.Commit("change src");
  auto r = ws.Run({"run", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  auto s = JobStatuses(r);
  EXPECT_EQ(s["build"], "success");
  EXPECT_EQ(s["test"], "success");  // its need's outputs and artifacts changed
  EXPECT_EQ(s["docs"], "cached");
  EXPECT_EQ(s["package"], "success");
  auto ran = Ran(ws);
  ASSERT_EQ(ran.size(), 3u);  // sorted
  EXPECT_EQ(ran[0], "build");
  EXPECT_THAT(ran[1], StartsWith("package "));
  EXPECT_EQ(ran[2], "test");

  ws.Write("docs/guide.md", "# guide, v2\n");
  ws.Commit("docs");
  r = ws.Run({"run", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  s = JobStatuses(r);
  EXPECT_EQ(s["build"], "cached");
  EXPECT_EQ(s["test"], "cached");
  EXPECT_EQ(s["docs"], "success");
  EXPECT_EQ(s["package"], "success");  // no inputs: never cached
  auto ran2 = Ran(ws);
  ASSERT_EQ(ran2.size(), 2u);
  EXPECT_EQ(ran2[0], "docs");
  EXPECT_THAT(ran2[1], StartsWith("package "));
}

TEST(CliCacheTest, NoCacheFlagAndCacheFalse) {
  Workspace ws;
  ws.Write("gauntlet.yml", R"YML(name: flags
jobs:
  always:
    inputs: ["src/**"]
    cache: false
    run: echo always >> ran.log
  cached:
    inputs: ["src/**"]
    run: echo cached >> ran.log
)YML");
  ws.Write("src/a.c", "a");
  ASSERT_EQ(ws.Run({"run"}).code, 0);
  EXPECT_EQ(Ran(ws), (std::vector<std::string>{"always", "cached"}));
  ASSERT_EQ(ws.Run({"run"}).code, 0);
  EXPECT_EQ(Ran(ws), (std::vector<std::string>{"always"}));
  ASSERT_EQ(ws.Run({"run", "--no-cache"}).code, 0);
  EXPECT_EQ(Ran(ws), (std::vector<std::string>{"always", "cached"}));
  // --no-cache still recorded the fresh result: the next run reuses it.
  auto r = ws.Run({"run", "--json"});
  ASSERT_EQ(r.code, 0);
  EXPECT_EQ(JobStatuses(r)["cached"], "cached");
  EXPECT_EQ(json::parse(r.out)["jobs"][1]["reason"], "cached: same inputs as in run 3");
  // `cache: false` records nothing either: the only entry is the other job's.
  auto ls = ws.Run({"cache", "ls", "--json"});
  ASSERT_EQ(ls.code, 0) << ls.err;
  const json entries = json::parse(ls.out)["entries"];
  ASSERT_EQ(entries.size(), 1u) << entries.dump();
  EXPECT_EQ(entries[0]["job"], "cached");
}

TEST(CliCacheTest, DocsOnlyCommitSkipsTheRun) {
  GitWorkspace ws;
  ws.Write("gauntlet.yml", R"YML(name: filtered
changes:
  ignore: ["docs/**", "**/*.md"]
jobs:
  build:
    run: echo build >> ran.log
)YML");
  ws.Write("src/a.c", "a");
  ws.Write("docs/guide.md", "guide");
  ws.Commit("initial");
  ASSERT_EQ(ws.Run({"run"}).code, 0);  // the first commit: every file counts
  EXPECT_EQ(Ran(ws).size(), 1u);

  ws.Write("docs/guide.md", "guide 2");
  ws.Write("README.md", "readme");
  ws.Commit("docs only");
  auto r = ws.Run({"run"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("run 2: skipped (no relevant changes: 2 files changed"));
  EXPECT_TRUE(Ran(ws).empty());
  auto runs = ws.Run({"runs", "--json"});
  ASSERT_EQ(runs.code, 0);
  json latest = json::parse(runs.out)[0];
  EXPECT_EQ(latest["status"], "skipped");
  auto st = ws.Run({"status", "2", "--json"});
  EXPECT_EQ(json::parse(st.out)["jobs"][0]["status"], "skipped");

  // An uncommitted change in src/ is relevant.
  ws.Write("src/a.c", "a2");
  r = ws.Run({"run", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(json::parse(r.out)["status"], "success");
  EXPECT_EQ(Ran(ws).size(), 1u);

  auto bad = ws.Run({"run", "--base", "no-such-ref"});
  EXPECT_EQ(bad.code, 3);
  EXPECT_THAT(bad.err, HasSubstr("unknown revision 'no-such-ref'"));
}

TEST(CliCacheTest, JobFiltersSkipAJobThatCountsAsPassedAndIfReadsChanges) {
  GitWorkspace ws;
  ws.Write("gauntlet.yml", R"YML(name: jobfilters
jobs:
  site:
    changes: { paths: ["docs/**"] }
    run: echo site >> ran.log
  publish:
    needs: [site]
    run: echo "publish ${{ needs.site.result }}" >> ran.log
  src-only:
    if: changes.any('src/**') && !changes.any('docs/**')
    run: echo "src-only ${{ join(changes.files, ',') }}" >> ran.log
)YML");
  ws.Write("src/a.c", "a");
  ws.Write("docs/guide.md", "guide");
  ws.Commit("initial");
  ws.Git({"checkout", "-q", "-b", "feature"});
  ws.Write("src/a.c", "a2");
  ws.Commit("src only");
  auto r = ws.Run({"run", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["jobs"][0]["status"], "skipped");
  EXPECT_THAT(j["jobs"][0]["reason"].get<std::string>(), StartsWith("no relevant changes"));
  EXPECT_EQ(Ran(ws), (std::vector<std::string>{"publish skipped", "src-only src/a.c"}));

  // Against main itself (--base main on main: the last commit), docs changed too.
  ws.Git({"checkout", "-q", "main"});
  ws.Write("docs/guide.md", "guide 2");
  ws.Commit("docs");
  r = ws.Run({"run", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(Ran(ws), (std::vector<std::string>{"publish success", "site"}));
}

TEST(CliCacheTest, TemplatesAloneReadTheChangedFiles) {
  GitWorkspace ws;
  ws.Write("gauntlet.yml", R"YML(name: templates
jobs:
  list:
    run: echo "files ${{ join(changes.files, ',') }}" >> ran.log
)YML");
  ws.Write("src/a.c", "a");
  ws.Commit("initial");
  ws.Git({"checkout", "-q", "-b", "feature"});
  ws.Write("src/a.c", "a2");
  ws.Write("src/b.c", "b");
  ws.Commit("two files");
  auto r = ws.Run({"run"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(Ran(ws), std::vector<std::string>{"files src/a.c,src/b.c"});
}

TEST(CliCacheTest, ArtifactsAreListedDownloadedAndHandedToRetriedRuns) {
  Workspace ws;
  ws.Write("gauntlet.yml", R"YML(name: handover
jobs:
  build:
    artifacts: ["dist/**", "!dist/tmp/**"]
    commands:
      - mkdir -p dist/bin dist/tmp
      - echo app > dist/bin/app
      - chmod +x dist/bin/app
      - echo scratch > dist/tmp/x
  test:
    needs: [build]
    commands:
      - test -x dist/bin/app
      - test -f go
)YML");
  auto r = ws.Run({"run"});
  ASSERT_EQ(r.code, 1) << r.out << r.err;  // test fails: no ./go yet

  auto list = ws.Run({"artifacts", "1", "--json"});
  ASSERT_EQ(list.code, 0) << list.err;
  json l = json::parse(list.out);
  ASSERT_EQ(l["artifacts"].size(), 1u);
  EXPECT_EQ(l["artifacts"][0]["path"], "dist/bin/app");
  EXPECT_EQ(l["artifacts"][0]["job"], "build");
  EXPECT_EQ(l["bytes"], 4);
  auto text = ws.Run({"artifacts", "latest", "build"});
  EXPECT_THAT(text.out, HasSubstr("dist/bin/app"));
  EXPECT_EQ(ws.Run({"artifacts", "1", "nope"}).code, 3);

  auto down = ws.Run({"artifacts", "1", "--download", "out/dl"});
  ASSERT_EQ(down.code, 0) << down.err;
  EXPECT_EQ(ReadFile(ws.dir() / "out/dl/dist/bin/app"), "app\n");
  EXPECT_EQ(access((ws.dir() / "out/dl/dist/bin/app").c_str(), X_OK), 0);

  // Retry: build is carried over from run 1 and not re-run, yet test gets its files.
  fs::remove_all(ws.dir() / "dist");
  ws.Write("go", "");
  auto retry = ws.Run({"retry", "1", "--json"});
  ASSERT_EQ(retry.code, 0) << retry.out << retry.err;
  EXPECT_EQ(JobStatuses(retry)["test"], "success");
  EXPECT_FALSE(fs::exists(ws.dir() / "dist/tmp/x"));  // never stored: not restored
}

TEST(CliCacheTest, AResumedRunHandsOverTheArtifactsOfJobsThatFinishedBeforeTheCrash) {
  Workspace ws;
  testing::Signal reached(ws.dir() / "reached");
  ws.Write("gauntlet.yml", R"YML(name: resumable
jobs:
  build:
    artifacts: ["dist/**"]
    commands:
      - mkdir -p dist
      - echo built > dist/app
  use:
    needs: [build]
    commands:
      - if [ -f go-on ]; then grep -q built dist/app; exit; fi
      - echo $$ > reached
      - exec cat blocker
)YML");
  mkfifo((ws.dir() / "blocker").c_str(), 0600);  // `cat blocker` blocks: no writer
  pid_t engine = ws.Start({"run"});
  std::string pid = reached.Wait();
  ASSERT_FALSE(pid.empty()) << "the second job never started";
  ASSERT_EQ(kill(engine, SIGKILL), 0);
  EXPECT_EQ(ws.Wait(engine).code, 128 + SIGKILL);
  kill(-std::stoi(pid), SIGKILL);  // the orphaned job, as a crashed machine would lose it

  fs::remove_all(ws.dir() / "dist");
  ws.Write("go-on", "");
  auto r = ws.Run({"run", "--resume", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["jobs"][0]["resumed"], true);
  EXPECT_EQ(j["jobs"][1]["status"], "success");
  EXPECT_EQ(ReadFile(ws.dir() / "dist/app"), "built\n");
}

// A job that blocks the run (writing its pid to `reached`) until the file go-on exists.
constexpr const char* kBlockJob = R"YML(  block:
    commands:
      - if [ -f go-on ]; then exit 0; fi
      - echo $$ > reached
      - exec cat blocker
)YML";

// Starts `args`, waits until the block job runs, then kills the engine and the job as a
// crashed machine would lose them.
void CrashWhileBlocked(Workspace& ws, const std::vector<std::string>& args) {
  testing::Signal reached(ws.dir() / "reached");
  mkfifo((ws.dir() / "blocker").c_str(), 0600);  // `cat blocker` blocks: no writer
  pid_t engine = ws.Start(args);
  std::string pid = reached.Wait();
  ASSERT_FALSE(pid.empty()) << "the block job never started";
  ASSERT_EQ(kill(engine, SIGKILL), 0);
  EXPECT_EQ(ws.Wait(engine).code, 128 + SIGKILL);
  kill(-std::stoi(pid), SIGKILL);
}

TEST(CliCacheTest, ResumeReplaysNoCacheAndBase) {
  GitWorkspace ws;
  ws.Write(".gitignore", ".stdout*\n.stderr*\nran.log\nreached\nblocker\ngo-on\n");
  ws.Write("gauntlet.yml", std::string(R"YML(name: replay
jobs:
)YML") + kBlockJob + R"YML(  compile:
    needs: [block]
    inputs: ["src/**"]
    run: echo compile >> ran.log
  where:
    needs: [block]
    run: echo "base ${{ changes.base }}" >> ran.log
)YML");
  ws.Write("src/a.c", "a");
  ws.Commit("initial");
  std::string parent = ReadFile(ws.dir() / ".git/refs/heads/main");
  ws.Write("src/a.c", "a2");
  ws.Commit("second");
  std::string head = ReadFile(ws.dir() / ".git/refs/heads/main");
  ASSERT_FALSE(head.empty());
  ASSERT_FALSE(parent.empty());
  head.pop_back();  // the newline
  parent.pop_back();

  ws.Write("go-on", "");
  ASSERT_EQ(ws.Run({"run"}).code, 0);  // records compile's cache entry
  auto first = Ran(ws);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0], "base " + parent);  // on main, the default base is HEAD's parent

  fs::remove(ws.dir() / "go-on");
  CrashWhileBlocked(ws, {"run", "--no-cache", "--base", "HEAD"});
  ws.Write("go-on", "");
  auto r = ws.Run({"run", "--resume", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  auto s = JobStatuses(r);
  EXPECT_EQ(s["compile"], "success");  // --no-cache still applies: not "cached"
  EXPECT_EQ(Ran(ws), (std::vector<std::string>{"base " + head, "compile"}));  // --base HEAD
}

TEST(CliCacheTest, ResumeReappliesThePipelineChangeFilter) {
  GitWorkspace ws;
  ws.Write(".gitignore", ".stdout*\n.stderr*\nran.log\nreached\nblocker\n");
  ws.Write("gauntlet.yml", std::string(R"YML(name: refilter
changes: { paths: ["src/**"] }
jobs:
  early:
    run: echo early >> ran.log
)YML") + kBlockJob + R"YML(    needs: [early]
  late:
    needs: [block]
    run: echo late >> ran.log
)YML");
  ws.Write("src/a.c", "a");
  ws.Write("docs/x.md", "x");
  ws.Commit("initial");
  ws.Write("docs/x.md", "x2");
  ws.Commit("docs only");

  // An uncommitted change in src/ is relevant: the run starts...
  ws.Write("src/a.c", "a2");
  CrashWhileBlocked(ws, {"run", "--base", "HEAD"});
  EXPECT_EQ(Ran(ws), std::vector<std::string>{"early"});
  // ...and is resumed once that change is gone: it ends skipped, as a new run would.
  ws.Git({"checkout", "-q", "--", "src/a.c"});
  auto r = ws.Run({"run", "--resume", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["run"], 1);
  EXPECT_EQ(j["status"], "skipped");
  EXPECT_THAT(j["reason"].get<std::string>(), StartsWith("no relevant changes"));
  auto s = JobStatuses(r);
  EXPECT_EQ(s["early"], "success");
  EXPECT_EQ(s["block"], "skipped");
  EXPECT_EQ(s["late"], "skipped");
  EXPECT_TRUE(Ran(ws).empty());
  auto st = ws.Run({"status", "1", "--json"});
  ASSERT_EQ(st.code, 0) << st.err;
  json sj = json::parse(st.out);
  EXPECT_EQ(sj["jobs"][0]["status"], "success");
  EXPECT_EQ(sj["jobs"][1]["status"], "skipped");
  EXPECT_THAT(sj["jobs"][1]["reason"].get<std::string>(),
              StartsWith("run skipped: no relevant changes"));
}

TEST(CliCacheTest, PathEscapesAreRefused) {
  Workspace ws;
  fs::create_directories(ws.dir() / "outside");
  ws.Write("outside/secret.txt", "secret");
  fs::create_directories(ws.dir() / "ws");
  ws.Write("ws/bad.yml", R"YML(name: dotdot
jobs:
  dotdot:
    artifacts: ["../outside/**"]
    run: "true"
)YML");
  // A pattern that climbs out is refused before anything runs.
  auto invalid = ws.Run({"run", "ws/bad.yml"});
  EXPECT_EQ(invalid.code, 2) << invalid.out;
  EXPECT_THAT(invalid.err, HasSubstr("bad.yml:4:17: error: invalid glob '../outside/**'"));
  EXPECT_THAT(invalid.err, HasSubstr("'..' would reach outside the workspace"));

  ws.Write("ws/gauntlet.yml", R"YML(name: escapes
jobs:
  symlink:
    artifacts: ["dist/**"]
    commands:
      - mkdir -p dist
      - ln -sf ../../outside/secret.txt dist/leak.txt
  good:
    artifacts: ["good/**"]
    commands:
      - mkdir -p good
      - echo ok > good/file
)YML");
  auto r = ws.Run({"run", "ws/gauntlet.yml", "--json", "--keep-going"});
  json j = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out << r.err;
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_EQ(j["jobs"][0]["status"], "failed");
  EXPECT_THAT(j["jobs"][0]["reason"].get<std::string>(), HasSubstr("artifacts:"));
  EXPECT_THAT(j["jobs"][0]["reason"].get<std::string>(), HasSubstr("outside the workspace"));
  EXPECT_EQ(j["jobs"][1]["status"], "success");

  // A tampered record (a name that climbs out) is refused before anything is written.
  {
    auto db = store::SqliteDb::Open((ws.dir() / "ws/.gauntlet/state.db").string(), false);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Exec("UPDATE job_artifacts SET manifest = replace(manifest, "
                           "'good/file', '../../pwned')")
                    .ok());
  }
  auto down = ws.Run({"artifacts", "1", "--download", "dl", "--state-dir", "ws/.gauntlet"});
  EXPECT_EQ(down.code, 1) << down.out;
  EXPECT_THAT(down.err, HasSubstr("refusing its artifact record"));
  EXPECT_THAT(down.err, HasSubstr("../../pwned"));
  EXPECT_FALSE(fs::exists(ws.dir() / "pwned"));
  EXPECT_FALSE(fs::exists(ws.dir().parent_path() / "pwned"));
}

TEST(CliCacheTest, CacheLsPruneAndClearAccountBytes) {
  Workspace ws;
  WriteBuildProject(ws);
  ASSERT_EQ(ws.Run({"run"}).code, 0);
  auto ls = ws.Run({"cache", "ls", "--json"});
  ASSERT_EQ(ls.code, 0) << ls.err;
  json l = json::parse(ls.out);
  ASSERT_EQ(l["entries"].size(), 3u);  // build, test, docs
  EXPECT_EQ(l["bytes"], 25);           // build's dist/app
  EXPECT_EQ(l["objects"], 1);
  EXPECT_EQ(l["object_bytes"], 25);
  auto text = ws.Run({"cache", "ls"});
  EXPECT_THAT(text.out, HasSubstr("3 cache entries (25 B of artifacts); artifact store: 1 object"));

  auto prune = ws.Run({"cache", "prune", "--older-than", "7d", "--json"});
  ASSERT_EQ(prune.code, 0) << prune.err;
  EXPECT_EQ(json::parse(prune.out)["removed_entries"].size(), 0u);
  EXPECT_EQ(ws.Run({"cache", "prune", "--older-than", "soon"}).code, 2);
  EXPECT_EQ(ws.Run({"cache", "prune"}).code, 2);  // --older-than is required

  // Entries not used for a week go; the next run runs those jobs again. An hour on each
  // side of the week: `docs` older, `test` younger (a unit slip, or 7d read as hours,
  // would take both or neither).
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  const int64_t week_ms = 7 * 24 * 3'600'000LL, hour_ms = 3'600'000;
  auto last_used = [&](const std::string& job, int64_t ms) {
    auto db = store::SqliteDb::Open((ws.dir() / ".gauntlet/state.db").string(), false);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("UPDATE cache_entries SET last_used_ms = " + std::to_string(ms) +
                            " WHERE job='" + job + "'")
                    .ok());
  };
  last_used("docs", now_ms - week_ms - hour_ms);
  last_used("test", now_ms - week_ms + hour_ms);
  prune = ws.Run({"cache", "prune", "--older-than", "7d", "--json"});
  json p = json::parse(prune.out);
  ASSERT_EQ(p["removed_entries"].size(), 1u) << p.dump();
  EXPECT_EQ(p["removed_entries"][0]["job"], "docs");
  // The same boundary in another unit: 1d12h against 36 h -+ 1 h.
  last_used("test", now_ms - 36 * hour_ms + hour_ms);
  EXPECT_EQ(json::parse(ws.Run({"cache", "prune", "--older-than", "1d12h", "--json"}).out)
                ["removed_entries"].size(),
            0u);
  last_used("test", now_ms - 36 * hour_ms - hour_ms);
  p = json::parse(ws.Run({"cache", "prune", "--older-than", "1d12h", "--json"}).out);
  ASSERT_EQ(p["removed_entries"].size(), 1u) << p.dump();
  EXPECT_EQ(p["removed_entries"][0]["job"], "test");
  Ran(ws);
  auto r = ws.Run({"run", "--json"});
  EXPECT_EQ(JobStatuses(r)["docs"], "success");
  EXPECT_EQ(JobStatuses(r)["test"], "success");
  EXPECT_EQ(JobStatuses(r)["build"], "cached");

  auto clear = ws.Run({"cache", "clear", "--json"});
  ASSERT_EQ(clear.code, 0) << clear.err;
  json c = json::parse(clear.out);
  EXPECT_EQ(c["removed_entries"].size(), 3u);
  EXPECT_EQ(c["removed_objects"], 1);
  EXPECT_EQ(c["object_bytes"], 25);
  r = ws.Run({"run", "--json"});
  EXPECT_EQ(JobStatuses(r)["build"], "success");
}

}  // namespace
}  // namespace gauntlet
