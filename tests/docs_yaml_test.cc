// Every ```yaml block in README.md and docs/*.md goes through the loader and the planner,
// as `gauntlet validate` does, so the documentation and the code cannot drift apart.
// A block is a whole pipeline file unless an HTML comment (invisible once rendered) on
// the line just above its fence says otherwise:
//   <!-- yaml: top-level -->    top-level keys of a file (environments:, gates:, ...):
//                               checked with a no-op job added
//   <!-- yaml: environment -->  the keys of one environment: checked as the body of
//                               environments.example (with a no-op job beside it)
//   <!-- yaml: fragment -->     a piece of a file shown for its shape: only parsed as YAML
//   <!-- yaml: server-config --> a `gauntlet serve --config` file: read as the server reads it
//   <!-- yaml: invalid -->      shows a mistake: must fail to load, with the error its
//                               comment `# gauntlet.yml:LINE:COL: error: MESSAGE` shows
// Valid means no error; warnings are allowed, as for `gauntlet validate`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "plan/plan.h"
#include "server/config_file.h"
#include "spec/load.h"
#include "spec/yaml_tree.h"

namespace gauntlet {
namespace {

namespace fs = std::filesystem;

struct Block {
  std::string file;
  int line = 0;        // of the opening fence, 1-based
  std::string marker;  // "", "environment", "fragment", "invalid"
  std::string text;    // dedented by the fence's own indentation
};

std::vector<Block> YamlBlocks(const fs::path& path) {
  std::ifstream in(path);
  std::vector<Block> out;
  std::string line, previous;
  Block* open = nullptr;
  size_t indent = 0;
  for (int n = 1; std::getline(in, line); ++n) {
    size_t at = line.find_first_not_of(' ');
    std::string_view trimmed = at == std::string::npos ? "" : std::string_view(line).substr(at);
    if (open) {
      if (trimmed.rfind("```", 0) == 0) {
        open = nullptr;
      } else {
        open->text += (line.size() >= indent ? line.substr(indent) : "") + "\n";
      }
    } else if (trimmed == "```yaml") {
      Block b{path.filename().string(), n, "", ""};
      const std::string prefix = "<!-- yaml: ";
      if (previous.rfind(prefix, 0) == 0 && previous.size() > prefix.size() + 4)
        b.marker = previous.substr(prefix.size(), previous.size() - prefix.size() - 4);
      out.push_back(b);
      open = &out.back();
      indent = at;
    }
    previous = line;
  }
  return out;
}

std::vector<Block> AllBlocks() {
  std::vector<fs::path> files = {fs::path(GAUNTLET_SOURCE_DIR) / "README.md"};
  for (const auto& e : fs::directory_iterator(fs::path(GAUNTLET_SOURCE_DIR) / "docs"))
    if (e.path().extension() == ".md") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<Block> out;
  for (const auto& f : files) {
    auto blocks = YamlBlocks(f);
    out.insert(out.end(), blocks.begin(), blocks.end());
  }
  return out;
}

const char* const kNoopJob = "jobs:\n  noop:\n    run: \"true\"\n";

// The block as a whole pipeline file, as its marker says.
std::string AsPipeline(const Block& b) {
  if (b.marker == "top-level") return b.text + kNoopJob;
  if (b.marker != "environment") return b.text;
  size_t least = std::string::npos;
  std::istringstream lines(b.text);
  for (std::string l; std::getline(lines, l);)
    if (l.find_first_not_of(' ') != std::string::npos)
      least = std::min(least, l.find_first_not_of(' '));
  std::string out = "environments:\n  example:\n";
  lines = std::istringstream(b.text);
  for (std::string l; std::getline(lines, l);)
    out += "    " + (l.size() >= least ? l.substr(least) : "") + "\n";
  return out + kNoopJob;
}

// Errors of the loader and the planner, formatted; "" when valid.
std::string Errors(const std::string& text, const std::string& name) {
  spec::LoadResult r = spec::LoadString(text, name);
  spec::Problems planned;
  if (r.ok()) plan::Build(r.pipeline, &planned);
  if (!r.ok()) return r.problems.Format(r.source);
  if (planned.has_errors()) return planned.Format(r.source);
  return "";
}

// The error an invalid example shows in its comment, from the file name on:
// "gauntlet.yml:4:12: error: steps is not used ..."; "" when it shows none.
std::string ShownError(const Block& b) {
  size_t at = b.text.find("# gauntlet.yml:");
  if (at == std::string::npos) return "";
  at += 2;
  return b.text.substr(at, b.text.find('\n', at) - at);
}

TEST(DocsYamlTest, EveryExampleLoadsUnlessMarkedAsAFragmentOrAMistake) {
  std::vector<Block> blocks = AllBlocks();
  int checked = 0, environments = 0, invalid = 0, fragments = 0;
  for (const Block& b : blocks) {
    const std::string where = b.file + ":" + std::to_string(b.line);
    SCOPED_TRACE(where);
    ASSERT_TRUE(b.marker == "" || b.marker == "top-level" || b.marker == "environment" ||
                b.marker == "fragment" || b.marker == "invalid" || b.marker == "server-config")
        << "unknown marker '" << b.marker
        << "': top-level, environment, fragment, invalid or server-config";
    if (b.marker == "server-config") {
      const fs::path file = fs::temp_directory_path() /
                            ("gauntlet-server-" + std::to_string(getpid()) + ".yml");
      std::ofstream(file) << b.text;
      auto loaded = server::LoadServerFile(file.string());
      EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.error().message);
      fs::remove(file);
      continue;
    }
    if (b.marker == "fragment") {
      spec::YamlDocument doc;
      spec::YamlError error;
      EXPECT_TRUE(doc.Parse(b.text, &error))
          << "line " << error.line + 1 << " of the block: " << error.message;
      ++fragments;
      continue;
    }
    if (b.marker == "invalid") {
      // Named as the user's file, so the comment reads as what `gauntlet validate` prints.
      const std::string shown = ShownError(b);
      EXPECT_NE(shown, "") << "an invalid example shows its error: # gauntlet.yml:L:C: error: ...";
      std::string errors = Errors(AsPipeline(b), "gauntlet.yml");
      EXPECT_NE(errors, "") << "marked invalid, but it loads:\n" << b.text;
      EXPECT_NE(errors.find(shown), std::string::npos) << "it shows\n  " << shown << "\nbut gets\n"
                                                      << errors;
      ++invalid;
      continue;
    }
    std::string errors = Errors(AsPipeline(b), where);
    EXPECT_EQ(errors, "") << b.text;
    ++checked;
    environments += b.marker == "environment";
  }
  // The docs hold examples of every kind; a parser that found none would pass anything.
  EXPECT_GE(checked, 10);
  EXPECT_GE(environments, 4);
  EXPECT_GE(invalid, 1);
  EXPECT_GE(fragments, 1);
}

// The extraction itself: markers, indented fences, the wrapping of an environment.
TEST(DocsYamlTest, BlocksAreFoundWithTheirMarkers) {
  fs::path dir = fs::temp_directory_path() / ("gauntlet-docs-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "x.md") << "text\n```yaml\njobs: {a: {run: x}}\n```\n"
                                 "<!-- yaml: environment -->\n  ```yaml\n    strategy: canary\n"
                                 "    steps: [5, 100]\n  ```\n<!-- yaml: invalid -->\n```yaml\n"
                                 "jobs: {a: {runn: x}}  # gauntlet.yml:1:12: error: unknown key\n"
                                 "```\n```sh\nnot: yaml\n```\n";
  std::vector<Block> blocks = YamlBlocks(dir / "x.md");
  fs::remove_all(dir);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].line, 2);
  EXPECT_EQ(blocks[0].marker, "");
  EXPECT_EQ(Errors(AsPipeline(blocks[0]), "a"), "");
  EXPECT_EQ(blocks[1].marker, "environment");
  EXPECT_EQ(blocks[1].text, "  strategy: canary\n  steps: [5, 100]\n");
  EXPECT_EQ(Errors(AsPipeline(blocks[1]), "b"), "");
  EXPECT_EQ(blocks[2].marker, "invalid");
  EXPECT_EQ(ShownError(blocks[2]), "gauntlet.yml:1:12: error: unknown key");
  EXPECT_NE(Errors(AsPipeline(blocks[2]), "gauntlet.yml").find(ShownError(blocks[2])),
            std::string::npos)
      << Errors(AsPipeline(blocks[2]), "gauntlet.yml");
}

}  // namespace
}  // namespace gauntlet
