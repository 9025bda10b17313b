// The server's routes over a repository's history (retry, deployments, gate verdicts) and
// the run, job and deployment events of GET /api/v1/events, end to end: the real
// `gauntlet serve`, a real bare repository, real HTTP, a real deploy stage (a recreate
// deployment whose health check is a command: no nginx needed).
#include <gtest/gtest.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "server_e2e.h"

namespace gauntlet::server_testing {
namespace {

std::string Pipeline(const std::string& dir) {
  return "name: app\non: push\nstages:\n"
         "  - name: build\n    jobs:\n"
         "      - name: version\n        run: echo version=7 >> \"$GAUNTLET_OUTPUT\"\n"
         "      - name: flaky\n        run: test -e " + dir + "/fixed\n"
         "  - name: ship\n    depends_on: [build]\n    environment: prod\n"
         "environments:\n  prod:\n    strategy: recreate\n"
         "    instances: [{name: one, address: \"127.0.0.1:1\"}]\n"
         "    deploy: echo ${{ release.version }} > " + dir + "/deployed\n"
         "    health: {type: command, command: \"true\", period: 50ms, failure_threshold: 1}\n";
}

// One server: a push whose `flaky` job fails (run 1: rejected by the gate, nothing
// deployed), a retry through the API once it is fixed (run 2: only `flaky` runs again, the
// deploy stage deploys version 7), the deployment and both verdicts read back, and the
// event stream holding each job's start before its end, the runs' ends and the deploy.
TEST_F(ServerE2E, RetryDeploymentsGateAndRunEventsThroughTheApi) {
  Commit("version.txt", "1\n", Pipeline(dir_));
  const std::string head = Push("main");
  const std::string reader = Token("r", "read"), trigger = Token("t", "trigger");
  const httplib::Headers as_reader = {{"Authorization", "Bearer " + reader}};
  const httplib::Headers as_trigger = {{"Authorization", "Bearer " + trigger}};
  StartServer();
  Stream events(port_, "/api/v1/events?after=0", reader);
  std::shared_ptr<void> stop_first(nullptr, [&](void*) {
    server_.Stop();  // ends the stream, so it can be joined
    events.Join();
  });
  ASSERT_EQ(Hook("push", "a-1", PushBody("refs/heads/main", std::string(40, '0'), head))->status,
            202);
  const std::string item = "push refs/heads/main@" + head.substr(0, 12);
  ASSERT_NE(ReadUntil("queue 1: " + item + ": done (failed)"), "") << seen_lines_;

  // The gate rejects run 1 and says why, with the failed job's diagnosis.
  auto gate = Client().Get("/api/v1/gate?run=1", as_reader);
  ASSERT_TRUE(gate);
  ASSERT_EQ(gate->status, 200) << gate->body;
  json verdict = json::parse(gate->body);
  EXPECT_EQ(verdict["decision"], "reject") << gate->body;
  EXPECT_NE(verdict["failed_jobs"].dump().find("flaky"), std::string::npos) << gate->body;
  EXPECT_EQ(verdict["repo"], "app");
  for (const char* bad : {"/api/v1/gate", "/api/v1/gate?run=1&commit=main", "/api/v1/gate?commit=-x",
                          "/api/v1/gate?run=0", "/api/v1/gate?commit=main&base=a:b"})
    EXPECT_EQ(Client().Get(bad, as_reader)->status, 400) << bad;
  EXPECT_EQ(Client().Get("/api/v1/gate?run=9", as_reader)->status, 404);
  EXPECT_EQ(Client().Get("/api/v1/gate?commit=" + std::string(40, 'e'), as_reader)->status, 404);
  EXPECT_EQ(Client().Get("/api/v1/gate?run=1")->status, 401);
  EXPECT_EQ(Client().Get("/api/v1/deployments", as_reader)->body,
            R"({"deployments":[],"repo":"app"})");

  // Retry: the trigger scope, a known run that ended without success.
  EXPECT_EQ(Client().Post("/api/v1/runs/1/retry", "", "application/json")->status, 401);
  EXPECT_EQ(Client().Post("/api/v1/runs/1/retry", as_reader, "", "application/json")->status, 403);
  EXPECT_EQ(Client().Post("/api/v1/runs/9/retry", as_trigger, "", "application/json")->status, 404);
  EXPECT_EQ(Client().Post("/api/v1/runs/1/retry?repo=nope", as_trigger, "", "")->status, 404);
  Put(dir_ + "/fixed", "");
  auto retry = Client().Post("/api/v1/runs/1/retry", as_trigger, "", "application/json");
  ASSERT_TRUE(retry);
  ASSERT_EQ(retry->status, 202) << retry->body;
  EXPECT_EQ(json::parse(retry->body)["retry_of"], 1);
  ASSERT_NE(ReadUntil("queue 2: " + item + ": done (success)"), "") << seen_lines_;
  EXPECT_EQ(testing::ReadFile(dir_ + "/deployed"), "7\n");
  auto again = Client().Post("/api/v1/runs/2/retry", as_trigger, "", "application/json");
  EXPECT_EQ(again->status, 409) << again->body;

  // Run 2 took `version` from run 1 and ran `flaky` and the deploy stage.
  json run2 = json::parse(Client().Get("/api/v1/runs/2", as_reader)->body);
  EXPECT_EQ(run2["status"], "success") << run2.dump();

  auto list = Client().Get("/api/v1/deployments", as_reader);
  ASSERT_TRUE(list && list->status == 200);
  json deployments = json::parse(list->body)["deployments"];
  ASSERT_EQ(deployments.size(), 1u) << list->body;
  EXPECT_EQ(deployments[0]["version"], "7");
  EXPECT_EQ(deployments[0]["trigger"], "run 2, stage ship");
  EXPECT_EQ(deployments[0]["state"], "succeeded");
  EXPECT_FALSE(deployments[0].contains("events")) << "the list is `deployments --json`'s";
  const std::string id = std::to_string(deployments[0]["id"].get<int64_t>());
  auto one = Client().Get("/api/v1/deployments/" + id, as_reader);
  ASSERT_TRUE(one && one->status == 200);
  EXPECT_FALSE(json::parse(one->body)["events"].empty()) << one->body;
  EXPECT_EQ(Client().Get("/api/v1/deployments/99", as_reader)->status, 404);
  EXPECT_EQ(Client().Get("/api/v1/deployments?environment=qa", as_reader)->body,
            R"({"deployments":[],"repo":"app"})");
  EXPECT_EQ(Client().Get("/api/v1/deployments?limit=0", as_reader)->status, 400);
  EXPECT_EQ(Client().Get("/api/v1/deployments")->status, 401);
  auto metrics = Client().Get("/metrics", as_reader);
  ASSERT_TRUE(metrics && metrics->status == 200);
  EXPECT_NE(metrics->body.find(
                R"(gauntlet_deployments_total{repo="app",environment="prod",outcome="succeeded"} 1)"),
            std::string::npos)
      << metrics->body;

  // The CLI as a client: the same output as reading the repository's store here.
  ws_.Write("reader-token", reader + "\n");
  const std::string server = "http://127.0.0.1:" + std::to_string(port_);
  const std::string history = dir_ + "/state/repos/app";
  const std::vector<std::vector<std::string>> formats = {{}, {"--json"}};
  for (const std::string command : {"runs", "status"}) {
    for (const std::vector<std::string>& format : formats) {
      std::vector<std::string> remote = {command, "--server", server, "--token-file",
                                         (ws_.dir() / "reader-token").string()};
      std::vector<std::string> local = {command, "--state-dir", history};
      remote.insert(remote.end(), format.begin(), format.end());
      local.insert(local.end(), format.begin(), format.end());
      testing::Output there = ws_.Run(remote), here = ws_.Run(local);
      EXPECT_EQ(there.code, 0) << command << ": " << there.err;
      EXPECT_EQ(there.out, here.out) << command;
      EXPECT_NE(there.out.find("success"), std::string::npos) << there.out;
    }
  }
  testing::Output first = ws_.Run({"status", "1", "--server", server, "--token-file",
                                 (ws_.dir() / "reader-token").string()});
  EXPECT_EQ(first.code, 0) << first.err;
  EXPECT_EQ(first.out, ws_.Run({"status", "1", "--state-dir", history}).out);
  testing::Output none = ws_.Run({"status", "99", "--server", server, "--token-file",
                                  (ws_.dir() / "reader-token").string()});
  EXPECT_EQ(none.code, 3) << "404: no such run";
  EXPECT_NE(none.err.find("(404)"), std::string::npos) << none.err;
  testing::Output refused = ws_.Run({"runs", "--server", server});
  EXPECT_EQ(refused.code, 1) << "no token: 401";
  EXPECT_NE(refused.err.find("(401)"), std::string::npos) << refused.err;
  EXPECT_EQ(ws_.Run({"runs", "--server", server, "--repo", "nope", "--token-file",
                     (ws_.dir() / "reader-token").string()})
                .code,
            3);

  auto green = Client().Get("/api/v1/gate?commit=" + head, as_reader);
  ASSERT_TRUE(green && green->status == 200) << (green ? green->body : "");
  EXPECT_NE(json::parse(green->body)["decision"], "reject") << green->body;

  // Events: in the order they happened, each job's start before its end.
  const std::string text =
      events.WaitFor(R"("queue":2,"repo":"app","run_id":2,"status":"success","what":"finished"})");
  auto at = [&](const std::string& s, size_t from = 0) { return text.find(s, from); };
  const size_t started = at(R"("job":"flaky","pipeline":"gauntlet.yml","queue":1,"repo":"app","run_id":1,"what":"started")");
  const size_t failed = at(R"("job":"flaky","pipeline":"gauntlet.yml","queue":1,"reason")");
  ASSERT_NE(started, std::string::npos) << text;
  ASSERT_NE(failed, std::string::npos) << text;
  EXPECT_LT(started, failed) << text;
  EXPECT_NE(at(R"("status":"failed","what":"finished")", failed), std::string::npos) << text;
  EXPECT_NE(at(R"("queue":1,"repo":"app","run_id":1,"status":"failed","what":"finished"})"),
            std::string::npos)
      << text;
  const size_t step = at("event: deployment\ndata: ");
  ASSERT_NE(step, std::string::npos) << text;
  EXPECT_NE(at(R"("deployment":)" + id, step), std::string::npos) << text;
}

// --tls-cert/--tls-key: the server speaks HTTPS with the given pair. A client that trusts
// the certificate (made here by the openssl CLI) is answered; one that does not, and a
// plain-HTTP client, get nothing; one file without the other stops the server at once.
TEST_F(ServerE2E, TlsServesHttpsWithTheGivenCertificate) {
  Push("main");
  const std::string cert = dir_ + "/cert.pem", key = dir_ + "/key.pem";
  ASSERT_EQ(Sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
               "-days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
               key + " -out " + cert + " 2>/dev/null"),
            0);
  const std::vector<std::string> serve = {GAUNTLET_BINARY, "serve", "--listen", "127.0.0.1:0",
                                          "--repo", "app=" + origin_, "--state-dir",
                                          dir_ + "/state"};
  testing::Output half = ws_.Run({"serve", "--listen", "127.0.0.1:0", "--repo", "app=" + origin_,
                                  "--state-dir", dir_ + "/state", "--tls-cert", cert});
  EXPECT_EQ(half.code, 2) << half.err;
  EXPECT_NE(half.err.find("both --tls-cert and --tls-key"), std::string::npos) << half.err;
  std::vector<std::string> argv = serve;
  argv.insert(argv.end(), {"--tls-cert", cert, "--tls-key", key});
  ASSERT_TRUE(server_.Start(argv, dir_ + "/server.err"));
  const std::string line = server_.ReadLine(seconds(20));
  const size_t at = line.find("https://127.0.0.1:");
  ASSERT_NE(at, std::string::npos) << line << testing::ReadFile(dir_ + "/server.err");
  const int port = std::stoi(line.substr(at + 18));

  httplib::SSLClient trusting("127.0.0.1", port);
  trusting.set_ca_cert_path(cert.c_str());
  trusting.enable_server_certificate_verification(true);
  auto ok = trusting.Get("/healthz");
  ASSERT_TRUE(ok) << httplib::to_string(ok.error());
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, R"({"status":"ok"})");

  httplib::SSLClient stranger("127.0.0.1", port);
  stranger.enable_server_certificate_verification(true);
  EXPECT_FALSE(stranger.Get("/healthz")) << "a certificate nobody vouches for is refused";
  httplib::Client plain("127.0.0.1", port);
  plain.set_read_timeout(5, 0);
  auto cleartext = plain.Get("/healthz");
  EXPECT_FALSE(cleartext && cleartext->status == 200);
}

}  // namespace
}  // namespace gauntlet::server_testing
