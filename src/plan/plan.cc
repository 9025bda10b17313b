#include "plan/plan.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <span>
#include <string_view>
#include <unordered_map>

#include "plan/suggest.h"
#include "plan/working_directory.h"
#include "spec/expr.h"
#include "spec/matrix.h"

// Cost note: stage edges are kept exact, so a stage of N jobs depending on a stage of
// M jobs adds N*M edges (1,000 x 1,000 = 1M needs entries, ~8 MB). A synthetic barrier
// node would make it N+M, but would show up in `plan`, the store and the scheduler as a
// job that is not in the file; jobs-map pipelines (the large ones) never hit this.

namespace gauntlet::plan {
namespace {

// Reverse edges in one flat array (compressed rows): dependents of i are
// ids[offset[i] .. offset[i+1]).
struct Dependents {
  std::vector<int> offset;
  std::vector<JobId> ids;
  std::span<const JobId> of(JobId i) const {
    return {ids.data() + offset[i], ids.data() + offset[i + 1]};
  }
};

// A spec job's concrete jobs are created together, so their ids are contiguous.
struct IdRange {
  JobId first = 0;
  JobId count = 0;
};

// Builder state; lives only during Build. Ids are creation indices until Sort.
class Builder {
 public:
  Builder(const spec::Pipeline& p, spec::Problems* problems) : p_(p), problems_(problems) {}

  Plan Run() {
    Plan plan;
    plan.pipeline = &p_;
    CreateNodes();
    AddJobNeeds();
    AddStageEdges();
    Sort(plan);
    return plan;
  }

 private:
  void AddJob(const spec::Job& job, int job_index, const spec::Stage* stage) {
    if (added_[job_index]) return;  // listed twice: the loader reports it
    added_[job_index] = 1;
    IdRange& ids = by_spec_[job_index];
    ids.first = static_cast<JobId>(jobs_.size());
    int group = -1;
    if (!job.matrix.empty() && (job.fail_fast || job.max_parallel > 0)) {
      group = static_cast<int>(groups_.size());
      JobGroup& g = groups_.emplace_back();
      g.name = job.name;
      g.max_parallel = job.max_parallel;
      g.fail_fast = job.fail_fast;
    }
    spec::Expr continue_expr;  // `continue-on-error: ${{ matrix.x }}`, parsed once
    bool continue_parsed = false;
    if (!job.continue_on_error_expr.empty()) {
      spec::ExprError error;
      continue_parsed = spec::Expr::ParseCondition(job.continue_on_error_expr, &continue_expr, &error);
      if (!continue_parsed)
        problems_->Error(job.loc, "continue-on-error of job '" + job.name + "': " + error.message,
                         "continue-on-error: ${{ matrix.experimental }}");
    }
    auto make = [&](spec::MatrixCombo combo) {
      PlannedJob& pj = jobs_.emplace_back();
      pj.kind = PlannedJob::Kind::kJob;
      pj.id = static_cast<JobId>(jobs_.size() - 1);
      pj.name = combo.empty() ? job.name : spec::MatrixJobName(job.name, combo);
      pj.base_name = job.name;
      pj.spec = &job;
      pj.stage = stage;
      pj.matrix = std::move(combo);
      pj.timeout = job.timeout.value_or(p_.defaults.timeout);
      pj.shell = job.shell.empty() ? p_.defaults.shell : job.shell;
      pj.group = group;
      pj.continue_on_error = job.continue_on_error;
      if (continue_parsed) pj.continue_on_error = ContinueOnError(continue_expr, pj, ids.count == 0);
      // Reported once per spec job, not once per matrix combination.
      pj.working_directory =
          ResolveWorkingDirectory(p_, job, pj.matrix, ids.count == 0 ? problems_ : &ignored_);
      ++ids.count;
    };
    if (job.matrix.empty()) {
      make({});
      return;
    }
    std::vector<spec::MatrixCombo> combos = spec::ExpandMatrix(job.matrix);
    if (combos.empty()) {
      problems_->Error(job.matrix.loc.line ? job.matrix.loc : job.loc,
                       "the matrix of job '" + job.name + "' expands to no combination",
                       "check that `exclude` does not remove every combination");
    }
    for (spec::MatrixCombo& c : combos) make(std::move(c));
  }

  // A combination's `continue-on-error: ${{ matrix.x }}`: only the matrix is known when
  // planning (the loader allows no other context there).
  bool ContinueOnError(const spec::Expr& expr, const PlannedJob& pj, bool report) {
    spec::EvalContext ctx{nlohmann::json{{"matrix", spec::MatrixContext(pj.matrix)}}};
    Result<bool> v = spec::EvaluateCondition(expr, ctx);
    if (v.ok()) return *v;
    if (report)
      problems_->Error(pj.spec->loc, "continue-on-error of job '" + pj.base_name + "': " +
                                         v.error().message,
                       "continue-on-error: ${{ matrix.experimental }}");
    return false;
  }

  void CreateNodes() {
    jobs_.reserve(p_.jobs.size() + p_.stages.size());
    by_spec_.resize(p_.jobs.size());
    added_.assign(p_.jobs.size(), 0);
    spec_index_.reserve(p_.jobs.size());
    for (size_t i = 0; i < p_.jobs.size(); ++i)
      spec_index_.emplace(p_.jobs[i].name, static_cast<int>(i));
    for (size_t s = 0; s < p_.stages.size(); ++s)
      stage_index_.emplace(p_.stages[s].name, static_cast<int>(s));
    // A stage's jobs: those its `jobs:` lists, then those naming it in `stage:` (file order).
    std::vector<std::vector<int>> stage_jobs(p_.stages.size());
    std::vector<char> listed(p_.jobs.size(), 0);
    for (size_t s = 0; s < p_.stages.size(); ++s)
      for (const std::string& name : p_.stages[s].jobs) {
        auto it = spec_index_.find(name);
        if (it == spec_index_.end() || listed[it->second]) continue;  // the loader reports it
        listed[it->second] = 1;
        stage_jobs[s].push_back(it->second);
      }
    for (size_t i = 0; i < p_.jobs.size(); ++i) {
      if (listed[i] || p_.jobs[i].stage.empty()) continue;
      if (auto it = stage_index_.find(p_.jobs[i].stage); it != stage_index_.end())
        stage_jobs[it->second].push_back(static_cast<int>(i));
    }
    stage_members_.resize(p_.stages.size());
    deploy_node_.assign(p_.stages.size(), -1);
    // Stage spelling: stage by stage, so file order is stage order; deploys in place.
    for (size_t s = 0; s < p_.stages.size(); ++s) {
      const spec::Stage& stage = p_.stages[s];
      for (int i : stage_jobs[s]) {
        AddJob(p_.jobs[i], i, &stage);
        const IdRange r = by_spec_[i];
        for (JobId id = r.first; id < r.first + r.count; ++id) stage_members_[s].push_back(id);
      }
      if (stage.is_deploy()) {
        PlannedJob& pj = jobs_.emplace_back();
        pj.kind = PlannedJob::Kind::kDeploy;
        pj.id = static_cast<JobId>(jobs_.size() - 1);
        pj.name = "deploy: " + stage.environment;
        pj.base_name = stage.name;
        pj.stage = &stage;
        pj.timeout = p_.defaults.timeout;
        pj.shell = p_.defaults.shell;
        pj.working_directory = p_.defaults.working_directory;
        deploy_node_[s] = pj.id;
      }
    }
    // Jobs-map spelling, and any job no stage lists.
    for (size_t i = 0; i < p_.jobs.size(); ++i) AddJob(p_.jobs[i], static_cast<int>(i), nullptr);
    mark_.assign(jobs_.size(), -1);
  }

  // Adds `need` to `job` unless it is already there (mark_ holds the last job that took it).
  void AddEdge(JobId job, JobId need) {
    if (mark_[need] == job) return;
    mark_[need] = job;
    jobs_[job].needs.push_back(need);
  }

  // Names anything can need: spec job names, concrete names, deploy node names.
  std::vector<std::string_view> Candidates() const {
    std::vector<std::string_view> out;
    for (const spec::Job& j : p_.jobs) out.push_back(j.name);
    for (const PlannedJob& pj : jobs_)
      if (pj.name != pj.base_name || pj.kind == PlannedJob::Kind::kDeploy) out.push_back(pj.name);
    return out;
  }

  // Concrete ids a `needs:` entry names, or nullptr when it names nothing.
  // Concrete ids a `needs:` entry names; count 0 when it names nothing.
  IdRange Resolve(const std::string& name) {
    if (auto it = spec_index_.find(name); it != spec_index_.end()) return by_spec_[it->second];
    if (concrete_.empty()) {  // built lazily: plain names resolve through spec_index_
      concrete_.reserve(jobs_.size());
      for (const PlannedJob& pj : jobs_) concrete_.emplace(pj.name, pj.id);
    }
    auto it = concrete_.find(name);
    return it == concrete_.end() ? IdRange{} : IdRange{it->second, 1};
  }

  void AddJobNeeds() {
    for (size_t i = 0; i < p_.jobs.size(); ++i) {
      const spec::Job& job = p_.jobs[i];
      if (job.needs.empty()) continue;
      // Resolve once per spec job, then fan out to its matrix expansion.
      resolved_.clear();
      for (const spec::Located& need : job.needs) {
        const IdRange ids = Resolve(need.value);
        if (ids.count == 0) {
          if (spec_index_.count(need.value)) continue;  // its matrix is empty: reported there
          problems_->Error(need.loc,
                           "job '" + job.name + "' needs unknown job '" + need.value + "'",
                           DidYouMean(need.value, Candidates()));
          continue;
        }
        for (JobId id = ids.first; id < ids.first + ids.count; ++id) resolved_.push_back(id);
      }
      const IdRange mine = by_spec_[i];
      for (JobId id = mine.first; id < mine.first + mine.count; ++id)
        for (JobId need : resolved_) AddEdge(id, need);
    }
  }

  // Appends the nodes a stage depending on stage `s` must wait for: its deploy node, else
  // its jobs, else (an empty stage) whatever it waits for itself, so ordering passes through.
  void AppendTerminals(size_t s, std::vector<JobId>& out) {
    if (deploy_node_[s] >= 0) {
      out.push_back(deploy_node_[s]);
    } else if (!stage_members_[s].empty()) {
      out.insert(out.end(), stage_members_[s].begin(), stage_members_[s].end());
    } else {
      const std::vector<JobId>& req = Requirements(s);
      out.insert(out.end(), req.begin(), req.end());
    }
  }

  // Every node the jobs of stage `s` need because of stage ordering (computed once).
  const std::vector<JobId>& Requirements(size_t s) {
    if (req_state_[s] == 2) return req_[s];
    if (req_state_[s] == 1) {  // a cycle through empty stages; job-level cycles are found later
      if (!stage_cycle_reported_) {
        stage_cycle_reported_ = true;
        problems_->Error(p_.stages[s].loc,
                         "stage dependency cycle through stage '" + p_.stages[s].name + "'",
                         "stages must form a DAG: remove one of the `depends_on` entries");
      }
      return req_[s];  // empty
    }
    req_state_[s] = 1;
    const spec::Stage& stage = p_.stages[s];
    std::vector<size_t> deps;
    if (!stage.depends_on) {
      if (s > 0) deps.push_back(s - 1);
    } else {
      for (const spec::Located& d : *stage.depends_on) {
        auto it = stage_index_.find(d.value);
        if (it == stage_index_.end()) {
          std::vector<std::string_view> names;
          for (const spec::Stage& st : p_.stages) names.push_back(st.name);
          problems_->Error(d.loc,
                           "stage '" + stage.name + "' depends on unknown stage '" + d.value + "'",
                           DidYouMean(d.value, names));
          continue;
        }
        deps.push_back(static_cast<size_t>(it->second));
      }
    }
    std::vector<JobId> out;
    for (size_t d : deps) AppendTerminals(d, out);
    req_[s] = std::move(out);
    req_state_[s] = 2;
    return req_[s];
  }

  void AddStageEdges() {
    req_.resize(p_.stages.size());
    req_state_.assign(p_.stages.size(), 0);
    for (size_t s = 0; s < p_.stages.size(); ++s) {
      const std::vector<JobId>& req = Requirements(s);
      if (req.empty()) continue;
      for (JobId id : stage_members_[s])
        for (JobId need : req) AddEdge(id, need);
      if (deploy_node_[s] >= 0) {
        // A deploy stage that also has jobs deploys after them.
        for (JobId need : req) AddEdge(deploy_node_[s], need);
      }
    }
    for (size_t s = 0; s < p_.stages.size(); ++s)
      if (deploy_node_[s] >= 0)
        for (JobId id : stage_members_[s]) AddEdge(deploy_node_[s], id);
  }

  // Where to point at for the edge `from` needs `to`: the `needs:` entry naming it, else
  // the stage's `depends_on` entry, else the job.
  Location EdgeLocation(const PlannedJob& from, const PlannedJob& to) const {
    if (from.spec)
      for (const spec::Located& n : from.spec->needs)
        if (n.value == to.base_name || n.value == to.name) return n.loc;
    if (from.stage && from.stage->depends_on)
      for (const spec::Located& d : *from.stage->depends_on)
        if (to.stage && d.value == to.stage->name) return d.loc;
    if (from.spec) return from.spec->loc;
    return from.stage ? from.stage->loc : Location{p_.file};
  }

  // Kahn's algorithm; among ready jobs the one created first (file order) goes first.
  void Sort(Plan& plan) {
    const size_t n = jobs_.size();
    // AddEdge filters repeats within one pass; a job can still get a need from both its
    // `needs:` and its stage.
    for (PlannedJob& pj : jobs_) {
      std::sort(pj.needs.begin(), pj.needs.end());
      pj.needs.erase(std::unique(pj.needs.begin(), pj.needs.end()), pj.needs.end());
    }
    std::vector<int> pending(n);
    Dependents dependents;
    dependents.offset.assign(n + 2, 0);
    for (const PlannedJob& pj : jobs_)
      for (JobId need : pj.needs) ++dependents.offset[need + 2];
    for (size_t i = 2; i < n + 2; ++i) dependents.offset[i] += dependents.offset[i - 1];
    dependents.ids.resize(dependents.offset[n + 1]);
    for (const PlannedJob& pj : jobs_) {  // offset[i + 1] is the fill cursor of row i
      pending[pj.id] = static_cast<int>(pj.needs.size());
      for (JobId need : pj.needs) dependents.ids[dependents.offset[need + 1]++] = pj.id;
    }
    std::priority_queue<JobId, std::vector<JobId>, std::greater<>> ready;
    for (size_t i = 0; i < n; ++i)
      if (pending[i] == 0) ready.push(static_cast<JobId>(i));
    std::vector<JobId> order;
    order.reserve(n);
    std::vector<char> done(n, 0);
    auto drain = [&] {
      while (!ready.empty()) {
        JobId id = ready.top();
        ready.pop();
        done[id] = 1;
        order.push_back(id);
        for (JobId d : dependents.of(id))
          if (--pending[d] == 0 && !done[d]) ready.push(d);
      }
    };
    drain();
    bool cyclic = order.size() < n;
    while (order.size() < n) ReportCycle(done, pending, dependents, ready, order, drain);

    // Renumber in execution order.
    std::vector<JobId> new_id(n);
    for (size_t i = 0; i < n; ++i) new_id[order[i]] = static_cast<JobId>(i);
    plan.jobs.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      PlannedJob& pj = plan.jobs.emplace_back(std::move(jobs_[order[i]]));
      pj.id = static_cast<JobId>(i);
      for (JobId& need : pj.needs) need = new_id[need];
      std::sort(pj.needs.begin(), pj.needs.end());
      pj.dependents.reserve(dependents.of(order[i]).size());
    }
    for (const PlannedJob& pj : plan.jobs)
      for (JobId need : pj.needs) plan.jobs[need].dependents.push_back(pj.id);
    if (!cyclic) plan.critical_path = CriticalPath(plan);
    plan.groups = std::move(groups_);
    for (const PlannedJob& pj : plan.jobs)
      if (pj.group >= 0) plan.groups[pj.group].jobs.push_back(pj.id);
  }

  // Finds one cycle among the jobs Kahn could not order, reports it, removes its jobs and
  // lets the jobs behind it drain, so every independent cycle is reported once.
  template <typename Drain>
  void ReportCycle(std::vector<char>& done, std::vector<int>& pending, const Dependents& dependents,
                   std::priority_queue<JobId, std::vector<JobId>, std::greater<>>& ready,
                   std::vector<JobId>& order, Drain& drain) {
    JobId start = 0;
    while (done[start]) ++start;
    // Every job left has a need that is left too; follow needs until one repeats.
    std::vector<int> seen_at(jobs_.size(), -1);
    std::vector<JobId> walk;
    JobId cur = start;
    while (seen_at[cur] < 0) {
      seen_at[cur] = static_cast<int>(walk.size());
      walk.push_back(cur);
      for (JobId need : jobs_[cur].needs)
        if (!done[need]) {
          cur = need;
          break;
        }
    }
    std::vector<JobId> cycle(walk.begin() + seen_at[cur], walk.end());
    // Start at the job that comes first in the file.
    std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
    std::string text;
    for (JobId id : cycle) text += jobs_[id].name + " -> ";
    text += jobs_[cycle[0]].name;
    problems_->Error(EdgeLocation(jobs_[cycle[0]], jobs_[cycle.size() > 1 ? cycle[1] : cycle[0]]),
                     "dependency cycle: " + text,
                     "jobs must form a DAG: remove one of these `needs` (or stage `depends_on`)");
    for (JobId id : cycle) {
      done[id] = 1;
      order.push_back(id);
    }
    for (JobId id : cycle)
      for (JobId d : dependents.of(id))
        if (--pending[d] == 0 && !done[d]) ready.push(d);
    drain();
  }

  static std::vector<JobId> CriticalPath(const Plan& plan) {
    const size_t n = plan.jobs.size();
    if (n == 0) return {};
    std::vector<int> length(n, 1);
    std::vector<JobId> prev(n, -1);
    JobId best = 0;
    for (const PlannedJob& pj : plan.jobs) {
      for (JobId need : pj.needs)
        if (length[need] + 1 > length[pj.id]) {
          length[pj.id] = length[need] + 1;
          prev[pj.id] = need;
        }
      if (length[pj.id] > length[best]) best = pj.id;
    }
    std::vector<JobId> path;
    for (JobId id = best; id >= 0; id = prev[id]) path.push_back(id);
    std::reverse(path.begin(), path.end());
    return path;
  }

  const spec::Pipeline& p_;
  spec::Problems* problems_;
  spec::Problems ignored_;                                 // repeats of a problem already reported
  std::vector<PlannedJob> jobs_;                           // in creation (file) order
  std::unordered_map<std::string_view, int> spec_index_;   // spec job name -> index
  std::unordered_map<std::string_view, int> stage_index_;  // stage name -> index
  std::vector<IdRange> by_spec_;                           // spec job index -> its concrete jobs
  std::vector<char> added_;                                // spec job index -> nodes created
  std::vector<JobId> resolved_;                            // scratch for AddJobNeeds
  std::unordered_map<std::string_view, JobId> concrete_;   // concrete name -> id (lazy)
  std::vector<std::vector<JobId>> stage_members_;          // stage index -> its jobs' nodes
  std::vector<JobId> deploy_node_;                         // stage index -> deploy node or -1
  std::vector<std::vector<JobId>> req_;                    // stage index -> Requirements
  std::vector<int> req_state_;                             // 0 unvisited, 1 in progress, 2 done
  bool stage_cycle_reported_ = false;
  std::vector<JobId> mark_;
  std::vector<JobGroup> groups_;  // their jobs are filled in once ids are final
};

}  // namespace

std::vector<JobId> Plan::Find(const std::string& name) const {
  // Linear: used for command-line names, not in the planning hot path.
  std::vector<JobId> out;
  for (const PlannedJob& pj : jobs)
    if (pj.base_name == name || pj.name == name) out.push_back(pj.id);
  return out;
}

Plan Build(const spec::Pipeline& pipeline, spec::Problems* problems) {
  return Builder(pipeline, problems).Run();
}

}  // namespace gauntlet::plan
