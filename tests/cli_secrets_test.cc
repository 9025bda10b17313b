// End to end: a corpus of secrets that jobs print, encode, write as outputs and output
// names, put in malformed output lines, JUnit reports and error messages, and pass on
// the command line. Every path a byte takes to a user is then searched for them: the
// run's output, `logs`, `status`, `runs`, `diagnose` in every format, the SQLite files
// and the log file as bytes, and /proc/*/cmdline while the jobs run.
#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "cli_test_util.h"

namespace gauntlet {
namespace {

using testing::ReadFile;
using testing::Signal;
using testing::Workspace;
namespace fs = std::filesystem;

std::string Base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  out.resize(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                             reinterpret_cast<const unsigned char*>(bytes.data()),
                             static_cast<int>(bytes.size())));
  return out;
}

// Environment variables of the test process for the engine to take secrets from (a
// multi-line value cannot go in a KEY=VALUE secrets file); removed afterwards.
struct SecretEnv {
  std::vector<std::string> names;
  void Set(const std::string& name, const std::string& value) {
    setenv(name.c_str(), value.c_str(), 1);
    names.push_back(name);
  }
  ~SecretEnv() {
    for (const std::string& n : names) unsetenv(n.c_str());
  }
};

// Every /proc/<pid>/cmdline, NULs made spaces.
// The command lines of `root` and every process below it (parents from /proc/*/stat):
// what the engine and its jobs show every user of the machine. Only those: another
// program that holds the string (a person's grep, another copy of this suite) is not a
// leak of the engine's, and scanning it made this test fail for nothing.
std::string CommandLinesUnder(pid_t root) {
  std::map<pid_t, pid_t> parent;
  DIR* proc = opendir("/proc");
  while (dirent* e = proc ? readdir(proc) : nullptr) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    const std::string stat = ReadFile(fs::path("/proc") / e->d_name / "stat");
    const size_t close = stat.rfind(')');  // the name may hold spaces and parentheses
    if (close == std::string::npos) continue;
    char state = 0;
    int ppid = 0;
    if (std::sscanf(stat.c_str() + close + 1, " %c %d", &state, &ppid) == 2)
      parent[std::atoi(e->d_name)] = ppid;
  }
  if (proc) closedir(proc);
  std::set<pid_t> under = {root};
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [pid, ppid] : parent)
      if (under.count(ppid) && under.insert(pid).second) grew = true;
  }
  std::string all;
  for (pid_t pid : under) {
    std::string line = ReadFile(fs::path("/proc") / std::to_string(pid) / "cmdline");
    std::replace(line.begin(), line.end(), '\0', ' ');
    all += line + "\n";
  }
  return all;
}

std::string Bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(CliSecretsTest, NoPathShowsASecret) {
  const std::string s1 = "hunter2-very-secret";
  const std::string s2 =
      "-----BEGIN TEST KEY-----\nMIIEpQIBAAKCAQEAsecretline2\nxyzsecretline3==\n"
      "-----END TEST KEY-----";
  const std::string s3 = "very-secret-tail-XYZ";  // overlaps the end of s1
  const std::string s4 = "p@ss\"w'ord$(x)";
  SecretEnv env;
  env.Set("GT_S1", s1);
  env.Set("GT_S2", s2);
  env.Set("GT_S3", s3);
  env.Set("GT_S4", s4);
  // What must never be seen: each value, each long line of s2, encodings of s1 and s4.
  const std::vector<std::string> forbidden = {s1,
                                              s3,
                                              s4,
                                              "MIIEpQIBAAKCAQEAsecretline2",
                                              "xyzsecretline3==",
                                              "-----END TEST KEY-----",
                                              Base64(s1),
                                              Base64("user:" + s1),
                                              R"(p@ss\"w'ord$(x))",
                                              "hunter2-very-secret-tail-XYZ"};

  Workspace ws;
  Signal ready(ws.dir() / "ready");
  const fs::path gate = ws.dir() / "gate";
  mkfifo(gate.c_str(), 0600);
  ws.Write("gauntlet.yml", R"YML(name: secrets
secrets: [GT_S1, GT_S2, GT_S3, GT_S4]
jobs:
  log:
    secrets: [GT_S1, GT_S2, GT_S3, GT_S4]
    commands:
      - echo "plain $GT_S1 and $GT_S4"
      - printf 'hunter2-'; printf 'very-secret-tail-XYZ\n'
      - printf '%s\n' "$GT_S2" | sed -n 2p
      - printf '%s' "$GT_S1" | base64
      - printf 'user:%s' "$GT_S1" | base64
      - |
        printf '{"pw": "%s"}\n' 'p@ss\"w'"'"'ord$(x)'
  outputs:
    secrets: [GT_S1, GT_S3]
    commands:
      - echo "token=$GT_S3" >> "$GAUNTLET_OUTPUT"
      - echo "$GT_S1=named after it" >> "$GAUNTLET_OUTPUT"
  bad-output:
    secrets: [GT_S1]
    run: echo "oops $GT_S1" >> "$GAUNTLET_OUTPUT"
  report:
    secrets: [GT_S1, GT_S3]
    reports: { junit: report.xml }
    commands:
      - |
        cat > report.xml <<EOF
        <testsuite name="suite $GT_S1" tests="1" failures="1">
          <testcase classname="c" name="test $GT_S3" file="t.sh" line="3">
            <failure message="expected $GT_S1">body $GT_S3</failure>
          </testcase>
        </testsuite>
        EOF
      - 'echo "t.sh:3: error: got $GT_S1"; exit 1'
  reason:
    if: ${{ fromJSON(secrets.GT_S4) }}
    run: "true"
  argv:
    run: |
      echo up > ready
      cat gate > /dev/null
      echo "${{ secrets.GT_S1 }} ${{ secrets.GT_S2 }}" | wc -c
)YML");
  pid_t engine = ws.Start({"run", "--json", "-v", "--keep-going"});
  ASSERT_EQ(ready.Wait(), "up") << "the argv job never started";
  const std::string cmdlines = CommandLinesUnder(engine);
  ASSERT_NE(cmdlines.find("cat gate"), std::string::npos) << "the argv job is not below the engine\n"
                                                          << cmdlines;
  std::ofstream(gate) << "go\n";
  auto run = ws.Wait(engine);
  ASSERT_EQ(run.code, 1) << run.out << run.err;  // report and reason fail, bad-output too

  std::vector<std::pair<std::string, std::string>> seen = {
      {"/proc/*/cmdline while the jobs ran", cmdlines},
      {"run stdout", run.out},
      {"run stderr", run.err}};
  auto add = [&](const std::string& what, std::vector<std::string> args) {
    auto r = ws.Run(args);
    seen.emplace_back(what, r.out + r.err);
  };
  for (const char* job : {"log", "outputs", "bad-output", "report", "reason", "argv"}) {
    add(std::string("logs ") + job, {"logs", "1", job});
    add(std::string("logs --json ") + job, {"logs", "1", job, "--json"});
  }
  add("status", {"status", "1"});
  add("status --json", {"status", "1", "--json"});
  add("runs --json", {"runs", "--json"});
  add("diagnose", {"diagnose", "1"});
  add("diagnose --json", {"diagnose", "1", "--json"});
  add("diagnose --sarif", {"diagnose", "1", "--sarif"});
  add("diagnose --rdjson", {"diagnose", "1", "--rdjson"});
  for (const char* file : {"state.db", "state.db-wal", "state.db-shm", "logs/1.log"}) {
    if (fs::exists(ws.dir() / ".gauntlet" / file))
      seen.emplace_back(std::string("file ") + file, Bytes(ws.dir() / ".gauntlet" / file));
  }
  for (const auto& [what, text] : seen) {
    for (const std::string& secret : forbidden)
      EXPECT_EQ(text.find(secret), std::string::npos) << "[" << secret << "] in " << what;
  }
  // And the paths were exercised: the masked forms are there.
  auto all = [&](const std::string& what) {
    for (const auto& [w, text] : seen)
      if (w == what) return text;
    return std::string();
  };
  EXPECT_THAT(all("logs log"), ::testing::HasSubstr("plain *** and ***"));
  EXPECT_THAT(all("logs bad-output"), ::testing::HasSubstr("got 'oops ***'"));
  EXPECT_THAT(all("diagnose --json"), ::testing::HasSubstr("test ***"));
  EXPECT_THAT(run.out, ::testing::HasSubstr("\"token\": \"***\""));
  EXPECT_THAT(run.out, ::testing::HasSubstr("\"***\": \"named after it\""));
  EXPECT_THAT(all("status --json"), ::testing::HasSubstr("fromJSON(): '***' is not valid JSON"));
  EXPECT_THAT(cmdlines, ::testing::HasSubstr("GAUNTLET_EXPR_1"));  // the argv job was seen
}

}  // namespace
}  // namespace gauntlet
