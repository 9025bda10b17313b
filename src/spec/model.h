// The pipeline file as typed structs: what spec::Load produces and plan::Build consumes.
// Nothing past the loader sees YAML. Every element keeps the Location it was read from,
// so later layers (planning, running, deploying) can still point at the file.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/duration.h"
#include "core/location.h"

namespace gauntlet::spec {

// Ordered key/value pairs (env blocks keep the file's order).
using KeyValues = std::vector<std::pair<std::string, std::string>>;

// A string with where it came from (list items, names referenced by other keys).
struct Located {
  std::string value;
  Location loc;
};

struct RetryPolicy {
  int attempts = 1;                // total attempts, 1 = no retry
  Duration backoff{0};             // wait before each retry
  std::vector<int> on_exit_codes;  // empty and !on_timeout: retry on any failure
  bool on_timeout = false;
  bool restricted() const { return !on_exit_codes.empty() || on_timeout; }
};

// A scalar matrix value keeps its YAML spelling ("3.10" stays "3.10").
struct MatrixValue {
  std::string text;
  enum class Kind { kString, kNumber, kBool } kind = Kind::kString;
};

// One combination: axis name -> value, in axis order.
using MatrixCombo = std::vector<std::pair<std::string, MatrixValue>>;

struct Matrix {
  std::vector<std::pair<std::string, std::vector<MatrixValue>>> axes;
  std::vector<MatrixCombo> include;  // added (or merged into matching) combinations
  std::vector<MatrixCombo> exclude;  // partial combos removed from the product
  Location loc;
  bool empty() const { return axes.empty() && include.empty(); }
};

struct Reports {
  std::string junit;     // path to a JUnit XML file the job writes
  std::string coverage;  // lcov, Cobertura XML or coverage-summary.json
};

// Change filter: skip when every changed file matches `ignore`, or none matches `paths`.
struct ChangeFilter {
  std::vector<std::string> ignore;
  std::vector<std::string> paths;
  bool empty() const { return ignore.empty() && paths.empty(); }
};

enum class Language { kNone, kPython, kJavaScript, kTypeScript, kGo, kRust, kCpp };

// A call of a reusable workflow (`jobs.<id>.uses: ./.github/workflows/x.yml`,
// docs/github-actions.md): what the called workflow's jobs read as `inputs` and
// `secrets`, as templates of the caller's contexts, evaluated when such a job starts.
struct WorkflowCall {
  struct Input {
    std::string name;
    std::string value;  // a template; a whole `${{ }}` keeps its value's type
    std::string type;   // string | boolean | number
  };
  std::vector<Input> inputs;
  bool inherit_secrets = false;
  KeyValues secrets;  // the called workflow's name -> a template of the caller's
};

// `concurrency:` (GitHub's): of the server's runs of one repository whose group renders
// to the same name, at most one runs and one waits; a newer waiting run replaces the
// older, and with cancel_in_progress also cancels the running one (docs/server.md). The
// same for a job's `concurrency:`, among the jobs of the engines of one repository
// (exec/job_concurrency.h, docs/running.md).
struct Concurrency {
  std::string group;  // a template over the event (`${{ branch }}`); "" no group
  bool cancel_in_progress = false;
  Location loc;
};

// One entry of `notify:` (docs/pipeline.md, "Notifications"): a JSON event POSTed to
// `url` when a run or a deployment ends in one of `on`. The URL and the header values
// are templates (`${{ secrets.SLACK_WEBHOOK }}`), rendered when the event is sent.
struct Notify {
  std::string url;
  KeyValues headers;
  // success | failure | cancelled (runs), deployed | rolled_back | deploy_failed
  // (deployments); empty in the file: all of them (NotifyEvents).
  std::vector<std::string> on;
  int attempts = 5;                            // in all, 1-10
  Duration backoff{std::chrono::seconds(1)};   // before the 2nd attempt; doubles after
  Duration timeout{std::chrono::seconds(10)};  // of each attempt
  Location loc;
};

// Every event kind `on:` may name, runs' first.
const std::vector<std::string>& NotifyEvents();

struct Job {
  std::string name;
  Location loc;
  std::string stage;                  // empty in the jobs-map spelling
  std::vector<std::string> commands;  // `run:` is one command holding the whole script
  // A workflow job's steps by label (docs/github-actions.md): `commands` holds the script
  // they are compiled into; people are shown these.
  std::vector<std::string> steps;
  Location run_loc;
  std::vector<Located> needs;         // job names (stage edges are added by the planner)
  std::string if_expr;                // without the ${{ }} wrapper; empty: success()
  Location if_loc;
  KeyValues env;
  std::vector<Location> env_locs;     // parallel to env, for errors in values
  Matrix matrix;
  std::optional<Duration> timeout;    // unset: defaults.timeout
  RetryPolicy retry;
  bool continue_on_error = false;
  // The group of a matrix's jobs (GitHub's `strategy`, docs/github-actions.md): at most
  // max_parallel of them run at once (0: no limit of their own), and with fail_fast the
  // first one that fails (and does not continue on error) cancels the others.
  int max_parallel = 0;
  bool fail_fast = false;
  // A workflow's `continue-on-error: ${{ matrix.x }}`: decided for each combination when
  // planning (PlannedJob::continue_on_error); empty: `continue_on_error` holds.
  std::string continue_on_error_expr;
  // A workflow job's `environment` (name and url templates, docs/github-actions.md).
  std::string environment, environment_url;
  Concurrency concurrency;  // the job's group; group "": none
  std::string working_directory;
  std::vector<std::string> inputs;     // globs hashed into the cache key
  std::vector<std::string> outputs;    // declared output names (documentation + validation)
  std::vector<std::string> artifacts;  // globs stored after success
  Reports reports;
  std::vector<std::string> diagnostics;  // parser names; empty: the language's default
  std::vector<std::string> secrets;      // names of secrets exposed as env vars
  std::string shell;                     // empty: defaults.shell
  Language language = Language::kNone;
  ChangeFilter changes;
  bool cache = true;
  std::vector<std::string> cache_key_extra;
  // A job of a called workflow: the calls that lead to it, outermost first, and its
  // name's prefix ("deploy / "), which `needs.<id>` leaves out as GitHub's jobs do.
  std::vector<WorkflowCall> calls;
  std::string call_prefix;
};

struct Stage {
  std::string name;
  Location loc;
  std::optional<std::vector<Located>> depends_on;  // unset: the previous stage
  std::vector<std::string> jobs;                   // names of its jobs, in order
  // A deploy stage: set when `environment:` is given.
  std::string environment;
  Location environment_loc;
  std::string strategy;  // recreate | rolling | blue_green | canary; empty: the environment's
  // false: a failed deployment pauses for a person instead of rolling back (AND-ed with
  // the environment's own rollback_on_failure; docs/deploy.md).
  bool rollback_on_failure = true;
  bool is_deploy() const { return !environment.empty(); }
};

struct Defaults {
  std::string shell = "bash";
  Duration timeout{std::chrono::hours(1)};
  std::string working_directory;
};

// `on:` (or the seed spelling `trigger:`).
// A typed input of a manual trigger (`on: {manual: {inputs: {NAME: {...}}}}`), as
// GitHub's workflow_dispatch inputs: checked before a trigger is queued
// (spec/manual_inputs.h).
struct ManualInput {
  std::string name;
  std::string type = "string";  // string | boolean | number | choice
  std::string description;
  bool required = false;
  std::optional<std::string> default_value;  // as written
  std::vector<std::string> options;          // choice
  Location loc;
};

struct Triggers {
  std::vector<std::string> branches;  // push branches (globs)
  std::vector<std::string> pull_request_branches;  // target branches of pull requests (globs)
  std::vector<std::string> paths;     // push paths (globs)
  std::vector<std::string> paths_ignore;  // push: runs unless every changed file matches
  std::vector<std::string> pull_request_paths;         // base..head changed files (globs)
  std::vector<std::string> pull_request_paths_ignore;  // as paths_ignore, for pull requests
  // GitHub's other ref filters (spec/event_filter.h): a branch push must match `branches`
  // and none of `branches_ignore`; a tag push the same of `tags` / `tags_ignore`.
  std::vector<std::string> branches_ignore, tags, tags_ignore;
  std::vector<std::string> pull_request_branches_ignore;
  // The pull request activities that run (`types`); empty: opened, synchronize, reopened.
  std::vector<std::string> pull_request_types;
  // A workflow file's filters use GitHub's pattern syntax; gauntlet.yml's core/glob.h's.
  bool github_patterns = false;
  std::vector<std::string> events;    // push, pull_request, schedule, webhook, manual, run
  std::vector<std::string> schedules; // cron expressions, 5 fields
  std::vector<std::string> schedule_zones;  // the time zone of schedules[i]; "" is UTC
  std::vector<ManualInput> manual_inputs;
  bool webhook = false;
  // `on.webhook.name`: the generic webhooks (POST /api/v1/hooks/generic/NAME) that start
  // the pipeline; empty: any name.
  std::vector<std::string> webhook_names;
  // `on.run` (GitHub's workflow_run): the pipelines (by name) whose finished runs start
  // this one, and the statuses that count (empty: any).
  std::vector<std::string> run_pipelines;
  std::vector<std::string> run_statuses;
  Location loc;
};

struct TrustThreshold {
  int changes = 0;           // merged changes needed
  double max_incident_rate;  // 0.0-1.0
  int min_days = 0;          // history needed
};

struct Gates {
  // Risk classes by glob over changed paths; empty lists take the documented defaults.
  std::vector<std::string> risk_low, risk_medium, risk_high, risk_critical;
  std::optional<double> min_line_coverage;      // percent
  std::optional<double> new_code_line_coverage; // percent
  TrustThreshold trust_l1{20, 0.0, 0};
  TrustThreshold trust_l2{100, 0.02, 0};
  TrustThreshold trust_l3{500, 0.01, 90};
  int max_fix_attempts = 3;
  std::vector<Located> required;  // jobs that must pass; empty: every job
  Location loc;
};

struct HealthCheck {
  std::string type;  // http | tcp | command; empty: none
  std::string url;   // http
  int expect_status = 200;
  std::string address;  // tcp host:port
  std::string command;  // command
  Duration initial_delay{0};
  Duration period{std::chrono::seconds(1)};
  Duration timeout{std::chrono::seconds(1)};
  int failure_threshold = 3;
  int success_threshold = 1;
};

struct MetricQuery {
  std::string name;
  std::string provider;  // probe | prometheus | web
  std::string query;     // PromQL, or URL for web
  std::string json_path; // web: where the number is
  std::string condition; // expression over `result`, e.g. "result < 0.01"
};

// gauntlet's own probe (docs/deploy.md, "gauntlet's probe"): GETs of `path` on each
// target, `rate` per second, or exactly `requests` per window when that is set.
struct ProbeSettings {
  std::string path = "/";
  double rate = 50;
  int requests = 0;  // per target and window; 0: rate x window
};

// A p99 from fewer finished requests than this is "inconclusive": by nearest rank it
// would be the single slowest request.
inline constexpr int kMinP99Samples = 100;

struct Analysis {
  Duration interval{std::chrono::seconds(5)};
  // Two slots: how long the new version is analysed with no user traffic before the
  // first step or switch; 0: not at all.
  Duration pre_traffic{std::chrono::seconds(30)};
  ProbeSettings probe;
  int failure_limit = 0;
  int inconclusive_limit = 0;
  int consecutive_error_limit = 4;
  double max_error_ratio = 2.0;   // canary error rate / baseline
  double error_rate_floor = 0.01; // absolute floor under which differences are ignored
  double max_p99_ratio = 3.0;
  std::string prometheus_url;
  std::vector<MetricQuery> metrics;
};

// One entry of a canary's `steps:` (docs/deploy.md, "Steps"), as in Argo Rollouts:
// set a weight, pause (for a time, watched by the analysis, or until `gauntlet
// promote`), or run an analysis of its own. A bare number N in the file is a weight
// followed by the environment's `pause`. Weight 100 is the promotion.
struct CanaryStep {
  int weight = -1;                 // percent to the new version; -1: unchanged
  bool environment_pause = false;  // then watched for the environment's `pause`
  Duration pause{0};               // then watched this long
  bool pause_until_promoted = false;
  std::optional<Analysis> analysis;  // then this analysis for analysis_duration
  Duration analysis_duration{0};
};

// Bare weights (`steps: [5, 25, 100]`): each below 100 watched for the `pause`.
std::vector<CanaryStep> WeightSteps(const std::vector<int>& weights);

// `slo:` of an environment (docs/deploy.md, "SLOs"): absolute bounds on what gauntlet's
// probe measures of the new version in each analysis window, whatever the old version
// does; an unset bound is not checked.
struct Slo {
  std::optional<double> p50_ms, p95_ms, p99_ms;
  std::optional<double> error_rate;  // 0..1
  bool any() const { return p50_ms || p95_ms || p99_ms || error_rate; }
};

struct Instance {
  std::string name;
  std::string address;  // host:port
};

struct Environment {
  std::string name;
  Location loc;
  std::string strategy = "rolling";  // recreate | rolling | blue_green | canary
  std::string url;
  std::vector<Instance> instances;  // rolling / recreate targets, or blue/green slots
  std::string deploy, stop, pre_deploy, post_deploy;  // commands
  std::string router;  // nginx | command | none
  std::string nginx_upstream_file;
  std::string nginx_upstream_name;
  std::string router_command;
  // How to invoke nginx (binary and -p/-c flags) before "-t" / "-s reload"; empty: {"nginx"}.
  std::vector<std::string> nginx_command;
  int max_unavailable = 1;
  std::vector<CanaryStep> steps = WeightSteps({5, 25, 100});
  // How long a numeric canary step, and each rolling batch, is watched by the analysis.
  Duration pause{std::chrono::seconds(30)};
  Duration scale_down_delay{std::chrono::seconds(30)};
  // Two slots: the analysis keeps running this long after promotion, the old slot kept
  // ready to roll back to; the deployment succeeds only when it ends clean.
  Duration bake{0};
  // Before a slot or instance that had traffic is stopped or replaced: the router's old
  // connections are waited for (nginx: its old workers exit, at most drain_timeout),
  // then `drain` more for requests in flight elsewhere.
  Duration drain{std::chrono::seconds(1)};
  Duration drain_timeout{std::chrono::seconds(30)};
  std::string nginx_pid_file;  // nginx's master, to find its old workers; empty: from nginx -T
  HealthCheck health;
  Analysis analysis;
  Slo slo;
  // Keys set in the file that only some strategies use (steps, pause, ...), with where:
  // a deploy stage overriding the strategy is checked against them.
  std::vector<std::pair<std::string, Location>> strategy_keys;
  // Deploy follow-ups (docs/deploy.md): secret names the environment's commands get as
  // environment variables, and whether a failure rolls back (true) or pauses (false).
  std::vector<std::string> secrets;
  bool rollback_on_failure = true;
};

// One step for people: "20% watched 30s", "pause until promoted", "analysis 1m".
std::string DescribeStep(const CanaryStep& step, Duration environment_pause);
// Every step of env, joined with ", ".
std::string DescribeSteps(const Environment& env);

// Environment keys only some strategies use (steps, pause, scale_down_delay, bake,
// max_unavailable, analysis, analysis.pre_traffic, drain, drain_timeout): the ones
// that use `key`, as "canary, rolling"; "" for a key every strategy uses.
std::string StrategiesUsing(const std::string& key);
bool StrategyUses(const std::string& strategy, const std::string& key);
// The keys `env` sets that `strategy` does not use, with where they are set.
std::vector<std::pair<std::string, Location>> KeysUnusedBy(const Environment& env,
                                                           const std::string& strategy);

// `release:` (docs/release.md): how `gauntlet release` versions, checks, tags, deploys
// and pushes. `present` is false when the file has no such section.
struct ReleaseFile {
  std::string path;     // relative to the package's (or the workspace's) directory
  std::string pattern;  // RE2 with one group; empty: known by the file's name
  Location loc;
};

struct ReleasePackage {
  std::string name;
  std::string path;        // relative to the repository's work tree, no trailing '/'
  std::string tag_format;  // e.g. "api@v{version}"
  std::vector<ReleaseFile> bump;
  std::string changelog;  // relative to the workspace; "" none
  Location loc;
};

struct PrereleaseBranch {
  std::string branch;
  std::string channel = "rc";
};

struct Release {
  bool present = false;
  std::string tag_format = "v{version}";
  std::vector<std::string> branches = {"main"};
  std::vector<PrereleaseBranch> prerelease;
  std::vector<std::string> maintenance;  // "1.x", "1.2.x": the branch name is the range
  std::vector<ReleaseFile> bump;
  std::string changelog = "CHANGELOG.md";  // relative to the workspace; "" none
  std::vector<Located> quality;            // job or stage names
  Located environment;                     // "" none
  std::string remote;                      // a git remote's name or URL; "" none
  std::string gate = "reject";             // off | reject | approval
  std::string approval = "wait";           // wait | stop: gate: approval on needs-approval
  std::vector<ReleasePackage> packages;
  std::string schedule;  // cron, for `gauntlet serve`; "" none
  std::string timezone;  // of `schedule`; "" is UTC
  std::string when = "green";  // green | always: what a scheduled release requires
  Location loc;
};

// Why `format` is not a usable tag format ("" when it is): it needs `{version}` once
// and only characters git allows in a tag name.
std::string TagFormatProblem(std::string_view format);


struct Pipeline {
  std::string file;  // path it was loaded from
  // A GitHub Actions workflow (docs/github-actions.md): each job's script runs its steps,
  // and expressions also read github, inputs, vars, runner, job and strategy.
  bool workflow = false;
  std::string name;
  std::string run_name;  // `run-name` (`run_name`): the runs' title, a template; "" none
  KeyValues env;
  std::vector<std::string> secrets;  // names of secrets every job may read
  Defaults defaults;
  ChangeFilter changes;
  Triggers triggers;
  Gates gates;
  std::vector<Environment> environments;
  Release release;
  Concurrency concurrency;
  std::vector<Notify> notify;
  // `caches:`: paths relative to the repository's root (gitignore patterns, anchored) that
  // the server's kept workspace keeps through its clean of untracked files.
  std::vector<std::string> caches;
  std::vector<Stage> stages;  // empty in the jobs-map spelling
  std::vector<Job> jobs;      // every job, in file order

  const Job* FindJob(const std::string& name) const;
  const Environment* FindEnvironment(const std::string& name) const;
};

const char* LanguageName(Language lang);
// The diagnostics parser a language selects by default ("" for none).
const char* DefaultDiagnostics(Language lang);

}  // namespace gauntlet::spec
