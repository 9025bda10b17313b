// `gauntlet mcp` and `gauntlet serve`'s /mcp driven by the official MCP TypeScript SDK
// client (tests/mcp/*.test.mjs do the driving and checking: the fix loop, the gateway's
// denial, the audit trail; over HTTP the tokens, scopes and transport errors).
//
// Needs node and tests/mcp/node_modules (tests/mcp/setup); scripts/test provides both and
// sets GAUNTLET_REQUIRE_BROWSER=1, which turns their absence into a failure, not a skip.
// The Python `mcp` SDK is not run: it cannot be installed here (no PyPI, no Debian package).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "cli_test_util.h"

namespace gauntlet {
namespace {

namespace fs = std::filesystem;

// Runs tests/mcp/SCRIPT with node against the binary and an empty directory; its output
// is the failure message.
void RunSdkScript(const std::string& script) {
  const fs::path mcp_dir = fs::path(GAUNTLET_SOURCE_DIR) / "tests" / "mcp";
  const bool ready = std::system("command -v node >/dev/null") == 0 &&
                     fs::exists(mcp_dir / "node_modules" / "@modelcontextprotocol" / "sdk");
  if (!ready) {
    const char* required = std::getenv("GAUNTLET_REQUIRE_BROWSER");
    if (required && std::string(required) == "1")
      FAIL() << "no node or MCP SDK: run tests/mcp/setup";
    GTEST_SKIP() << "no node or MCP SDK (tests/mcp/setup)";
  }
  testing::Workspace ws;
  const fs::path log = ws.dir().parent_path() / (ws.dir().filename().string() + ".log");
  const std::string cmd = "node '" + (mcp_dir / script).string() + "' '" + GAUNTLET_BINARY +
                          "' '" + ws.dir().string() + "' >'" + log.string() + "' 2>&1";
  const int rc = std::system(cmd.c_str());
  EXPECT_EQ(rc, 0) << testing::ReadFile(log);
  fs::remove(log);
}

TEST(McpSdk, FixLoopGatewayAndAuditWithTheOfficialClient) { RunSdkScript("sdk.test.mjs"); }

// `gauntlet serve`'s /mcp over the Streamable HTTP transport (tests/mcp/http.test.mjs):
// tokens as identities and scopes, the transport's refusals, the audit rows.
TEST(McpSdk, StreamableHttpWithTokensScopesAndAudit) { RunSdkScript("http.test.mjs"); }

// Over stdio (tests/mcp/sessions.test.mjs): a subscribed run's updates until its final
// state, in order (over HTTP in http.test.mjs); $GAUNTLET_TOKEN as the identity.
TEST(McpSdk, SubscriptionsAndTokenIdentitiesOverStdio) { RunSdkScript("sessions.test.mjs"); }

// Approvals (tests/mcp/approvals.test.mjs): an L0 agent's production deploy asks, a
// person approves at a terminal, the same deploy then passes once.
TEST(McpSdk, ApprovalAllowsTheSameDeployOnce) { RunSdkScript("approvals.test.mjs"); }

// promote (through an approval), abort and release (tests/mcp/deploy.test.mjs), each
// checked by its effect: a canary's router weights, a tag on a bare remote; and a
// subscribed deployment's steps (another process's canary, held at each step) in order.
TEST(McpSdk, PromoteByApprovalAbortAndReleaseTakeEffect) { RunSdkScript("deploy.test.mjs"); }

}  // namespace
}  // namespace gauntlet
