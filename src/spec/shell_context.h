// Where a `${{ }}` stands in a POSIX shell script (bash, sh, dash, zsh, ...): a bare
// word, inside "double" or 'single' quotes or $'...', in a heredoc body, a comment,
// arithmetic. A value from outside the pipeline file is put there as a reference to an
// environment variable quoted for that place (spec/shell_template.h), so the shell
// expands it as data and never parses it (docs/expressions.md).
//
// This is a lexer's approximation of the shell's grammar (a `case` pattern's `)` inside
// `$( )` is read as closing it, aliases are not expanded). A wrong answer changes only
// which quoting form the reference gets, and so at worst the text the command sees
// (split into words, or the reference's own text): a parameter expansion's result is
// never parsed as shell syntax again, so a value cannot run as code either way. The
// exceptions are arithmetic and quoted heredocs, which a reference cannot enter safely
// or at all: those places are refused.
#pragma once

#include <string>
#include <string_view>

namespace gauntlet::spec {

enum class ShellPlace {
  kBare,              // an unquoted word (also inside `$( )` and backticks)
  kDoubleQuoted,      // inside "..." (or a `${...}` word inside "...")
  kSingleQuoted,      // inside '...'
  kAnsiC,             // inside $'...'
  kHeredoc,           // the body of a heredoc with an unquoted delimiter: expanded
  kQuotedHeredoc,     // the body of <<'EOF': nothing in it is expanded
  kComment,           // after `#`: never run
  kArithmetic,        // $(( )), (( )), $[ ]: bash evaluates a variable's text there
  kHeredocDelimiter,  // the word after `<<`
};

// The place right after `script`, the beginning of a shell script.
ShellPlace PlaceAtEnd(std::string_view script);

// The text standing for environment variable `name` at `place`, such that the shell
// sees exactly the variable's value: one word when bare, part of the string when
// quoted. Empty where no reference can stand (a quoted heredoc, arithmetic, a heredoc
// delimiter).
std::string VariableReference(ShellPlace place, std::string_view name);

// "a single-quoted string", for messages.
const char* PlaceName(ShellPlace place);

// Whether `shell` (a job's `shell:`, a name or a path) is a POSIX shell whose quoting
// PlaceAtEnd knows: bash, sh, dash, zsh, ksh, mksh, ash, yash, posh.
bool IsPosixShell(std::string_view shell);

}  // namespace gauntlet::spec
