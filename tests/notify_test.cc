// `notify:` end to end: the real `gauntlet run` and `gauntlet serve` POSTing to a real
// HTTP receiver the test starts on port 0 (cpp-httplib), answering as each test scripts
// it; the deliveries read back with `gauntlet notifications` and GET /api/v1/notifications.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include "cli_test_util.h"
#include "server_e2e.h"

namespace gauntlet::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

// An HTTP receiver on 127.0.0.1: records each POST and answers with the next scripted
// status (200 once the script is used up).
class NotifyReceiver {
 public:
  struct Request {
    std::string path, body, authorization, content_type;
  };
  explicit NotifyReceiver(std::deque<int> script = {}) : script_(std::move(script)) {
    server_.Post(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      int status = 200;
      {
        std::lock_guard<std::mutex> lock(mu_);
        got_.push_back({req.path, req.body, req.get_header_value("Authorization"),
                        req.get_header_value("Content-Type")});
        if (!script_.empty()) {
          status = script_.front();
          script_.pop_front();
        }
      }
      changed_.notify_all();
      res.status = status;
      res.set_content("{}", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~NotifyReceiver() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::string Url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  // Waits (up to 60 s) for `n` requests; those received so far.
  std::vector<Request> WaitFor(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_for(lock, seconds(60), [&] { return got_.size() >= n; });
    return got_;
  }
  std::vector<Request> Got() {
    std::lock_guard<std::mutex> lock(mu_);
    return got_;
  }

 private:
  httplib::Server server_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<int> script_;
  std::vector<Request> got_;
  int port_ = 0;
  std::thread thread_;
};

// A pipeline whose one job succeeds (or fails), with `notify` as its notify: block.
std::string NotifyPipeline(const std::string& notify, bool fail = false) {
  return "name: ci\n" + notify + "jobs:\n  build:\n    run: echo building\n  unit:\n    run: " +
         (fail ? "exit 3" : "true") + "\n";
}

json ListedNotifications(Workspace& ws, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"notifications", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  Output o = ws.Run(args);
  EXPECT_EQ(o.code, 0) << o.err;
  return JsonOut(o);
}

// Every file under `dir` that holds `text`.
std::vector<std::string> FilesHoldingText(const fs::path& dir, const std::string& text) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
    if (!e.is_regular_file(ec)) continue;
    if (ReadFile(e.path()).find(text) != std::string::npos) out.push_back(e.path().string());
  }
  return out;
}

TEST(NotifyE2E, ARunPostsItsEndWithASlackTextAndIsRecorded) {
  NotifyReceiver receiver;
  Workspace ws;
  ws.Write("gauntlet.yml", NotifyPipeline("notify:\n  - url: " + receiver.Url() + "\n", true));
  Output o = ws.Run({"run", "--json"});
  EXPECT_EQ(o.code, 1) << o.err;
  // The run's result is printed before anything is sent, and the exit waits for it.
  std::vector<NotifyReceiver::Request> got = receiver.Got();
  ASSERT_EQ(got.size(), 1u) << o.err;
  EXPECT_EQ(got[0].path, "/hook");
  EXPECT_EQ(got[0].content_type, "application/json");
  json body = json::parse(got[0].body);
  const int64_t run = JsonOut(o)["run"].get<int64_t>();
  EXPECT_EQ(body["event"], "failure");
  EXPECT_EQ(body["kind"], "run");
  EXPECT_EQ(body["run_id"], run);
  EXPECT_EQ(body["pipeline"], "ci");
  EXPECT_EQ(body["status"], "failed");
  EXPECT_EQ(body["jobs_failed"], json::array({"unit"}));
  EXPECT_TRUE(body["deployment"].is_null());
  EXPECT_TRUE(body["url"].is_null());  // a local run has no page to link to
  const std::string text = body["text"];
  EXPECT_NE(text.find("ci run " + std::to_string(run) + " failed"), std::string::npos) << text;
  EXPECT_NE(text.find("(failed: unit)"), std::string::npos) << text;
  EXPECT_NE(o.err.find("notified " + receiver.Url() + " (failure): 200 after 1 attempt"),
            std::string::npos)
      << o.err;

  json list = ListedNotifications(ws);
  ASSERT_EQ(list.size(), 1u) << list.dump();
  EXPECT_EQ(list[0]["state"], "delivered");
  EXPECT_EQ(list[0]["event"], "failure");
  EXPECT_EQ(list[0]["run_id"], run);
  EXPECT_EQ(list[0]["url"], receiver.Url());
  EXPECT_EQ(list[0]["attempts"], 1);
  EXPECT_EQ(list[0]["tries"][0]["status_code"], 200);
  EXPECT_EQ(list[0]["body"]["text"], text);
  Output shown = ws.Run({"notifications", "--run", std::to_string(run)});
  EXPECT_EQ(shown.code, 0) << shown.err;
  EXPECT_NE(shown.out.find("delivered failure of run " + std::to_string(run)), std::string::npos)
      << shown.out;
  EXPECT_NE(shown.out.find("attempt 1: 200"), std::string::npos) << shown.out;

  // --no-notify sends nothing.
  EXPECT_EQ(ws.Run({"run", "--no-notify"}).code, 1);
  EXPECT_EQ(receiver.Got().size(), 1u);
}

TEST(NotifyE2E, FiveHundredTwiceThenOkIsThreeAttemptsInOrder) {
  NotifyReceiver receiver({500, 500, 200});
  Workspace ws;
  ws.Write("gauntlet.yml",
           NotifyPipeline("notify:\n  - {url: \"" + receiver.Url() + "\", backoff: 50ms}\n"));
  Output o = ws.Run({"run"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(receiver.Got().size(), 3u);
  json list = ListedNotifications(ws);
  ASSERT_EQ(list.size(), 1u) << list.dump();
  EXPECT_EQ(list[0]["state"], "delivered");
  EXPECT_EQ(list[0]["attempts"], 3);
  ASSERT_EQ(list[0]["tries"].size(), 3u) << list.dump();
  const std::vector<int> codes = {500, 500, 200};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(list[0]["tries"][i]["number"], i + 1);
    EXPECT_EQ(list[0]["tries"][i]["status_code"], codes[i]);
  }
  EXPECT_EQ(list[0]["tries"][0]["error"], "HTTP 500");
  // Backoff: 50 ms, then 100 ms.
  EXPECT_GE(list[0]["tries"][2]["at_ms"].get<int64_t>() - list[0]["tries"][0]["at_ms"].get<int64_t>(),
            150);
}

TEST(NotifyE2E, AFourHundredIsNotRetriedAndAnUnreachableUrlGivesUp) {
  NotifyReceiver receiver({400});
  Workspace ws;
  // Port 1 on this host refuses at once: a connection error, retried up to `attempts`.
  ws.Write("gauntlet.yml",
           NotifyPipeline("notify:\n  - {url: \"" + receiver.Url() + "\", backoff: 10ms}\n"
                    "  - {url: \"http://127.0.0.1:1/x\", attempts: 2, backoff: 10ms}\n"));
  Output o = ws.Run({"run"});
  EXPECT_EQ(o.code, 0) << o.err;  // a failed notification never changes the run's result
  EXPECT_EQ(receiver.Got().size(), 1u);
  json list = ListedNotifications(ws);
  ASSERT_EQ(list.size(), 2u) << list.dump();
  const json& refused = list[1]["url"] == receiver.Url() ? list[1] : list[0];
  const json& dead = list[1]["url"] == receiver.Url() ? list[0] : list[1];
  EXPECT_EQ(refused["state"], "failed");
  EXPECT_EQ(refused["attempts"], 1);
  EXPECT_EQ(refused["status_code"], 400);
  EXPECT_EQ(refused["error"], "HTTP 400 (not retried)");
  EXPECT_EQ(dead["state"], "failed");
  EXPECT_EQ(dead["attempts"], 2);
  EXPECT_EQ(dead["tries"][0]["status_code"], 0);
  EXPECT_NE(dead["error"].get<std::string>().find("gave up after 2 attempts"), std::string::npos)
      << dead.dump();
  EXPECT_NE(o.err.find("warning: notifying"), std::string::npos) << o.err;
}

TEST(NotifyE2E, OnFiltersWhichEntriesAnEndReaches) {
  NotifyReceiver receiver;
  Workspace ws;
  const std::string notify = "notify:\n  - {url: \"" + receiver.Url("/failures") +
                             "\", on: [failure, cancelled]}\n  - {url: \"" +
                             receiver.Url("/successes") + "\", on: success}\n";
  ws.Write("gauntlet.yml", NotifyPipeline(notify));
  EXPECT_EQ(ws.Run({"run"}).code, 0);
  std::vector<NotifyReceiver::Request> got = receiver.Got();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].path, "/successes");
  EXPECT_NE(got[0].body.find("\"event\":\"success\""), std::string::npos) << got[0].body;

  ws.Write("gauntlet.yml", NotifyPipeline(notify, true));
  EXPECT_EQ(ws.Run({"run"}).code, 1);
  got = receiver.Got();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].path, "/failures");
  EXPECT_EQ(ListedNotifications(ws).size(), 2u);
}

TEST(NotifyE2E, ASecretUrlAndTokenAreMaskedEverywhere) {
  NotifyReceiver receiver;
  Workspace ws;
  const std::string path = "/services/T0KEN-7f3a9c";
  const std::string url = receiver.Url(path), token = "bearer-secret-51e2";
  ws.Write("secrets", "HOOK_URL=" + url + "\nHOOK_TOKEN=" + token + "\n");
  ws.Write("gauntlet.yml",
           "name: ci\nsecrets: [HOOK_URL, HOOK_TOKEN]\nnotify:\n"
           "  - url: ${{ secrets.HOOK_URL }}\n"
           "    headers: {Authorization: \"Bearer ${{ secrets.HOOK_TOKEN }}\"}\n"
           "jobs:\n  build:\n    run: echo built\n");
  Output o = ws.Run({"run", "--secrets-file", "secrets", "--json"});
  EXPECT_EQ(o.code, 0) << o.err;
  std::vector<NotifyReceiver::Request> got = receiver.Got();
  ASSERT_EQ(got.size(), 1u) << o.err;
  EXPECT_EQ(got[0].path, path);
  EXPECT_EQ(got[0].authorization, "Bearer " + token);
  json list = ListedNotifications(ws);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["url"], "***");
  EXPECT_EQ(list[0]["state"], "delivered");
  Output text = ws.Run({"notifications"});
  for (const std::string& secret : {url, path, token}) {
    EXPECT_EQ(o.out.find(secret), std::string::npos) << o.out;
    EXPECT_EQ(o.err.find(secret), std::string::npos) << o.err;
    EXPECT_EQ(list.dump().find(secret), std::string::npos) << list.dump();
    EXPECT_EQ(text.out.find(secret), std::string::npos) << text.out;
    EXPECT_EQ(FilesHoldingText(ws.dir() / ".gauntlet", secret), std::vector<std::string>{});
  }
}

TEST(NotifyE2E, NotifyMistakesAreReportedAtTheirLineAndColumn) {
  Workspace ws;
  ws.Write("gauntlet.yml",
           "name: ci\nnotify:\n  - url: ftp://example.com/x\n  - {url: \"http://x\", on: [failed]}\n"
           "  - {on: [success]}\n  - url: ${{ secrets.NOPE }}\n"
           "  - {url: \"http://x\", headers: {\"Bad Header\": v}, attempts: 0}\n"
           "jobs:\n  build:\n    run: true\n");
  Output o = ws.Run({"validate"});
  EXPECT_NE(o.code, 0);
  const std::string all = o.out + o.err;
  EXPECT_NE(all.find("gauntlet.yml:3:10: "), std::string::npos) << all;
  EXPECT_NE(all.find("must start with http:// or https://"), std::string::npos) << all;
  EXPECT_NE(all.find("gauntlet.yml:4:28: error: unknown notify event 'failed'"), std::string::npos) << all;
  EXPECT_NE(all.find("gauntlet.yml:5:5: error: a notify entry has no url"), std::string::npos) << all;
  EXPECT_NE(all.find("secret 'NOPE' is not declared"), std::string::npos) << all;
  EXPECT_NE(all.find("'Bad Header' is not a header name"), std::string::npos) << all;
  EXPECT_NE(all.find("gauntlet.yml:7:61: error: value 0 is out of range"), std::string::npos) << all;
}

}  // namespace
}  // namespace gauntlet::testing

namespace gauntlet::server_testing {
namespace {

// The server: a push's run notifies with the run's link on the server and the
// repository, through the server's own notifier; GET /api/v1/notifications lists it,
// with the secret URL masked there and in the server's output.
TEST_F(ServerE2E, AServerRunNotifiesWithItsLinkAndListsTheDelivery) {
  testing::NotifyReceiver receiver({503});
  const std::string url = receiver.Url("/hooks/s3cr3t-path");
  ws_.Write("secrets", "HOOK=" + url + "\n");
  Commit("version.txt", "2\n",
         "name: app\non: push\nsecrets: [HOOK]\nnotify:\n"
         "  - {url: \"${{ secrets.HOOK }}\", backoff: 20ms}\n"
         "jobs:\n  build:\n    run: exit 1\n");
  const std::string head = Push("main");
  const std::string reader = Token("r", "read");
  StartServer({"--secrets-file", dir_ + "/secrets"});
  ASSERT_EQ(Hook("push", "n-1", PushBody("refs/heads/main", std::string(40, '0'), head))->status,
            202);
  ASSERT_NE(ReadUntil("done (failed)"), "") << seen_lines_;
  std::vector<testing::NotifyReceiver::Request> got = receiver.WaitFor(2);
  ASSERT_EQ(got.size(), 2u);
  json body = json::parse(got[1].body);
  EXPECT_EQ(body["event"], "failure");
  EXPECT_EQ(body["repo"], "app");
  EXPECT_EQ(body["commit"], head);
  EXPECT_EQ(body["branch"], "main");
  const std::string link = "http://127.0.0.1:" + std::to_string(port_) + "/api/v1/runs/1?repo=app";
  EXPECT_EQ(body["url"], link);
  EXPECT_NE(body["text"].get<std::string>().find("app: app run 1 failed on main at " +
                                                  head.substr(0, 12) + " (failed: build) " + link),
            std::string::npos)
      << body["text"];
  const std::string note = "notified *** (failure of run 1): 200 after 2 attempts";
  if (seen_lines_.find(note) == std::string::npos) {
    ASSERT_NE(ReadUntil(note), "") << seen_lines_;
  }

  const httplib::Headers as_reader = {{"Authorization", "Bearer " + reader}};
  auto answer = Client().Get("/api/v1/notifications?run=1", as_reader);
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->status, 200) << answer->body;
  json list = json::parse(answer->body)["notifications"];
  ASSERT_EQ(list.size(), 1u) << answer->body;
  EXPECT_EQ(list[0]["url"], "***");
  EXPECT_EQ(list[0]["attempts"], 2);
  EXPECT_EQ(list[0]["tries"][0]["status_code"], 503);
  EXPECT_EQ(answer->body.find("s3cr3t-path"), std::string::npos);
  EXPECT_EQ(seen_lines_.find("s3cr3t-path"), std::string::npos);
  EXPECT_EQ(Client().Get("/api/v1/notifications")->status, 401);
  EXPECT_EQ(Client().Get("/api/v1/notifications?run=x", as_reader)->status, 400);

  // The CLI as a client shows the same.
  std::ofstream(dir_ + "/token") << reader << "\n";
  testing::Output o = ws_.Run({"notifications", "--server", "http://127.0.0.1:" + std::to_string(port_),
               "--token-file", dir_ + "/token", "--json"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(testing::JsonOut(o).size(), 1u) << o.out;
}

}  // namespace
}  // namespace gauntlet::server_testing
