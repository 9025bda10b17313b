#include "gate/rdjson.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace gauntlet::gate {
namespace {

TEST(GateRdjsonTest, WritesReviewdogDiagnosticResult) {
  Diagnostic error;
  error.file = "src/a.c";
  error.line = 4;
  error.col = 12;
  error.message = "'y' undeclared";
  error.tool = "gcc";
  error.excerpt = "src/a.c:4:12: error: 'y' undeclared";
  error.notes.push_back({"src/a.h", 2, 1, "declared here"});
  error.notes.push_back({"", 0, 0, "In function 'main'"});
  Diagnostic warning;
  warning.severity = Severity::kWarning;
  warning.file = "src/b.c";
  warning.line = 7;
  warning.end_line = 9;
  warning.message = "unused";
  warning.rule = "-Wunused-variable";
  Diagnostic whole_file;
  whole_file.severity = Severity::kNote;
  whole_file.file = "README.md";
  whole_file.message = "note";

  nlohmann::json rd = ToRdjson({error, warning, whole_file});
  EXPECT_EQ(rd["source"]["name"], "gauntlet");
  ASSERT_EQ(rd["diagnostics"].size(), 3u);
  const auto& e = rd["diagnostics"][0];
  EXPECT_EQ(e["message"], "'y' undeclared");
  EXPECT_EQ(e["severity"], "ERROR");
  EXPECT_EQ(e["location"]["path"], "src/a.c");
  EXPECT_EQ(e["location"]["range"]["start"]["line"], 4);
  EXPECT_EQ(e["location"]["range"]["start"]["column"], 12);
  EXPECT_EQ(e["source"]["name"], "gcc");
  EXPECT_EQ(e["original_output"], error.excerpt);
  ASSERT_EQ(e["related_locations"].size(), 1u);
  EXPECT_EQ(e["related_locations"][0]["location"]["path"], "src/a.h");
  const auto& w = rd["diagnostics"][1];
  EXPECT_EQ(w["severity"], "WARNING");
  EXPECT_EQ(w["code"]["value"], "-Wunused-variable");
  EXPECT_FALSE(w["location"]["range"]["start"].contains("column"));
  EXPECT_EQ(w["location"]["range"]["end"]["line"], 9);
  const auto& n = rd["diagnostics"][2];
  EXPECT_EQ(n["severity"], "INFO");
  EXPECT_FALSE(n["location"].contains("range"));
  EXPECT_TRUE(ToRdjson({})["diagnostics"].empty());
}

}  // namespace
}  // namespace gauntlet::gate
