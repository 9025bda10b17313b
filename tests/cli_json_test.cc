// What the binary prints under --json has the shapes documented in docs/json.md: every
// key of the example, with a value of the same JSON type, and no key the example lacks.
// Values that differ from run to run (ids, times, pids, paths) are not compared; the
// views' exact rendering is pinned by src/engine/views_test.cc.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_test_util.h"

namespace gauntlet::testing {
namespace {

using nlohmann::json;

json Example(const std::string& name) {
  std::ifstream in(std::string(GAUNTLET_SOURCE_DIR) + "/docs/json/" + name);
  return json::parse(in, nullptr, false);
}

// The type of every value by path; arrays by their first element. Numbers are one type
// (an integer example may be a float in another run). Null matches anything: the example
// shows it where a value may be absent. The keys of maps (outputs, metrics) are data.
void Shape(const json& j, const std::string& path, std::map<std::string, std::string>* out) {
  if (j.is_object()) {
    (*out)[path] = "object";
    if (path.ends_with(".outputs") || path.ends_with(".metrics")) return;
    for (const auto& [k, v] : j.items()) Shape(v, path + "." + k, out);
  } else if (j.is_array()) {
    (*out)[path] = "array";
    if (!j.empty()) Shape(j.front(), path + "[]", out);
  } else {
    (*out)[path] = j.is_number() ? "number" : j.is_null() ? "null" : j.type_name();
  }
}

void ExpectShape(const json& actual, const std::string& example) {
  std::map<std::string, std::string> want, got;
  Shape(Example(example), "", &want);
  Shape(actual, "", &got);
  for (const auto& [path, type] : want) {
    auto it = got.find(path);
    if (it == got.end()) {
      // Under a null or an empty array in this run there is nothing to compare.
      bool absent = false;
      for (const auto& [p, t] : got) {
        if ((t == "array" && path.starts_with(p + "[]")) ||
            (t == "null" && path.starts_with(p) && path.size() > p.size()))
          absent = true;
      }
      EXPECT_TRUE(absent) << example << ": missing " << path;
      continue;
    }
    if (type != "null" && it->second != "null") {
      EXPECT_EQ(it->second, type) << example << ": type of " << path;
    }
  }
  for (const auto& [path, type] : got) {
    bool under_null = false;  // the example has null where this run has a value
    for (const auto& [p, t] : want) {
      if (t == "null" && path.starts_with(p) && path.size() > p.size()) under_null = true;
    }
    EXPECT_TRUE(want.count(path) || under_null) << example << ": extra " << path;
  }
}

TEST(CliJsonTest, RunStatusRunsAndDiagnoseHaveTheDocumentedShapes) {
  Workspace ws;
  ws.Write("gauntlet.yml",
           "name: webapp\n"
           "defaults: { shell: sh }\n"
           "jobs:\n"
           "  build: { run: 'echo version=1.4.2 >> $GAUNTLET_OUTPUT' }\n"
           "  unit: { run: 'echo boom; exit 1', needs: [build] }\n"
           "  package: { run: 'true', needs: [unit] }\n");
  Output run = ws.Run({"run", "--json"});
  ASSERT_EQ(run.code, 1) << run.err;
  json summary = json::parse(run.out, nullptr, false);
  ExpectShape(summary, "run-summary.json");
  EXPECT_EQ(summary["jobs"][0]["outputs"]["version"], "1.4.2");

  Output status = ws.Run({"status", "--json"});
  ASSERT_EQ(status.code, 0) << status.err;
  ExpectShape(json::parse(status.out, nullptr, false), "run-detail.json");

  Output runs = ws.Run({"runs", "--json"});
  ASSERT_EQ(runs.code, 0) << runs.err;
  json list = json::parse(runs.out, nullptr, false);
  ASSERT_EQ(list.size(), 1u);
  json one = list[0];
  EXPECT_TRUE(one.contains("tests") && one.contains("coverage"));
  one.erase("tests");
  one.erase("coverage");
  ExpectShape(one, "run.json");

  Output diagnose = ws.Run({"diagnose", "--json"});
  ASSERT_EQ(diagnose.code, 1) << diagnose.err;
  ExpectShape(json::parse(diagnose.out, nullptr, false), "diagnosis.json");
}

}  // namespace
}  // namespace gauntlet::testing
