#include "spec/shell_context.h"

#include <string>

namespace gauntlet::spec {

std::string VariableReference(ShellPlace place, std::string_view name) {
  const std::string ref = "${" + std::string(name) + "}";
  switch (place) {
    case ShellPlace::kBare:
      return "\"" + ref + "\"";
    case ShellPlace::kDoubleQuoted:
    case ShellPlace::kHeredoc:
    case ShellPlace::kComment:
      return ref;
    case ShellPlace::kSingleQuoted:  // leave the quotes, expand in "...", re-enter
      return "'\"" + ref + "\"'";
    case ShellPlace::kAnsiC:
      return "'\"" + ref + "\"$'";
    case ShellPlace::kQuotedHeredoc:
    case ShellPlace::kArithmetic:
    case ShellPlace::kHeredocDelimiter:
      return "";
  }
  return "";
}

const char* PlaceName(ShellPlace place) {
  switch (place) {
    case ShellPlace::kBare:
      return "a bare word";
    case ShellPlace::kDoubleQuoted:
      return "a double-quoted string";
    case ShellPlace::kSingleQuoted:
      return "a single-quoted string";
    case ShellPlace::kAnsiC:
      return "a $'...' string";
    case ShellPlace::kHeredoc:
      return "a heredoc body";
    case ShellPlace::kQuotedHeredoc:
      return "the body of a heredoc with a quoted delimiter";
    case ShellPlace::kComment:
      return "a comment";
    case ShellPlace::kArithmetic:
      return "shell arithmetic";
    case ShellPlace::kHeredocDelimiter:
      return "a heredoc delimiter";
  }
  return "";
}

bool IsPosixShell(std::string_view shell) {
  size_t slash = shell.rfind('/');
  std::string_view name = slash == std::string_view::npos ? shell : shell.substr(slash + 1);
  for (std::string_view known :
       {"bash", "sh", "dash", "zsh", "ksh", "ksh93", "mksh", "ash", "yash", "posh"}) {
    if (name == known) return true;
  }
  return false;
}

}  // namespace gauntlet::spec
