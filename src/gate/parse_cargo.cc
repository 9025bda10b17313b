// rustc / cargo / clippy: the human form ("error[E0308]: msg" then
// " --> file:line:col") and `--message-format=json` (one JSON object a line,
// cargo's wrapper or rustc's own --error-format=json), which may be mixed with
// human lines such as "error: could not compile".
#include <re2/re2.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "gate/json_in_log.h"
#include "gate/parse_tools.h"
#include "gate/text.h"

namespace gauntlet::gate {

namespace {

// Headers that summarise rather than report ("aborting due to 2 errors").
bool IsSummary(const std::string& message) {
  static const RE2 kSummary(
      R"(^(?:aborting due to|could not compile|build failed|`[^`]*` \(.*\) generated \d+|\d+ warnings? emitted|(?:doc)?test failed, to rerun pass|\d+ targets failed))");
  return RE2::PartialMatch(message, kSummary);
}

void Categorise(Diagnostic& d) {
  const bool clippy = d.rule.rfind("clippy::", 0) == 0;
  d.category = clippy ? Category::kLint : Category::kBuild;
  d.tool = clippy ? "clippy" : "rustc";
}

// The lint a note names: "`#[warn(clippy::len_zero)]` on by default", "to override
// `-D warnings` add `#[allow(clippy::len_zero)]`", "`-D clippy::len-zero` implied by
// `-D warnings`" (the CI form, where every lint is an error), or the lint's help URL
// ("rust-clippy/.../index.html#len_zero").
std::string LintFromNote(const std::string& note) {
  static const RE2 kAttribute(R"(#\[(?:warn|deny|forbid|allow)\(([\w:]+)\)\])");
  static const RE2 kFlag(R"(`-[DWF] (clippy::[\w-]+)`)");
  static const RE2 kUrl(R"(rust-clippy/\S*#([a-z0-9_]+)$)");
  std::string lint;
  if (RE2::PartialMatch(note, kAttribute, &lint)) return lint;
  if (RE2::PartialMatch(note, kFlag, &lint)) {
    std::replace(lint.begin(), lint.end(), '-', '_');  // flags spell lints with dashes
    return lint;
  }
  if (RE2::PartialMatch(note, kUrl, &lint)) return "clippy::" + lint;
  return "";
}

// A failed `cargo test`: "thread 'tests::halves' (26481) panicked at src/lib.rs:15:9:"
// (Rust 1.73 on; the thread id since 1.88), then the message lines, or, before 1.73,
// "thread 'tests::halves' panicked at 'message', src/lib.rs:15:9". The test's name and the
// panic's location; the thread `main` is a program's panic, not a test's.
bool ParsePanic(std::string_view line, Diagnostic* d) {
  static const RE2 kPanic(R"(^thread '([^']*)'(?: \(\d+\))? panicked at (.+?):(\d+):(\d+):$)");
  static const RE2 kOldPanic(R"(^thread '([^']*)' panicked at '(.*)', (.+?):(\d+):(\d+)$)");
  std::string name, file, line_s, col_s, message;
  if (!RE2::FullMatch(line, kPanic, &name, &file, &line_s, &col_s) &&
      !RE2::FullMatch(line, kOldPanic, &name, &message, &file, &line_s, &col_s)) {
    return false;
  }
  d->category = name == "main" ? Category::kOther : Category::kTest;
  d->tool = name == "main" ? "rustc" : "cargo test";
  d->rule = name == "main" ? "panic" : name;
  d->file = file;
  d->line = ToInt(line_s);
  d->col = ToInt(col_s);
  d->message = message;
  d->excerpt = std::string(line);
  return true;
}

// The test whose output follows "---- tests::halves stdout ----" (the failures' section),
// and, for a doc-test ("src/lib.rs - deposit (line 3)"), the file and line of its code
// block: a doc-test's own panic names line numbers of the program rustdoc made of it,
// which are not the file's, so the block is its location.
struct TestSection {
  std::string name, doc_file;
  int doc_line = 0;
};

bool ParseSection(std::string_view line, TestSection* section) {
  static const RE2 kSection(R"(^---- (.+) stdout ----$)");
  static const RE2 kDocTest(R"(^(.+?) - .+ \(line (\d+)\)$)");
  std::string name;
  if (!RE2::FullMatch(line, kSection, &name)) return false;
  *section = TestSection{};
  section->name = name;
  std::string line_s;
  if (RE2::FullMatch(name, kDocTest, &section->doc_file, &line_s)) {
    section->doc_line = ToInt(line_s);
  }
  return true;
}

// Inside a test's section: a #[should_panic] test that returned ("note: test did not panic
// as expected at src/lib.rs:14:8", the location since Rust 1.80), or a test that returned
// Err (`Error: "ledger closed"`, the error's Debug form).
bool ParseSectionFailure(std::string_view line, const TestSection& section, Diagnostic* d) {
  static const RE2 kNoPanic(R"(^note: test did not panic as expected(?: at (.+?):(\d+):(\d+))?$)");
  std::string file, line_s, col_s;
  if (RE2::FullMatch(line, kNoPanic, &file, &line_s, &col_s)) {
    d->message = "test did not panic as expected";
    d->file = file;
    d->line = ToInt(line_s);
    d->col = ToInt(col_s);
  } else if (line.starts_with("Error: ")) {
    d->message = std::string(line);
  } else {
    return false;
  }
  d->category = Category::kTest;
  d->tool = "cargo test";
  d->rule = section.name;
  d->excerpt = std::string(line);
  return true;
}

// A line of a panic's message, which ends at a blank line or cargo's hints.
bool EndsPanic(std::string_view line) {
  return line.empty() || line.starts_with("note: run with `RUST_BACKTRACE") ||
         line.starts_with("stack backtrace:") || line.starts_with("---- ");
}

bool ParseJsonLineOrThrow(std::string_view line, std::vector<Diagnostic>& out) {
  if (line.empty() || line[0] != '{') return false;
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return false;
  const nlohmann::json* msg = &j;
  if (j.contains("reason")) {
    if (j["reason"] != "compiler-message" || !j.contains("message")) return true;
    msg = &j["message"];
  }
  if (!msg->is_object() || !msg->contains("level")) return true;
  const std::string level = msg->value("level", "");
  if (level != "error" && level != "warning") return true;
  Diagnostic d;
  d.severity = level == "error" ? Severity::kError : Severity::kWarning;
  d.message = msg->value("message", "");
  if (const auto& code = Field(*msg, "code"); code.is_object()) d.rule = code.value("code", "");
  const auto& spans = Field(*msg, "spans");
  if (spans.is_array()) {
    for (const auto& s : spans) {
      if (!s.value("is_primary", false)) continue;
      d.file = s.value("file_name", "");
      d.line = s.value("line_start", 0);
      d.col = s.value("column_start", 0);
      d.end_line = s.value("line_end", 0);
      d.end_col = s.value("column_end", 0);
      break;
    }
  }
  if (d.file.empty() && IsSummary(d.message)) return true;
  if (const auto& children = Field(*msg, "children"); children.is_array()) {
    for (const auto& c : children) {
      Note n;
      n.message = c.value("level", "") + ": " + c.value("message", "");
      if (Field(c, "spans").is_array() && !Field(c, "spans").empty()) {
        const auto& s = Field(c, "spans")[0];
        n.file = s.value("file_name", "");
        n.line = s.value("line_start", 0);
        n.col = s.value("column_start", 0);
      }
      if (d.rule.empty()) d.rule = LintFromNote(n.message);
      d.notes.push_back(std::move(n));
    }
  }
  if (const auto& r = Field(*msg, "rendered"); r.is_string()) {
    d.excerpt = r.get<std::string>();
    while (!d.excerpt.empty() && d.excerpt.back() == '\n') d.excerpt.pop_back();
  }
  Categorise(d);
  out.push_back(std::move(d));
  return true;
}

// A JSON line of an unexpected shape is skipped, not fatal.
bool ParseJsonLine(std::string_view line, std::vector<Diagnostic>& out) {
  try {
    return ParseJsonLineOrThrow(line, out);
  } catch (const nlohmann::json::exception&) {
    return true;
  }
}

}  // namespace

std::vector<Diagnostic> ParseCargo(std::string_view log) {
  static const RE2 kHeader(R"(^(error|warning|note|help)(?:\[([\w:]+)\])?: (.*)$)");
  static const RE2 kArrow(R"(^\s*--> (.+?):(\d+):(\d+)$)");
  static const RE2 kEqNote(R"(^\s*= (note|help): (.*)$)");

  std::vector<Diagnostic> out;
  bool open = false;           // out.back() is still taking lines
  bool child_pending = false;  // the last note waits for its --> line
  bool panic = false;          // out.back() is a panic taking its message lines
  TestSection section;         // the failed test whose output this is, if any
  auto close = [&] {
    if (!open) return;
    Diagnostic& d = out.back();
    while (!d.excerpt.empty() && (d.excerpt.back() == '\n' || d.excerpt.back() == ' ')) {
      d.excerpt.pop_back();
    }
    if (d.file.empty() && IsSummary(d.message)) out.pop_back();
    open = false;
    child_pending = false;
  };

  for (std::string_view line : SplitLines(log)) {
    if (panic) {
      if (!EndsPanic(line)) {
        Diagnostic& d = out.back();
        d.message += (d.message.empty() ? "" : "\n") + std::string(line);
        AppendLine(d.excerpt, line);
        continue;
      }
      panic = false;
    }
    if (ParseSection(line, &section)) {
      close();
      continue;
    }
    if (line == "failures:" || line.starts_with("test result: ")) section = TestSection{};
    if (Diagnostic d; ParsePanic(line, &d)) {
      close();
      panic = d.message.empty();  // the new form puts the message on the lines after
      if (section.doc_line > 0) {  // a doc-test's program panicked: the test failed
        d.category = Category::kTest;
        d.tool = "cargo test";
        d.rule = section.name;
        d.file = section.doc_file;
        d.line = section.doc_line;
        d.col = 0;
      }
      out.push_back(std::move(d));
      continue;
    }
    if (Diagnostic d; !section.name.empty() && ParseSectionFailure(line, section, &d)) {
      close();
      out.push_back(std::move(d));
      continue;
    }
    if (!line.empty() && line[0] == '{') {
      close();
      if (ParseJsonLine(line, out)) continue;
    }
    std::string level, code, message, file, line_s, col_s;
    if (RE2::FullMatch(line, kHeader, &level, &code, &message)) {
      if (open && (level == "note" || level == "help")) {
        out.back().notes.push_back({"", 0, 0, level + ": " + message});
        AppendLine(out.back().excerpt, line);
        child_pending = true;
        continue;
      }
      close();
      if (level != "error" && level != "warning") continue;
      Diagnostic d;
      d.severity = level == "error" ? Severity::kError : Severity::kWarning;
      d.rule = code;
      d.message = message;
      d.excerpt = std::string(line);
      Categorise(d);
      out.push_back(std::move(d));
      open = true;
      continue;
    }
    if (!open) continue;
    Diagnostic& d = out.back();
    if (RE2::FullMatch(line, kArrow, &file, &line_s, &col_s)) {
      if (child_pending) {
        Note& n = d.notes.back();
        n.file = file;
        n.line = ToInt(line_s);
        n.col = ToInt(col_s);
        child_pending = false;
      } else if (d.file.empty()) {
        d.file = file;
        d.line = ToInt(line_s);
        d.col = ToInt(col_s);
      }
    } else if (RE2::FullMatch(line, kEqNote, &level, &message)) {
      d.notes.push_back({"", 0, 0, level + ": " + message});
      if (d.rule.empty()) {
        d.rule = LintFromNote(message);
        Categorise(d);
      }
    } else if (line.empty() || line[0] == ' ' || (line[0] >= '0' && line[0] <= '9')) {
      // Snippet lines: " --> ", "  |", "7 |     let x". Anything else ends it.
    } else {
      close();
      continue;
    }
    AppendLine(d.excerpt, line);
  }
  close();
  return out;
}

}  // namespace gauntlet::gate
