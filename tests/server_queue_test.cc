// The server's queue, end to end: `--slots N` (runs of different repositories at once, one
// repository's runs one at a time, never more than N at once) and `concurrency:` groups;
// observed through the API (the jobs wait at a gate the test opens, so nothing here
// depends on timing).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <functional>
#include <future>
#include <map>
#include <thread>

#include "server_e2e.h"

namespace gauntlet::server_testing {
namespace {

// A gate the jobs wait at, blocked in `flock -s` (no polling): shut while the test holds
// an exclusive lock on the file, open to every job, later ones too, once Open() drops it.
// The descriptor is close-on-exec, so the server never inherits the lock.
class Gate {
 public:
  explicit Gate(std::string path)
      : path_(std::move(path)), fd_(::open(path_.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644)) {
    EXPECT_GE(fd_, 0) << path_;
    EXPECT_EQ(::flock(fd_, LOCK_EX), 0) << path_;
  }
  ~Gate() { Open(); }
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;
  void Open() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_;
};

// A job that waits (up to a minute) at `gate`; `head` goes before `jobs:`.
std::string WaitingPipeline(const Gate& gate, const std::string& head = "") {
  return "name: app\n" + head + "jobs:\n  hold:\n    run: flock -w 60 -s " + gate.path() +
         " true\n";
}

class ServerQueue : public ServerE2E {
 protected:
  json Trigger(const std::string& token, const std::string& repo, const std::string& ref = "main") {
    auto r = Client().Post("/api/v1/runs", {{"Authorization", "Bearer " + token}},
                           json{{"repo", repo}, {"ref", ref}}.dump(), "application/json");
    EXPECT_TRUE(r && r->status == 202) << (r ? r->body : "no answer");
    return r ? json::parse(r->body, nullptr, false) : json();
  }
  // Polls the queue until `done` says it is as wanted (or 60 s passed): the queue then.
  // The queue once `done` holds of it, waiting on the server's long poll (answered when
  // any item changes), at most a minute.
  json QueueWhen(const std::string& token, const std::function<bool(const json&)>& done) {
    auto end = std::chrono::steady_clock::now() + seconds(60);
    json answer = QueueAnswer(token, "");
    while (!done(answer["items"]) && std::chrono::steady_clock::now() < end)
      answer = QueueAnswer(token, "?wait=10&changed_since=" + answer["epoch"].dump());
    return answer["items"];
  }
  json QueueAnswer(const std::string& token, const std::string& query) {
    auto r = Client().Get("/api/v1/queue" + query, {{"Authorization", "Bearer " + token}});
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    json j = r ? json::parse(r->body, nullptr, false) : json();
    return j.is_object() ? j : json{{"items", json::array()}, {"epoch", 0}};
  }
  // Item id -> its state in `items`.
  static std::map<int64_t, std::string> States(const json& items) {
    std::map<int64_t, std::string> out;
    for (const json& i : items) out[i["id"].get<int64_t>()] = i["state"].get<std::string>();
    return out;
  }
  int64_t Queued(const std::string& token, const std::string& ref) {
    return Trigger(token, "app", ref)["queued"].get<int64_t>();
  }
  // Waits until item `id` has started its run (its run id is recorded); `id`.
  int64_t Started(const std::string& token, int64_t id) {
    json items = QueueWhen(token, [&](const json& q) { return Item(q, id)["run_id"] != 0; });
    EXPECT_NE(Item(items, id)["run_id"], 0) << items.dump(1);
    return id;
  }
  // The queue once every item has ended.
  json AllEnded(const std::string& token) {
    return QueueWhen(token, [&](const json& q) {
      for (const json& i : q)
        if (i["state"] == "queued" || i["state"] == "running") return false;
      return true;
    });
  }
  static const json& Item(const json& items, int64_t id) {
    for (const json& i : items)
      if (i["id"] == id) return i;
    static const json none = {{"run_id", 0}, {"state", ""}, {"reason", ""}};
    return none;
  }
};

// Three repositories, two slots, four triggers: app, app, lib, tool. The first app run
// and the lib run go at once (the second app run waits for the first: same repository;
// tool waits for a slot); once the gate opens everything ends, the second app run after
// the first. It fails when: with one worker thread the lib run never
// overlaps the first app run; with TakeNext ignoring busy repositories the second app
// run is taken while the first runs; with a third slot the tool run is running too.
// GET /api/v1/queue?changed_since=E&wait=S: a long poll on the whole queue, answered
// when any item changes after the answer that gave E. The poll is sent before the trigger
// (a server that answered at once would miss the new item), and answered with it.
TEST_F(ServerQueue, ALongPollOnTheQueueIsAnsweredByAChange) {
  Commit("version.txt", "2\n");
  Push("main");
  StartServer({});
  const std::string trigger = Token("t", "trigger");
  const json first = QueueAnswer(trigger, "");
  ASSERT_TRUE(first["epoch"].is_number_integer()) << first.dump();
  auto poll = std::async(std::launch::async, [&] {
    return QueueAnswer(trigger, "?wait=60&changed_since=" + first["epoch"].dump());
  });
  const int64_t id = Trigger(trigger, "app")["queued"].get<int64_t>();
  const json answer = poll.get();
  EXPECT_GT(answer["epoch"].get<int64_t>(), first["epoch"].get<int64_t>());
  EXPECT_NE(Item(answer["items"], id)["state"], "") << answer.dump(1);
  // A malformed epoch is refused with the reason.
  auto bad = Client().Get("/api/v1/queue?changed_since=soon",
                          {{"Authorization", "Bearer " + trigger}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("changed_since must be the epoch"), std::string::npos) << bad->body;
  AllEnded(trigger);
}

TEST_F(ServerQueue, RunsOfDifferentRepositoriesOverlapUpToTheSlots) {
  Gate gate(dir_ + "/go");
  Commit("version.txt", "1\n", WaitingPipeline(gate));
  Push("main");
  for (const char* name : {"lib", "tool"})
    ASSERT_EQ(Sh("git clone -q --bare " + origin_ + " " + dir_ + "/" + name + ".git"), 0);
  StartServer({"--repo", "lib=" + dir_ + "/lib.git", "--repo", "tool=" + dir_ + "/tool.git",
               "--slots", "2"});
  const std::string trigger = Token("t", "trigger");
  const int64_t app1 = Trigger(trigger, "app")["queued"].get<int64_t>();
  const int64_t app2 = Trigger(trigger, "app")["queued"].get<int64_t>();
  const int64_t lib = Trigger(trigger, "lib")["queued"].get<int64_t>();
  const int64_t tool = Trigger(trigger, "tool")["queued"].get<int64_t>();

  // Both slots busy with a run that has started: its run id is recorded.
  json items = QueueWhen(trigger, [&](const json& q) {
    return Item(q, app1)["run_id"] != 0 && Item(q, lib)["run_id"] != 0;
  });
  ASSERT_NE(Item(items, app1)["run_id"], 0) << items.dump(1);
  ASSERT_NE(Item(items, lib)["run_id"], 0) << items.dump(1);
  // The runs themselves are running, as the repositories' stores say through the API.
  for (auto [id, repo] : {std::pair{app1, "app"}, std::pair{lib, "lib"}}) {
    auto run =
        Client().Get("/api/v1/runs/" + std::to_string(Item(items, id)["run_id"].get<int64_t>()) +
                         "?repo=" + repo,
                     {{"Authorization", "Bearer " + trigger}});
    ASSERT_TRUE(run && run->status == 200);
    EXPECT_EQ(json::parse(run->body)["status"], "running") << repo << ": " << run->body;
  }
  EXPECT_EQ(States(items),
            (std::map<int64_t, std::string>{
                {app1, "running"}, {app2, "queued"}, {lib, "running"}, {tool, "queued"}}));

  gate.Open();
  items = QueueWhen(trigger, [&](const json& q) {
    for (const json& i : q)
      if (i["state"] != "done") return false;
    return true;
  });
  for (int64_t id : {app1, app2, lib, tool})
    EXPECT_EQ(Item(items, id)["reason"], "success") << items.dump(1);
  EXPECT_GE(Item(items, app2)["started_ms"], Item(items, app1)["finished_ms"])
      << "one repository's runs go one at a time";
}

// concurrency: {group: deploy-${{ branch }}}: while the first main run holds the group,
// a second main item waits and a third replaces it (cancelled, with the reason); an item
// of another group (branch `other`) is not touched. It fails when: without
// the replacement the second runs too (done); with groups not rendered (the raw text as
// the name) the `other` item is replaced as well.
TEST_F(ServerQueue, ANewerWaitingRunReplacesTheOlderOneOfItsGroup) {
  Gate gate(dir_ + "/go");
  Commit("version.txt", "1\n",
         WaitingPipeline(gate, "concurrency: {group: 'deploy-${{ branch }}'}\n"));
  Push("main");
  Push("other");
  StartServer();
  const std::string token = Token("t", "trigger");
  const int64_t first = Started(token, Queued(token, "main"));
  const int64_t second = Queued(token, "main");
  const int64_t other = Queued(token, "other");
  const int64_t third = Queued(token, "main");
  json items =
      QueueWhen(token, [&](const json& q) { return Item(q, second)["state"] == "cancelled"; });
  EXPECT_EQ(Item(items, second)["state"], "cancelled") << items.dump(1);
  EXPECT_EQ(Item(items, second)["reason"],
            "replaced by queue " + std::to_string(third) + " in concurrency group deploy-main");
  EXPECT_EQ(States(items),
            (std::map<int64_t, std::string>{
                {first, "running"}, {second, "cancelled"}, {other, "queued"}, {third, "queued"}}));
  gate.Open();
  items = AllEnded(token);
  for (int64_t id : {first, other, third}) EXPECT_EQ(Item(items, id)["reason"], "success");
  EXPECT_EQ(Item(items, second)["run_id"], 0) << "a replaced item never ran";
}

// cancel-in-progress: a newer item of the group cancels the running run, which ends
// `cancelled`, and then runs. It fails when: without the cancel the first
// run waits for the gate and ends `success`.
TEST_F(ServerQueue, CancelInProgressCancelsTheRunningRunOfTheGroup) {
  Gate gate(dir_ + "/go");
  Commit("version.txt", "1\n",
         WaitingPipeline(gate,
                         "concurrency:\n  group: ci-${{ branch }}\n"
                         "  cancel-in-progress: true\n"));
  Push("main");
  StartServer();
  const std::string token = Token("t", "trigger");
  const int64_t first = Started(token, Queued(token, "main"));
  const int64_t second = Queued(token, "main");
  json items = QueueWhen(token, [&](const json& q) { return Item(q, first)["state"] == "done"; });
  EXPECT_EQ(Item(items, first)["reason"], "cancelled") << items.dump(1);
  Started(token, second);
  gate.Open();
  items = AllEnded(token);
  EXPECT_EQ(Item(items, second)["reason"], "success") << items.dump(1);
}

// --workspace fresh: each run in STATE/workspaces/app@ID, removed once it succeeded, kept
// after a failure; pruned at start once older than --keep-failed (not before). It fails
// when: with EndFresh removing every workspace the failed one is gone at once;
// with the prune ignoring --keep-failed it is gone after the first restart.
TEST_F(ServerQueue, FreshWorkspacesGoAfterSuccessAndStayAfterFailureUntilPruned) {
  Commit("version.txt", "1\n",
         "name: app\njobs:\n  check:\n    run: test \"$(cat version.txt)\" = 1\n");
  Push("main");
  Commit("version.txt", "2\n",
         "name: app\njobs:\n  check:\n    run: test \"$(cat version.txt)\" = 1\n");
  Push("bad");
  const std::string spaces = dir_ + "/state/workspaces/";
  StartServer({"--workspace", "fresh"});
  const std::string token = Token("t", "trigger");
  const int64_t good = Queued(token, "main");
  const int64_t bad = Queued(token, "bad");
  json items = AllEnded(token);
  EXPECT_EQ(Item(items, good)["reason"], "success") << items.dump(1);
  EXPECT_EQ(Item(items, bad)["reason"], "failed") << items.dump(1);
  EXPECT_FALSE(std::filesystem::exists(spaces + "app@" + std::to_string(good)));
  EXPECT_TRUE(std::filesystem::exists(spaces + "app@" + std::to_string(bad) + "/version.txt"));
  EXPECT_FALSE(std::filesystem::exists(spaces + "app")) << "no kept working copy";

  server_.Stop();
  StartServer({"--workspace", "fresh", "--keep-failed", "3600"});
  EXPECT_TRUE(std::filesystem::exists(spaces + "app@" + std::to_string(bad)));
  server_.Stop();
  StartServer({"--workspace", "fresh", "--keep-failed", "0"});
  EXPECT_FALSE(std::filesystem::exists(spaces + "app@" + std::to_string(bad)));
}

TEST_F(ServerQueue, ZeroSlotsIsRefusedAtStart) {
  testing::Output o = ws_.Run({"serve", "--repo", origin_, "--state-dir", dir_ + "/state",
                               "--listen", "127.0.0.1:0", "--slots", "0"});
  EXPECT_EQ(o.code, 2) << o.out << o.err;
  EXPECT_NE(o.err.find("--slots"), std::string::npos) << o.err;
}

}  // namespace
}  // namespace gauntlet::server_testing
