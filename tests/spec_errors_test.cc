// Runs every broken pipeline in tests/spec_errors: <case>.yml must produce, first,
// exactly the problem lines listed in <case>.expected (file names relative).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "spec/load.h"

namespace gauntlet::spec {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

TEST(SpecErrorsCorpusTest, EveryCaseReportsItsExpectedProblemsFirst) {
  fs::path dir = fs::path(GAUNTLET_SOURCE_DIR) / "tests" / "spec_errors";
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".yml") continue;
    ++cases;
    std::string name = entry.path().filename().string();
    SCOPED_TRACE(name);
    fs::path expected_path = entry.path();
    expected_path.replace_extension(".expected");
    ASSERT_TRUE(fs::exists(expected_path)) << "missing " << expected_path;
    std::vector<std::string> expected = Lines(ReadAll(expected_path));
    ASSERT_FALSE(expected.empty());

    LoadResult r = LoadString(ReadAll(entry.path()), name);
    ASSERT_FALSE(r.problems.all().empty());
    std::vector<std::string> got;
    const std::regex header("^" + std::regex_replace(name, std::regex(R"(\.)"), R"(\.)") +
                            R"(:\d+:\d+: (error|warning): .*)");
    for (const std::string& line : Lines(r.problems.Format(r.source)))
      if (std::regex_match(line, header)) got.push_back(line);
    ASSERT_GE(got.size(), expected.size()) << r.problems.Format(r.source);
    got.resize(expected.size());
    EXPECT_EQ(got, expected) << r.problems.Format(r.source);
  }
  EXPECT_GE(cases, 15);
}

TEST(SpecErrorsCorpusTest, GoodFilesLoadWithoutProblems) {
  fs::path dir = fs::path(GAUNTLET_SOURCE_DIR) / "tests" / "spec_good";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".yml") continue;
    ++files;
    LoadResult r = LoadFile(entry.path().string());
    EXPECT_TRUE(r.problems.all().empty()) << r.problems.Format(r.source);
  }
  EXPECT_GE(files, 2);
}

}  // namespace
}  // namespace gauntlet::spec
