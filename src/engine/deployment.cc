#include "engine/deployment.h"

#include <unistd.h>

#include <thread>

#include "core/thread.h"
#include "deploy/exec_command.h"
#include "store/open.h"
#include "vcs/repo.h"

namespace gauntlet::engine {
namespace {

Result<store::DeploymentRecord> Act(const DeploymentRequest& request, deploy::Deployer& deployer) {
  switch (request.action) {
    case DeployAction::kStart: {
      deploy::DeployRequest req = request.start;
      if (req.git_commit.empty()) {
        auto head = vcs::HeadInfo(request.workspace.root);
        if (head.ok()) req.git_commit = head->commit;
      }
      return deployer.Start(req);
    }
    case DeployAction::kResume:
      return deployer.Resume();
    case DeployAction::kPromote:
      return deployer.Promote();
    case DeployAction::kAbort:
      return deployer.Abort();
    case DeployAction::kRollback:
      return deployer.Rollback(request.rollback_to, request.trigger);
  }
  return Error{"unknown deploy action"};
}

class DeploymentThread final : public DeploymentHandle {
 public:
  explicit DeploymentThread(DeploymentRequest request) : request_(std::move(request)) {
    thread_ = BackgroundThread([this] { outcome_ = RunDeployment(request_, cancelled_); });
  }
  ~DeploymentThread() override { Wait(); }
  void Cancel() override { cancelled_ = true; }
  const DeploymentOutcome& Wait() override {
    if (thread_.joinable()) thread_.join();
    return outcome_;
  }

 private:
  const DeploymentRequest request_;
  std::atomic<bool> cancelled_{false};
  DeploymentOutcome outcome_;
  std::jthread thread_;  // last: joined before the rest goes away
};

}  // namespace

DeploymentOutcome RunDeployment(const DeploymentRequest& request,
                                const std::atomic<bool>& cancelled) {
  DeploymentOutcome out;
  if (request.environment == nullptr) {
    out.record = Error::Invalid("no environment to deploy to");
    return out;
  }
  // Its own connection: a run's recorder batches on another one meanwhile.
  auto st = store::OpenStore(request.store_url.empty() ? request.workspace.store_url()
                                                       : request.store_url);
  if (!st.ok()) {
    out.record = st.error();
    return out;
  }
  const spec::Environment env = InWorkspace(*request.environment, request.workspace);
  deploy::DeployContext ctx = DeployContextFor(st->get(), request.clock ? request.clock : &RealClock(),
                                               request.workspace, request.secrets);
  ctx.print = request.print;
  ctx.interrupted = [&cancelled] { return cancelled.load(); };
  deploy::Deployer deployer(env, std::move(ctx));
  out.asked = true;
  out.record = Act(request, deployer);
  if (out.record.ok()) {
    auto events = (*st)->GetDeploymentEvents(out.record->id);
    if (events.ok()) out.events = std::move(*events);
  }
  out.cancelled = cancelled;
  return out;
}

std::unique_ptr<DeploymentHandle> StartDeployment(DeploymentRequest request) {
  return std::make_unique<DeploymentThread>(std::move(request));
}

Result<const spec::Environment*> FindEnvironment(const LoadedPipeline& loaded,
                                                 const std::string& name) {
  if (const spec::Environment* env = loaded.pipeline().FindEnvironment(name)) return env;
  std::string known;
  for (const auto& e : loaded.pipeline().environments)
    known += (known.empty() ? "" : ", ") + e.name;
  return Error::NotFound("no environment '" + name + "' in " + loaded.file +
                         (known.empty() ? " (it has no environments:)" : " (known: " + known + ")"));
}

deploy::DeployContext DeployContextFor(store::Store* store, Clock* clock, const Workspace& ws,
                                       const Secrets& secrets) {
  deploy::DeployContext ctx;
  ctx.store = store;
  ctx.clock = clock;
  ctx.run = deploy::ExecCommandRunner({}, ws.root);
  ctx.pid = getpid();
  ctx.host = store::HostName();
  ctx.secrets = secrets;
  return ctx;
}

spec::Environment InWorkspace(const spec::Environment& env, const Workspace& ws) {
  spec::Environment out = env;
  const std::string& f = out.nginx_upstream_file;
  if (!f.empty() && f.front() != '/') out.nginx_upstream_file = ws.root + "/" + f;
  return out;
}

}  // namespace gauntlet::engine
