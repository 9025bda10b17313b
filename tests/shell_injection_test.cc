// Hostile values from outside the pipeline file, put into every quoting place of a
// script by spec::AppendScript, run by real bash and sh (dash on Debian): the command
// must see exactly the value, and nothing in it may run.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "spec/shell_template.h"

extern char** environ;

namespace gauntlet {
namespace {

namespace fs = std::filesystem;

struct Ran {
  int status = -1;
  std::string out;
};

// `shell -c script` with `vars` added to the environment; stdout captured.
Ran RunShell(const std::string& shell, const std::string& script, const spec::ExprVars& vars) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  for (const auto& [k, v] : vars) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::string sh = shell, c = "-c", text = script;
  char* argv[] = {sh.data(), c.data(), text.data(), nullptr};
  pid_t pid = -1;
  Ran r;
  EXPECT_EQ(posix_spawnp(&pid, sh.c_str(), &actions, nullptr, argv, envp.data()), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) r.out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  waitpid(pid, &r.status, 0);
  return r;
}

class ShellInjectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::path(::testing::TempDir()) / "inject-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    marker_ = (dir_ / "pwned").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The values a hostile branch name, job output or webhook field could hold; each one,
  // pasted as text, would create the marker file or change the command.
  std::vector<std::string> Corpus() const {
    const std::string m = marker_;
    return {"$(touch " + m + ")",
            "`touch " + m + "`",
            "'; touch " + m + "; '",
            "\"; touch " + m + "; \"",
            "x && touch " + m,
            "x | touch " + m,
            "x; touch " + m,
            "a\ntouch " + m + "\nb",
            "x$(touch${IFS}" + m + ")",
            "${IFS}touch${IFS}" + m,
            "EOF\ntouch " + m + "\nEOF",
            "')\"; touch " + m + " #",
            "$((1))$(touch " + m + ")",
            "*",
            "/*",
            "-n",
            "%s%s",
            "a\\b\\",
            "\\",
            "'",
            "\"",
            "$HOME ${PATH}",
            "}}",
            "a}b${",
            " lead and trail ",
            "tab\there",
            "\xc3\xa9t\xc3\xa9 \xe2\x9c\x93",
            ""};
  }

  fs::path dir_;
  std::string marker_;
};

struct Place {
  const char* name;
  const char* before;  // the script up to the expression
  const char* after;   // the rest
  // What the command prints around the value.
  const char* prefix;
  const char* suffix;
  bool bash_only = false;
};

// Every place a reference can stand; each prints <prefix><value><suffix> on one line
// (printf '%s\n', or cat of a heredoc).
const Place kPlaces[] = {
    {"bare", "printf '%s\\n' ", "", "", ""},
    {"bare word part", "printf '%s\\n' x", "y", "x", "y"},
    {"double quotes", "printf '%s\\n' \"[", "]\"", "[", "]"},
    {"single quotes", "printf '%s\\n' '[", "]'", "[", "]"},
    {"ansi-c quotes", "printf '%s\\n' $'[", "]'", "[", "]", true},
    {"heredoc", "cat <<EOF\n[", "]\nEOF", "[", "]"},
    {"heredoc with tabs stripped", "cat <<-EOF\n\t[", "]\n\tEOF", "[", "]"},
    {"command substitution", "printf '%s\\n' \"$(printf '%s' ", ")\"", "", ""},
    {"quoted in command substitution", "printf '%s\\n' \"$(printf '%s' \"[", "]\")\"", "[", "]"},
    {"backticks", "printf '%s\\n' \"`printf '%s' ", "`\"", "", ""},
    {"parameter default", "printf '%s\\n' \"${GAUNTLET_UNSET_X:-", "}\"", "", ""},
    {"unquoted parameter default", "printf '%s\\n' ${GAUNTLET_UNSET_X:-", "}", "", ""},
    {"assignment", "v=", "; printf '%s\\n' \"$v\"", "", ""},
    {"comment", "printf 'done\\n' # ", "", "done", ""},
    {"here-string", "cat <<< ", "", "", "", true},
};

TEST_F(ShellInjectionTest, NoValueRunsAndEachIsSeenExactly) {
  spec::EvalContext ctx;
  for (const std::string shell : {"bash", "sh"}) {
    for (const Place& place : kPlaces) {
      if (place.bash_only && shell != "bash") continue;
      for (const std::string& value : Corpus()) {
        ctx.contexts = {{"needs", {{"a", {{"outputs", {{"v", value}}}}}}}};
        std::string text = std::string(place.before) + "${{ needs.a.outputs.v }}" + place.after;
        spec::Template t;
        spec::ExprError err;
        ASSERT_TRUE(spec::Template::Parse(text, &t, &err)) << err.message;
        std::string script;
        spec::ExprVars vars;
        Status s = spec::AppendScript(t, ctx, spec::ValueOrigins(), shell, &script, &vars);
        ASSERT_TRUE(s.ok()) << place.name << ": " << s.error().message;
        Ran r = RunShell(shell, script, vars);
        const std::string label = shell + ", " + place.name + ", value [" + value + "]";
        EXPECT_FALSE(fs::exists(marker_)) << label << " ran the value: " << script;
        fs::remove(marker_);
        EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << label;
        std::string want = std::string(place.prefix) +
                           (std::string(place.name) == "comment" ? "" : value) + place.suffix +
                           "\n";
        EXPECT_EQ(r.out, want) << label << "\nscript: " << script;
      }
    }
  }
}

// The same values pasted as text, the way gauntlet rendered `run:` before: the corpus
// must be able to break a script, or the test above proves nothing.
TEST_F(ShellInjectionTest, TheCorpusBreaksPastedScripts) {
  int ran = 0;
  for (const std::string& value : Corpus()) {
    RunShell("bash", "printf '%s\\n' \"" + value + "\"", {});
    if (fs::exists(marker_)) ++ran;
    fs::remove(marker_);
  }
  EXPECT_GE(ran, 5);
}

}  // namespace
}  // namespace gauntlet
