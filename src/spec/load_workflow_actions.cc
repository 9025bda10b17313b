// Local actions, `uses: ./path` (docs/github-actions.md, "Local actions"): the
// action.yml (or action.yaml) in that directory of the workflow's repository, read when
// the workflow is loaded so that its mistakes are reported at their own line and column.
//
// A JavaScript action (`runs.using: node12|node16|node20`) runs its `main` file with the
// host's node, its inputs in INPUT_<NAME> variables, as GitHub's runner gives them. A
// composite action's steps join the job's script: a first step writes the inputs as the
// outputs of a step of its own (`inputs.x` in the action reads `steps.__aN_in.outputs.x`),
// the action's step ids get the prefix `__aN_`, and the calling step writes the action's
// outputs, so `steps.<its id>.outputs.<name>` reads them as on GitHub.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>

#include "spec/load_internal.h"

namespace gauntlet::spec {
namespace {

constexpr int kMaxActionDepth = 8;
const std::vector<std::string> kActionKeys = {"name",    "description", "author",  "inputs",
                                              "outputs", "runs",        "branding"};

struct ActionInput {
  std::string name;
  std::string value;  // the caller's with: value, else the default (both templates)
  bool given = false;
  bool required = false;
};

// `text` (an expression) with `inputs.X` read from the inputs step and the action's
// step ids prefixed.
std::string RewriteExpression(const std::string& text, const std::string& prefix) {
  Expr expr;
  ExprError error;
  if (!Expr::Parse(text, &expr, &error)) return text;
  std::vector<Expr::Reference> refs = expr.References();
  std::sort(refs.begin(), refs.end(),
            [](const auto& a, const auto& b) { return a.offset > b.offset; });
  std::string out = text;
  for (const Expr::Reference& ref : refs) {
    if (ref.path.empty()) continue;
    if (ref.path[0] == "inputs" && out.compare(ref.offset, 6, "inputs") == 0)
      out.replace(ref.offset, 6, "steps." + prefix + "in.outputs");
    else if (ref.path[0] == "steps" && ref.path.size() >= 2 &&
             out.compare(ref.offset, 6 + ref.path[1].size(), "steps." + ref.path[1]) == 0)
      out.insert(ref.offset + 6, prefix);
  }
  return out;
}

std::string RewriteTemplate(const std::string& text, const std::string& prefix) {
  Template t;
  ExprError error;
  if (text.find("${{") == std::string::npos || !Template::Parse(text, &t, &error)) return text;
  std::string out;
  for (size_t i = 0; i < t.expressions().size(); ++i)
    out += t.literals()[i] + "${{ " + RewriteExpression(t.expressions()[i].first.text(), prefix) +
           " }}";
  return out + t.literals().back();
}

void RewriteStep(WorkflowStep* step, const std::string& prefix) {
  if (!step->id.empty()) step->id = prefix + step->id;
  for (std::string* condition : {&step->if_ok, &step->if_failed})
    if (!condition->empty() && *condition != "true")
      *condition = RewriteExpression(*condition, prefix);
  step->run = RewriteTemplate(step->run, prefix);
  step->working_directory = RewriteTemplate(step->working_directory, prefix);
  for (auto& [key, value] : step->env) value = RewriteTemplate(value, prefix);
}

// `with:` of the calling step against the action's `inputs:`.
std::vector<ActionInput> ReadInputs(LoadState& s, LoadState& a, const YamlNode* declared,
                                    const YamlNode* uses_node, const YamlNode* with, int job,
                                    const std::string& uses) {
  std::vector<ActionInput> inputs;
  if (declared)
    a.reader.ForEach(
        declared, "inputs", {}, [&](const std::string& name, const YamlNode*, const YamlNode* v) {
          ActionInput& in = inputs.emplace_back();
          in.name = name;
          a.reader.ForEach(v, "an input",
                           {"description", "required", "default", "deprecationMessage"},
                           [&](const std::string& key, const YamlNode*, const YamlNode* w) {
                             if (key == "required") a.reader.Bool(w, &in.required);
                             if (key == "default" && a.reader.String(w, &in.value))
                               a.exprs.CheckTemplate(w, -1);
                           });
        });
  if (with)
    s.reader.ForEach(
        with, "with", {}, [&](const std::string& name, const YamlNode* k, const YamlNode* v) {
          auto it = std::find_if(inputs.begin(), inputs.end(),
                                 [&](const ActionInput& in) { return in.name == name; });
          if (it == inputs.end()) {
            s.reader.Warning(k, "'" + name + "' is not an input of " + uses,
                             "its action.yml declares the inputs it reads");
            return;
          }
          if (s.reader.String(v, &it->value)) s.exprs.CheckTemplate(v, job);
          it->given = true;
        });
  for (const ActionInput& in : inputs)
    if (in.required && !in.given && in.value.empty())
      s.reader.Error(with ? with : uses_node, "input '" + in.name + "' of " + uses + " is required",
                     "with: {" + in.name + ": ...}");
  return inputs;
}

// The action's steps into *before; `step` becomes the one that writes its outputs.
void ReadComposite(LoadState& a, const YamlNode* runs, const YamlNode* steps,
                   const YamlNode* outputs, const std::string& dir,
                   const std::vector<ActionInput>& inputs, const std::string& prefix,
                   WorkflowStep* step, std::vector<WorkflowStep>* before) {
  WorkflowStep in;
  in.id = prefix + "in";
  in.label = step->label + " (inputs)";
  in.if_ok = step->if_ok;
  in.if_failed = step->if_failed;
  for (const ActionInput& input : inputs)
    in.run += "__gh_pair \"$GITHUB_OUTPUT\" '" + input.name + "' " +
              DoubleQuotedTemplate(input.value) + "\n";
  if (in.run.empty()) in.run = ":";
  before->push_back(std::move(in));
  std::vector<std::string> ids;
  if (!steps || !steps->is_sequence()) {
    a.reader.Error(steps ? steps : runs, "a composite action has a list of steps",
                   "runs: {using: composite, steps: [{run: make, shell: bash}]}");
    return;
  }
  // Under a condition of the calling step, the action's steps run only if it did: their
  // inputs step ran (it always succeeds).
  const bool guarded = step->if_ok != "true" || !step->if_failed.empty();
  const std::string ran = "steps." + prefix + "in.outcome == 'success'";
  for (const YamlNode* item : steps->items) {
    WorkflowStep nested;
    std::vector<WorkflowStep> inner;
    if (!ReadStep(a, item, -1, ids, StepDefaults{}, &nested, &inner)) continue;
    ids.push_back(nested.id);
    inner.push_back(std::move(nested));
    for (WorkflowStep& n : inner) {
      RewriteStep(&n, prefix);
      n.label = step->label + ": " + n.label;
      if (n.shell.empty() || n.shell == "bash")
        n.run = "export GITHUB_ACTION_PATH=\"$GITHUB_WORKSPACE/" + dir.substr(2) + "\"\n" + n.run;
      n.continue_on_error = n.continue_on_error || step->continue_on_error;
      for (std::string* condition : {&n.if_ok, &n.if_failed}) {
        if (!guarded || condition->empty()) continue;
        *condition = *condition == "true" ? ran : "(" + ran + ") && (" + *condition + ")";
      }
      before->push_back(std::move(n));
    }
  }
  step->run.clear();
  if (outputs)
    a.reader.ForEach(
        outputs, "outputs", {}, [&](const std::string& name, const YamlNode*, const YamlNode* v) {
          a.reader.ForEach(v, "an output", {"description", "value"},
                           [&](const std::string& key, const YamlNode*, const YamlNode* w) {
                             std::string value;
                             if (key != "value" || !a.reader.String(w, &value)) return;
                             size_t begin = a.uses.size();
                             a.exprs.CheckTemplate(w, -1);
                             AcceptStepRefs(a, begin, a.uses.size(), ids);
                             step->run += "__gh_pair \"$GITHUB_OUTPUT\" '" + name + "' " +
                                          DoubleQuotedTemplate(RewriteTemplate(value, prefix)) +
                                          "\n";
                           });
        });
  if (step->run.empty()) step->run = ":";
}

// The step that runs a JavaScript action's main file.
// `runs.post-if`: when a JavaScript action's post script runs; "" when not supported.
std::string PostCondition(const std::string& text) {
  std::string t;
  for (char c : text)
    if (c != ' ') t += c;
  if (t.starts_with("${{") && t.ends_with("}}")) t = t.substr(3, t.size() - 5);
  if (t == "always()" || t == "!cancelled()") return "always";
  if (t == "success()") return "success";
  if (t == "failure()") return "failure";
  return "";
}

// The step that runs a JavaScript action's main file, and its post file, if any, after
// the job's steps (spec/workflow_script.h).
void ReadJavaScript(LoadState& a, const YamlNode* runs, const YamlNode* main,
                    const YamlNode* post, const YamlNode* post_if, const std::string& dir,
                    const std::vector<ActionInput>& inputs, WorkflowStep* step) {
  std::string file, post_file;
  if (!main || !a.reader.String(main, &file)) {
    a.reader.Error(main ? main : runs, "a JavaScript action names its main file",
                   "runs: {using: node20, main: index.js}");
    return;
  }
  if (post) a.reader.String(post, &post_file);
  if (post_if) {
    std::string text;
    if (a.reader.String(post_if, &text)) step->post_if = PostCondition(text);
    if (step->post_if.empty())
      a.reader.Error(post_if, "post-if '" + text + "' is not supported",
                     "always(), success() or failure()");
  }
  const std::string head = "command -v node >/dev/null || { echo 'gauntlet: " + dir +
                           " is a JavaScript action: node is not installed on this host "
                           "(apt-get install nodejs)' >&2; exit 1; }\n"
                           "export GITHUB_ACTION_PATH=\"$GITHUB_WORKSPACE/" +
                           dir.substr(2) + "\"\n";
  const std::string path = "\"$GITHUB_WORKSPACE/" + dir.substr(2) + "/";
  step->shell = "bash";
  // Input names may hold `-` (INPUT_MY-INPUT): no shell variable, given through env.
  std::string keep, args;  // the post script gets the same inputs
  for (const ActionInput& input : inputs) {
    std::string name = input.name;
    for (char& c : name)
      c = c == ' ' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    args += " " + DoubleQuotedTemplate("INPUT_" + name + "=" + input.value);
    keep += "__gh_pair \"$GITHUB_STATE.inputs\" 'INPUT_" + name + "' " +
            DoubleQuotedTemplate(input.value) + "\n";
  }
  step->run = head + (post_file.empty() ? "" : keep) + "exec env" + args + " node " + path +
              file + "\"\n";
  if (post_file.empty()) return;
  // STATE_<name>: what the main file saved (::save-state, $GITHUB_STATE).
  step->post = head +
               "__gh_args=()\n__gh_arg() { __gh_args+=(\"$1=$2\"); }\n"
               "__gh_state() { __gh_args+=(\"STATE_$1=$2\"); }\n"
               "__gh_pairs \"$GITHUB_STATE.inputs\" __gh_arg\n"
               "__gh_pairs \"$GITHUB_STATE\" __gh_state\n"
               "exec env \"${__gh_args[@]}\" node " +
               path + post_file + "\"\n";
  step->post_label = "Post " + step->label;
}

}  // namespace

bool ParseWorkflowFile(LoadState& s, const std::string& file, const std::string& text,
                       YamlDocument* doc) {
  YamlError error;
  if (doc->Parse(text, &error)) return true;
  s.reader.problems()->Error(Location{file, error.line + 1, error.col + 1}, error.message,
                             error.hint);
  return false;
}

std::string ReadWorkflowFile(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  *ok = static_cast<bool>(in);
  return *ok ? std::string(std::istreambuf_iterator<char>(in), {}) : "";
}

std::string RepositoryRoot(const std::string& file) {
  size_t at = file.find(".github/workflows/");
  if (at != std::string::npos) return at == 0 ? "." : file.substr(0, at - 1);
  size_t slash = file.rfind('/');
  return slash == std::string::npos ? "." : file.substr(0, slash);
}

void ReadLocalAction(LoadState& s, const YamlNode* uses, const std::string& path,
                     const YamlNode* with, int job, WorkflowStep* step,
                     std::vector<WorkflowStep>* before) {
  std::string dir = path;
  while (dir.size() > 2 && dir.back() == '/') dir.pop_back();
  if (step->label.empty()) step->label = "Run " + dir;  // else the step's name
  if (s.action_depth >= kMaxActionDepth) {
    s.reader.Error(uses, "local actions nest deeper than " + std::to_string(kMaxActionDepth),
                   "an action that uses itself never ends");
    return;
  }
  const std::string root = RepositoryRoot(s.reader.file());
  std::string file = root + "/" + dir.substr(2) + "/action.yml";
  bool ok = false;
  std::string text = ReadWorkflowFile(file, &ok);
  if (!ok) {
    file = root + "/" + dir.substr(2) + "/action.yaml";
    text = ReadWorkflowFile(file, &ok);
  }
  if (!ok) {
    s.reader.Error(uses, "no action.yml in " + dir + " (looked in " + root + ")",
                   "a local action's path is relative to the repository's top directory");
    return;
  }
  LoadState a(file, text, s.reader.problems());
  a.local_actions = s.local_actions;
  a.action_depth = s.action_depth + 1;
  YamlDocument doc;
  if (!ParseWorkflowFile(s, file, text, &doc)) return;
  const YamlNode *inputs = nullptr, *outputs = nullptr, *runs = nullptr;
  a.reader.ForEach(doc.root(), "action.yml", kActionKeys,
                   [&](const std::string& key, const YamlNode*, const YamlNode* v) {
                     if (key == "inputs") inputs = v;
                     if (key == "outputs") outputs = v;
                     if (key == "runs") runs = v;
                   });
  std::vector<ActionInput> values = ReadInputs(s, a, inputs, uses, with, job, dir);
  std::string using_;
  const YamlNode *main = nullptr, *steps = nullptr, *post = nullptr, *post_if = nullptr;
  if (runs)
    a.reader.ForEach(runs, "runs", {"using", "main", "pre", "post", "steps", "pre-if", "post-if"},
                     [&](const std::string& key, const YamlNode* k, const YamlNode* v) {
                       if (key == "using") a.reader.String(v, &using_);
                       if (key == "main") main = v;
                       if (key == "steps") steps = v;
                       if (key == "post") post = v;
                       if (key == "post-if") post_if = v;
                       // GitHub's runner sets up `pre` only for actions of other
                       // repositories: a local one's is not run there either.
                       if (key == "pre" || key == "pre-if")
                         a.reader.Warning(k, "'" + key + "' of a local action is not run, as "
                                             "on GitHub: its runner runs pre scripts only "
                                             "for actions of other repositories",
                                          "the action's main and post files run; do the pre "
                                          "script's work in an earlier step");
                     });
  const std::string prefix = "__a" + std::to_string(s.local_actions++) + "_";
  if (using_ == "composite") {
    if (post)
      a.reader.Warning(post, "'post' of a composite action is not run",
                       "only JavaScript actions have a post script");
    ReadComposite(a, runs, steps, outputs, dir, values, prefix, step, before);
  } else if (using_ == "node12" || using_ == "node16" || using_ == "node20") {
    ReadJavaScript(a, runs, main, post, post_if, dir, values, step);
  } else {
    a.reader.Error(runs ? runs : doc.root(), "runs.using '" + using_ + "' is not supported",
                   "composite, or node20 (run with the host's node); Docker actions need Docker");
  }
  s.local_actions = std::max(s.local_actions, a.local_actions);
  // The action's own expressions: steps.* were checked against its steps; secrets are not
  // readable in an action, as on GitHub; inputs.X must be declared.
  for (const ExprUse& use : a.uses) {
    const std::string context = use.path.empty() ? "" : use.path[0];
    if (context == "secrets")
      a.reader.problems()->Error(use.loc, "an action cannot read secrets",
                                 "pass the secret as an input: with: {token: ${{ secrets.X }}}");
    if (context == "inputs" && use.path.size() >= 2 &&
        std::none_of(values.begin(), values.end(),
                     [&](const ActionInput& in) { return in.name == use.path[1]; }))
      a.reader.problems()->Error(use.loc, "'" + use.path[1] + "' is not an input of this action",
                                 "declare it under inputs:");
  }
}

}  // namespace gauntlet::spec
