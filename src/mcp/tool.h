// One MCP tool: its name, description for a model, input and output JSON Schemas, what
// the trust gateway must ask before it runs (`access`), and the call itself.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mcp/schema.h"

namespace gauntlet::mcp {

class RunTracker;

// What the gateway checks before a call (gateway.h says the default policy).
enum class Access {
  kRead,     // reads the pipeline file or the history: anyone
  kRun,      // starts a pipeline run: anyone, rate-limited
  kDeploy,   // deploy, promote: a protected environment needs the policy's level
  kSafe,     // abort, rollback: the safe direction, always allowed
  kRelease,  // a real release (a dry run is kRead): the policy's level
};

// Where the session works: the pipeline file and state directory every tool uses.
struct Workplace {
  std::string file;       // "" : gauntlet.yml found from `start_dir` upward
  std::string state_dir;  // "" : beside the pipeline file
  std::string start_dir;  // the directory `gauntlet mcp` was started in
  std::string secrets_file;  // KEY=VALUE lines for runs and deployments (else the environment)
};

// What a call gets besides its arguments.
struct CallContext {
  const Workplace* workplace = nullptr;
  RunTracker* runs = nullptr;  // the runs this process started
  std::string identity;
  // Progress for the caller (a no-op when the client gave no progressToken).
  std::function<void(double progress, double total, const std::string& message)> progress;
  const std::atomic<bool>* cancelled = nullptr;  // the client cancelled the request
  bool Cancelled() const { return cancelled && cancelled->load(); }
};

struct ToolResult {
  // Matches the output schema; null for an error that has no structure (ToolError).
  nlohmann::json structured = nlohmann::json::object();
  std::string text;                                      // a short rendering for people
  bool is_error = false;
};

// A tool error: says what went wrong and, where it helps, what to do.
ToolResult ToolError(std::string message);

struct Tool {
  std::string name, title, description;
  nlohmann::json input_schema, output_schema;
  Access access = Access::kRead;
  // Calls that may take long run on a thread of their own (cancellable); the others on
  // the session's reader, in order.
  bool long_running = false;
  std::function<ToolResult(const nlohmann::json& arguments, CallContext& context)> call;
  // For kDeploy / kRelease: the environment the arguments name ("" none), and for a
  // release whether it is a dry run (then it counts as kRead).
  std::function<std::string(const nlohmann::json& arguments)> environment_of;
};

// Every tool, in the order tools/list gives them, with their compiled input schemas.
class Toolbox {
 public:
  Toolbox();
  const std::vector<Tool>& tools() const { return tools_; }
  const Tool* Find(const std::string& name) const;
  const ArgumentSchema& SchemaOf(const Tool& tool) const;
  // The names, for an unknown tool's error ("did you mean").
  std::vector<std::string> Names() const;

 private:
  std::vector<Tool> tools_;
  std::vector<ArgumentSchema> schemas_;  // by index in tools_
};

// The tool families (tools_*.cc) add themselves.
void AddPipelineTools(std::vector<Tool>* tools);  // validate, plan, gate, trust
void AddRunTools(std::vector<Tool>* tools);       // run, run_status, logs, diagnose
void AddDeployTools(std::vector<Tool>* tools);    // deploy, deployments, promote, abort,
                                                  // rollback, release
void AddInsightTools(std::vector<Tool>* tools);   // insight

// Schema helpers for the tool tables.
nlohmann::json ObjectSchema(nlohmann::json properties, std::vector<std::string> required);

}  // namespace gauntlet::mcp
