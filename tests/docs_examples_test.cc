// The docs' YAML examples are valid: every ```yaml block of README.md and docs/*.md is
// YAML, and every one that is a whole pipeline (it has top-level `jobs:` or `stages:`)
// loads without an error, as `gauntlet validate` would take it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "spec/load.h"
#include "spec/yaml_tree.h"

namespace gauntlet::spec {
namespace {

namespace fs = std::filesystem;

struct DocExample {
  std::string where;  // "docs/pipeline.md:52"
  std::string yaml;
};

std::vector<DocExample> YamlExamples() {
  const fs::path root(GAUNTLET_SOURCE_DIR);
  std::vector<fs::path> files = {root / "README.md"};
  for (const auto& e : fs::directory_iterator(root / "docs")) {
    if (e.path().extension() == ".md") files.push_back(e.path());
  }
  std::vector<DocExample> out;
  for (const fs::path& file : files) {
    std::ifstream in(file);
    std::string line, yaml;
    int number = 0, start = 0;
    bool inside = false;
    while (std::getline(in, line)) {
      ++number;
      if (!inside && (line == "```yaml" || line == "```yml")) {
        inside = true;
        start = number + 1;
        yaml.clear();
      } else if (inside && line.starts_with("```")) {
        inside = false;
        out.push_back({fs::relative(file, root).string() + ":" + std::to_string(start), yaml});
      } else if (inside) {
        yaml += line + "\n";
      }
    }
  }
  return out;
}

TEST(DocsExamplesTest, EveryYamlExampleParsesAndEveryPipelineLoads) {
  std::vector<DocExample> examples = YamlExamples();
  EXPECT_GE(examples.size(), 15u);  // the docs have many: finding none means a broken scan
  const std::regex pipeline("^(jobs|stages):", std::regex::multiline);
  int pipelines = 0;
  for (const DocExample& e : examples) {
    YamlDocument doc;
    YamlError error;
    EXPECT_TRUE(doc.Parse(e.yaml, &error))
        << e.where << ": line " << error.line + 1 << ": " << error.message;
    if (!std::regex_search(e.yaml, pipeline)) continue;
    ++pipelines;
    LoadResult r = LoadString(e.yaml, e.where);
    EXPECT_TRUE(r.ok()) << r.problems.Format(r.source);
  }
  EXPECT_GE(pipelines, 5);
}

}  // namespace
}  // namespace gauntlet::spec
