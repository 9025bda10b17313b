// Reading one job: commands, needs, matrix, retry and the rest of its keys.
#include <algorithm>
#include <limits>

#include "core/glob.h"
#include "core/strings.h"
#include "spec/load_internal.h"
#include "spec/matrix.h"

namespace gauntlet::spec {
namespace {

const std::vector<std::string> kJobKeys = {"run",
                                           "commands",
                                           "needs",
                                           "if",
                                           "env",
                                           "matrix",
                                           "timeout",
                                           "retry",
                                           "continue_on_error",
                                           "working_directory",
                                           "inputs",
                                           "outputs",
                                           "artifacts",
                                           "reports",
                                           "diagnostics",
                                           "secrets",
                                           "shell",
                                           "language",
                                           "changes",
                                           "cache",
                                           "cache_key_extra",
                                           "concurrency"};
const std::vector<std::string> kLanguages = {"python", "javascript", "typescript",
                                             "go",     "rust",       "cpp"};
// gate::ParserNames() (spec sits below gate, so the list is repeated; a test
// keeps the two equal). An entry ending in ".json" is a problem-matcher file.
const std::vector<std::string> kDiagnostics = {
    "black", "cargo", "clang",  "clippy", "ctest", "eslint", "flake8", "gcc",   "github", "go",
    "go-vet", "jest", "mypy",   "pytest", "ruff",  "rustc",  "sarif",  "tsc",   "vitest"};
// GitHub Actions' limit; a bigger matrix is almost always a mistake.
constexpr size_t kMaxMatrixJobs = 256;

// What a valid pattern looks like, for problems in `inputs:`, `artifacts:`, `changes:`.
constexpr const char* kGlobHint =
    "a relative path pattern inside the workspace: *, ?, [a-z], {a,b}, ** as a whole "
    "segment, a leading ! to exclude, \\x for a literal x (docs/caching.md)";

Language ToLanguage(const std::string& s) {
  if (s == "python") return Language::kPython;
  if (s == "javascript") return Language::kJavaScript;
  if (s == "typescript") return Language::kTypeScript;
  if (s == "go") return Language::kGo;
  if (s == "rust") return Language::kRust;
  if (s == "cpp") return Language::kCpp;
  return Language::kNone;
}

bool ReadMatrixValue(LoadState& s, const YamlNode* n, MatrixValue* out) {
  if (!n->is_scalar() || n->is_null()) {
    s.reader.TypeError(n, "a string, number or boolean");
    return false;
  }
  out->text = n->value;
  out->kind = YamlReader::LooksBool(n)      ? MatrixValue::Kind::kBool
              : YamlReader::LooksNumeric(n) ? MatrixValue::Kind::kNumber
                                            : MatrixValue::Kind::kString;
  return true;
}

void ReadCombos(LoadState& s, const YamlNode* n, std::string_view what,
                std::vector<MatrixCombo>* out) {
  if (n->is_null()) return;
  if (!n->is_sequence()) {
    s.reader.TypeError(n, "a list of maps",
                       std::string(what) + ": [{os: linux, python: \"3.12\"}]");
    return;
  }
  for (const YamlNode* item : n->items) {
    MatrixCombo combo;
    if (!s.reader.ForEach(item, "matrix " + std::string(what), {},
                          [&](const std::string& key, const YamlNode*, const YamlNode* v) {
                            MatrixValue value;
                            if (ReadMatrixValue(s, v, &value)) combo.emplace_back(key, value);
                          }))
      continue;
    out->push_back(std::move(combo));
  }
}

void ReadRetry(LoadState& s, const YamlNode* n, RetryPolicy* retry) {
  if (n->is_scalar() && !n->is_null()) {
    s.reader.Int(n, &retry->attempts, 1, 100);
    return;
  }
  if (!n->is_map()) {
    s.reader.TypeError(n, "a number of attempts or a map",
                       "retry: 3, or retry: {attempts: 3, backoff: 2s, on: [1, timeout]}");
    return;
  }
  s.reader.ForEach(n, "retry", {"attempts", "backoff", "on"},
                   [&](const std::string& key, const YamlNode*, const YamlNode* v) {
                     if (key == "attempts") s.reader.Int(v, &retry->attempts, 1, 100);
                     if (key == "backoff") s.reader.DurationValue(v, &retry->backoff);
                     if (key != "on") return;
                     std::vector<const YamlNode*> items;
                     if (v->is_sequence())
                       items = v->items;
                     else
                       items.push_back(v);
                     for (const YamlNode* item : items) {
                       int code = 0;
                       if (item->is_scalar() && item->value == "timeout") {
                         retry->on_timeout = true;
                       } else if (item->is_scalar() && YamlReader::LooksNumeric(item)) {
                         if (s.reader.Int(item, &code, 0, 255))
                           retry->on_exit_codes.push_back(code);
                       } else {
                         s.reader.TypeError(item, "an exit code (0-255) or \"timeout\"");
                       }
                     }
                   });
}

void ReadReports(LoadState& s, const YamlNode* n, Reports* out) {
  s.reader.ForEach(n, "reports", {"junit", "coverage"},
                   [&](const std::string& key, const YamlNode*, const YamlNode* v) {
                     s.reader.String(v, key == "junit" ? &out->junit : &out->coverage);
                   });
}

// `outputs:` is a list of names, or a map of names to descriptions or expressions.
void ReadOutputs(LoadState& s, const YamlNode* n, int job, std::vector<std::string>* out) {
  if (n->is_map()) {
    s.reader.ForEach(n, "outputs", {},
                     [&](const std::string& key, const YamlNode*, const YamlNode* v) {
                       out->push_back(key);
                       s.exprs.CheckTemplate(v, job);
                     });
    return;
  }
  s.reader.StringList(n, out, true);
}

}  // namespace

void ReadMatrix(LoadState& s, const YamlNode* key, const YamlNode* n, Job* job) {
  Matrix& m = job->matrix;
  m.loc = s.reader.Loc(n);
  if (n->is_null()) return;
  s.reader.ForEach(
      n, "matrix", {}, [&](const std::string& key, const YamlNode*, const YamlNode* v) {
        if (key == "include") return ReadCombos(s, v, "include", &m.include);
        if (key == "exclude") return ReadCombos(s, v, "exclude", &m.exclude);
        if (!v->is_sequence()) {
          s.reader.TypeError(v, "a list of values for matrix axis '" + key + "'", key + ": [a, b]");
          return;
        }
        std::vector<MatrixValue> values;
        for (const YamlNode* item : v->items) {
          MatrixValue value;
          if (ReadMatrixValue(s, item, &value)) values.push_back(std::move(value));
        }
        m.axes.emplace_back(key, std::move(values));
      });
  if (m.axes.empty() && m.include.empty() && m.exclude.empty()) return;
  size_t product = m.axes.empty() ? 0 : 1;
  for (const auto& axis : m.axes) {
    product = axis.second.empty() ? 0 : std::min(product * axis.second.size(), kMaxMatrixJobs + 1);
  }
  // An include that merges into existing combinations adds no job: count exactly when
  // the axes alone are within the limit.
  if (product + m.include.size() > kMaxMatrixJobs &&
      (product > kMaxMatrixJobs || ExpandMatrix(m).size() > kMaxMatrixJobs)) {
    s.reader.Error(key,
                   "matrix of job '" + job->name + "' expands to more than " +
                       std::to_string(kMaxMatrixJobs) + " jobs",
                   "split the job or use fewer axis values");
    return;
  }
  if (ExpandMatrix(m).empty()) {
    s.reader.Error(key, "matrix of job '" + job->name + "' expands to zero jobs",
                   "an axis has no values, or exclude removes every combination");
  }
}

void ReadEnv(LoadState& s, const YamlNode* n, std::string_view where, int job, KeyValues* out,
             std::vector<Location>* locs) {
  if (n->is_null()) return;
  s.reader.ForEach(n, where, {}, [&](const std::string& key, const YamlNode*, const YamlNode* v) {
    if (!v->is_scalar()) {
      s.reader.TypeError(v, "a string, number or boolean", "quote structured values");
      return;
    }
    out->emplace_back(key, v->is_null() ? "" : v->value);
    if (locs) locs->push_back(s.reader.Loc(v));
    s.exprs.CheckTemplate(v, job);
  });
}

void ReadGlobs(LoadState& s, const YamlNode* n, std::vector<std::string>* out) {
  std::vector<Located> globs;
  s.reader.LocatedList(n, &globs, true);
  out->clear();
  for (Located& g : globs) {
    // The same compiler the runner uses (a list, so a leading '!' negates), so validate
    // and run can never disagree about a pattern.
    if (auto set = GlobSet::Compile({g.value}); !set.ok()) {
      s.reader.problems()->Error(g.loc, set.error().message, kGlobHint);
      continue;
    }
    out->push_back(std::move(g.value));
  }
}

void ReadChangeFilter(LoadState& s, const YamlNode* n, std::string_view where, ChangeFilter* out) {
  if (n->is_null()) return;
  s.reader.ForEach(n, where, {"ignore", "paths"},
                   [&](const std::string& key, const YamlNode*, const YamlNode* v) {
                     ReadGlobs(s, v, key == "ignore" ? &out->ignore : &out->paths);
                   });
}

void ReadSecrets(LoadState& s, const YamlNode* n, std::vector<std::string>* out) {
  std::vector<Located> names;
  s.reader.LocatedList(n, &names, true);
  for (const Located& name : names) {
    bool ok = !name.value.empty() && !std::isdigit(static_cast<unsigned char>(name.value[0]));
    for (char c : name.value) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (!ok) {
      s.reader.problems()->Error(name.loc, "bad secret name '" + name.value + "'",
                                 "secret names are environment variable names: A-Z, 0-9, _");
      continue;
    }
    out->push_back(name.value);
  }
}

void ReadJob(LoadState& s, const YamlNode* n, size_t index, bool in_stage) {
  auto job = [&]() -> Job& { return s.pipeline.jobs[index]; };
  const int ji = static_cast<int>(index);
  if (!n->is_map()) {
    if (!in_stage) job().loc = s.reader.Loc(n);
    s.reader.TypeError(n, "a job (a map with run or commands)", "build: {run: make}");
    return;
  }
  static const std::vector<std::string> kStageJobKeys = [] {
    std::vector<std::string> keys = kJobKeys;
    keys.insert(keys.begin(), "name");
    return keys;
  }();
  const std::vector<std::string>& valid = in_stage ? kStageJobKeys : kJobKeys;
  bool named_ok = false;  // a `name:` string was read (it may still be empty)
  if (in_stage) {
    job().loc = s.reader.Loc(n);
    bool named = false;
    for (size_t i = 0; i < n->pairs(); ++i) {
      if (n->key(i)->value != "name") continue;
      named = true;
      if (s.reader.String(n->val(i), &job().name)) {
        job().loc = s.reader.Loc(n->val(i));
        named_ok = true;
      }
    }
    if (!named) s.reader.Error(n, "job has no name", "add name: <job name>");
  }
  Job& j = job();
  if (j.name.empty() && (!in_stage || named_ok))
    s.reader.problems()->Error(j.loc, "job name is empty", "give the job a name");
  std::string where = "job '" + j.name + "'";
  const YamlNode *run = nullptr, *commands = nullptr;
  s.reader.ForEach(
      n, where, valid, [&](const std::string& key, const YamlNode* k, const YamlNode* v) {
        if (key == "run") {
          run = k;
          j.run_loc = s.reader.Loc(v);
          std::string cmd;
          if (s.reader.String(v, &cmd)) {
            j.commands = {cmd};
            s.exprs.CheckTemplate(v, ji);
            s.scripts.emplace_back(ji, v);
          }
        } else if (key == "commands") {
          commands = k;
          j.run_loc = s.reader.Loc(v);
          if (!v->is_sequence()) {
            s.reader.TypeError(v, "a list of commands", "commands: [\"make\", \"make test\"]");
            return;
          }
          for (const YamlNode* item : v->items) {
            if (!item->is_scalar() || item->is_null()) {
              s.reader.TypeError(item, "a command (a string)",
                                 item->is_map() ? "quote commands that contain ': '" : "");
              continue;
            }
            j.commands.push_back(item->value);
            s.exprs.CheckTemplate(item, ji);
            s.scripts.emplace_back(ji, item);
          }
        } else if (key == "needs") {
          s.reader.LocatedList(v, &j.needs, true);
        } else if (key == "if") {
          j.if_loc = s.reader.Loc(v);
          std::string text;
          if (s.reader.String(v, &text)) j.if_expr = s.exprs.CheckCondition(v, ji);
        } else if (key == "env") {
          ReadEnv(s, v, "env of " + where, ji, &j.env, &j.env_locs);
        } else if (key == "matrix") {
          ReadMatrix(s, k, v, &j);
        } else if (key == "timeout") {
          Duration d{0};
          if (s.reader.DurationValue(v, &d)) j.timeout = d;
        } else if (key == "retry") {
          ReadRetry(s, v, &j.retry);
        } else if (key == "continue_on_error") {
          s.reader.Bool(v, &j.continue_on_error);
        } else if (key == "working_directory") {
          if (s.reader.String(v, &j.working_directory)) s.exprs.CheckTemplate(v, ji);
        } else if (key == "inputs") {
          ReadGlobs(s, v, &j.inputs);
        } else if (key == "outputs") {
          ReadOutputs(s, v, ji, &j.outputs);
        } else if (key == "artifacts") {
          ReadGlobs(s, v, &j.artifacts);
        } else if (key == "reports") {
          ReadReports(s, v, &j.reports);
        } else if (key == "diagnostics") {
          std::vector<Located> names;
          s.reader.LocatedList(v, &names, true);
          for (const Located& name : names) {
            if (name.value.ends_with(".json")) {
              // A problem-matcher file, read relative to the pipeline file's directory.
              if (!IsCleanRelativePath(name.value)) {
                s.reader.problems()->Error(
                    name.loc, "problem-matcher file '" + name.value + "' is outside the workspace",
                    "a relative path below the pipeline file's directory, without '..'");
                continue;
              }
            } else if (std::find(kDiagnostics.begin(), kDiagnostics.end(), name.value) ==
                       kDiagnostics.end()) {
              s.reader.problems()->Error(name.loc,
                                         "unknown diagnostics parser '" + name.value + "'",
                                         "valid parsers: " + JoinComma(kDiagnostics) +
                                             ", or a problem-matcher .json file");
              continue;
            }
            j.diagnostics.push_back(name.value);
          }
        } else if (key == "secrets") {
          ReadSecrets(s, v, &j.secrets);
        } else if (key == "shell") {
          s.reader.String(v, &j.shell);
        } else if (key == "language") {
          std::string lang;
          if (s.reader.Enum(v, &lang, "language", kLanguages)) j.language = ToLanguage(lang);
        } else if (key == "changes") {
          ReadChangeFilter(s, v, "changes of " + where, &j.changes);
        } else if (key == "cache") {
          s.reader.Bool(v, &j.cache);
        } else if (key == "cache_key_extra") {
          s.reader.StringList(v, &j.cache_key_extra, true);
        } else if (key == "concurrency") {
          ReadConcurrency(s, v, &j.concurrency, ji);  // exec/job_concurrency.h
        }
      });
  if (run && commands) {
    s.reader.Error(run->line > commands->line ? run : commands,
                   where + " has both run and commands",
                   "use run: for one script, or commands: for a list of commands");
  } else if (!run && !commands) {
    s.reader.problems()->Error(j.loc, where + " has neither run nor commands",
                               "add run: <command>, or commands: [<command>, ...]");
  }
}

}  // namespace gauntlet::spec
