#include "spec/expr_functions.h"

#include <fmt/format.h>

#include <array>
#include <cstdint>

#include "core/glob.h"
#include "spec/expr_value.h"

namespace gauntlet::spec {
namespace {

using json = nlohmann::json;

constexpr std::array<FunctionSpec, 13> kFunctions = {{
    {FunctionId::kContains, "contains", 2, 2},
    {FunctionId::kStartsWith, "startsWith", 2, 2},
    {FunctionId::kEndsWith, "endsWith", 2, 2},
    {FunctionId::kFormat, "format", 1, SIZE_MAX},
    {FunctionId::kJoin, "join", 1, 2},
    {FunctionId::kToJson, "toJSON", 1, 1},
    {FunctionId::kFromJson, "fromJSON", 1, 1},
    {FunctionId::kSuccess, "success", 0, 0},
    {FunctionId::kFailure, "failure", 0, 0},
    {FunctionId::kAlways, "always", 0, 0},
    {FunctionId::kCancelled, "cancelled", 0, 0},
    {FunctionId::kHashFiles, "hashFiles", 1, SIZE_MAX},
    {FunctionId::kChangesAny, "changes.any", 1, 1},
}};

// fromJSON text longer than this is not quoted in its error.
constexpr size_t kMaxQuotedText = 200;
// fromJSON text nested deeper than this is refused: dumping or comparing it recurses.
constexpr int kMaxJsonDepth = 64;

// Nested format('{0}{0}', format('{0}{0}', ...)) doubles per level; capping every
// result keeps a hostile pipeline file from exhausting a long-running server's memory.
constexpr size_t kMaxResultBytes = size_t{1} << 20;

bool IsPrimitive(const json& v) { return !v.is_array() && !v.is_object(); }

json Contains(const json& search, const json& item) {
  if (search.is_array()) {
    for (const json& element : search) {
      if (LooseEquals(element, item)) return true;
    }
    return false;
  }
  if (!IsPrimitive(search)) return false;
  return FindIgnoreCase(ToText(search), ToText(item)) != std::string_view::npos;
}

json Affix(const json& s, const json& affix, bool at_start) {
  if (!IsPrimitive(s) || !IsPrimitive(affix)) return false;
  std::string text = ToText(s), part = ToText(affix);
  if (part.size() > text.size()) return false;
  size_t at = at_start ? 0 : text.size() - part.size();
  return EqualsIgnoreCase(std::string_view(text).substr(at, part.size()), part);
}

Result<json> Format(std::span<const json* const> args) {
  if (!args[0]->is_string()) {
    // GitHub converts the format to a string; doing so keeps format(1) meaning "1".
    return json(ToText(*args[0]));
  }
  const std::string& f = args[0]->get_ref<const std::string&>();
  const size_t given = args.size() - 1;
  std::string out;
  for (size_t i = 0; i < f.size(); ++i) {
    char c = f[i];
    if (c == '{') {
      if (i + 1 < f.size() && f[i + 1] == '{') {
        out += '{';
        ++i;
        continue;
      }
      size_t j = i + 1;
      uint64_t index = 0;
      while (j < f.size() && f[j] >= '0' && f[j] <= '9' && index < 1000000) {
        index = index * 10 + static_cast<uint64_t>(f[j] - '0');
        ++j;
      }
      if (j == i + 1 || j >= f.size() || f[j] != '}') {
        return Error{fmt::format(
            "format(): bad placeholder at position {} of '{}': write {{N}} with N a number, "
            "or '{{{{' for a literal '{{'",
            i, f)};
      }
      if (index >= given) {
        return Error{fmt::format("format(): '{}' refers to argument {} but only {} {} given",
                                 f.substr(i, j - i + 1), index, given,
                                 given == 1 ? "was" : "were")};
      }
      AppendText(*args[1 + index], &out);
      i = j;
    } else if (c == '}') {
      if (i + 1 < f.size() && f[i + 1] == '}') {
        out += '}';
        ++i;
        continue;
      }
      return Error{fmt::format(
          "format(): unmatched '}}' at position {} of '{}': write '}}}}' for a literal '}}'", i,
          f)};
    } else {
      out += c;
    }
  }
  return json(std::move(out));
}

json Join(std::span<const json* const> args) {
  std::string sep = args.size() > 1 ? ToText(*args[1]) : ",";
  const json& v = *args[0];
  if (!v.is_array()) return IsPrimitive(v) ? json(ToText(v)) : json("");
  std::string out;
  bool first = true;
  for (const json& element : v) {
    if (!first) out += sep;
    first = false;
    AppendText(element, &out);
  }
  return out;
}

Result<json> FromJson(const json& v) {
  std::string text = ToText(v);
  int max_depth = 0;
  json::parser_callback_t track = [&max_depth](int depth, json::parse_event_t, json&) {
    if (depth > max_depth) max_depth = depth;
    return true;
  };
  json parsed = json::parse(text, track, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    // Quoted whole or not at all: a cut would leave the start of a secret, which the
    // masker (that sees only whole values) could not recognise.
    if (text.size() <= kMaxQuotedText)
      return Error{fmt::format("fromJSON(): '{}' is not valid JSON", text)};
    return Error{fmt::format("fromJSON(): a text of {} bytes is not valid JSON", text.size())};
  }
  if (max_depth > kMaxJsonDepth) {
    return Error{fmt::format("fromJSON(): JSON nested deeper than {} levels", kMaxJsonDepth)};
  }
  return parsed;
}

// Whether a changed file matches `pattern` (core/glob.h; a leading '!' is not special).
// Without a known change set (not a repository) it is true, as a change filter would
// run the job rather than wrongly skip it.
Result<json> ChangesAny(const json& changes, const json& pattern) {
  const json* files = nullptr;
  if (changes.is_object()) {
    auto it = changes.find("files");
    if (it != changes.end()) files = &*it;
  }
  if (files == nullptr || !files->is_array()) return json(true);
  Result<Glob> glob = Glob::Compile(ToText(pattern));
  if (!glob.ok()) return Error{"changes.any(): " + glob.error().message};
  for (const json& f : *files) {
    if (f.is_string() && glob->Matches(f.get_ref<const std::string&>())) return json(true);
  }
  return json(false);
}

}  // namespace

const FunctionSpec* FindFunction(std::string_view name) {
  for (const FunctionSpec& fn : kFunctions) {
    if (EqualsIgnoreCase(fn.name, name)) return &fn;
  }
  return nullptr;
}

std::vector<std::string> FunctionNameList() {
  std::vector<std::string> out;
  for (const FunctionSpec& fn : kFunctions) out.emplace_back(fn.name);
  return out;
}

std::string FunctionNames() {
  std::string out;
  for (const FunctionSpec& fn : kFunctions) {
    if (!out.empty()) out += ", ";
    out += fn.name;
  }
  return out;
}

namespace {

Result<json> Call(const FunctionSpec& fn, std::span<const json* const> args,
                  EvalContext::Status status) {
  using S = EvalContext::Status;
  switch (fn.id) {
    case FunctionId::kContains:
      return Contains(*args[0], *args[1]);
    case FunctionId::kStartsWith:
      return Affix(*args[0], *args[1], true);
    case FunctionId::kEndsWith:
      return Affix(*args[0], *args[1], false);
    case FunctionId::kFormat:
      return Format(args);
    case FunctionId::kJoin:
      return Join(args);
    case FunctionId::kToJson:
      return json(args[0]->dump(2, ' ', false, json::error_handler_t::replace));
    case FunctionId::kFromJson:
      return FromJson(*args[0]);
    case FunctionId::kSuccess:
      return json(status == S::kSuccess);
    case FunctionId::kFailure:
      return json(status == S::kFailure);
    case FunctionId::kAlways:
      return json(true);
    case FunctionId::kCancelled:
      return json(status == S::kCancelled);
    case FunctionId::kChangesAny:
      return ChangesAny(*args[0], *args[1]);
    case FunctionId::kHashFiles:
      break;  // the evaluator's (EvalHashFiles): it needs the workspace
  }
  return Error{"unknown function"};
}

}  // namespace

Result<json> CallFunction(const FunctionSpec& fn, std::span<const json* const> args,
                          EvalContext::Status status) {
  Result<json> r = Call(fn, args, status);
  if (r.ok() && r->is_string() && r->get_ref<const std::string&>().size() > kMaxResultBytes) {
    return Error{fmt::format("{}(): result longer than {} bytes", fn.name, kMaxResultBytes)};
  }
  return r;
}

}  // namespace gauntlet::spec
