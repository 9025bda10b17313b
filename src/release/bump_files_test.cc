#include "release/bump_files.h"

#include <gtest/gtest.h>

namespace gauntlet::release {
namespace {

std::string Bumped(std::string_view path, std::string_view text, std::string_view pattern = "") {
  auto r = BumpText(path, pattern, text, "1.3.0");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : "";
}

TEST(BumpFiles, EachKnownKindKeepsTheRestOfTheFile) {
  EXPECT_EQ(Bumped("VERSION", "1.2.9\n"), "1.3.0\n");
  EXPECT_EQ(Bumped("web/package.json",
                 "{\n  \"name\": \"w\",\n  \"version\": \"1.2.9\",\n  \"dependencies\": "
                 "{\"x\": {\"version\": \"9.9.9\"}}\n}\n"),
            "{\n  \"name\": \"w\",\n  \"version\": \"1.3.0\",\n  \"dependencies\": "
            "{\"x\": {\"version\": \"9.9.9\"}}\n}\n");
  EXPECT_EQ(Bumped("pyproject.toml", "[project]\nname = \"p\"\nversion = \"1.2.9\"  # keep\n"
                                   "[tool.x]\nversion = \"0.0.1\"\n"),
            "[project]\nname = \"p\"\nversion = \"1.3.0\"  # keep\n[tool.x]\nversion = \"0.0.1\"\n");
  EXPECT_EQ(Bumped("Cargo.toml", "[package]\nname = \"c\"\nversion = \"1.2.9\"\n"),
            "[package]\nname = \"c\"\nversion = \"1.3.0\"\n");
  EXPECT_EQ(Bumped("CMakeLists.txt",
                 "cmake_minimum_required(VERSION 3.25)\nproject(app\n  VERSION 1.2.9\n  LANGUAGES "
                 "CXX)\n"),
            "cmake_minimum_required(VERSION 3.25)\nproject(app\n  VERSION 1.3.0\n  LANGUAGES CXX)\n");
  EXPECT_EQ(Bumped("src/version.h", "#define APP_VERSION \"1.2.9\"\n",
                 R"re(APP_VERSION "([^"]+)")re"),
            "#define APP_VERSION \"1.3.0\"\n");
}

TEST(BumpFiles, SaysWhatIsWrong) {
  auto missing = BumpText("package.json", "", "{\"name\": \"x\"}", "1.0.0");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no version found in package.json"), std::string::npos);
  auto unknown = BumpText("setup.cfg", "", "version = 1", "1.0.0");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("give a pattern"), std::string::npos);
  auto groups = BumpText("a.txt", "(a)(b)", "ab", "1.0.0");
  ASSERT_FALSE(groups.ok());
  EXPECT_NE(groups.error().message.find("one capturing group"), std::string::npos);
}

TEST(BumpFiles, ReadsTheCurrentVersion) {
  EXPECT_EQ(CurrentVersionIn("Cargo.toml", "", "version = \"0.4.0\"\n"), "0.4.0");
  EXPECT_EQ(CurrentVersionIn("Cargo.toml", "", "name = \"x\"\n"), "");
}

}  // namespace
}  // namespace gauntlet::release
