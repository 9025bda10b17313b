// End to end deploys: the real `gauntlet` binary against a real nginx (as this user,
// temp prefix, on a unix socket), real gauntlet-testapp backends started and stopped by
// the environment's own deploy and stop commands on reserved ports, and a client that
// never retries looping requests through nginx (deploy/testing_client.h).
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli_test_util.h"
#include "deploy/testing.h"
#include "deploy/testing_client.h"
#include "deploy/testing_nginx.h"
#include "store/sqlite_store.h"
#include "core/test_tools.h"

namespace gauntlet {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

// The environment's commands: start gauntlet-testapp on the slot's port (a version with
// "late-bad" in it answers 500 to half the requests after its first 150, one with "bad"
// to half of them at once, "slow" takes 600 ms), and stop it.
inline std::string DeployScript() {
  return std::string("#!/bin/sh\nset -e\n") +
         "pidfile=\"slot-$GAUNTLET_SLOT.pid\"\n"
         "if [ -f \"$pidfile\" ]; then\n"
         "  pid=$(cat \"$pidfile\"); kill \"$pid\" 2>/dev/null || true\n"
         "  tail --pid=\"$pid\" -s 0.01 -f /dev/null\nfi\n"
         "flags=''\n"
         "case \"$GAUNTLET_RELEASE_VERSION\" in\n"
         "  *late-bad*) flags='--error-rate 0.5 --fail-after 150' ;;\n"
         "  *bad*) flags='--error-rate 0.5' ;;\n"
         "  *slow*) flags='--latency-ms 600' ;;\nesac\n" +
         deploy::testing::TestAppPath() +
         " --port \"$GAUNTLET_PORT\" --version \"$GAUNTLET_RELEASE_VERSION\" $flags "
         ">\"slot-$GAUNTLET_SLOT.log\" 2>&1 &\n"
         "echo $! > \"$pidfile\"\n";
}

inline const char* kStopScript =
    "#!/bin/sh\npidfile=\"slot-$GAUNTLET_SLOT.pid\"\n"
    "[ -f \"$pidfile\" ] || exit 0\npid=$(cat \"$pidfile\")\n"
    "kill \"$pid\" 2>/dev/null || true\n"
    "tail --pid=\"$pid\" -s 0.01 -f /dev/null\nrm -f \"$pidfile\"\n";

class DeployE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    GAUNTLET_NEED_TOOL(deploy::testing::HaveNginx(), "nginx");
    dir_ = ws_.dir().string();
    ASSERT_GT(blue_port_.port(), 0);
    ASSERT_GT(green_port_.port(), 0);
    // Until the first deployment writes it: a server that refuses (nothing deployed yet).
    nginx_.emplace(dir_ + "/nginx", "upstream app { server 127.0.0.1:1; }\n");
    ASSERT_TRUE(nginx_->ok()) << testing::ReadFile(nginx_->error_log());
    ws_.Write("deploy.sh", DeployScript());
    ws_.Write("stop.sh", kStopScript);
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

  // The pipeline file with one environment: what every strategy takes, then the keys
  // its strategy uses, then `extra` (more environment keys), then `graph`.
  void WritePipeline(const std::string& strategy, const std::string& extra = "",
                     const std::string& graph = "jobs:\n  noop: {run: \"true\"}\n") {
    std::string nginx;
    for (const auto& a : nginx_->command())
      nginx += (nginx.empty() ? "" : ", ") + ("\"" + a + "\"");
    std::string text = "name: deploy-e2e\nenvironments:\n  prod:\n    strategy: " + strategy +
                       "\n    instances:\n      - {name: blue, address: \"" + blue_port_.address() +
                       "\"}\n      - {name: green, address: \"" + green_port_.address() +
                       "\"}\n"
                       "    deploy: ./deploy.sh ${{ slot }}\n"
                       "    stop: ./stop.sh\n"
                       "    router:\n      type: nginx\n      upstream_file: " +
                       nginx_->upstream_file() + "\n      upstream_name: app\n      nginx: [" +
                       nginx + "]\n" +
                       "    health:\n      type: http\n"
                       "      url: http://${{ instance.address }}/health\n"
                       "      period: 50ms\n      timeout: 500ms\n      failure_threshold: 100\n";
    if (strategy != "recreate") {
      // 100 probe requests per window: enough for a p99. Generous p99 ratio by default:
      // a loaded (sanitized, shared) machine must not fail a good version on latency
      // noise; the slow-version test sets the real default, 3.
      text +=
          "    drain: 100ms\n    drain_timeout: 10s\n"
          "    analysis:\n      interval: 500ms\n      probe: {requests: 100}\n"
          "      max_p99_ratio: " +
          p99_ratio_ + "\n" + analysis_extra_;
      if (strategy != "rolling") text += "      pre_traffic: 500ms\n";
    }
    if (strategy == "canary") text += "    steps: [20, 50, 100]\n";
    if (strategy == "canary" || strategy == "rolling") text += "    pause: 500ms\n";
    if (strategy == "canary" || strategy == "blue_green")
      text += "    scale_down_delay: " + scale_down_delay_ + "\n";
    ws_.Write("gauntlet.yml", text + extra + graph);
  }

  testing::Output Gauntlet(std::vector<std::string> args) { return ws_.Run(std::move(args)); }
  // Runs gauntlet with `args` and --json, checks its exit code, returns its stdout parsed.
  nlohmann::json GauntletJson(std::vector<std::string> args, int want_code) {
    args.push_back("--json");
    testing::Output o = Gauntlet(std::move(args));
    EXPECT_EQ(o.code, want_code) << o.out << o.err;
    return testing::JsonOut(o);
  }

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

  // Why requests failed, for a failing assertion's message: the client's failures, the
  // deployments' events and nginx's error log, all timed to the millisecond (UTC) but
  // nginx (to the second).
  std::string Why(deploy::testing::Client& client) {
    std::string out = client.failures() + "\nevents:";
    nlohmann::json list = Deployments();
    for (auto d = list.rbegin(); list.is_array() && d != list.rend(); ++d) {
      for (const auto& e : (*d)["events"]) {
        int64_t ms = e.value("at_ms", int64_t{0});
        time_t t = ms / 1000;
        tm parts{};
        gmtime_r(&t, &parts);
        char when[16];
        strftime(when, sizeof when, "%H:%M:%S", &parts);
        out += "\n  " + std::string(when) + "." + std::to_string(1000 + ms % 1000).substr(1) +
               " deployment " + (*d)["id"].dump() + " " + e.value("kind", "") + " step " +
               e["step"].dump() + " weight " + e["weight"].dump() + " " + e.value("detail", "");
      }
    }
    return out + "\nnginx error.log:\n" + testing::ReadFile(nginx_->error_log());
  }

  std::string Upstream() { return testing::ReadFile(nginx_->upstream_file()); }
  // The upstream's `server` lines as address -> weight (slots at weight 0 are comments).
  std::map<std::string, int> Servers() {
    std::map<std::string, int> out;
    std::istringstream lines(Upstream());
    for (std::string line; std::getline(lines, line);) {
      std::istringstream words(line);
      std::string server, address, weight;
      if (!(words >> server >> address >> weight) || server != "server") continue;
      if (!weight.starts_with("weight=") || !weight.ends_with(";")) continue;
      out[address] = std::stoi(weight.substr(7, weight.size() - 8));
    }
    return out;
  }
  // `address` has exactly `weight`; weight 100 means all the traffic: no other server.
  bool Serves(const std::string& address, int weight) {
    const std::map<std::string, int> servers = Servers();
    auto it = servers.find(address);
    if (it == servers.end() || it->second != weight) return false;
    return weight != 100 || servers.size() == 1;
  }
  bool Running(const std::string& slot) { return fs::exists(dir_ + "/slot-" + slot + ".pid"); }

  // v1, the stable release the tests start from: on blue with all the traffic (two
  // slots), or on both instances with weight 1 each (rolling, recreate).
  void DeployFirst(int blue_weight = 100) {
    testing::Output o = Gauntlet({"deploy", "prod", "--version", "1"});
    ASSERT_EQ(o.code, 0) << o.out << o.err;
    ASSERT_TRUE(Serves(blue(), blue_weight)) << Upstream();
  }

  // A client through nginx, counting from the moment `version` answers and nginx has
  // settled. A first deployment has no old slot to drain, so nginx's workers from before
  // it (routing to the placeholder upstream) may still accept a connection or two.
  std::unique_ptr<deploy::testing::Client> ClientOn(const std::string& version) {
    EXPECT_TRUE(nginx_->AwaitSettled(seconds(10))) << testing::ReadFile(nginx_->error_log());
    auto client = std::make_unique<deploy::testing::Client>(nginx_->socket());
    EXPECT_TRUE(client->WaitFor(version, seconds(10)));
    client->Reset();
    return client;
  }

  // `gauntlet ARGS` in the background, its progress lines read as they come.
  void StartEngine(deploy::testing::Child* engine, std::vector<std::string> args) {
    args.insert(args.begin(), GAUNTLET_BINARY);
    args.insert(args.end(), {"-f", dir_ + "/gauntlet.yml"});
    ASSERT_TRUE(engine->Start(args));
  }
  // Reads lines until one holds `text`; that line, or "" at the deadline or the end.
  std::string ReadUntil(deploy::testing::Child* engine, const std::string& text,
                        std::chrono::milliseconds deadline = seconds(60)) {
    auto end = std::chrono::steady_clock::now() + deadline;
    std::string line;
    while (std::chrono::steady_clock::now() < end) {
      line = engine->ReadLine(
          std::chrono::duration_cast<milliseconds>(end - std::chrono::steady_clock::now()));
      if (line.empty() || line.find(text) != std::string::npos) return line;
    }
    return "";
  }

  // A `queue` web metric read from `server`'s /stats, judged by `condition` ("": none).
  void WatchQueueMetric(const std::string& server_url, const std::string& condition) {
    analysis_extra_ = "      metrics:\n        - {name: queue, provider: web, query: \"" +
                      server_url + "/stats\", json_path: queue" +
                      (condition.empty() ? "" : ", condition: " + condition) + "}\n";
  }

  std::string blue() const { return blue_port_.address(); }
  std::string green() const { return green_port_.address(); }

  testing::Workspace ws_;
  std::string dir_;
  // The slots' ports, held for the whole test (deploy/testing.h, ReservedPort).
  deploy::testing::ReservedPort blue_port_, green_port_;
  std::optional<deploy::testing::TestNginx> nginx_;
  std::string p99_ratio_ = "20";
  std::string scale_down_delay_ = "300ms";
  std::string analysis_extra_;  // more keys under analysis:
};

}  // namespace gauntlet
