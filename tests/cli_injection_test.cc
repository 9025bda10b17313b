// End to end: values from outside the pipeline file (a branch name, a job's outputs)
// reach commands as data, never as shell syntax; the real binary, bash and sh, a real
// git repository.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_test_util.h"

namespace gauntlet {
namespace {

using ::testing::HasSubstr;
using testing::ReadFile;
using testing::Workspace;
namespace fs = std::filesystem;

int Git(const Workspace& ws, std::vector<std::string> args) {
  args.insert(args.begin(), {"git", "-c", "user.name=Ada", "-c", "user.email=ada@example.com", "-c",
                             "commit.gpgsign=false"});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addchdir_np(&actions, ws.dir().c_str());
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, "git", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The report's first example: a branch named to run a command, read in double quotes.
TEST(CliInjectionTest, AHostileBranchNameIsOnlyData) {
  Workspace ws;
  const std::string branch = "x$(touch${IFS}pwned)";
  ws.Write(".gitignore", ".stdout*\n.stderr*\n.gauntlet/\n*.out\n");
  ws.Write("gauntlet.yml", R"YML(name: branchy
jobs:
  double: { run: "printf '%s\n' \"${{ branch }}\" > double.out" }
  bare: { run: "printf '%s\n' ${{ branch }} > bare.out" }
  single: { run: "printf '%s\n' '${{ branch }}' > single.out" }
  dash: { shell: sh, run: "printf '%s\n' \"[${{ branch }}]\" > dash.out" }
  heredoc:
    run: |
      cat > heredoc.out <<EOF
      ${{ branch }}
      EOF
  env-value:
    env: { B: "${{ branch }}" }
    run: printf '%s\n' "$B" > env.out
)YML");
  ASSERT_EQ(Git(ws, {"init", "-q", "-b", branch}), 0);
  ASSERT_EQ(Git(ws, {"add", "-A"}), 0);
  ASSERT_EQ(Git(ws, {"commit", "-q", "-m", "first"}), 0);
  auto r = ws.Run({"run", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_FALSE(fs::exists(ws.dir() / "pwned")) << "the branch name ran as a command";
  for (const char* out : {"double.out", "bare.out", "single.out", "heredoc.out", "env.out"})
    EXPECT_EQ(ReadFile(ws.dir() / out), branch + "\n") << out;
  EXPECT_EQ(ReadFile(ws.dir() / "dash.out"), "[" + branch + "]\n");
}

// The report's second example: an output written to run a command in a dependent.
TEST(CliInjectionTest, AJobsOutputsAreOnlyData) {
  Workspace ws;
  ws.Write("gauntlet.yml", R"YML(name: outputs
jobs:
  a:
    commands:
      - echo 'out=$(touch pwned)' >> "$GAUNTLET_OUTPUT"
      - echo "tick=\`touch pwned\`; touch pwned" >> "$GAUNTLET_OUTPUT"
      - printf 'multi<<END\nline 1\n$(touch pwned)\nEND\n' >> "$GAUNTLET_OUTPUT"
  b:
    needs: [a]
    commands:
      - echo ${{ needs.a.outputs.out }} > out.txt
      - echo "${{ needs.a.outputs.tick }}" > tick.txt
      - "echo '${{ needs.a.outputs.multi }}' > multi.txt"
      - echo $(printf '%s' ${{ needs.a.outputs.out }}) > nested.txt
      - echo "${{ format('[{0}]', needs.a.outputs.tick) }}" > format.txt
  templated-env:
    needs: [a]
    env: { O: "${{ needs.a.outputs.out }}", T: "<${{ needs.a.outputs.tick }}>" }
    run: printf '%s|%s\n' "$O" "$T" > env.txt
  if-equal:
    needs: [a]
    if: needs.a.outputs.out == '$(touch pwned)' && contains(needs.a.outputs.tick, '; touch')
    run: touch if-equal.ran
  if-unequal:
    needs: [a]
    if: needs.a.outputs.out == 'touch pwned'
    run: touch if-unequal.ran
)YML");
  auto r = ws.Run({"run"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_FALSE(fs::exists(ws.dir() / "pwned")) << "an output ran as a command";
  EXPECT_EQ(ReadFile(ws.dir() / "out.txt"), "$(touch pwned)\n");
  EXPECT_EQ(ReadFile(ws.dir() / "tick.txt"), "`touch pwned`; touch pwned\n");
  EXPECT_EQ(ReadFile(ws.dir() / "multi.txt"), "line 1\n$(touch pwned)\n");
  EXPECT_EQ(ReadFile(ws.dir() / "nested.txt"), "$(touch pwned)\n");
  EXPECT_EQ(ReadFile(ws.dir() / "format.txt"), "[`touch pwned`; touch pwned]\n");
  // An env value rendered from an output is the variable's value, never parsed by a shell.
  EXPECT_EQ(ReadFile(ws.dir() / "env.txt"), "$(touch pwned)|<`touch pwned`; touch pwned>\n");
  // `if:` compares the values as text: only the true comparison runs its job.
  EXPECT_TRUE(fs::exists(ws.dir() / "if-equal.ran"));
  EXPECT_FALSE(fs::exists(ws.dir() / "if-unequal.ran"));
}

// Values written in the pipeline file are the author's own text: pasted, as before, so
// `run: ${{ matrix.command }}` keeps working.
TEST(CliInjectionTest, MatrixValuesFromTheFileArePasted) {
  Workspace ws;
  ws.Write("gauntlet.yml", R"YML(name: matrix
jobs:
  m:
    matrix: { cmd: ["echo one > one.txt", "echo two > two.txt"] }
    run: ${{ matrix.cmd }}
)YML");
  auto r = ws.Run({"run"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(ReadFile(ws.dir() / "one.txt"), "one\n");
  EXPECT_EQ(ReadFile(ws.dir() / "two.txt"), "two\n");
}

// Caught when the file is loaded, at the expression: `validate` says so, `run` refuses.
TEST(CliInjectionTest, AnOutsideValueWhereItCannotGoIsAnErrorAtItsPlace) {
  Workspace ws;
  ws.Write("gauntlet.yml", R"YML(name: heredoc
jobs:
  a: { run: "echo 'v=1' >> $GAUNTLET_OUTPUT" }
  b:
    needs: [a]
    run: |
      cat <<'EOF'
      ${{ needs.a.outputs.v }}
      EOF
  c:
    needs: [a]
    shell: python3
    run: print("${{ needs.a.outputs.v }}")
  d:
    needs: [a]
    run: echo $(( ${{ needs.a.outputs.v }} + 1 ))
)YML");
  auto v = ws.Run({"validate"});
  EXPECT_EQ(v.code, 1);
  const std::string text = v.out + v.err;
  EXPECT_THAT(text, HasSubstr("gauntlet.yml:8:7: error: in ${{ needs.a.outputs.v }}: a value "
                              "from outside the pipeline file cannot be put in the body of a "
                              "heredoc with a quoted delimiter"));
  EXPECT_THAT(text, HasSubstr("gauntlet.yml:13:17: error: in ${{ needs.a.outputs.v }}: a value "
                              "from outside the pipeline file cannot be put into a script of "
                              "shell 'python3'"));
  EXPECT_THAT(text, HasSubstr("gauntlet.yml:16:19: error: in ${{ needs.a.outputs.v }}: a value "
                              "from outside the pipeline file cannot be put in shell arithmetic"));
  EXPECT_EQ(ws.Run({"run"}).code, 2);
}

// `working_directory` is rendered when the run is planned, from the file's values.
TEST(CliInjectionTest, WorkingDirectoryIsRenderedFromMatrixValues) {
  Workspace ws;
  ws.Write("a/.keep", "");
  ws.Write("b/.keep", "");
  ws.Write("gauntlet.yml", R"YML(name: wd
jobs:
  m:
    matrix: { dir: [a, b] }
    working_directory: ${{ matrix.dir }}
    run: pwd > here.txt
  bad:
    working_directory: ${{ branch }}
    run: "true"
)YML");
  auto invalid = ws.Run({"validate"});
  EXPECT_EQ(invalid.code, 1) << invalid.out << invalid.err;
  EXPECT_THAT(invalid.out + invalid.err, HasSubstr("working_directory of job 'bad' reads a value "
                                                   "known only when the run starts"));
  ws.Write("gauntlet.yml", R"YML(name: wd
jobs:
  m:
    matrix: { dir: [a, b] }
    working_directory: ${{ matrix.dir }}
    run: pwd > here.txt
)YML");
  auto r = ws.Run({"run"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(ReadFile(ws.dir() / "a/here.txt"), fs::canonical(ws.dir() / "a").string() + "\n");
  EXPECT_EQ(ReadFile(ws.dir() / "b/here.txt"), fs::canonical(ws.dir() / "b").string() + "\n");
}

}  // namespace
}  // namespace gauntlet
