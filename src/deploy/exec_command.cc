#include "deploy/exec_command.h"

#include <algorithm>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "exec/executors.h"

extern char** environ;

namespace gauntlet::deploy {
namespace {

constexpr size_t kOutputCap = 64 * 1024;

// The inherited environment with the request's variables added (they win).
std::vector<std::string> MergedEnv(const CommandRequest& request) {
  std::map<std::string, std::string> merged;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : request.env) merged[k] = v;
  std::vector<std::string> out;
  out.reserve(merged.size());
  for (const auto& [k, v] : merged) out.push_back(k + "=" + v);
  return out;
}

// Keeps the first kOutputCap bytes and the exit.
class Capture : public exec::ProcessRunner::Delegate {
 public:
  void OnOutput(exec::ProcId, std::string_view bytes) override {
    size_t room = kOutputCap - std::min(kOutputCap, output_.size());
    output_.append(bytes.substr(0, room));
  }
  void OnExit(exec::ProcId, const exec::AttemptResult& result) override {
    result_ = result;
    done_ = true;
  }
  bool done() const { return done_; }
  CommandResult Take() {
    CommandResult r;
    r.timed_out = result_.timed_out;
    r.signal = result_.signal;
    r.exit_code = r.timed_out || r.signal ? -1 : result_.exit_code;
    r.output = std::move(output_);
    return r;
  }

 private:
  std::string output_;
  exec::AttemptResult result_;
  bool done_ = false;
};

Result<CommandResult> Run(const CommandRequest& request, const ExecCommandOptions& options,
                          const std::string& working_directory) {
  if (request.argv.empty()) return Error{"empty command"};
  // A runner per command: a deployment runs one command at a time, and this keeps
  // CommandRunner free of shared state (callable from any thread).
  exec::RunnerOptions runner_options;
  runner_options.kill_grace = options.kill_grace;
  auto runner = exec::MakeRunner(exec::kDefaultExecutor, runner_options);
  if (!runner.ok()) return runner.error();

  std::vector<const char*> argv;
  argv.reserve(request.argv.size());
  for (const auto& a : request.argv) argv.push_back(a.c_str());
  std::vector<std::string> env_strings = MergedEnv(request);
  std::vector<char*> envp;
  envp.reserve(env_strings.size() + 1);
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  exec::SpawnRequest spawn;
  spawn.argv = argv;
  spawn.envp = envp.data();
  spawn.timeout = request.timeout;
  spawn.working_directory = working_directory;
  spawn.keep_background = true;  // deploy commands start servers
  auto id = (*runner)->Start(spawn);
  if (!id.ok()) return id.error();

  // The runner enforces the timeout (its timers wake Poll); the runner's destructor
  // kills and reaps the group should Poll fail.
  Capture capture;
  while (!capture.done()) {
    Status s = (*runner)->Poll(TimePoint::max(), &capture);
    if (!s.ok()) return s.error();
  }
  return capture.Take();
}

}  // namespace

Result<CommandResult> ExecCommand(const CommandRequest& request) {
  return Run(request, ExecCommandOptions{}, "");
}

CommandRunner ExecCommandRunner(ExecCommandOptions options, std::string working_directory) {
  return [options, dir = std::move(working_directory)](const CommandRequest& request) {
    return Run(request, options, dir);
  };
}

}  // namespace gauntlet::deploy
