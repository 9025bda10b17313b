// `gauntlet release` waiting for a person (gate: approval, approval: wait), end to end:
// the real binary waits in one process, `gauntlet approve N` decides in another (under
// script(1), which gives it the terminal a person has), and the release goes on or stops.
// A release killed while waiting waits on the same request when run again. Each test
// costs two or three release processes and one approve (about 1-2 s under ASan).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <regex>

#include "release_e2e.h"

namespace gauntlet {
namespace {

using std::chrono::seconds;
using std::chrono::steady_clock;

// The gate judges the quality run; a new author (L0) makes it say needs-approval.
constexpr const char* kWaiting = "  bump: [VERSION]\n  quality: [test]\n  gate: approval\n";

class ReleaseApprovalE2E : public ReleaseE2E {
 protected:
  void Start() {
    FirstRelease(kWaiting);
    Commit("fix: judged");
  }

  // A `gauntlet release` waiting for a person: its process, its stdout, the request.
  struct Waiting {
    pid_t pid = -1;
    int fd = -1;
    int64_t id = 0;  // 0: it did not wait
  };

  // Starts `gauntlet release` and reads its output until it waits.
  Waiting StartWaiting() {
    const std::string err = (ws_.dir() / (".stderr-wait" + std::to_string(++waits_))).string();
    Waiting w;
    w.pid = testing::SpawnGauntletPiped({"release"}, ws_.dir(), &w.fd, err);
    std::string out;
    const bool waiting =
        testing::ReadUntil(w.fd, &out, "`gauntlet approve", steady_clock::now() + seconds(60));
    std::smatch m;
    if (!waiting || !std::regex_search(out, m, std::regex("waiting for approval (\\d+)"))) {
      ADD_FAILURE() << "the release did not wait: " << out << testing::ReadFile(err);
      return w;
    }
    w.id = std::stoll(m[1]);
    return w;
  }

  // The rest of the waiting release's output and its exit code.
  int Finish(const Waiting& w, std::string* out) {
    testing::ReadUntil(w.fd, out, "\x01never", steady_clock::now() + seconds(60));  // to EOF
    close(w.fd);
    int status = 0;
    EXPECT_EQ(waitpid(w.pid, &status, 0), w.pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  // `gauntlet approve ARGS` as a person runs it: at a terminal, outside any pipeline job.
  int Approve(const std::string& args) {
    const std::string cmd = "cd '" + ws_.dir().string() +
                            "' && env -u GAUNTLET_RUN_ID -u GAUNTLET_JOB script -qec \"'" +
                            GAUNTLET_BINARY + "' approve " + args + "\" /dev/null >/dev/null";
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }

  nlohmann::json Approvals() {
    testing::Output o = ws_.Run({"approvals", "--all", "--json"});
    EXPECT_EQ(o.code, 0) << o.err;
    return nlohmann::json::parse(o.out, nullptr, false);
  }

  int waits_ = 0;
};

TEST_F(ReleaseApprovalE2E, WaitsForAPersonAndAKilledWaitWaitsOnTheSameRequest) {
  Start();
  Waiting w = StartWaiting();
  const int64_t id = w.id;
  ASSERT_GT(id, 0);
  // While it waits, the status file and the history show the step.
  auto status = StatusFile();
  EXPECT_EQ(status["status"], "running");
  ASSERT_EQ(status["steps"].back()["name"], "approval");
  EXPECT_EQ(status["steps"].back()["result"], "running");
  EXPECT_NE(status["steps"].back()["detail"].get<std::string>().find("gauntlet approve " +
                                                                     std::to_string(id)),
            std::string::npos);
  testing::Output listed = ws_.Run({"releases", "--json"});
  auto steps = nlohmann::json::parse(listed.out)["releases"][0]["steps"];
  EXPECT_EQ(steps.back()["name"], "approval");
  EXPECT_EQ(steps.back()["result"], "running");
  // Killed while waiting: a re-run waits on the same request.
  ::kill(w.pid, SIGKILL);
  std::string out;
  EXPECT_EQ(Finish(w, &out), 128 + SIGKILL);
  w = StartWaiting();
  EXPECT_EQ(w.id, id);
  auto requests = Approvals();
  ASSERT_EQ(requests.size(), 1u) << requests;
  EXPECT_EQ(requests[0]["kind"], "release");
  EXPECT_EQ(requests[0]["pipeline"], "app");
  EXPECT_EQ(requests[0]["version"], "1.0.1");
  EXPECT_EQ(requests[0]["commit"], Head());
  EXPECT_EQ(requests[0]["requested_by"], "ada@example.com");  // HEAD's author, judged L0
  EXPECT_EQ(Tags().count("v1.0.1"), 0u);
  // What the request is for, as a person reads it.
  testing::Output text = ws_.Run({"approvals"});
  EXPECT_NE(text.out.find("pending   release app 1.0.1 " + Head().substr(0, 12) +
                          " asked by ada@example.com"),
            std::string::npos)
      << text.out;
  // A person approves in another process: the release goes on and tags.
  EXPECT_EQ(Approve(std::to_string(id) + " --reason reviewed"), 0);
  EXPECT_EQ(Finish(w, &out), 0) << out;
  EXPECT_EQ(Tags().count("v1.0.1"), 1u);
  status = StatusFile();
  EXPECT_EQ(status["status"], "released");
  EXPECT_EQ(status["steps"][3]["name"], "approval");
  EXPECT_EQ(status["steps"][3]["result"], "ok");
  EXPECT_NE(status["steps"][3]["detail"].get<std::string>().find("approved by"), std::string::npos);
  EXPECT_GT(Approvals()[0]["used_ms"].get<int64_t>(), 0);
}

TEST_F(ReleaseApprovalE2E, ADenialEndsTheReleaseWithoutATagAndStands) {
  Start();
  const Waiting w = StartWaiting();
  ASSERT_GT(w.id, 0);
  EXPECT_EQ(Approve(std::to_string(w.id) + " --deny --reason not-today"), 0);
  std::string out;
  EXPECT_EQ(Finish(w, &out), 14) << out;
  EXPECT_NE(out.find("denied"), std::string::npos) << out;
  EXPECT_EQ(Tags().count("v1.0.1"), 0u);
  EXPECT_EQ(File("VERSION"), "1.0.0\n");
  EXPECT_EQ(StatusFile()["status"], "denied");
  // Run again: the denial of this commit and version stands; no second request.
  auto doc = ReleaseJson({}, 14);
  EXPECT_EQ(doc["status"], "denied");
  EXPECT_EQ(Approvals().size(), 1u);
}

}  // namespace
}  // namespace gauntlet
