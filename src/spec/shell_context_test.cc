#include "spec/shell_context.h"

#include <gtest/gtest.h>

namespace gauntlet::spec {
namespace {

struct PlaceCase {
  const char* script;  // the text before the expression
  ShellPlace want;
};
void PrintTo(const PlaceCase& c, std::ostream* os) { *os << c.script; }

class ShellPlaceTest : public ::testing::TestWithParam<PlaceCase> {};

TEST_P(ShellPlaceTest, At) { EXPECT_EQ(PlaceAtEnd(GetParam().script), GetParam().want); }

using P = ShellPlace;
INSTANTIATE_TEST_SUITE_P(
    Places, ShellPlaceTest,
    ::testing::Values(
        PlaceCase{"", P::kBare}, PlaceCase{"echo ", P::kBare}, PlaceCase{"echo --x=", P::kBare},
        PlaceCase{"echo \"", P::kDoubleQuoted}, PlaceCase{"echo \"a\" ", P::kBare},
        PlaceCase{"echo \"it's ", P::kDoubleQuoted}, PlaceCase{"echo 'a", P::kSingleQuoted},
        PlaceCase{"echo 'say \"", P::kSingleQuoted}, PlaceCase{"echo 'a' ", P::kBare},
        PlaceCase{"echo \\'", P::kBare}, PlaceCase{"echo \"\\\"", P::kDoubleQuoted},
        PlaceCase{"echo $'a\\'", P::kAnsiC}, PlaceCase{"echo $'a' ", P::kBare},
        PlaceCase{"echo \"$'", P::kDoubleQuoted},  // $' is no quote inside "..."
        PlaceCase{"echo $(printf ", P::kBare}, PlaceCase{"echo \"$(printf \"", P::kDoubleQuoted},
        PlaceCase{"echo \"$(printf ", P::kBare}, PlaceCase{"echo \"$(f (x) ", P::kBare},
        PlaceCase{"echo \"$(f) ", P::kDoubleQuoted}, PlaceCase{"echo `printf ", P::kBare},
        PlaceCase{"echo \"`printf '", P::kSingleQuoted}, PlaceCase{"echo `a` '", P::kSingleQuoted},
        PlaceCase{"echo ${X:-", P::kBare}, PlaceCase{"echo \"${X:-", P::kDoubleQuoted},
        PlaceCase{"echo \"${X:-a}", P::kDoubleQuoted}, PlaceCase{"echo ${X:-a} ", P::kBare},
        PlaceCase{"echo $((1 + ", P::kArithmetic}, PlaceCase{"(( i += ", P::kArithmetic},
        PlaceCase{"x; (( ", P::kArithmetic}, PlaceCase{"echo $(( (1) + ", P::kArithmetic},
        PlaceCase{"echo $((1)) ", P::kBare}, PlaceCase{"echo $[1+", P::kArithmetic},
        PlaceCase{"f ((", P::kBare},  // not where a command starts
        PlaceCase{"# note ", P::kComment}, PlaceCase{"echo a # ", P::kComment},
        PlaceCase{"echo a#", P::kBare}, PlaceCase{"# c\necho ", P::kBare},
        PlaceCase{"echo \"#", P::kDoubleQuoted}, PlaceCase{"cat <<EOF\n", P::kHeredoc},
        PlaceCase{"cat <<EOF\nline \"", P::kHeredoc}, PlaceCase{"cat <<EOF\nit's ", P::kHeredoc},
        PlaceCase{"cat <<EOF\nEOF\n", P::kBare}, PlaceCase{"cat <<EOF\nEOFX\n", P::kHeredoc},
        PlaceCase{"cat <<-EOF\n\t\tEOF\n", P::kBare}, PlaceCase{"cat <<EOF\n\tEOF\n", P::kHeredoc},
        PlaceCase{"cat <<'EOF'\n", P::kQuotedHeredoc},
        PlaceCase{"cat <<\"EOF\"\na $", P::kQuotedHeredoc},
        PlaceCase{"cat <<\\EOF\n", P::kQuotedHeredoc},
        PlaceCase{"cat <<E'O'F\n", P::kQuotedHeredoc},
        PlaceCase{"cat <<'EOF'\nEOF\necho ", P::kBare}, PlaceCase{"cat <<EOF\n$(echo ", P::kBare},
        PlaceCase{"cat <<EOF\n$(echo \"", P::kDoubleQuoted},
        PlaceCase{"cat <<EOF\n${X:-", P::kDoubleQuoted},
        PlaceCase{"cat <<A <<'B'\na\nA\n", P::kQuotedHeredoc},
        PlaceCase{"cat <<A <<'B'\na\nA\nb\nB\n", P::kBare},
        PlaceCase{"cat <<", P::kHeredocDelimiter}, PlaceCase{"cat << ", P::kHeredocDelimiter},
        PlaceCase{"cat <<E", P::kHeredocDelimiter}, PlaceCase{"cat <<< ", P::kBare},
        PlaceCase{"echo $((1<<", P::kArithmetic}, PlaceCase{"x=\"$(cat <<EOF\n", P::kHeredoc},
        PlaceCase{"x=\"$(cat <<EOF\nEOF\n)\" ", P::kBare},
        PlaceCase{"echo \"a\nb ", P::kDoubleQuoted}));

TEST(ShellContextTest, ReferencesStandForTheValueExactly) {
  EXPECT_EQ(VariableReference(P::kBare, "V"), "\"${V}\"");
  EXPECT_EQ(VariableReference(P::kDoubleQuoted, "V"), "${V}");
  EXPECT_EQ(VariableReference(P::kSingleQuoted, "V"), "'\"${V}\"'");
  EXPECT_EQ(VariableReference(P::kAnsiC, "V"), "'\"${V}\"$'");
  EXPECT_EQ(VariableReference(P::kHeredoc, "V"), "${V}");
  EXPECT_EQ(VariableReference(P::kComment, "V"), "${V}");
  EXPECT_EQ(VariableReference(P::kQuotedHeredoc, "V"), "");
  EXPECT_EQ(VariableReference(P::kArithmetic, "V"), "");
  EXPECT_EQ(VariableReference(P::kHeredocDelimiter, "V"), "");
}

// The reference leaves the scanner where it found it, so later expressions are placed
// as the shell will read them.
TEST(ShellContextTest, AReferenceKeepsThePlace) {
  for (const char* before : {"echo ", "echo \"a", "echo 'a", "echo $'a", "cat <<EOF\nx"}) {
    ShellPlace place = PlaceAtEnd(before);
    std::string after = std::string(before) + VariableReference(place, "V");
    EXPECT_EQ(PlaceAtEnd(after), place) << before;
  }
}

TEST(ShellContextTest, PosixShells) {
  EXPECT_TRUE(IsPosixShell("bash"));
  EXPECT_TRUE(IsPosixShell("/bin/sh"));
  EXPECT_TRUE(IsPosixShell("/usr/local/bin/zsh"));
  EXPECT_FALSE(IsPosixShell("python3"));
  EXPECT_FALSE(IsPosixShell("pwsh"));
  EXPECT_FALSE(IsPosixShell("/opt/bashful"));
}

}  // namespace
}  // namespace gauntlet::spec
