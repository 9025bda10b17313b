// `gauntlet mcp` over a raw pipe: bad input of every kind gets a JSON-RPC error or a tool
// error and the session goes on (never a crash); a client that disconnects mid-call ends
// the session cleanly, its run cancelled and recorded; every call is in the audit trail.
// The official SDK client drives the happy path in mcp_sdk_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_test_util.h"

namespace gauntlet {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

// `gauntlet mcp` with a pipe on each side.
class McpProcess {
 public:
  McpProcess(const fs::path& dir, std::vector<std::string> args) : err_(dir / ".mcp-stderr") {
    int in[2], out[2];
    EXPECT_EQ(pipe2(in, O_CLOEXEC), 0);
    EXPECT_EQ(pipe2(out, O_CLOEXEC), 0);
    args.insert(args.begin(), {GAUNTLET_BINARY, "mcp"});
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
    EXPECT_EQ(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(out[1]);
    to_ = in[1];
    from_ = out[0];
  }
  ~McpProcess() {
    CloseInput();
    if (from_ >= 0) close(from_);
    if (pid_ > 0) Wait();
  }

  void SendLine(const std::string& line) {
    std::string l = line + "\n";
    size_t off = 0;
    while (off < l.size()) {
      ssize_t n = write(to_, l.data() + off, l.size() - off);
      ASSERT_GT(n, 0) << strerror(errno);
      off += static_cast<size_t>(n);
    }
  }
  void Send(const json& msg) { SendLine(msg.dump()); }
  void CloseInput() {
    if (to_ >= 0) close(to_);
    to_ = -1;
  }
  // The next line on stdout (within 60 s), parsed.
  json Next() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    size_t nl;
    while ((nl = buf_.find('\n')) == std::string::npos) {
      std::string more;
      if (!testing::ReadUntil(from_, &more, "\n", deadline) && more.empty()) {
        ADD_FAILURE() << "no answer; stderr:\n" << testing::ReadFile(err_);
        return nullptr;
      }
      buf_ += more;
    }
    std::string line = buf_.substr(0, nl);
    buf_.erase(0, nl + 1);
    json j = json::parse(line, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << line;
    return j;
  }
  // The answer to request `id`, skipping notifications.
  json Answer(const json& id) {
    for (int i = 0; i < 1000; ++i) {
      json j = Next();
      if (j.is_null() || (j.contains("id") && j["id"] == id)) return j;
    }
    return nullptr;
  }
  int Wait() {
    int status = 0;
    EXPECT_EQ(waitpid(pid_, &status, 0), pid_);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  std::string Stderr() const { return testing::ReadFile(err_); }

 private:
  fs::path err_;
  pid_t pid_ = -1;
  int to_ = -1, from_ = -1;
  std::string buf_;
};

json Call(int id, const std::string& tool, json arguments, json meta = nullptr) {
  json params = {{"name", tool}, {"arguments", std::move(arguments)}};
  if (!meta.is_null()) params["_meta"] = std::move(meta);
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", "tools/call"}, {"params", params}};
}

void Initialize(McpProcess& p, const std::string& version = "2025-11-25") {
  p.Send(json{{"jsonrpc", "2.0"},
              {"id", 0},
              {"method", "initialize"},
              {"params",
               {{"protocolVersion", version},
                {"capabilities", json::object()},
                {"clientInfo", {{"name", "raw"}, {"version", "0"}}}}}});
  json init = p.Answer(0);
  ASSERT_TRUE(init.contains("result")) << init;
  p.SendLine(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
}

class McpStdio : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_.Write("gauntlet.yml", "name: app\njobs:\n  ok:\n    run: echo fine\n");
  }
  testing::Workspace ws_;
};

TEST_F(McpStdio, BadInputGetsErrorsAndTheSessionGoesOn) {
  McpProcess p(ws_.dir(), {"--as", "raw@example.com"});
  // Before initialize: only ping.
  p.SendLine(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  EXPECT_EQ(p.Answer(1)["error"]["code"], -32600);
  Initialize(p);

  p.SendLine("{this is not json");
  json parse = p.Next();
  EXPECT_EQ(parse["error"]["code"], -32700) << parse;
  EXPECT_TRUE(parse["id"].is_null());

  p.SendLine(R"({"jsonrpc":"2.0","id":2,"method":"no/such"})");
  EXPECT_EQ(p.Answer(2)["error"]["code"], -32601);

  p.SendLine(R"({"jsonrpc":"1.0","id":3,"method":"ping"})");
  EXPECT_EQ(p.Answer(3)["error"]["code"], -32600);

  // No batches in 2025-11-25.
  p.SendLine(R"([{"jsonrpc":"2.0","id":4,"method":"ping"}])");
  json batch = p.Next();
  EXPECT_EQ(batch["error"]["code"], -32600) << batch;

  p.Send(Call(5, "deplyo", json::object()));
  json unknown = p.Answer(5);
  EXPECT_EQ(unknown["error"]["code"], -32602) << unknown;
  EXPECT_THAT(unknown["error"]["message"].get<std::string>(), HasSubstr("did you mean deploy"));

  p.Send(Call(6, "logs", {{"run_id", "one"}}));  // wrong type
  json wrong = p.Answer(6);
  EXPECT_EQ(wrong["result"]["isError"], true) << wrong;
  EXPECT_THAT(wrong["result"]["content"][0]["text"].get<std::string>(), HasSubstr("run_id"));

  p.Send(Call(7, "deploy", {{"environment", "staging"}}));  // missing version
  json missing = p.Answer(7);
  EXPECT_EQ(missing["result"]["isError"], true) << missing;
  EXPECT_THAT(missing["result"]["content"][0]["text"].get<std::string>(), HasSubstr("version"));

  // A 10 MB argument: checked, refused, audited cut short.
  p.Send(Call(8, "validate", {{"padding", std::string(10 << 20, 'x')}}));
  json huge = p.Answer(8);
  EXPECT_EQ(huge["result"]["isError"], true);

  // A line longer than the 16 MiB a message may have: a parse error, and still alive.
  p.SendLine(std::string(17 << 20, ' ') + "{}");
  json too_long = p.Next();
  EXPECT_EQ(too_long["error"]["code"], -32700) << too_long.dump().substr(0, 200);

  p.SendLine(R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"arguments":{}}})");
  EXPECT_EQ(p.Answer(9)["error"]["code"], -32602);

  p.Send(Call(10, "validate", json::object()));
  json ok = p.Answer(10);
  EXPECT_EQ(ok["result"]["isError"], false) << ok;
  EXPECT_EQ(ok["result"]["structuredContent"]["valid"], true);
  p.CloseInput();
  EXPECT_EQ(p.Wait(), 0) << p.Stderr();

  testing::Output audit = ws_.Run({"audit", "--json"});
  ASSERT_EQ(audit.code, 0) << audit.err;
  json rows = testing::JsonOut(audit);
  std::map<std::string, std::string> decisions;
  for (const json& r : rows) decisions[r["tool"]] = r["decision"];
  EXPECT_EQ(decisions["logs"], "invalid");
  EXPECT_EQ(decisions["deplyo"], "invalid");  // an unknown tool is audited too
  EXPECT_EQ(decisions["deploy"], "invalid");
  EXPECT_EQ(decisions["validate"], "allowed");  // the last validate call
  for (const json& r : rows) {
    EXPECT_EQ(r["identity"], "raw@example.com");
    EXPECT_LT(r["arguments"].dump().size(), 2048u);  // the 10 MB argument, cut
  }
}

TEST_F(McpStdio, BatchesOnlyIn2025_03_26) {
  McpProcess p(ws_.dir(), {});
  Initialize(p, "2025-03-26");
  p.SendLine(R"([{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"ping"}])");
  json answers = p.Next();
  ASSERT_TRUE(answers.is_array()) << answers;
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0]["id"], 1);
  EXPECT_EQ(answers[1]["id"], 2);
}

TEST_F(McpStdio, UnknownVersionGetsTheNewest) {
  McpProcess p(ws_.dir(), {});
  p.Send(json{{"jsonrpc", "2.0"},
              {"id", 1},
              {"method", "initialize"},
              {"params", {{"protocolVersion", "1999-01-01"}, {"capabilities", json::object()}}}});
  json init = p.Answer(1);
  EXPECT_EQ(init["result"]["protocolVersion"], "2025-11-25") << init;
  EXPECT_EQ(init["result"]["serverInfo"]["name"], "gauntlet");
}

TEST_F(McpStdio, DisconnectMidRunCancelsTheRunAndExits) {
  ws_.Write("gauntlet.yml",
            std::string("name: app\njobs:\n  hold:\n    commands:\n") + testing::kHoldSteps);
  testing::MakeHold(ws_.dir());
  ASSERT_EQ(mkfifo((ws_.dir() / "reached").c_str(), 0600), 0);
  McpProcess p(ws_.dir(), {});
  Initialize(p);
  p.Send(Call(1, "run", {{"wait", true}}, {{"progressToken", "t1"}}));
  // The job has started: it said so into the FIFO.
  {
    int fd = open((ws_.dir() / "reached").c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    std::string said;
    EXPECT_TRUE(testing::ReadUntil(fd, &said, "started",
                                   std::chrono::steady_clock::now() + std::chrono::seconds(60)));
    close(fd);
  }
  p.CloseInput();  // the client goes away mid-call
  EXPECT_EQ(p.Wait(), 0) << p.Stderr();
  testing::Output status = ws_.Run({"status", "--json"});
  EXPECT_EQ(testing::JsonOut(status)["status"], "cancelled") << status.out;
  testing::Output audit = ws_.Run({"audit", "--json"});
  json rows = testing::JsonOut(audit);
  ASSERT_EQ(rows.size(), 1u) << audit.out;
  EXPECT_EQ(rows[0]["tool"], "run");
  EXPECT_EQ(rows[0]["outcome"], "cancelled");
}

}  // namespace
}  // namespace gauntlet
