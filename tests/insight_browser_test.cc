// `gauntlet insight --html` opened in a real browser: the page the binary writes for the
// hand-computed history (tests/insight_history.h) must render in Debian's Chromium without
// console errors and show exactly the numbers `--json` gives
// (tests/browser/insight.test.mjs does the checking, through playwright-core).
//
// Needs /usr/bin/chromium (scripts/install-deps) and tests/browser/node_modules
// (tests/browser/setup); scripts/test provides both and sets GAUNTLET_REQUIRE_BROWSER=1,
// which turns their absence into a failure instead of a skip.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "cli_test_util.h"
#include "insight_history.h"
#include "store/sqlite_store.h"

namespace gauntlet {
namespace {

namespace fs = std::filesystem;

TEST(InsightBrowser, PageShowsTheJsonNumbersWithoutErrors) {
  const fs::path browser_dir = fs::path(GAUNTLET_SOURCE_DIR) / "tests" / "browser";
  const bool ready = fs::exists("/usr/bin/chromium") &&
                     std::system("command -v node >/dev/null") == 0 &&
                     fs::exists(browser_dir / "node_modules" / "playwright-core");
  if (!ready) {
    const char* required = std::getenv("GAUNTLET_REQUIRE_BROWSER");
    if (required && std::string(required) == "1") {
      FAIL() << "no chromium, node or playwright-core: run scripts/install-deps and "
                "tests/browser/setup";
    }
    GTEST_SKIP() << "no chromium, node or playwright-core (scripts/install-deps, "
                    "tests/browser/setup)";
  }
  std::string tmpl = (fs::path(::testing::TempDir()) / "gauntlet-browser-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const fs::path dir = tmpl;
  {
    auto s = store::SqliteStore::Open((dir / ".gauntlet" / "state.db").string());
    ASSERT_TRUE(s.ok()) << s.error().message;
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    testing::InsightHistory h(**s, now);
    h.Write();
  }
  // One invocation writes both: the page and the JSON come from the same report.
  const fs::path json = dir / "report.json", html = dir / "report.html", err = dir / "err";
  testing::Output o =
      testing::WaitGauntlet(testing::SpawnGauntlet({"insight", "--json", "--html", html.string(),
                                                    "--state-dir", (dir / ".gauntlet").string()},
                                                   dir, json, err),
                            json, err);
  ASSERT_EQ(o.code, 0) << o.err;
  const fs::path log = dir / "browser.log";
  const std::string cmd = "node '" + (browser_dir / "insight.test.mjs").string() + "' '" +
                          json.string() + "' '" + html.string() + "' >'" + log.string() + "' 2>&1";
  const int rc = std::system(cmd.c_str());
  EXPECT_EQ(rc, 0) << testing::ReadFile(log);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace gauntlet
