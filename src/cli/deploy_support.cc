#include "cli/deploy_support.h"

#include <fmt/core.h>
#include <pwd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>

#include "cli/cli.h"
#include "cli/execute.h"
#include "deploy/deployment_view.h"
#include "deploy/exec_command.h"
#include "deploy/measurement.h"

namespace gauntlet::cli {

std::unique_ptr<OpenedEnvironment> OpenEnvironment(const DeployTarget& target, bool json,
                                                   int* exit_code) {
  auto out = std::make_unique<OpenedEnvironment>();
  auto fail = [&](const std::string& message, int code) -> std::unique_ptr<OpenedEnvironment> {
    if (json) {
      fmt::print("{}\n", nlohmann::json{{"error", message}}.dump(2));
    } else {
      fmt::print(stderr, "gauntlet: {}\n", message);
    }
    *exit_code = code;
    return nullptr;
  };
  int code = LoadPipeline(target.file, &out->loaded);
  if (code != kExitOk || !out->loaded.ok()) {
    if (!json) PrintProblems(out->loaded, false);
    return fail("cannot load the pipeline file", code != kExitOk ? code : kExitInvalid);
  }
  out->env = out->loaded.load->pipeline.FindEnvironment(target.environment);
  if (!out->env) {
    std::string known;
    for (const auto& e : out->loaded.load->pipeline.environments)
      known += (known.empty() ? "" : ", ") + e.name;
    return fail(
        fmt::format("no environment '{}' in {}{}", target.environment, out->loaded.file,
                    known.empty() ? " (it has no environments:)" : " (known: " + known + ")"),
        kExitNotFound);
  }
  auto secrets = CollectSecrets(out->loaded.load->pipeline, target.secrets_file);
  if (!secrets.ok()) return fail(secrets.error().message, kExitInvalid);
  out->secrets = std::move(*secrets);
  out->ws = WorkspaceForFile(out->loaded.file, target.state_dir);
  auto st = OpenStore(out->ws);
  if (!st.ok()) return fail(st.error().message, kExitInternal);
  out->store = std::move(*st);
  return out;
}

deploy::DeployContext MakeDeployContext(store::Store* store, deploy::Clock* clock, FILE* out) {
  deploy::DeployContext ctx;
  ctx.store = store;
  ctx.clock = clock;
  ctx.run = deploy::ExecCommand;
  ctx.now_ms = NowMs;
  if (out) {
    ctx.print = [out](const std::string& line) {
      fmt::print(out, "{}\n", line);
      fflush(out);
    };
  }
  ctx.pid = getpid();
  ctx.host = store::HostName();
  return ctx;
}

namespace {

// The signal number; written only by the handler (STYLE: the one kind of mutable global).
volatile std::sig_atomic_t g_interrupt = 0;

void OnInterrupt(int sig) { g_interrupt = sig; }

}  // namespace

void TrapInterrupts(deploy::DeployContext* ctx) {
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  ctx->interrupted = [] { return g_interrupt != 0; };
}

int InterruptSignal() { return g_interrupt; }

deploy::DeployContext MakeDeployContext(const OpenedEnvironment& opened, deploy::Clock* clock,
                                        FILE* out) {
  deploy::DeployContext ctx = MakeDeployContext(opened.store.get(), clock, out);
  ctx.secrets = opened.secrets;
  return ctx;
}

std::string CommandTrigger(const std::string& command) {
  std::string user;
  if (const char* u = std::getenv("USER"); u && *u) {
    user = u;
  } else if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_name) {
    user = pw->pw_name;
  } else {
    user = std::to_string(getuid());
  }
  return fmt::format("{} by {}@{}", command, user, store::HostName());
}

nlohmann::json DeploymentJson(const store::DeploymentRecord& d, store::Store& s, bool with_events,
                              int64_t now_ms) {
  int64_t end = d.finished_ms ? d.finished_ms : now_ms;
  nlohmann::json j = {{"id", d.id},
                      {"environment", d.environment},
                      {"version", d.version},
                      {"strategy", d.strategy},
                      {"state", deploy::DisplayState(d, store::HostName())},
                      {"phase", d.phase},
                      {"step", d.step},
                      {"weight", d.weight},
                      {"target_slot", d.target_slot},
                      {"stable_slot", d.stable_slot},
                      {"previous_version", d.previous_version},
                      {"git_commit", d.git_commit},
                      {"trigger", d.trigger},
                      {"reason", d.reason},
                      {"engine_pid", d.engine_pid},
                      {"engine_host", d.engine_host},
                      {"started_ms", d.started_ms},
                      {"finished_ms", d.finished_ms},
                      {"duration_ms", d.started_ms ? end - d.started_ms : 0}};
  auto events = s.GetDeploymentEvents(d.id);
  nlohmann::json verdicts = nlohmann::json::array(), all = nlohmann::json::array();
  if (events.ok()) {
    for (const auto& e : *events) {
      nlohmann::json ej = {{"seq", e.seq},      {"at_ms", e.at_ms},   {"kind", e.kind},
                           {"step", e.step},    {"weight", e.weight}, {"verdict", e.verdict},
                           {"detail", e.detail}};
      if (e.kind == "verdict" && !e.json.empty()) {
        nlohmann::json m = nlohmann::json::parse(e.json, nullptr, false);
        if (!m.is_discarded()) {
          m["step"] = e.step;
          m["weight"] = e.weight;
          m["at_ms"] = e.at_ms;
          verdicts.push_back(m);
        }
      }
      all.push_back(std::move(ej));
    }
  }
  j["verdicts"] = verdicts;
  if (d.active() && events.ok()) j["position"] = deploy::Position(d, *events);
  if (with_events) j["events"] = all;
  return j;
}

int DeploymentExitCode(const store::DeploymentRecord& d) {
  return d.state == store::kDeploySucceeded ? kExitOk : kExitFailed;
}

int ReportDeployment(const Result<store::DeploymentRecord>& r, store::Store& s, bool json) {
  if (!r.ok()) {
    if (json) {
      fmt::print("{}\n", nlohmann::json{{"error", r.error().message}}.dump(2));
    } else {
      fmt::print(stderr, "gauntlet: {}\n", r.error().message);
    }
    return kExitFailed;
  }
  if (json) fmt::print("{}\n", DeploymentJson(*r, s, true, NowMs()).dump(2));
  return DeploymentExitCode(*r);
}

void AddTargetOptions(CLI::App* cmd, DeployTarget* target, bool* json) {
  cmd->add_option("ENV", target->environment, "The environment (a key of environments:)")
      ->required();
  cmd->add_option("-f,--file", target->file, "The pipeline file (default: gauntlet.yml, upward)");
  cmd->add_option("--state-dir", target->state_dir,
                  "The .gauntlet directory (default: beside the file)");
  cmd->add_flag("--json", *json, "Machine-readable output on stdout");
  cmd->add_option("--secrets-file", target->secrets_file,
                  "KEY=VALUE secrets for the environment's commands (else from the environment)");
}

}  // namespace gauntlet::cli
