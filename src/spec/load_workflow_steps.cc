// A workflow job's steps (docs/github-actions.md, "Steps"), compiled into the job's
// script by spec/workflow_script.h.
#include <algorithm>
#include <cctype>

#include "spec/load_internal.h"

namespace gauntlet::spec {
namespace {

// GitHub's `env` context in a step holds the step's own env: too, which the job's context
// (rendered when the job starts) does not. A whole `${{ env.NAME }}` of the step's env in
// its run, with: and env values is replaced by that value as written (file text, or a
// template rendered as any other), so `key: k-${{ env.cache-name }}` reads it as on GitHub.
void InlineStepEnv(const KeyValues& own, WorkflowStep* step) {
  auto inline_in = [&](std::string* text, const std::string& self) {
    if (text->find("env.") == std::string::npos) return;
    for (const auto& [key, value] : own) {
      if (key == self) continue;
      for (const std::string& ref : {"${{ env." + key + " }}", "${{env." + key + "}}"})
        for (size_t at = 0; (at = text->find(ref, at)) != std::string::npos; at += value.size())
          text->replace(at, ref.size(), value);
    }
  };
  if (own.empty()) return;
  inline_in(&step->run, "");
  inline_in(&step->working_directory, "");
  for (auto& [key, value] : step->env) inline_in(&value, key);
}

const std::vector<std::string> kStepKeys = {"id",  "name",  "if",  "run",
                                            "shell", "env", "working-directory",
                                            "continue-on-error", "timeout-minutes",
                                            "uses", "with"};

// actions/setup-*: the host's toolchain is used when its version is the one asked for.
struct SetupAction {
  const char* action;
  const char* version_key;  // the `with:` key naming the version
  const char* command;      // prints the host's version (its first number is taken)
  const char* install;      // what to do when it is missing
};
constexpr SetupAction kSetupActions[] = {
    {"actions/setup-python", "python-version", "python3 --version", "apt-get install python3"},
    {"actions/setup-node", "node-version", "node --version", "apt-get install nodejs"},
    {"actions/setup-go", "go-version", "go version", "apt-get install golang"},
    {"actions/setup-java", "java-version", "java -version", "apt-get install default-jdk"},
};

// The check a setup step runs. The version comes in $GAUNTLET_SETUP_VERSION (a matrix
// value, say): `3`, `3.12`, `3.12.1` and `3.x` are compared with the host's version as
// prefixes; other forms (`>=3.10`, `lts/*`) are not checked, and said so.
std::string SetupScript(const SetupAction& a) {
  const std::string program = std::string(a.command).substr(0, std::string(a.command).find(' '));
  return "if ! command -v " + program + " >/dev/null 2>&1; then\n"
         "  echo \"gauntlet: " + a.action + ": " + program + " is not installed on this host "
         "(" + a.install + ")\" >&2; exit 1\nfi\n"
         "have=$(" + a.command + " 2>&1 | grep -oE '[0-9]+(\\.[0-9]+)*' | head -n1) || true\n"
         "want=$GAUNTLET_SETUP_VERSION\n"
         "w=${want%.x}; w=${w%.x}\n"
         "case \"$want\" in\n"
         "  '') echo \"" + a.action + ": the host's " + program + " $have\" ;;\n"
         "  *[!0-9.x]*) echo \"" + a.action + ": version '$want' is not checked; the host's " +
         program + " is $have\" ;;\n"
         "  *) case \"$have.\" in\n"
         "       \"$w\".*) echo \"" + a.action + ": the host's " + program +
         " $have (wanted $want)\" ;;\n"
         "       *) echo \"gauntlet: " + a.action + " wants " + program +
         " $want, this host has $have: install it, or change the version\" >&2; exit 1 ;;\n"
         "     esac ;;\nesac\n";
}

// `with:` of a setup action: the version (a template) into the step's env; other keys
// (cache, architecture, ...) are warnings.
void ReadSetup(LoadState& s, const SetupAction& a, const YamlNode* with, int job,
               WorkflowStep* step) {
  step->label = std::string("Check the host's toolchain (") + a.action + ")";
  step->run = SetupScript(a);
  step->shell = "bash";
  if (!with) return;
  s.reader.ForEach(with, a.action, {}, [&](const std::string& key, const YamlNode* k,
                                          const YamlNode* v) {
    if (key != a.version_key) {
      s.reader.Warning(k, "'" + key + "' of " + a.action + " is ignored",
                       "gauntlet uses the host's toolchain as it is installed");
      return;
    }
    std::string version;
    if (!s.reader.String(v, &version)) return;
    s.exprs.CheckTemplate(v, job);  // a steps.* reference here is reported as misplaced
    step->env.emplace_back("GAUNTLET_SETUP_VERSION", version);
  });
}

// actions/cache and the artifact actions, built in (spec/workflow_actions_sh.h): each
// with: key that is honoured goes to the step's env in the variable its function reads.
struct BuiltinAction {
  const char* action;
  const char* function;
  std::vector<std::pair<std::string, std::string>> keys;  // with: key -> variable
  std::vector<std::string> required;
  std::vector<std::string> refused;  // keys whose meaning gauntlet cannot give
};
const std::vector<BuiltinAction>& BuiltinActions() {
  static const std::vector<BuiltinAction> kActions = {
      {"actions/cache", "__gh_cache_restore",
       {{"key", "GH_KEY"}, {"path", "GH_PATH"}, {"restore-keys", "GH_RESTORE_KEYS"},
        {"fail-on-cache-miss", "GH_FAIL_ON_MISS"}, {"lookup-only", "GH_LOOKUP_ONLY"}},
       {"key", "path"}, {}},
      {"actions/cache/restore", "__gh_cache_restore_only",
       {{"key", "GH_KEY"}, {"path", "GH_PATH"}, {"restore-keys", "GH_RESTORE_KEYS"},
        {"fail-on-cache-miss", "GH_FAIL_ON_MISS"}, {"lookup-only", "GH_LOOKUP_ONLY"}},
       {"key", "path"}, {}},
      {"actions/cache/save", "__gh_cache_save_now", {{"key", "GH_KEY"}, {"path", "GH_PATH"}},
       {"key", "path"}, {}},
      {"actions/upload-artifact", "__gh_upload",
       {{"name", "GH_NAME"}, {"path", "GH_PATH"}, {"if-no-files-found", "GH_IF_NO_FILES"},
        {"overwrite", "GH_OVERWRITE"}, {"include-hidden-files", "GH_HIDDEN"}},
       {"path"}, {}},
      {"actions/download-artifact", "__gh_download",
       {{"name", "GH_NAME"}, {"path", "GH_PATH"}},
       {}, {"pattern", "merge-multiple", "github-token", "repository", "run-id"}},
  };
  return kActions;
}

void ReadBuiltin(LoadState& s, const BuiltinAction& a, const YamlNode* uses, const YamlNode* with,
                 int job, WorkflowStep* step) {
  step->label = std::string("Run ") + a.action;
  step->run = std::string(a.function) + "\n";
  step->shell = "bash";
  std::vector<std::string> given;
  if (with)
    s.reader.ForEach(with, a.action, {}, [&](const std::string& key, const YamlNode* k,
                                            const YamlNode* v) {
      auto it = std::find_if(a.keys.begin(), a.keys.end(),
                             [&](const auto& kv) { return kv.first == key; });
      if (std::find(a.refused.begin(), a.refused.end(), key) != a.refused.end()) {
        s.reader.Error(k, "'" + key + "' of " + a.action + " is not supported",
                       "gauntlet downloads the artifacts of this run, by name or all of them");
        return;
      }
      if (it == a.keys.end()) {
        s.reader.Warning(k, "'" + key + "' of " + a.action + " is ignored",
                         "docs/github-actions.md lists what gauntlet's built-in actions honour");
        return;
      }
      std::string value;
      if (!s.reader.String(v, &value)) return;
      s.exprs.CheckTemplate(v, job);
      step->env.emplace_back(it->second, value);
      given.push_back(key);
    });
  for (const std::string& key : a.required)
    if (std::find(given.begin(), given.end(), key) == given.end())
      s.reader.Error(with ? with : uses, std::string(a.action) + " needs '" + key + "'",
                     "with: {" + key + ": ...}");
}

// actions/checkout: the job already runs in the run's working tree. With `path:` it
// clones the run's repository into that subdirectory at `ref` (default: the run's commit)
// with __gh_checkout (spec/workflow_actions_sh.h); `ref` alone would change the working
// tree the run was started in, so it is ignored with a warning.
void ReadCheckout(LoadState& s, const YamlNode* with, int job, WorkflowStep* step) {
  step->label = "Checkout: the run's working tree";
  if (!with || !with->is_map()) return;
  const YamlNode* path = nullptr;
  for (size_t i = 0; i < with->pairs(); ++i)
    if (with->key(i)->value == "path") path = with->val(i);
  std::string dir;
  if (path && s.reader.String(path, &dir) && dir != "." && !dir.empty()) {
    s.exprs.CheckTemplate(path, job);
    step->label = "Checkout into " + dir;
    step->run = "__gh_checkout\n";
    step->shell = "bash";
    step->env.emplace_back("GH_PATH", dir);
  } else {
    path = nullptr;
  }
  for (size_t i = 0; i < with->pairs(); ++i) {
    const YamlNode* k = with->key(i);
    const YamlNode* v = with->val(i);
    if (k->value == "repository") {
      s.reader.Error(k, "actions/checkout of another repository is not supported",
                     "clone it in a run: step (git clone URL dir)");
    } else if (path && k->value == "ref") {
      std::string ref;
      if (s.reader.String(v, &ref)) s.exprs.CheckTemplate(v, job);
      step->env.emplace_back("GH_REF", ref);
    } else if (path && (k->value == "fetch-depth" || k->value == "path")) {
      // The clone has the whole history: more than any depth asks.
    } else {
      s.reader.Warning(k, "'" + k->value + "' of actions/checkout is ignored",
                       k->value == "ref" ? "the job runs in the working tree it was started in; "
                                           "give path: to check out another ref beside it"
                                         : "gauntlet runs the job in the working tree it was "
                                           "started in (docs/github-actions.md)");
    }
  }
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// `uses:`: actions/checkout is the run's working tree already; anything else is named
// with what to do instead.
void ReadUses(LoadState& s, const YamlNode* v, const YamlNode* with, int job, WorkflowStep* step,
              std::vector<WorkflowStep>* before) {
  std::string uses;
  if (!s.reader.String(v, &uses)) return;
  if (uses.rfind("./", 0) == 0) return ReadLocalAction(s, v, uses, with, job, step, before);
  const std::string action = Lower(uses.substr(0, uses.find('@')));
  for (const SetupAction& a : kSetupActions)
    if (action == a.action) return ReadSetup(s, a, with, job, step);
  for (const BuiltinAction& a : BuiltinActions())
    if (action == a.action) return ReadBuiltin(s, a, v, with, job, step);
  if (action == "actions/checkout") return ReadCheckout(s, with, job, step);
  std::string hint = "replace it with run: steps that do the same with the host's tools";
  if (action.rfind("docker://", 0) == 0)
    hint = "it needs Docker: run the tool installed on the host in a run: step";
  else if (action.rfind("actions/setup-", 0) == 0)
    hint = "the host's toolchain is used as it is: remove the step (check the version in a "
           "run: step, e.g. dotnet --version); setup-python, -node, -go and -java are checked";
  else if (action.rfind("actions/cache/", 0) == 0 || action.find("artifact") != std::string::npos)
    hint = "gauntlet has actions/cache (and its restore and save), actions/upload-artifact "
           "and actions/download-artifact built in; use one of them";
  s.reader.Error(v, "'uses: " + uses + "' is not supported", hint);
}

std::string FirstLine(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t\n");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find('\n', begin) - begin);
}

// Outside a bash step the script is written to a file unexpanded: only values from the
// file may be pasted into it (spec/shell_template.h's rule for shells that are not POSIX).
void CheckPastedOnly(LoadState& s, const YamlNode* run, const std::string& shell) {
  Template t;
  ExprError error;
  if (!Template::Parse(run->value, &t, &error)) return;  // reported already
  for (const auto& [expr, offset] : t.expressions()) {
    for (const Expr::Reference& ref : expr.References()) {
      if (!ref.path.empty() && ref.path[0] == "matrix") continue;
      s.reader.problems()->Error(
          s.reader.LocAt(run, offset),
          "a step with shell: " + shell + " cannot take ${{ " + expr.text() +
              " }} in its script: its value may come from outside the workflow file",
          "pass it in the step's env: and read it from the environment");
      return;
    }
  }
}

}  // namespace

bool ReadStep(LoadState& s, const YamlNode* item, int ji, const std::vector<std::string>& ids,
              const StepDefaults& defaults, WorkflowStep* step, std::vector<WorkflowStep>* before) {
  step->shell = defaults.shell;
  step->working_directory = defaults.working_directory;
  std::string name;
  const YamlNode *run = nullptr, *uses = nullptr, *with = nullptr;
  // Reads `v` with the checker `check`; the steps.* it reads are the steps before.
  auto with_steps = [&](auto check) {
    size_t begin = s.uses.size();
    check();
    AcceptStepRefs(s, begin, s.uses.size(), ids);
  };
  if (!s.reader.ForEach(
          item, "a step", kStepKeys,
          [&](const std::string& key, const YamlNode*, const YamlNode* v) {
            if (key == "id" && s.reader.String(v, &step->id) &&
                std::find(ids.begin(), ids.end(), step->id) != ids.end())
              s.reader.Error(v, "two steps have the id '" + step->id + "'",
                             "step ids are unique in a job");
            if (key == "name" && s.reader.String(v, &name))
              with_steps([&] { s.exprs.CheckTemplate(v, ji); });
            if (key == "if") {
              std::string text;
              with_steps([&] { text = s.exprs.CheckCondition(v, ji); });
              Expr expr;
              ExprError error;
              if (!text.empty() && Expr::Parse(text, &expr, &error))
                WorkflowStatusVariants(expr, &step->if_ok, &step->if_failed);
            }
            if (key == "run" && s.reader.String(v, &step->run)) {
              run = v;
              with_steps([&] { s.exprs.CheckTemplate(v, ji); });
            }
            if (key == "shell" && s.reader.String(v, &step->shell) && !KnownStepShell(step->shell))
              UnknownShell(s, v, step->shell);
            if (key == "env")
              with_steps([&] { ReadEnv(s, v, "env of a step", ji, &step->env, nullptr); });
            if (key == "working-directory" && s.reader.String(v, &step->working_directory))
              with_steps([&] { s.exprs.CheckTemplate(v, ji); });
            if (key == "continue-on-error") s.reader.Bool(v, &step->continue_on_error);
            if (key == "timeout-minutes") s.reader.Number(v, &step->timeout_minutes, 0.01, 100000);
            if (key == "uses") uses = v;
            if (key == "with") with = v;
          })) {
    return false;
  }
  if (!name.empty()) step->label = name;  // a local action labels its steps with it
  const KeyValues own_env = step->env;  // the step's env: (with: values come after)
  if (run && uses) {
    s.reader.Error(uses, "a step has both run and uses", "a step does one of them");
  } else if (uses) {
    with_steps([&] { ReadUses(s, uses, with, ji, step, before); });  // with: may read steps
  } else if (!run) {
    s.reader.Error(item, "a step has neither run nor uses", "- run: make");
  } else if (with) {
    s.reader.Error(with, "'with' is for steps that use an action", "remove it");
  }
  if (run && !step->shell.empty() && step->shell != "bash") CheckPastedOnly(s, run, step->shell);
  InlineStepEnv(own_env, step);
  if (!name.empty())
    step->label = name;
  else if (step->label.empty())
    step->label = "Run " + FirstLine(step->run);
  return true;
}

void UnknownShell(LoadState& s, const YamlNode* n, const std::string& shell) {
  s.reader.Error(n, "shell '" + shell + "' is not supported",
                 "bash, sh, python, or a command taking the script file as {0}: perl {0}");
}

void ReadWorkflowSteps(LoadState& s, const YamlNode* steps, size_t index, WorkflowJobParts* parts) {
  const int ji = static_cast<int>(index);
  if (!steps->is_sequence()) {
    s.reader.TypeError(steps, "a list of steps", "steps: [{run: make}]");
    return;
  }
  std::vector<WorkflowStep> compiled;
  std::vector<std::string> ids;
  for (const YamlNode* item : steps->items) {
    WorkflowStep step;
    std::vector<WorkflowStep> before;
    if (!ReadStep(s, item, ji, ids, parts->defaults, &step, &before)) continue;
    for (WorkflowStep& b : before) compiled.push_back(std::move(b));
    ids.push_back(step.id);
    compiled.push_back(std::move(step));
  }
  // Later ranges first: accepting erases from `uses`.
  for (auto it = parts->output_uses.rbegin(); it != parts->output_uses.rend(); ++it)
    AcceptStepRefs(s, it->first, it->second, ids);
  Job& job = s.pipeline.jobs[index];
  job.run_loc = s.reader.Loc(steps);
  job.commands = {WorkflowJobScript(job.name, compiled, parts->outputs)};
  for (const WorkflowStep& step : compiled) job.steps.push_back(step.label);
}

void AcceptStepRefs(LoadState& s, size_t begin, size_t end, const std::vector<std::string>& ids) {
  auto from = s.uses.begin() + static_cast<std::ptrdiff_t>(begin);
  auto to = s.uses.begin() + static_cast<std::ptrdiff_t>(end);
  for (auto it = from; it != to; ++it) {
    const std::vector<std::string>& p = it->path;
    if (p.size() < 2 || p[0] != "steps") continue;
    if (p[1] == kDeferredStepId)
      s.reader.problems()->Error(it->loc, "'" + p[1] + "' is gauntlet's own step id",
                                 "give the step another id");
    else if (std::find(ids.begin(), ids.end(), p[1]) == ids.end())
      s.reader.problems()->Error(it->loc, "no earlier step of this job has the id '" + p[1] + "'",
                                 "steps.ID reads a step before this one (id: " + p[1] + ")");
  }
  s.uses.erase(std::remove_if(from, to,
                              [](const ExprUse& u) { return !u.path.empty() && u.path[0] == "steps"; }),
               to);
}

void FinishWorkflowExpressions(LoadState& s) {
  std::vector<ExprUse> kept;
  kept.reserve(s.uses.size());
  for (ExprUse& use : s.uses) {
    const std::string context = use.path.empty() ? "" : use.path[0];
    if (context == "steps") {
      s.reader.problems()->Error(use.loc,
                                 "steps.* cannot be read here: only in a step's if, run, env, "
                                 "working-directory and name, and in job outputs",
                                 "another job reads a step's output through the job's outputs: and "
                                 "needs.<job>.outputs (docs/github-actions.md)");
      continue;
    }
    std::vector<std::string>& secrets = s.pipeline.secrets;
    if (context == "secrets" && use.path.size() >= 2 &&
        std::find(secrets.begin(), secrets.end(), use.path[1]) == secrets.end())
      secrets.push_back(use.path[1]);
    kept.push_back(std::move(use));
  }
  s.uses = std::move(kept);
}

}  // namespace gauntlet::spec
