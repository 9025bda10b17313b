// Reusable workflows, `jobs.<id>.uses: ./.github/workflows/x.yml` (docs/github-actions.md,
// "Reusable workflows"): the called file is read when the caller is, so its mistakes are
// reported at their own line and column, and its jobs join the caller's plan as
// "<id> / <job>", as GitHub shows them. Each needs the caller's needs and runs under its
// if:. The called workflow's `inputs` and `secrets` are the caller's `with:` and
// `secrets:`, evaluated when such a job starts (spec/workflow_call.h); job <id> itself
// needs them all and gives `on.workflow_call.outputs` (`jobs.J.outputs.o` read as
// `needs.J.outputs.o`), so later jobs read `needs.<id>.outputs` and `.result` as usual.
#include <algorithm>
#include <array>
#include <cstdlib>

#include "spec/load_internal.h"

namespace gauntlet::spec {
namespace {

// GitHub.com connects at most ten levels of workflows (the caller and nine called ones)
// and calls at most 20 distinct reusable workflows from one top-level file.
constexpr size_t kMaxCallDepth = 9;
constexpr size_t kMaxCalledFiles = 20;
const std::vector<std::string> kCallerKeys = {"name",    "uses",        "with",        "secrets",
                                              "needs",   "if",          "permissions", "concurrency",
                                              "strategy"};

// What `on.workflow_call` of the called file declares.
struct CallDeclaration {
  std::vector<WorkflowCall::Input> inputs;  // value: the default
  std::vector<bool> required;               // parallel to inputs
  std::vector<std::pair<std::string, bool>> secrets;  // name, required
  std::vector<std::pair<std::string, const YamlNode*>> outputs;  // name, value node
};

// The `workflow_call` node of `on:` (a map, null or a scalar); nullptr when absent.
const YamlNode* FindWorkflowCall(const YamlNode* root, bool* found) {
  *found = false;
  for (size_t i = 0; root && root->is_map() && i < root->pairs(); ++i) {
    if (root->key(i)->value != "on") continue;
    const YamlNode* on = root->val(i);
    if (on->is_scalar()) *found = on->value == "workflow_call";
    for (const YamlNode* item : on->is_sequence() ? on->items : std::vector<const YamlNode*>{})
      *found = *found || item->value == "workflow_call";
    for (size_t j = 0; on->is_map() && j < on->pairs(); ++j) {
      if (on->key(j)->value != "workflow_call") continue;
      *found = true;
      return on->val(j);
    }
  }
  return nullptr;
}

void ReadDeclaredInput(LoadState& w, const std::string& name, const YamlNode* v,
                       CallDeclaration* d) {
  WorkflowCall::Input in{name, "", "string"};
  bool required = false;
  const YamlNode* type_node = nullptr;
  w.reader.ForEach(v, "an input", {"description", "required", "default", "type"},
                   [&](const std::string& key, const YamlNode*, const YamlNode* x) {
                     if (key == "required") w.reader.Bool(x, &required);
                     if (key == "default" && w.reader.String(x, &in.value))
                       w.exprs.CheckTemplate(x, -1);
                     if (key == "type" && w.reader.String(x, &in.type)) type_node = x;
                   });
  if (type_node && in.type != "string" && in.type != "boolean" && in.type != "number")
    w.reader.Error(type_node, "input type '" + in.type + "' is not one of workflow_call's",
                   "string, boolean or number");
  if (in.value.empty()) in.value = in.type == "boolean" ? "false" : in.type == "number" ? "0" : "";
  d->inputs.push_back(std::move(in));
  d->required.push_back(required);
}

CallDeclaration ReadDeclaration(LoadState& w, const YamlNode* call) {
  CallDeclaration d;
  if (!call || call->is_null()) return d;
  w.reader.ForEach(call, "on.workflow_call", {"inputs", "outputs", "secrets"},
                   [&](const std::string& key, const YamlNode*, const YamlNode* v) {
                     w.reader.ForEach(v, "on.workflow_call." + key, {},
                                      [&](const std::string& name, const YamlNode*,
                                          const YamlNode* x) {
                                        if (key == "inputs") return ReadDeclaredInput(w, name, x, &d);
                                        bool required = false;
                                        const YamlNode* value = nullptr;
                                        w.reader.ForEach(
                                            x, "on.workflow_call." + key,
                                            {"description", "required", "value"},
                                            [&](const std::string& k, const YamlNode*,
                                                const YamlNode* y) {
                                              if (k == "required") w.reader.Bool(y, &required);
                                              if (k == "value") value = y;
                                            });
                                        if (key == "secrets") d.secrets.emplace_back(name, required);
                                        if (key == "outputs") d.outputs.emplace_back(name, value);
                                      });
                   });
  return d;
}

// The caller's `with:` against the declared inputs; a literal for a boolean or number
// input must be one.
WorkflowCall ReadCallInputs(LoadState& s, const YamlNode* with, const YamlNode* uses, int ji,
                            const std::string& file, const CallDeclaration& d) {
  WorkflowCall call;
  call.inputs = d.inputs;
  std::vector<bool> given(d.inputs.size(), false);
  if (with)
    s.reader.ForEach(with, "with", {}, [&](const std::string& name, const YamlNode* k,
                                         const YamlNode* v) {
      auto it = std::find_if(call.inputs.begin(), call.inputs.end(),
                             [&](const WorkflowCall::Input& in) { return in.name == name; });
      if (it == call.inputs.end()) {
        s.reader.Error(k, "'" + name + "' is not an input of " + file,
                       "its on.workflow_call.inputs declares the inputs it takes");
        return;
      }
      if (!v->is_scalar()) return s.reader.TypeError(v, "a string, number or boolean");
      it->value = v->is_null() ? "" : v->value;
      given[static_cast<size_t>(it - call.inputs.begin())] = true;
      s.exprs.CheckTemplate(v, ji);
      if (v->value.find("${{") != std::string::npos) return;
      if (it->type == "boolean" && v->value != "true" && v->value != "false")
        s.reader.Error(v, "input '" + name + "' of " + file + " is a boolean", "true or false");
      char* end = nullptr;
      if (it->type == "number" && (std::strtod(v->value.c_str(), &end), !end || *end != '\0'))
        s.reader.Error(v, "input '" + name + "' of " + file + " is a number", "a number: 3");
    });
  for (size_t i = 0; i < d.inputs.size(); ++i)
    if (d.required[i] && !given[i])
      s.reader.Error(with ? with : uses, "input '" + d.inputs[i].name + "' of " + file +
                                             " is required",
                     "with: {" + d.inputs[i].name + ": ...}");
  return call;
}

void ReadCallSecrets(LoadState& s, const YamlNode* secrets, const YamlNode* uses, int ji,
                     const std::string& file, const CallDeclaration& d, WorkflowCall* call) {
  if (secrets && secrets->is_scalar() && secrets->value == "inherit") {
    call->inherit_secrets = true;
    return;
  }
  if (secrets)
    s.reader.ForEach(secrets, "secrets", {}, [&](const std::string& name, const YamlNode* k,
                                               const YamlNode* v) {
      if (std::none_of(d.secrets.begin(), d.secrets.end(),
                       [&](const auto& x) { return x.first == name; })) {
        s.reader.Error(k, "'" + name + "' is not a secret of " + file,
                       "declare it under on.workflow_call.secrets, or pass secrets: inherit");
        return;
      }
      std::string value;
      if (!s.reader.String(v, &value)) return;
      s.exprs.CheckTemplate(v, ji);
      call->secrets.emplace_back(name, value);
    });
  for (const auto& entry : d.secrets) {
    // Not a structured binding: clang (the fuzz build) cannot capture one in the lambda.
    const std::string& name = entry.first;
    if (entry.second && std::none_of(call->secrets.begin(), call->secrets.end(),
                                     [&](const auto& x) { return x.first == name; }))
      s.reader.Error(secrets ? secrets : uses, "secret '" + name + "' of " + file + " is required",
                     "secrets: {" + name + ": ${{ secrets.NAME }}}, or secrets: inherit");
  }
}

// `text` (a template) with each `jobs.` reference read as `needs.`; a job that is not
// in the called file is reported at `n`.
std::string CallOutput(LoadState& w, const YamlNode* n, const std::string& text) {
  Template t;
  ExprError error;
  if (!Template::Parse(text, &t, &error)) {
    w.reader.problems()->Error(w.reader.LocAt(n, error.offset), error.message, error.hint);
    return text;
  }
  std::string out;
  for (size_t i = 0; i < t.expressions().size(); ++i) {
    const auto& [expr, offset] = t.expressions()[i];
    std::string e = expr.text();
    std::vector<Expr::Reference> refs = expr.References();
    std::sort(refs.begin(), refs.end(), [](const auto& a, const auto& b) { return a.offset > b.offset; });
    for (const Expr::Reference& ref : refs) {
      if (ref.path.empty() || ref.path[0] != "jobs" || e.compare(ref.offset, 4, "jobs") != 0)
        continue;
      const auto& jobs = w.pipeline.jobs;
      if (ref.path.size() < 2 || std::none_of(jobs.begin(), jobs.end(), [&](const Job& j) {
            return j.name == ref.path[1];
          }))
        w.reader.problems()->Error(w.reader.LocAt(n, offset + ref.offset),
                                   "an output of a reusable workflow reads jobs.<job>.outputs "
                                   "of one of its jobs",
                                   "${{ jobs.build.outputs.version }}");
      e.replace(ref.offset, 4, "needs");
    }
    out += t.literals()[i] + "${{ " + e + " }}";
  }
  return out + t.literals().back();
}

}  // namespace

namespace {

// The caller's own keys (job `ji`); returns its uses:, with: and secrets:.
std::array<const YamlNode*, 3> ReadCallerKeys(LoadState& s, const YamlNode* n, int ji) {
  std::array<const YamlNode*, 3> call = {nullptr, nullptr, nullptr};
  const std::string where = "job '" + s.pipeline.jobs[static_cast<size_t>(ji)].name + "'";
  s.reader.ForEach(n, where, kCallerKeys, [&](const std::string& key, const YamlNode* k,
                                              const YamlNode* v) {
    Job& j = s.pipeline.jobs[static_cast<size_t>(ji)];
    std::string text;
    if (key == "uses") call[0] = v;
    if (key == "with") call[1] = v;
    if (key == "secrets") call[2] = v;
    if (key == "needs") s.reader.LocatedList(v, &j.needs, true);
    if (key == "name") s.reader.String(v, &text);  // GitHub's display name
    if (key == "if" && s.reader.String(v, &text)) {
      j.if_loc = s.reader.Loc(v);
      j.if_expr = s.exprs.CheckCondition(v, ji);
    }
    if (key == "strategy")
      s.reader.Error(k, where + ": a matrix of reusable workflow calls is not supported yet",
                     "call the workflow once per value, or give its jobs the matrix");
    if (key == "permissions" || key == "concurrency")
      s.reader.Warning(k, "'" + key + "' of " + where + " is ignored",
                       key == "permissions" ? "there is no GITHUB_TOKEN to scope"
                                            : "give the called workflow's jobs their own concurrency:");
  });
  return call;
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The called file of `uses:` (path: as written), or "" after saying why it is not read.
std::string CalledFile(LoadState& s, const YamlNode* uses, std::string* path) {
  if (!s.reader.String(uses, path)) return "";
  if (path->rfind("./", 0) != 0) {
    s.reader.Error(uses, "'uses: " + *path + "': only reusable workflows of this repository "
                   "are supported",
                   "uses: ./.github/workflows/NAME.yml (copy the workflow into this repository)");
    return "";
  }
  if (path->find('@') != std::string::npos || path->rfind("./.github/workflows/", 0) != 0 ||
      !(EndsWith(*path, ".yml") || EndsWith(*path, ".yaml"))) {
    s.reader.Error(uses, "'uses: " + *path + "' is not a workflow file of this repository",
                   "uses: ./.github/workflows/NAME.yml, without @ref: the working tree's file "
                   "is the one that runs");
    return "";
  }
  const std::string file = RepositoryRoot(s.reader.file()) + "/" + path->substr(2);
  std::vector<std::string> above = s.call_stack;
  above.push_back(s.reader.file());
  if (std::find(above.begin(), above.end(), file) != above.end()) {
    s.reader.Error(uses, *path + " is already being called: a workflow cannot call itself",
                   "move the shared jobs into a third workflow");
    return "";
  }
  if (above.size() > kMaxCallDepth) {
    s.reader.Error(uses, "reusable workflows nest deeper than ten levels",
                   "GitHub connects at most ten levels: the caller and nine called workflows");
    return "";
  }
  std::vector<std::string>& called = *s.called_files;
  if (std::find(called.begin(), called.end(), file) == called.end()) called.push_back(file);
  if (called.size() > kMaxCalledFiles) {
    s.reader.Error(uses, "more than 20 distinct reusable workflows are called",
                   "GitHub calls at most 20 from one workflow file, nested calls included");
    return "";
  }
  return file;
}

// The called expressions into the caller's: indices and needs renamed; inputs and
// secrets the called file reads must be declared (and are not the caller's).
void SpliceUses(LoadState& s, LoadState& w, size_t offset, const std::string& prefix,
                const WorkflowCall& call, const CallDeclaration& d) {
  for (ExprUse& u : w.uses) {
    const std::string context = u.path.empty() ? "" : u.path[0];
    const std::string name = u.path.size() >= 2 ? u.path[1] : "";
    if (u.job >= 0) u.job += static_cast<int>(offset);
    if (context == "needs" && !name.empty()) u.path[1] = prefix + name;
    if (context == "inputs") {
      if (!name.empty() && std::none_of(d.inputs.begin(), d.inputs.end(),
                                        [&](const auto& in) { return in.name == name; }))
        s.reader.problems()->Error(u.loc, "'" + name + "' is not an input of this workflow",
                                   "declare it under on.workflow_call.inputs");
      continue;
    }
    if (context == "secrets" && !call.inherit_secrets) {
      if (!name.empty() && std::none_of(d.secrets.begin(), d.secrets.end(),
                                        [&](const auto& x) { return x.first == name; }))
        s.reader.problems()->Error(u.loc, "secret '" + name + "' is not declared by this workflow",
                                   "declare it under on.workflow_call.secrets, or have the caller "
                                   "pass secrets: inherit");
      continue;
    }
    s.uses.push_back(std::move(u));
  }
}

// The called jobs into the caller's plan after its jobs so far, as "<caller> / <job>".
void SpliceJobs(LoadState& s, LoadState& w, size_t index, const WorkflowCall& call,
                const CallDeclaration& d) {
  const Job caller = s.pipeline.jobs[index];
  const std::string prefix = caller.name + " / ";
  const size_t offset = s.pipeline.jobs.size();
  std::vector<Located> called;
  for (Job& j : w.pipeline.jobs) {
    j.name = prefix + j.name;
    for (Located& need : j.needs) need.value = prefix + need.value;
    j.needs.insert(j.needs.begin(), caller.needs.begin(), caller.needs.end());
    if (!caller.if_expr.empty())
      j.if_expr = j.if_expr.empty() ? caller.if_expr
                                    : "(" + caller.if_expr + ") && (" + j.if_expr + ")";
    // The called workflow's env: its jobs' own first (the caller's does not pass).
    j.env.insert(j.env.begin(), w.pipeline.env.begin(), w.pipeline.env.end());
    if (!j.env_locs.empty())
      j.env_locs.insert(j.env_locs.begin(), w.pipeline.env.size(), j.loc);
    j.calls.insert(j.calls.begin(), call);
    j.call_prefix = prefix + j.call_prefix;
    called.push_back(Located{j.name, j.loc});
    s.pipeline.jobs.push_back(std::move(j));
  }
  std::vector<Located>& needs = s.pipeline.jobs[index].needs;
  needs.insert(needs.end(), called.begin(), called.end());
  SpliceUses(s, w, offset, prefix, call, d);
}

}  // namespace

void ReadWorkflowCall(LoadState& s, const YamlNode* n, size_t index) {
  const int ji = static_cast<int>(index);
  const auto [uses, with, secrets] = ReadCallerKeys(s, n, ji);
  {
    Job& x = s.pipeline.jobs[index];
    x.cache = false;
    x.call_prefix = x.name + " / ";
    x.diagnostics = {"github"};
    x.run_loc = s.reader.Loc(uses);
  }
  std::string path;
  const std::string file = uses ? CalledFile(s, uses, &path) : "";
  bool ok = false;
  const std::string text = file.empty() ? "" : ReadWorkflowFile(file, &ok);
  if (!file.empty() && !ok)
    s.reader.Error(uses, "no workflow " + path + " (looked in " + RepositoryRoot(s.reader.file()) +
                   ")", "a local reusable workflow's path starts at the repository's top");
  if (!ok) return;
  LoadState w(file, text, s.reader.problems());
  w.call_stack = s.call_stack;
  w.call_stack.push_back(s.reader.file());
  w.called_files = s.called_files;
  w.local_actions = s.local_actions;
  YamlDocument doc;
  if (!ParseWorkflowFile(s, file, text, &doc)) return;
  bool callable = false;
  const YamlNode* call_node = FindWorkflowCall(doc.root(), &callable);
  if (!callable) {
    s.reader.Error(uses, path + " cannot be called: its on: has no workflow_call",
                   "on: {workflow_call: {inputs: {...}}}");
    return;
  }
  const CallDeclaration d = ReadDeclaration(w, call_node);
  WorkflowCall call = ReadCallInputs(s, with, uses, ji, path, d);
  ReadCallSecrets(s, secrets, uses, ji, path, d, &call);
  ReadWorkflow(w, doc.root());
  s.local_actions = std::max(s.local_actions, w.local_actions);
  std::vector<WorkflowOutput> outputs;  // read before the called jobs are renamed
  for (const auto& [name, node] : d.outputs) {
    std::string value;
    if (node && w.reader.String(node, &value)) outputs.push_back({name, CallOutput(w, node, value)});
  }
  SpliceJobs(s, w, index, call, d);
  Job& x = s.pipeline.jobs[index];
  for (const WorkflowOutput& o : outputs) x.outputs.push_back(o.name);
  x.commands = {WorkflowJobScript(x.name, {}, outputs)};
}

}  // namespace gauntlet::spec
