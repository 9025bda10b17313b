#include "exec/executors.h"

#include <string>

#include "exec/local_runner.h"

namespace gauntlet::exec {

Result<std::unique_ptr<ProcessRunner>> MakeRunner(std::string_view name,
                                                  const RunnerOptions& options) {
  if (name.empty() || name == kDefaultExecutor) {
    LocalRunnerOptions local;
    local.clock = options.clock;
    local.kill_grace = options.kill_grace;
    auto r = LocalRunner::Create(local);
    if (!r.ok()) return r.error();
    return std::unique_ptr<ProcessRunner>(std::move(r).value());
  }
  return Error::Invalid("unknown executor '" + std::string(name) + "' (known: local)");
}

}  // namespace gauntlet::exec
