// End to end: `gauntlet deploy` / `deployments` / `rollback` / `promote` against a real
// nginx on 127.0.0.1 (as this user, temp prefix), real gauntlet-testapp backends started
// by the environment's own deploy command, and a client looping requests through nginx.
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "cli_test_util.h"
#include "deploy/testing.h"
#include "deploy/testing_http.h"
#include "store/sqlite_store.h"

namespace gauntlet {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

bool HaveNginx() { return access("/usr/sbin/nginx", X_OK) == 0; }

size_t Append(char* d, size_t s, size_t n, void* out) {
  static_cast<std::string*>(out)->append(d, s * n);
  return s * n;
}

// A client looping GETs through nginx on one keep-alive handle until stopped: what a
// user of the environment sees.
class Client {
 public:
  explicit Client(std::string url) : url_(std::move(url)) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~Client() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // Forgets what was seen so far: counting starts once the stable release serves (the
  // first deployment's reload is asynchronous; until it lands nginx has no backend).
  void Reset() {
    std::lock_guard<std::mutex> lock(mu_);
    failed_ = 0;
    ok_ = 0;
    seen_.clear();
  }
  int failed() const { return failed_; }
  int ok() const { return ok_; }
  std::map<std::string, int> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }
  // Waits until a response with `body` has been seen since the call.
  bool WaitFor(const std::string& body, std::chrono::milliseconds deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    int before = seen_[body];
    return cv_.wait_for(lock, deadline, [&] { return seen_[body] > before + 5; });
  }

 private:
  void Loop() {
    CURL* curl = curl_easy_init();
    while (!stop_) {
      std::string body;
      curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
      curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
      curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
      curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Append);
      curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
      long status = 0;
      bool good = curl_easy_perform(curl) == CURLE_OK &&
                  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
                  status == 200;
      (good ? ok_ : failed_)++;
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++seen_[good ? body : "FAILED"];
      }
      cv_.notify_all();
    }
    curl_easy_cleanup(curl);
  }
  std::string url_;
  std::atomic<bool> stop_{false};
  std::atomic<int> ok_{0}, failed_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> seen_;
  std::thread thread_;
};

class DeployE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveNginx()) GTEST_SKIP() << "nginx is not installed (scripts/install-deps)";
    dir_ = ws_.dir().string();
    blue_ = "127.0.0.1:" + std::to_string(deploy::testing::FreePort());
    green_ = "127.0.0.1:" + std::to_string(deploy::testing::FreePort());
    listen_ = "127.0.0.1:" + std::to_string(deploy::testing::FreePort());
    const std::string n = dir_ + "/nginx";
    fs::create_directories(n);
    std::ofstream(n + "/nginx.conf")
        << (geteuid() == 0 ? "user root;\n" : "") << "worker_processes 1;\n"
        << "pid " << n << "/nginx.pid;\nerror_log " << n << "/error.log;\n"
        << "events { worker_connections 512; }\n"
        << "http {\n  access_log off;\n"
        << "  client_body_temp_path " << n << "/body; proxy_temp_path " << n << "/proxy;\n"
        << "  fastcgi_temp_path " << n << "/fcgi; uwsgi_temp_path " << n << "/uwsgi;\n"
        << "  scgi_temp_path " << n << "/scgi;\n"
        << "  include " << n << "/upstream.conf;\n"
        << "  server { listen " << listen_ << "; location / { proxy_pass http://app; } }\n}\n";
    // Until the first deployment writes it: a server that refuses (nothing deployed yet).
    std::ofstream(n + "/upstream.conf") << "upstream app { server 127.0.0.1:1; }\n";
    nginx_argv_ = {"/usr/sbin/nginx", "-p", n, "-e", n + "/error.log", "-c", n + "/nginx.conf"};
    std::vector<std::string> argv = nginx_argv_;
    argv.insert(argv.end(), {"-g", "daemon off;"});
    ASSERT_TRUE(nginx_.Start(argv, n + "/stderr.log"));
    ASSERT_TRUE(deploy::testing::WaitForPort(listen_, seconds(10)));

    // The environment's commands: start gauntlet-testapp on the slot's port (a version
    // with "bad" in it answers 500 to half the requests, "slow" takes 600 ms), stop it.
    ws_.Write("deploy.sh", std::string("#!/bin/sh\nset -e\n") +
                               "pidfile=\"slot-$GAUNTLET_SLOT.pid\"\n"
                               "if [ -f \"$pidfile\" ]; then\n"
                               "  pid=$(cat \"$pidfile\"); kill \"$pid\" 2>/dev/null || true\n"
                               "  tail --pid=\"$pid\" -s 0.01 -f /dev/null\nfi\n"
                               "flags=''\n"
                               "case \"$GAUNTLET_RELEASE_VERSION\" in\n"
                               "  *bad*) flags='--error-rate 0.5' ;;\n"
                               "  *slow*) flags='--latency-ms 600' ;;\nesac\n" +
                               deploy::testing::TestAppPath() +
                               " --port \"${GAUNTLET_ADDRESS##*:}\" --version "
                               "\"$GAUNTLET_RELEASE_VERSION\" $flags "
                               ">\"slot-$GAUNTLET_SLOT.log\" 2>&1 &\n"
                               "echo $! > \"$pidfile\"\n");
    ws_.Write("stop.sh",
              "#!/bin/sh\npidfile=\"slot-$GAUNTLET_SLOT.pid\"\n"
              "[ -f \"$pidfile\" ] || exit 0\npid=$(cat \"$pidfile\")\n"
              "kill \"$pid\" 2>/dev/null || true\n"
              "tail --pid=\"$pid\" -s 0.01 -f /dev/null\nrm -f \"$pidfile\"\n");
    fs::permissions(ws_.dir() / "deploy.sh", fs::perms::owner_all, fs::perm_options::add);
    fs::permissions(ws_.dir() / "stop.sh", fs::perms::owner_all, fs::perm_options::add);
  }

  void TearDown() override {
    // Stop every backend the deploy commands started.
    for (const char* slot : {"blue", "green"}) {
      std::ifstream in(dir_ + "/slot-" + slot + ".pid");
      pid_t pid = 0;
      if (in >> pid && pid > 0) kill(pid, SIGTERM);
    }
  }

  // The pipeline file with one environment; `extra` is appended to the environment.
  void WritePipeline(const std::string& strategy, const std::string& extra = "",
                     const std::string& graph = "jobs:\n  noop: {run: \"true\"}\n") {
    std::string nginx;
    for (const auto& a : nginx_argv_) nginx += (nginx.empty() ? "" : ", ") + ("\"" + a + "\"");
    ws_.Write("gauntlet.yml",
              "name: deploy-e2e\n"
              "environments:\n"
              "  prod:\n"
              "    strategy: " +
                  strategy +
                  "\n"
                  "    instances:\n"
                  "      - {name: blue, address: \"" +
                  blue_ +
                  "\"}\n"
                  "      - {name: green, address: \"" +
                  green_ +
                  "\"}\n"
                  "    deploy: ./deploy.sh ${{ slot }}\n"
                  "    stop: ./stop.sh\n"
                  "    router:\n"
                  "      type: nginx\n"
                  "      upstream_file: " +
                  dir_ +
                  "/nginx/upstream.conf\n"
                  "      upstream_name: app\n"
                  "      nginx: [" +
                  nginx +
                  "]\n"
                  "    steps: [20, 50, 100]\n"
                  "    pause: 600ms\n"
                  // The old slot outlives nginx's graceful reload (in-flight requests).
                  "    scale_down_delay: 300ms\n"
                  "    health:\n"
                  "      type: http\n"
                  "      url: http://${{ instance.address }}/health\n"
                  "      period: 50ms\n"
                  "      timeout: 500ms\n"
                  "      failure_threshold: 100\n"
                  "    analysis:\n"
                  "      interval: 300ms\n" +
                  extra + graph);
  }

  testing::Output Gauntlet(std::vector<std::string> args) { return ws_.Run(std::move(args)); }

  nlohmann::json Deployments() {
    testing::Output o = Gauntlet({"deployments", "prod", "--json", "-n", "50", "-v"});
    EXPECT_EQ(o.code, 0) << o.err;
    return nlohmann::json::parse(o.out, nullptr, false);
  }

  std::vector<store::IncidentRecord> Incidents() {
    auto s = store::SqliteStore::Open(dir_ + "/.gauntlet/state.db");
    EXPECT_TRUE(s.ok());
    auto all = (*s)->ListIncidents(0);
    EXPECT_TRUE(all.ok());
    return all.ok() ? *all : std::vector<store::IncidentRecord>{};
  }

  std::string Upstream() { return testing::ReadFile(dir_ + "/nginx/upstream.conf"); }
  std::string Url() const { return "http://" + listen_ + "/"; }

  // v1 on blue with all the traffic: the stable release the tests start from.
  void DeployFirst() {
    testing::Output o = Gauntlet({"deploy", "prod", "--version", "1"});
    ASSERT_EQ(o.code, 0) << o.out << o.err;
    ASSERT_NE(Upstream().find("server " + blue_ + " weight=100"), std::string::npos) << Upstream();
  }

  testing::Workspace ws_;
  std::string dir_, blue_, green_, listen_;
  std::vector<std::string> nginx_argv_;
  // Generous by default: a loaded (sanitized, shared) machine must not fail a good
  // version on latency noise; the slow-version test uses the real default, 3.
  std::string p99_ratio_ = "20";
  deploy::testing::Child nginx_;
};

TEST_F(DeployE2E, CanaryPromotesAGoodVersionThroughEveryStep) {
  WritePipeline("canary");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  Client client(Url());
  ASSERT_TRUE(client.WaitFor("version 1\n", seconds(10)));
  client.Reset();

  testing::Output o = Gauntlet({"deploy", "prod", "--version", "2"});
  EXPECT_EQ(o.code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("step 1/3: 20% to green"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("step 2/3: 50% to green"), std::string::npos) << o.out;
  EXPECT_NE(Upstream().find("server " + green_ + " weight=100"), std::string::npos) << Upstream();
  EXPECT_EQ(Upstream().find("server " + blue_), std::string::npos) << Upstream();
  EXPECT_TRUE(client.WaitFor("version 2\n", seconds(10)));
  client.Stop();
  EXPECT_EQ(client.failed(), 0);

  nlohmann::json list = Deployments();
  ASSERT_TRUE(list.is_array());
  ASSERT_EQ(list.size(), 2u);
  const nlohmann::json& d = list[0];
  EXPECT_EQ(d["state"], "succeeded");
  EXPECT_EQ(d["version"], "2");
  EXPECT_EQ(d["previous_version"], "1");
  EXPECT_EQ(d["strategy"], "canary");
  EXPECT_NE(d["trigger"].get<std::string>().find("deploy by"), std::string::npos);
  std::set<int> weights;
  for (const auto& v : d["verdicts"]) {
    EXPECT_EQ(v["verdict"], "pass") << v.dump();
    EXPECT_TRUE(v.contains("value") && v.contains("baseline") && v.contains("threshold") &&
                v.contains("window_ms"))
        << v.dump();
    weights.insert(v["weight"].get<int>());
  }
  EXPECT_EQ(weights, (std::set<int>{0, 20, 50})) << "analysis before traffic, then each step";
  EXPECT_TRUE(Incidents().empty());

  // The text form shows the same history.
  testing::Output text = Gauntlet({"deployments", "prod"});
  EXPECT_EQ(text.code, 0);
  EXPECT_NE(text.out.find("#2 prod 2 (canary) succeeded"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("error_rate"), std::string::npos) << text.out;

  // Manual rollback: v1 is redeployed to the idle slot (blue was stopped) and gets the
  // traffic, without analysis; v2 is stopped and an incident recorded.
  testing::Output rb = Gauntlet({"rollback", "prod", "--json"});
  EXPECT_EQ(rb.code, 0) << rb.out << rb.err;
  nlohmann::json r = nlohmann::json::parse(rb.out, nullptr, false);
  EXPECT_EQ(r["state"], "succeeded");
  EXPECT_EQ(r["strategy"], "rollback");
  EXPECT_EQ(r["version"], "1");
  EXPECT_TRUE(r["verdicts"].empty());
  EXPECT_NE(Upstream().find("server " + blue_ + " weight=100"), std::string::npos) << Upstream();
  auto incidents = Incidents();
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].kind, "rollback");
  EXPECT_EQ(incidents[0].environment, "prod");
  EXPECT_EQ(incidents[0].version, "2");
}

TEST_F(DeployE2E, ErroringCanaryRollsBackWithoutAFailedUserRequest) {
  WritePipeline("canary");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  Client client(Url());
  ASSERT_TRUE(client.WaitFor("version 1\n", seconds(10)));
  client.Reset();

  testing::Output o = Gauntlet({"deploy", "prod", "--version", "2-bad", "--json"});
  EXPECT_EQ(o.code, 1) << o.out << o.err;
  nlohmann::json d = nlohmann::json::parse(o.out, nullptr, false);
  EXPECT_EQ(d["state"], "rolled_back") << o.out;
  EXPECT_NE(d["reason"].get<std::string>().find("error_rate"), std::string::npos) << d["reason"];
  bool failed_error_rate = false;
  for (const auto& v : d["verdicts"]) {
    if (v["metric"] == "error_rate" && v["verdict"] == "fail") {
      failed_error_rate = true;
      EXPECT_GT(v["value"].get<double>(), 0.3);
      EXPECT_EQ(v["baseline"].get<double>(), 0.0);
      EXPECT_EQ(v["weight"], 0) << "judged before any user traffic moved";
    }
  }
  EXPECT_TRUE(failed_error_rate) << o.out;
  // Traffic stayed on blue, the canary slot was stopped, an incident was recorded.
  EXPECT_NE(Upstream().find("server " + blue_ + " weight=100"), std::string::npos) << Upstream();
  EXPECT_FALSE(fs::exists(dir_ + "/slot-green.pid"));
  EXPECT_TRUE(client.WaitFor("version 1\n", seconds(10)));
  client.Stop();
  EXPECT_EQ(client.failed(), 0) << "a user request failed during the deployment";
  EXPECT_EQ(client.seen().count("version 2-bad\n"), 0u);
  auto incidents = Incidents();
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].version, "2-bad");
  EXPECT_NE(incidents[0].detail.find("error_rate"), std::string::npos) << incidents[0].detail;
}

TEST_F(DeployE2E, SlowCanaryFailsOnP99) {
  p99_ratio_ = "3";
  WritePipeline("canary");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  testing::Output o = Gauntlet({"deploy", "prod", "--version", "2-slow", "--json"});
  EXPECT_EQ(o.code, 1) << o.out << o.err;
  nlohmann::json d = nlohmann::json::parse(o.out, nullptr, false);
  EXPECT_EQ(d["state"], "rolled_back") << o.out;
  bool p99_failed = false;
  for (const auto& v : d["verdicts"]) {
    if (v["metric"] == "p99_latency_ms" && v["verdict"] == "fail") {
      p99_failed = true;
      EXPECT_GE(v["value"].get<double>(), 550.0);
    }
  }
  EXPECT_TRUE(p99_failed) << o.out;
  EXPECT_NE(Upstream().find("server " + blue_ + " weight=100"), std::string::npos) << Upstream();
}

TEST_F(DeployE2E, BlueGreenSwitchesWithZeroFailedRequests) {
  WritePipeline("blue_green");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  Client client(Url());
  ASSERT_TRUE(client.WaitFor("version 1\n", seconds(10)));
  client.Reset();
  testing::Output o = Gauntlet({"deploy", "prod", "--version", "2"});
  EXPECT_EQ(o.code, 0) << o.out << o.err;
  EXPECT_NE(Upstream().find("server " + green_ + " weight=100"), std::string::npos) << Upstream();
  EXPECT_TRUE(client.WaitFor("version 2\n", seconds(10)));
  client.Stop();
  EXPECT_EQ(client.failed(), 0);
  EXPECT_GT(client.ok(), 0);
}

// The probe's latency is what the deploy takes per step: read gauntlet's progress lines
// as events (stdout on a pipe), with deadlines.
TEST_F(DeployE2E, KilledMidCanaryIsRefusedToOthersAndResumes) {
  WritePipeline("canary");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  deploy::testing::Child engine;
  ASSERT_TRUE(engine.Start(
      {GAUNTLET_BINARY, "deploy", "prod", "--version", "2", "-f", dir_ + "/gauntlet.yml"}));
  std::string line;
  auto end = std::chrono::steady_clock::now() + seconds(60);
  // "traffic: ..." is printed once the weights are applied and recorded.
  const std::string at_step_2 = "traffic: blue=50 green=50";
  while (line.find(at_step_2) == std::string::npos && std::chrono::steady_clock::now() < end) {
    line = engine.ReadLine(seconds(30));
    if (line.empty()) break;
  }
  ASSERT_NE(line.find(at_step_2), std::string::npos) << "the deployment never reached step 2";
  // Killed mid-step: the record says where it was and what traffic it had applied.
  engine.Stop(SIGKILL);
  nlohmann::json before = Deployments()[0];
  EXPECT_EQ(before["state"], "running");
  EXPECT_EQ(before["phase"], "step");
  EXPECT_EQ(before["step"], 1);
  EXPECT_EQ(before["weight"], 50);
  EXPECT_NE(Upstream().find("server " + green_ + " weight=50"), std::string::npos) << Upstream();

  testing::Output refused = Gauntlet({"deploy", "prod", "--version", "3"});
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.err.find("was interrupted in phase step"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--resume"), std::string::npos) << refused.err;

  testing::Output o = Gauntlet({"deploy", "prod", "--resume", "--json"});
  EXPECT_EQ(o.code, 0) << o.out << o.err;
  nlohmann::json d = nlohmann::json::parse(o.out, nullptr, false);
  EXPECT_EQ(d["state"], "succeeded") << o.out;
  EXPECT_EQ(d["version"], "2");
  EXPECT_NE(Upstream().find("server " + green_ + " weight=100"), std::string::npos) << Upstream();
}

TEST_F(DeployE2E, ASecondConcurrentDeployIsRefusedNamingTheHolder) {
  WritePipeline("canary");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  deploy::testing::Child engine;
  ASSERT_TRUE(engine.Start(
      {GAUNTLET_BINARY, "deploy", "prod", "--version", "2", "-f", dir_ + "/gauntlet.yml"}));
  std::string line;
  while ((line = engine.ReadLine(seconds(30))).find("analysis of green") == std::string::npos &&
         !line.empty()) {
  }
  ASSERT_NE(line.find("analysis of green"), std::string::npos);
  testing::Output second = Gauntlet({"deploy", "prod", "--version", "3"});
  EXPECT_EQ(second.code, 1);
  EXPECT_NE(second.err.find("is in progress, driven by pid " + std::to_string(engine.pid())),
            std::string::npos)
      << second.err;
  // The first one is unaffected.
  while (!(line = engine.ReadLine(seconds(30))).empty() &&
         line.find("deployment 2: ") == std::string::npos) {
  }
  EXPECT_NE(line.find("succeeded"), std::string::npos) << line;
}

TEST_F(DeployE2E, InconclusiveAnalysisPausesUntilPromoted) {
  deploy::testing::CannedServer metrics;
  metrics.Set("/stats", 200, R"({"queue": null})");
  WritePipeline("blue_green",
                "      metrics:\n"
                "        - name: queue\n"
                "          provider: web\n"
                "          query: " +
                    metrics.url() +
                    "/stats\n"
                    "          json_path: queue\n"
                    "          condition: result < 10\n");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  testing::Output o = Gauntlet({"deploy", "prod", "--version", "2", "--json"});
  EXPECT_EQ(o.code, 1) << o.out << o.err;
  nlohmann::json d = nlohmann::json::parse(o.out, nullptr, false);
  EXPECT_EQ(d["state"], "paused") << o.out;
  // No traffic moved while it waits for a person.
  EXPECT_NE(Upstream().find("server " + blue_ + " weight=100"), std::string::npos) << Upstream();
  EXPECT_EQ(Gauntlet({"deploy", "prod", "--version", "3"}).code, 1);

  testing::Output p = Gauntlet({"promote", "prod"});
  EXPECT_EQ(p.code, 0) << p.out << p.err;
  EXPECT_NE(Upstream().find("server " + green_ + " weight=100"), std::string::npos) << Upstream();
  EXPECT_EQ(Deployments()[0]["state"], "succeeded");
}

TEST_F(DeployE2E, AbortRollsBackAPausedDeployment) {
  deploy::testing::CannedServer metrics;
  metrics.Set("/stats", 200, R"({"queue": null})");
  WritePipeline("canary",
                "      metrics:\n"
                "        - {name: queue, provider: web, query: \"" +
                    metrics.url() + "/stats\", json_path: queue}\n");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  EXPECT_EQ(Gauntlet({"deploy", "prod", "--version", "2"}).code, 1);
  testing::Output a = Gauntlet({"abort", "prod", "--json"});
  EXPECT_EQ(a.code, 0) << a.out << a.err;
  nlohmann::json d = nlohmann::json::parse(a.out, nullptr, false);
  EXPECT_EQ(d["state"], "rolled_back");
  EXPECT_EQ(d["reason"], "aborted by a person");
  EXPECT_NE(Upstream().find("server " + blue_ + " weight=100"), std::string::npos) << Upstream();
  EXPECT_EQ(Gauntlet({"abort", "prod"}).code, 1) << "nothing left to abort";
}

TEST_F(DeployE2E, APipelineDeployStageGoesThroughTheSameEngine) {
  WritePipeline("canary", "",
                "stages:\n"
                "  - name: build\n"
                "    jobs:\n"
                "      - name: version\n"
                "        run: echo version=7 >> \"$GAUNTLET_OUTPUT\"\n"
                "  - name: ship\n"
                "    depends_on: [build]\n"
                "    environment: prod\n");
  testing::Output o = Gauntlet({"run"});
  EXPECT_EQ(o.code, 0) << o.out << o.err;
  nlohmann::json list = Deployments();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["version"], "7") << "the version output of the job the stage needs";
  EXPECT_EQ(list[0]["trigger"], "run 1, stage ship");
  EXPECT_EQ(list[0]["state"], "succeeded");
  EXPECT_NE(Upstream().find("server " + blue_ + " weight=100"), std::string::npos) << Upstream();
}

// Every file under dir (the store, its WAL, logs), concatenated: where a leak would sit.
std::string AllBytesUnder(const fs::path& dir) {
  std::string all;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) all += testing::ReadFile(e.path());
  }
  return all;
}

TEST_F(DeployE2E, ASecretEchoedByAFailingDeployCommandIsMaskedEverywhere) {
  const std::string secret = "tok-9f8e7d6c5b";
  WritePipeline("canary", "    secrets: [DEPLOY_TOKEN]\n");
  ws_.Write("secrets.env", "DEPLOY_TOKEN=" + secret + "\n");
  // The command gets the secret (kept in a file to prove it), prints it and fails.
  ws_.Write("deploy.sh",
            "#!/bin/sh\nprintf '%s' \"$DEPLOY_TOKEN\" > got-token\n"
            "echo \"logging in with $DEPLOY_TOKEN\"\necho \"bad token $DEPLOY_TOKEN\" >&2\n"
            "exit 7\n");
  const std::string secrets = "--secrets-file=" + dir_ + "/secrets.env";
  testing::Output text = Gauntlet({"deploy", "prod", "--version", "1", secrets});
  EXPECT_EQ(text.code, 1) << text.out << text.err;
  EXPECT_EQ(testing::ReadFile(dir_ + "/got-token"), secret) << "the command got its secret";
  EXPECT_NE(text.out.find("deploy exited 7"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("***"), std::string::npos) << text.out;
  testing::Output json = Gauntlet({"deploy", "prod", "--version", "2", "--json", secrets});
  EXPECT_EQ(json.code, 1) << json.out << json.err;
  nlohmann::json d = nlohmann::json::parse(json.out, nullptr, false);
  EXPECT_NE(d["reason"].get<std::string>().find("logging in with ***"), std::string::npos)
      << d["reason"];
  testing::Output list = Gauntlet({"deployments", "prod", "-v"});
  testing::Output list_json = Gauntlet({"deployments", "prod", "-v", "--json"});
  EXPECT_NE(list.out.find("***"), std::string::npos) << list.out;
  for (const testing::Output* o : {&text, &json, &list, &list_json}) {
    EXPECT_EQ(o->out.find(secret), std::string::npos) << o->out;
    EXPECT_EQ(o->err.find(secret), std::string::npos) << o->err;
  }
  EXPECT_EQ(AllBytesUnder(dir_ + "/.gauntlet").find(secret), std::string::npos)
      << "the secret is in the store";
}

TEST_F(DeployE2E, WithoutRollbackOnFailureAFailedAnalysisPausesOnStableUntilAborted) {
  WritePipeline("canary", "    rollback_on_failure: false\n");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  testing::Output o = Gauntlet({"deploy", "prod", "--version", "2-bad", "--json"});
  EXPECT_EQ(o.code, 1) << o.out << o.err;
  nlohmann::json d = nlohmann::json::parse(o.out, nullptr, false);
  EXPECT_EQ(d["state"], "paused") << o.out;
  EXPECT_NE(d["reason"].get<std::string>().find("error_rate"), std::string::npos) << d["reason"];
  // Users stay on the stable slot; the failing one is kept running for a person to look at.
  EXPECT_NE(Upstream().find("server " + blue_ + " weight=100"), std::string::npos) << Upstream();
  EXPECT_EQ(Upstream().find("server " + green_ + " weight="), std::string::npos) << Upstream();
  EXPECT_TRUE(fs::exists(dir_ + "/slot-green.pid"));
  EXPECT_TRUE(Incidents().empty());
  testing::Output a = Gauntlet({"abort", "prod", "--json"});
  EXPECT_EQ(a.code, 0) << a.out << a.err;
  EXPECT_EQ(nlohmann::json::parse(a.out, nullptr, false)["state"], "rolled_back") << a.out;
  EXPECT_FALSE(fs::exists(dir_ + "/slot-green.pid"));
  EXPECT_NE(Upstream().find("server " + blue_ + " weight=100"), std::string::npos) << Upstream();
}

TEST_F(DeployE2E, CtrlCDuringACanaryPauseMovesTrafficBackAndExits130) {
  WritePipeline("canary");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  deploy::testing::Child engine;
  ASSERT_TRUE(engine.Start(
      {GAUNTLET_BINARY, "deploy", "prod", "--version", "2", "-f", dir_ + "/gauntlet.yml"}));
  // In the first step's pause: 20% of users on green, the analysis running.
  const std::string at_step_1 = "traffic: blue=80 green=20";
  std::string line;
  auto end = std::chrono::steady_clock::now() + seconds(60);
  while (line.find(at_step_1) == std::string::npos && std::chrono::steady_clock::now() < end) {
    line = engine.ReadLine(seconds(30));
    if (line.empty()) break;
  }
  ASSERT_NE(line.find(at_step_1), std::string::npos) << "the deployment never reached step 1";
  int status = engine.Stop(SIGINT);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by the signal instead of trapping it";
  EXPECT_EQ(WEXITSTATUS(status), 130);

  EXPECT_NE(Upstream().find("server " + blue_ + " weight=100"), std::string::npos) << Upstream();
  EXPECT_EQ(Upstream().find("server " + green_ + " weight="), std::string::npos) << Upstream();
  EXPECT_FALSE(fs::exists(dir_ + "/slot-green.pid")) << "the new slot was stopped";
  nlohmann::json d = Deployments()[0];
  EXPECT_EQ(d["state"], "rolled_back");
  EXPECT_NE(d["reason"].get<std::string>().find("interrupted by a signal in phase step"),
            std::string::npos)
      << d["reason"];
  EXPECT_TRUE(Incidents().empty()) << "a person's Ctrl-C is no incident";
  // The lock is released: the next deployment starts.
  EXPECT_EQ(Gauntlet({"deploy", "prod", "--version", "3"}).code, 0);
}

}  // namespace
}  // namespace gauntlet
