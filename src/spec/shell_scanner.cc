// PlaceAtEnd: a lexer of POSIX shell scripts (shell_context.h says what it knows and why
// its approximations are safe).
#include "spec/shell_context.h"

#include <deque>
#include <vector>

namespace gauntlet::spec {
namespace {
// Named inside the anonymous namespace: unity batches put several files' anonymous
// namespaces in one translation unit.
namespace shell_lexer {

enum class Kind {
  kCommand,   // the script itself
  kSubshell,  // $( ... ), closed by the `)` that balances it
  kBacktick,  // ` ... `
  kDouble,    // " ... "
  kSingle,    // ' ... '
  kAnsiC,     // $' ... '
  kParam,     // ${ ... }
  kArith,     // $(( ... )) or (( ... ))
  kBracket,   // $[ ... ]
  kHeredoc,   // a heredoc body, up to its delimiter line
};

struct Heredoc {
  std::string delimiter;
  bool strip_tabs = false;  // <<-
  bool quoted = false;      // any quoting in the delimiter word: the body is not expanded
};

struct Frame {
  Frame(Kind k, size_t b) : kind(k), begin(b) {}
  Kind kind;
  size_t begin;                  // where its text starts
  int depth = 0;                 // unbalanced `(` (subshell, arithmetic) or `{` (parameter)
  bool quoted = false;           // kParam: inside "..."
  bool comment = false;          // command frames: after `#`, up to the newline
  std::vector<Heredoc> pending;  // command frames: `<<` seen, body after the newline
  Heredoc doc;                   // kHeredoc
};

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// A `#` starts a comment only at the start of a word.
bool WordStart(std::string_view t, size_t i, size_t begin) {
  if (i == begin) return true;
  const char p = t[i - 1];
  return IsBlank(p) || p == '\n' || p == ';' || p == '&' || p == '|' || p == '(' || p == ')' ||
         p == '<' || p == '>';
}

// `((` is an arithmetic command only where a command starts.
bool CommandStart(std::string_view t, size_t i, size_t begin) {
  while (i > begin && IsBlank(t[i - 1])) --i;
  if (i == begin) return true;
  const char p = t[i - 1];
  return p == '\n' || p == ';' || p == '&' || p == '|' || p == '(';
}

class Scanner {
 public:
  explicit Scanner(std::string_view t) : t_(t) { stack_.emplace_back(Kind::kCommand, 0); }

  ShellPlace Run() {
    while (i_ < t_.size()) {
      if (!Step()) return ShellPlace::kHeredocDelimiter;
    }
    const Frame& f = stack_.back();
    switch (f.kind) {
      case Kind::kCommand:
      case Kind::kSubshell:
      case Kind::kBacktick:
        return f.comment ? ShellPlace::kComment : ShellPlace::kBare;
      case Kind::kDouble:
        return ShellPlace::kDoubleQuoted;
      case Kind::kSingle:
        return ShellPlace::kSingleQuoted;
      case Kind::kAnsiC:
        return ShellPlace::kAnsiC;
      case Kind::kParam:
        return f.quoted ? ShellPlace::kDoubleQuoted : ShellPlace::kBare;
      case Kind::kArith:
      case Kind::kBracket:
        return ShellPlace::kArithmetic;
      case Kind::kHeredoc:
        return f.doc.quoted ? ShellPlace::kQuotedHeredoc : ShellPlace::kHeredoc;
    }
    return ShellPlace::kBare;
  }

 private:
  bool At(std::string_view s) const { return t_.substr(i_, s.size()) == s; }
  void Push(Kind kind, size_t skip, bool quoted = false) {
    i_ += skip;
    Frame f(kind, i_);
    f.quoted = quoted;
    stack_.push_back(std::move(f));
  }
  void Pop(size_t skip) {
    i_ += skip;
    if (stack_.size() > 1) stack_.pop_back();
  }

  // `$` where expansions happen; `quoted`: inside "..." or a heredoc body, where $'
  // and $" are not quotes.
  void Dollar(bool quoted) {
    if (At("$((")) return Push(Kind::kArith, 3);
    if (At("$(")) return Push(Kind::kSubshell, 2);
    if (At("${")) return Push(Kind::kParam, 2, quoted);
    if (At("$[")) return Push(Kind::kBracket, 2);
    if (!quoted && At("$'")) return Push(Kind::kAnsiC, 2);
    if (!quoted && At("$\"")) return Push(Kind::kDouble, 2);
    ++i_;
  }

  // The word after `<<`/`<<-`; false when the script ends inside it.
  bool ReadHeredoc(Frame& f) {
    Heredoc doc;
    i_ += 2;
    if (i_ < t_.size() && t_[i_] == '-') {
      doc.strip_tabs = true;
      ++i_;
    }
    while (i_ < t_.size() && IsBlank(t_[i_])) ++i_;
    while (i_ < t_.size()) {
      const char c = t_[i_];
      if (IsBlank(c) || c == '\n' || c == ';' || c == '&' || c == '|' || c == '<' || c == '>' ||
          c == '(' || c == ')')
        break;
      if (c == '\'' || c == '"') {
        doc.quoted = true;
        size_t close = t_.find(c, i_ + 1);
        if (close == std::string_view::npos) return false;
        doc.delimiter.append(t_.substr(i_ + 1, close - i_ - 1));
        i_ = close + 1;
      } else if (c == '\\') {
        doc.quoted = true;
        if (i_ + 1 >= t_.size()) return false;
        doc.delimiter += t_[i_ + 1];
        i_ += 2;
      } else {
        doc.delimiter += c;
        ++i_;
      }
    }
    if (i_ >= t_.size()) return false;  // the word may go on after the end
    f.pending.push_back(std::move(doc));
    return true;
  }

  // A body line at i_: the delimiter line ends the body.
  void HeredocLine(Frame& f) {
    size_t nl = t_.find('\n', i_);
    const bool complete = nl != std::string_view::npos;
    std::string_view line = t_.substr(i_, complete ? nl - i_ : std::string_view::npos);
    if (f.doc.strip_tabs) {
      while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
    }
    // An unfinished last line is where the expression goes: it is not the delimiter yet.
    if (complete && line == f.doc.delimiter) {
      Pop(nl + 1 - i_);
      if (!bodies_.empty()) {
        Push(Kind::kHeredoc, 0);
        stack_.back().doc = std::move(bodies_.front());
        bodies_.pop_front();
      }
      return;
    }
    if (f.doc.quoted) {
      i_ = complete ? nl + 1 : t_.size();
      return;
    }
    Body(f);
  }

  // One character of an unquoted heredoc body: only \, $ and ` are special.
  void Body(Frame& f) {
    const char c = t_[i_];
    if (c == '\\') {
      i_ += 2;
    } else if (!QuotedExpansion(c)) {
      ++i_;
    }
  }

  // One step of a command frame (the script, `$( )`, backticks) or an unquoted `${ }`.
  bool Command(Frame& f) {
    const char c = t_[i_];
    const bool param = f.kind == Kind::kParam;
    if (f.comment) {
      if (c != '\n') {
        ++i_;
        return true;
      }
      f.comment = false;
    }
    switch (c) {
      case '\\':
        i_ += 2;
        return true;
      case '\'':
        Push(Kind::kSingle, 1);
        return true;
      case '"':
        Push(Kind::kDouble, 1);
        return true;
      case '`':
        if (f.kind == Kind::kBacktick) {
          Pop(1);
        } else {
          Push(Kind::kBacktick, 1);
        }
        return true;
      case '$':
        Dollar(/*quoted=*/false);
        return true;
      case '#':
        if (!param && WordStart(t_, i_, f.begin)) f.comment = true;
        ++i_;
        return true;
      case '<':
        if (param || At("<<<") || !At("<<")) {
          i_ += At("<<<") ? 3 : 1;
          return true;
        }
        return ReadHeredoc(f);
      case '(':
        if (!param && At("((") && CommandStart(t_, i_, f.begin)) {
          Push(Kind::kArith, 2);
        } else {
          ++f.depth;
          ++i_;
        }
        return true;
      case ')':
        if (f.kind == Kind::kSubshell && f.depth == 0) {
          Pop(1);
        } else {
          if (f.depth > 0) --f.depth;
          ++i_;
        }
        return true;
      case '{':
        if (param) ++f.depth;
        ++i_;
        return true;
      case '}':
        if (param && f.depth == 0) {
          Pop(1);
        } else {
          if (param && f.depth > 0) --f.depth;
          ++i_;
        }
        return true;
      case '\n':
        ++i_;
        if (!param && !f.pending.empty()) {
          for (Heredoc& doc : f.pending) bodies_.push_back(std::move(doc));
          f.pending.clear();
          Push(Kind::kHeredoc, 0);
          stack_.back().doc = std::move(bodies_.front());
          bodies_.pop_front();
        }
        return true;
      default:
        ++i_;
        return true;
    }
  }

  // `$` or a backquote where expansions happen inside quotes; false: `c` is neither.
  bool QuotedExpansion(char c) {
    if (c == '$') {
      Dollar(/*quoted=*/true);
    } else if (c == '`') {
      Push(Kind::kBacktick, 1);
    } else {
      return false;
    }
    return true;
  }

  // Inside "..." or a `${...}` word inside "...": up to the closing quote or brace.
  void Quoted(const Frame& f, char c) {
    if (c == '\\') {
      i_ += 2;
    } else if (c == '"') {
      if (f.kind == Kind::kDouble) {
        Pop(1);
      } else {
        Push(Kind::kDouble, 1);  // "${x:-"nested"}"
      }
    } else if (c == '}' && f.kind == Kind::kParam) {
      Pop(1);
    } else if (!QuotedExpansion(c)) {
      ++i_;
    }
  }

  // Inside $(( )) or (( )): up to the `))` that balances it.
  void Arithmetic(Frame& f, char c) {
    if (c == '(') {
      ++f.depth;
      ++i_;
    } else if (c == ')' && f.depth == 0 && At("))")) {
      Pop(2);
    } else if (c == ')') {
      if (f.depth > 0) --f.depth;
      ++i_;
    } else if (!QuotedExpansion(c)) {
      ++i_;
    }
  }

  // Inside '...' or $'...' (with backslash escapes): up to the closing quote.
  void SingleQuoted(char c, bool escapes) {
    if (escapes && c == '\\') {
      i_ += 2;
    } else if (c == '\'') {
      Pop(1);
    } else {
      ++i_;
    }
  }

  // One step; false when the script ends inside a heredoc delimiter word.
  bool Step() {
    Frame& f = stack_.back();
    const char c = t_[i_];
    switch (f.kind) {
      case Kind::kCommand:
      case Kind::kSubshell:
      case Kind::kBacktick:
        return Command(f);
      case Kind::kParam:
        if (!f.quoted) return Command(f);
        Quoted(f, c);
        return true;
      case Kind::kDouble:
        Quoted(f, c);
        return true;
      case Kind::kSingle:
      case Kind::kAnsiC:
        SingleQuoted(c, f.kind == Kind::kAnsiC);
        return true;
      case Kind::kArith:
        Arithmetic(f, c);
        return true;
      case Kind::kBracket:
        if (c == ']') {
          Pop(1);
        } else if (!QuotedExpansion(c)) {
          ++i_;
        }
        return true;
      case Kind::kHeredoc:
        if (i_ == f.begin || t_[i_ - 1] == '\n') {
          HeredocLine(f);
        } else if (!f.doc.quoted) {
          Body(f);
        } else {
          ++i_;
        }
        return true;
    }
    ++i_;
    return true;
  }

  std::string_view t_;
  size_t i_ = 0;
  std::vector<Frame> stack_;
  std::deque<Heredoc> bodies_;  // bodies still to come after the current one
};

}  // namespace shell_lexer
}  // namespace

ShellPlace PlaceAtEnd(std::string_view script) { return shell_lexer::Scanner(script).Run(); }

}  // namespace gauntlet::spec
