#include "spec/validate.h"

#include <algorithm>
#include <functional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/strings.h"

namespace gauntlet::spec {
namespace {

const std::vector<std::string> kContexts = {"env",   "matrix",  "needs",  "branch",
                                            "event", "secrets", "changes"};
// A GitHub Actions workflow reads these too (docs/github-actions.md, "Expressions").
const std::vector<std::string> kWorkflowContexts = {"env",    "matrix",  "needs",  "branch",
                                                    "event",  "secrets", "changes", "github",
                                                    "inputs", "vars",    "runner", "job",
                                                    "strategy"};

// "did you mean 'x'? " + a few of the known names, for hints.
std::string NameHint(const std::string& name, const std::vector<std::string>& known,
                     const std::string& what) {
  std::string guess = DidYouMean(name, known);
  if (!guess.empty()) return "did you mean '" + guess + "'?";
  if (known.empty()) return "there are no " + what;
  constexpr size_t kShown = 8;
  std::vector<std::string> shown(known.begin(), known.begin() + std::min(known.size(), kShown));
  return what + ": " + JoinComma(shown) + (known.size() > kShown ? ", ..." : "");
}

class Validator {
 public:
  Validator(const Pipeline& p, Problems* problems) : p_(p), problems_(problems) {}

  void Run(const std::vector<ExprUse>& uses) {
    Names();
    Needs();
    Stages();
    Required();
    for (const ExprUse& use : uses) Expression(use);
  }

 private:
  void Names() {
    for (size_t i = 0; i < p_.jobs.size(); ++i) {
      const Job& j = p_.jobs[i];
      if (j.name.empty()) continue;
      auto [it, fresh] = job_index_.emplace(j.name, i);
      if (fresh) {
        job_names_.push_back(j.name);
      } else {
        problems_->Error(j.loc, "duplicate job name '" + j.name + "'",
                         "first defined at line " + std::to_string(p_.jobs[it->second].loc.line) +
                             "; job names are unique across the pipeline");
      }
    }
    for (size_t i = 0; i < p_.stages.size(); ++i) {
      const Stage& s = p_.stages[i];
      if (s.name.empty()) continue;
      auto [it, fresh] = stage_index_.emplace(s.name, i);
      if (fresh) {
        stage_names_.push_back(s.name);
      } else {
        problems_->Error(s.loc, "duplicate stage name '" + s.name + "'",
                         "first defined at line " + std::to_string(p_.stages[it->second].loc.line));
      }
    }
  }

  void Needs() {
    for (const Job& j : p_.jobs) {
      for (const Located& need : j.needs) {
        if (job_index_.count(need.value)) continue;
        problems_->Error(need.loc, "job '" + j.name + "' needs unknown job '" + need.value + "'",
                         NameHint(need.value, job_names_, "jobs"));
      }
    }
  }

  void Stages() {
    for (const Stage& s : p_.stages) {
      if (s.depends_on) {
        for (const Located& dep : *s.depends_on) {
          if (stage_index_.count(dep.value)) continue;
          std::string hint = NameHint(dep.value, stage_names_, "stages");
          if (job_index_.count(dep.value))
            hint = "'" + dep.value + "' is a job; depends_on names stages (" + hint + ")";
          problems_->Error(
              dep.loc, "stage '" + s.name + "' depends on unknown stage '" + dep.value + "'", hint);
        }
      }
      // An error, not a warning: `run` would build and test, then fail at the deploy.
      if (s.is_deploy() && !p_.FindEnvironment(s.environment)) {
        std::vector<std::string> envs;
        for (const Environment& e : p_.environments) envs.push_back(e.name);
        std::string hint = "there are no environments: define it under environments: "
                           "(docs/deploy.md)";
        if (!envs.empty()) {
          const std::string guess = DidYouMean(s.environment, envs);
          hint = (guess.empty() ? "" : "did you mean '" + guess + "'? ") +
                 "environments defined: " + JoinComma(envs);
        }
        problems_->Error(s.environment_loc,
                         "stage '" + s.name + "' deploys to environment '" + s.environment +
                             "', which is not defined under environments:",
                         hint);
      }
      // A stage's own strategy must use what the environment sets (docs/deploy.md).
      const Environment* env =
          s.is_deploy() && !s.strategy.empty() ? p_.FindEnvironment(s.environment) : nullptr;
      if (!env) continue;
      for (const auto& [key, loc] : KeysUnusedBy(*env, s.strategy)) {
        problems_->Error(s.loc,
                         "stage '" + s.name + "' deploys '" + env->name + "' with " + s.strategy +
                             ", which does not use its " + key + " (line " +
                             std::to_string(loc.line) + ")",
                         "drop the stage's strategy:, or the environment's " + key);
      }
    }
  }

  void Required() {
    for (const Located& r : p_.gates.required) {
      if (job_index_.count(r.value)) continue;
      problems_->Error(r.loc, "gates.required names unknown job '" + r.value + "'",
                       NameHint(r.value, job_names_, "jobs"));
    }
  }

  // Stages a stage runs after, directly or not (the previous one when no depends_on).
  const std::set<size_t>& Upstream(size_t stage) {
    auto it = upstream_.find(stage);
    if (it != upstream_.end()) return it->second;
    std::set<size_t>& out = upstream_[stage];
    std::vector<size_t> todo = {stage};
    while (!todo.empty()) {
      size_t s = todo.back();
      todo.pop_back();
      std::vector<size_t> direct;
      if (p_.stages[s].depends_on) {
        for (const Located& d : *p_.stages[s].depends_on) {
          auto found = stage_index_.find(d.value);
          if (found != stage_index_.end()) direct.push_back(found->second);
        }
      } else if (s > 0) {
        direct.push_back(s - 1);
      }
      for (size_t d : direct)
        if (out.insert(d).second) todo.push_back(d);
    }
    return out;
  }

  // Whether job `j` may read needs.`name`: a job it needs, or one in an earlier stage.
  bool CanRead(const Job& j, const std::string& name) {
    for (const Located& n : j.needs)
      if (n.value == name) return true;
    if (j.stage.empty()) return false;
    auto mine = stage_index_.find(j.stage);
    auto other = job_index_.find(name);
    if (mine == stage_index_.end() || other == job_index_.end()) return false;
    auto theirs = stage_index_.find(p_.jobs[other->second].stage);
    return theirs != stage_index_.end() && Upstream(mine->second).count(theirs->second);
  }

  void Expression(const ExprUse& use) {
    const std::string& context = use.path[0];
    const std::vector<std::string>& known = p_.workflow ? kWorkflowContexts : kContexts;
    if (std::find(known.begin(), known.end(), context) == known.end()) {
      std::string guess = DidYouMean(context, known);
      problems_->Error(use.loc, "unknown context '" + context + "'",
                       (guess.empty() ? "" : "did you mean '" + guess + "'? ") +
                           "contexts: " + JoinComma(known));
      return;
    }
    const Job* job =
        use.job >= 0 && use.job < static_cast<int>(p_.jobs.size()) ? &p_.jobs[use.job] : nullptr;
    if ((context == "needs" || context == "matrix") && !job) {
      problems_->Error(use.loc, "'" + context + "' can only be read inside a job",
                       "contexts here: env, branch, event, secrets, changes");
      return;
    }
    if (context == "event") return EventField(use);
    if (use.path.size() < 2) return;
    const std::string& name = use.path[1];
    if (context == "needs" && !CanRead(*job, name)) {
      std::vector<std::string> needed;
      for (const Located& n : job->needs) needed.push_back(n.value);
      problems_->Error(
          use.loc,
          "job '" + job->name + "' reads needs." + name + " but does not need '" + name + "'",
          "add '" + name + "' to its needs" +
              (needed.empty() ? "" : " (it needs: " + JoinComma(needed) + ")"));
    }
    if (context == "matrix") {
      std::vector<std::string> keys;
      for (const auto& axis : job->matrix.axes) keys.push_back(axis.first);
      for (const MatrixCombo& inc : job->matrix.include)
        for (const auto& kv : inc)
          if (std::find(keys.begin(), keys.end(), kv.first) == keys.end()) keys.push_back(kv.first);
      if (std::find(keys.begin(), keys.end(), name) == keys.end()) {
        problems_->Error(
            use.loc,
            "job '" + job->name + "' reads matrix." + name + " but its matrix has no '" + name +
                "'",
            keys.empty() ? "the job has no matrix" : NameHint(name, keys, "matrix keys"));
      }
    }
    if (context == "secrets") {
      bool listed =
          std::find(p_.secrets.begin(), p_.secrets.end(), name) != p_.secrets.end() ||
          (job && std::find(job->secrets.begin(), job->secrets.end(), name) != job->secrets.end());
      if (!listed) {
        problems_->Error(use.loc, "secret '" + name + "' is not declared",
                         "list it under secrets: (of the pipeline or of the job)");
      }
    }
  }

  // `event` is an object (engine/event_context.h): a bare `event` was its name before,
  // so `event == 'push'` would now be false everywhere; say what to write instead.
  void EventField(const ExprUse& use) {
    static const std::vector<std::string> kFields = {
        "name",    "ref",    "sha",           "before",   "after",  "commits",
        "pusher",  "merged_branch", "webhook", "schedule", "inputs", "pull_request", "payload"};
    if (use.path.size() < 2) {
      problems_->Error(use.loc, "'event' is an object: read one of its fields",
                       "event.name == 'push'; fields: " + JoinComma(kFields));
      return;
    }
    if (std::find(kFields.begin(), kFields.end(), use.path[1]) == kFields.end())
      problems_->Error(use.loc, "event has no field '" + use.path[1] + "'",
                       NameHint(use.path[1], kFields, "fields"));
  }

  const Pipeline& p_;
  Problems* problems_;
  std::unordered_map<std::string, size_t> job_index_, stage_index_;
  std::vector<std::string> job_names_, stage_names_;
  std::unordered_map<size_t, std::set<size_t>> upstream_;
};

}  // namespace

void Validate(const Pipeline& pipeline, const std::vector<ExprUse>& uses, Problems* problems) {
  Validator(pipeline, problems).Run(uses);
}

}  // namespace gauntlet::spec
