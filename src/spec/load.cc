#include "spec/load.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "spec/load_internal.h"
#include "spec/validate.h"
#include "spec/yaml_tree.h"

namespace gauntlet::spec {
namespace {

const std::vector<std::string> kTopKeys = {"name",         "env",    "secrets", "defaults",
                                           "changes",      "on",     "trigger", "gates",
                                           "environments", "release", "stages", "jobs",
                                           "concurrency",  "notify", "caches",
                                           "run_name",     "run-name"};
const std::vector<std::string> kStageKeys = {"name",        "jobs",     "depends_on",
                                             "environment", "strategy", "rollback_on_failure"};

void ReadDefaults(LoadState& s, const YamlNode* n) {
  Defaults& d = s.pipeline.defaults;
  s.reader.ForEach(n, "defaults", {"shell", "timeout", "working_directory"},
                   [&](const std::string& key, const YamlNode*, const YamlNode* v) {
                     if (key == "shell") s.reader.String(v, &d.shell);
                     if (key == "timeout") s.reader.DurationValue(v, &d.timeout);
                     if (key == "working_directory") {
                       s.reader.String(v, &d.working_directory);
                       s.exprs.CheckTemplate(v, -1);
                     }
                   });
}

void ReadStage(LoadState& s, const YamlNode* n) {
  Stage& stage = s.pipeline.stages.emplace_back();
  stage.loc = s.reader.Loc(n);
  if (!n->is_map()) {
    s.reader.TypeError(n, "a stage (a map with name and jobs)");
    return;
  }
  // The name first: messages about the rest of the stage use it.
  for (size_t i = 0; i < n->pairs(); ++i) {
    if (n->key(i)->value == "name" && s.reader.String(n->val(i), &stage.name))
      stage.loc = s.reader.Loc(n->val(i));
  }
  std::string where = stage.name.empty() ? "a stage" : "stage '" + stage.name + "'";
  const YamlNode* jobs = nullptr;
  s.reader.ForEach(n, where, kStageKeys,
                   [&](const std::string& key, const YamlNode* k, const YamlNode* v) {
                     if (key == "jobs") jobs = v;
                     if (key == "depends_on") {
                       std::vector<Located> deps;
                       if (s.reader.LocatedList(v, &deps, true)) stage.depends_on = deps;
                     }
                     if (key == "environment" && s.reader.String(v, &stage.environment))
                       stage.environment_loc = s.reader.Loc(v);
                     if (key == "strategy")
                       s.reader.Enum(v, &stage.strategy, "strategy", kStrategies);
                     if (key == "rollback_on_failure") s.reader.Bool(v, &stage.rollback_on_failure);
                   });
  if (stage.name.empty() && !std::any_of(n->items.begin(), n->items.end(), [](auto* k) {
        return k->is_scalar() && k->value == "name";
      })) {
    s.reader.Error(n, "stage has no name", "add name: <stage name>");
  }
  if (jobs && !jobs->is_null()) {
    if (!jobs->is_sequence()) {
      s.reader.TypeError(jobs, "a list of jobs", "jobs: [{name: build, run: make}]");
    } else {
      for (const YamlNode* j : jobs->items) {
        size_t index = s.pipeline.jobs.size();
        s.pipeline.jobs.emplace_back().stage = stage.name;
        ReadJob(s, j, index, true);
        stage.jobs.push_back(s.pipeline.jobs[index].name);
      }
    }
  }
  if (stage.jobs.empty() && !stage.is_deploy() &&
      (!jobs || jobs->is_null() || jobs->is_sequence())) {
    s.reader.Error(n, where + " has no jobs",
                   "add jobs: [...], or environment: <name> to make it a deploy stage");
  }
  if (!stage.strategy.empty() && !stage.is_deploy()) {
    s.reader.Error(n, where + " sets strategy but no environment",
                   "strategy applies to deploy stages: add environment: <name>");
  }
}

void ReadPipeline(LoadState& s, const YamlNode* root) {
  Pipeline& p = s.pipeline;
  if (!root || !root->is_map()) {
    s.reader.problems()->Error(
        Location{s.reader.file(), 1, 1},
        "expected a map at the top of the pipeline file, got " + YamlReader::Describe(root),
        "a pipeline has jobs: (a map) or stages: (a list)");
    return;
  }
  const YamlNode *stages = nullptr, *jobs = nullptr, *on = nullptr, *trigger = nullptr;
  const YamlNode *stages_key = nullptr, *jobs_key = nullptr, *trigger_key = nullptr;
  s.reader.ForEach(root, "the pipeline", kTopKeys,
                   [&](const std::string& key, const YamlNode* k, const YamlNode* v) {
                     if (key == "name") s.reader.String(v, &p.name);
                     if (key == "run_name" || key == "run-name") ReadRunName(s, v);
                     if (key == "env") ReadEnv(s, v, "env", -1, &p.env, nullptr);
                     if (key == "secrets") ReadSecrets(s, v, &p.secrets);
                     if (key == "defaults") ReadDefaults(s, v);
                     if (key == "changes") ReadChangeFilter(s, v, "changes", &p.changes);
                     if (key == "on") on = v;
                     if (key == "trigger") trigger = v, trigger_key = k;
                     if (key == "gates") ReadGates(s, v);
                     if (key == "environments") ReadEnvironments(s, v);
                     if (key == "release") ReadRelease(s, v);
                     if (key == "concurrency") ReadConcurrency(s, v, &s.pipeline.concurrency, -1);
                     if (key == "notify") ReadNotify(s, v);
                     if (key == "caches") ReadCaches(s, v);
                     if (key == "stages") stages = v, stages_key = k;
                     if (key == "jobs") jobs = v, jobs_key = k;
                   });
  if (on && trigger) {
    s.reader.Error(trigger_key, "both on: and trigger: are given",
                   "they mean the same: keep one of them");
  } else if (on || trigger) {
    ReadTriggers(s, on ? on : trigger, trigger != nullptr);
  }
  if (stages && jobs) {
    s.reader.Error(stages_key->line > jobs_key->line ? stages_key : jobs_key,
                   "both stages: and jobs: are given",
                   "use one spelling: stages (a list, each with jobs) or jobs (a map with needs)");
  }
  if (stages) {
    if (!stages->is_sequence()) {
      s.reader.TypeError(stages, "a list of stages", "stages: [{name: build, jobs: [...]}]");
    } else {
      size_t count = 0;
      for (const YamlNode* st : stages->items) {
        for (size_t i = 0; st->is_map() && i < st->pairs(); ++i)
          if (st->key(i)->value == "jobs" && st->val(i)->is_sequence())
            count += st->val(i)->items.size();
      }
      p.jobs.reserve(count);
      for (const YamlNode* st : stages->items) ReadStage(s, st);
      if (stages->items.empty())
        s.reader.Error(stages, "the pipeline has no stages", "add at least one stage");
    }
  } else if (jobs) {
    if (jobs->is_map()) p.jobs.reserve(jobs->pairs());
    if (s.reader.ForEach(jobs, "jobs", {},
                         [&](const std::string& key, const YamlNode* k, const YamlNode* v) {
                           size_t index = p.jobs.size();
                           Job& job = p.jobs.emplace_back();
                           job.name = key;
                           job.loc = s.reader.Loc(k);
                           ReadJob(s, v, index, false);
                         }) &&
        p.jobs.empty()) {
      s.reader.Error(jobs, "the pipeline has no jobs", "add a job: jobs: {build: {run: make}}");
    }
  } else {
    s.reader.problems()->Error(Location{s.reader.file(), root->line + 1, root->col + 1},
                               "the pipeline has no jobs",
                               "add jobs: (a map of jobs) or stages: (a list of stages)");
  }
}

}  // namespace

LoadResult LoadString(const std::string& text, const std::string& path) {
  LoadResult result;
  result.source = text;
  LoadState s(path, result.source, &result.problems);
  s.pipeline.file = path;
  YamlDocument doc;
  YamlError error;
  if (!doc.Parse(result.source, &error)) {
    result.problems.Error(
        Location{path, error.line + 1, error.col + 1}, error.message,
        error.hint.empty() ? "check the indentation and quoting around this place" : error.hint);
  } else {
    if (IsWorkflowFile(path, doc.root()))
      ReadWorkflow(s, doc.root());
    else
      ReadPipeline(s, doc.root());
    CheckScripts(s);
    Validate(s.pipeline, s.uses, &result.problems);
    CheckReleaseNames(s.pipeline, &result.problems);
  }
  result.pipeline = std::move(s.pipeline);
  return result;
}

LoadResult LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult result;
    result.pipeline.file = path;
    result.problems.Error(Location{path, 0, 0}, "cannot read the pipeline file",
                          "check that the file exists and is readable");
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return LoadString(text.str(), path);
}

std::string FindPipelineFile(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path at = fs::absolute(dir.empty() ? "." : dir, ec);
  if (ec) return "";
  for (;;) {
    for (const char* name : {"gauntlet.yml", "gauntlet.yaml"}) {
      fs::path candidate = at / name;
      if (fs::is_regular_file(candidate, ec)) return candidate.string();
    }
    if (!at.has_parent_path() || at.parent_path() == at) return "";
    at = at.parent_path();
  }
}

}  // namespace gauntlet::spec
