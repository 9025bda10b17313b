#include "spec/matrix.h"

#include <gtest/gtest.h>

namespace gauntlet::spec {
namespace {

MatrixValue S(const char* s) { return MatrixValue{s}; }

std::vector<std::string> Names(const Matrix& m) {
  std::vector<std::string> out;
  for (const auto& c : ExpandMatrix(m)) out.push_back(MatrixJobName("unit", c));
  return out;
}

TEST(MatrixTest, ProductInAxisOrder) {
  Matrix m;
  m.axes = {{"py", {S("3.11"), S("3.12")}}, {"os", {S("linux"), S("mac")}}};
  EXPECT_EQ(Names(m), (std::vector<std::string>{
                          "unit (py=3.11, os=linux)", "unit (py=3.11, os=mac)",
                          "unit (py=3.12, os=linux)", "unit (py=3.12, os=mac)"}));
}

TEST(MatrixTest, ExcludeRemovesPartialMatches) {
  Matrix m;
  m.axes = {{"py", {S("3.11"), S("3.12")}}, {"os", {S("linux"), S("mac")}}};
  m.exclude = {{{"os", S("mac")}}};
  EXPECT_EQ(Names(m), (std::vector<std::string>{"unit (py=3.11, os=linux)",
                                                "unit (py=3.12, os=linux)"}));
}

TEST(MatrixTest, IncludeMergesOrAdds) {
  Matrix m;
  m.axes = {{"py", {S("3.11"), S("3.12")}}};
  m.include = {{{"py", S("3.12")}, {"experimental", S("true")}},  // merges into py=3.12
               {{"py", S("3.13")}}};                              // contradicts all: added
  EXPECT_EQ(Names(m), (std::vector<std::string>{"unit (py=3.11)",
                                                "unit (py=3.12, experimental=true)",
                                                "unit (py=3.13)"}));
}

TEST(MatrixTest, ExcludingEverythingLeavesNothing) {
  Matrix m;
  m.axes = {{"py", {S("3.11")}}};
  m.exclude = {{{"py", S("3.11")}}};
  EXPECT_TRUE(ExpandMatrix(m).empty());
}

TEST(MatrixTest, NoMatrixIsNoCombination) {
  EXPECT_TRUE(ExpandMatrix(Matrix{}).empty());
  EXPECT_EQ(MatrixJobName("lint", {}), "lint");
}

}  // namespace
}  // namespace gauntlet::spec
