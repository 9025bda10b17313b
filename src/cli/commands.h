// The table of subcommands, in the order `--help` lists them.
#pragma once

#include "cli/command.h"

namespace gauntlet::cli {

void RegisterVersion(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterValidate(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterPlan(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterGraph(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterRun(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterRetry(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterRuns(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterStatus(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterLogs(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterCancel(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterDiagnose(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterDeploy(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterDeployments(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterNotifications(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterInsight(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterPromote(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterAbort(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterRollback(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterGate(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterTrust(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterCache(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterArtifacts(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterRelease(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterReleases(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterServe(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterToken(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterTrigger(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterHook(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterMcp(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterAudit(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterApprovals(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterApprove(CLI::App& app, GlobalOptions& global, Runner* run);
void RegisterStepExpr(CLI::App& app, GlobalOptions& global, Runner* run);

inline constexpr Registrar kCommands[] = {
    RegisterValidate,
    RegisterPlan,
    RegisterGraph,
    RegisterRun,
    RegisterRuns,
    RegisterStatus,
    RegisterLogs,
    RegisterRetry,
    RegisterCancel,
    RegisterDiagnose,
    RegisterDeploy,
    RegisterDeployments,
    RegisterNotifications,
    RegisterInsight,
    RegisterPromote,
    RegisterAbort,
    RegisterRollback,
    RegisterGate,
    RegisterRelease,
    RegisterReleases,
    RegisterTrust,
    RegisterArtifacts,
    RegisterCache,
    RegisterServe,
    RegisterToken,
    RegisterTrigger,
    RegisterHook,
    RegisterMcp,
    RegisterAudit,
    RegisterApprovals,
    RegisterApprove,
    RegisterVersion,
    RegisterStepExpr,
};

}  // namespace gauntlet::cli
