#include "spec/workflow_script.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "spec/workflow_actions_sh.h"

namespace gauntlet::spec {
namespace {

bool IsShellName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

// Shared by every workflow job: the runner's variables and files, and the functions
// that read $GITHUB_ENV, $GITHUB_PATH and $GITHUB_OUTPUT files (GitHub's format:
// `key=value` lines and `key<<DELIM` ... `DELIM` blocks). The driver's own names start
// with __gh_ so that a step's script is unlikely to meet them.
constexpr const char* kPrologue = R"SH(set +e +o pipefail
__gh_failed=0
export CI=true GITHUB_ACTIONS=true RUNNER_OS=Linux RUNNER_ARCH=X64
RUNNER_TEMP="$(mktemp -d "${TMPDIR:-/tmp}/gauntlet-runner.XXXXXX")" || exit 1
export RUNNER_TEMP
trap 'rm -rf -- "$RUNNER_TEMP"' EXIT
export GITHUB_WORKSPACE="$PWD"
export GITHUB_EVENT_PATH="$RUNNER_TEMP/event.json"
export GITHUB_STEP_SUMMARY="$RUNNER_TEMP/step_summary.md"
: > "$GITHUB_STEP_SUMMARY"
__gh_pairs() {
  local __l __k __d __v __first
  [ -s "$1" ] || return 0
  while IFS= read -r __l || [ -n "$__l" ]; do
    __l=${__l%$'\r'}
    if [[ $__l =~ ^([^=]+)'<<'(.*)$ ]]; then
      __k=${BASH_REMATCH[1]} __d=${BASH_REMATCH[2]} __v= __first=1
      while IFS= read -r __l || [ -n "$__l" ]; do
        __l=${__l%$'\r'}
        [ "$__l" = "$__d" ] && break
        if [ -n "$__first" ]; then __v=$__l __first=; else __v+=$'\n'$__l; fi
      done
      "$2" "$__k" "$__v"
    elif [[ $__l == *=* ]]; then
      "$2" "${__l%%=*}" "${__l#*=}"
    fi
  done < "$1"
}
__gh_setenv() {
  if [[ $1 =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then export "$1=$2"
  else printf 'gauntlet: $GITHUB_ENV: %s is not a variable name, ignored\n' "$1" >&2; fi
}
__gh_addpath() {
  local __l
  [ -s "$1" ] || return 0
  while IFS= read -r __l || [ -n "$__l" ]; do
    [ -n "$__l" ] && PATH="$__l:$PATH"
  done < "$1"
  export PATH
}
declare -A __gh_steps __gh_orig
__gh_re=$'\x1f([^\x1f]+)\x1f'
__gh_stepout() { __gh_steps["$__gh_id.outputs.$1"]=$2; }
__gh_record() {
  __gh_id=$1
  __gh_steps["$1.outcome"]=$2 __gh_steps["$1.conclusion"]=$3
  [ "$2" = skipped ] || __gh_pairs "$GITHUB_OUTPUT" __gh_stepout
}
__gh_resolve() {
  local __v __r __m __out
  for __v in ${!GAUNTLET_EXPR_@}; do
    [[ -v __gh_orig[$__v] ]] || __gh_orig[$__v]=${!__v}
    __r=${__gh_orig[$__v]}
    [[ $__r =~ $__gh_re ]] || continue
    __out=
    while [[ $__r =~ $__gh_re ]]; do
      __m=${BASH_REMATCH[0]}
      __out+=${__r%%"$__m"*}${__gh_steps[${BASH_REMATCH[1]}]}
      __r=${__r#*"$__m"}
    done
    export "$__v=$__out$__r"
  done
}
__gh_timed() {
  local __step=$! __dog
  set -m
  { sleep "$1"; : > "$RUNNER_TEMP/timed_out"; kill -TERM -- "-$__step"
    sleep 5; kill -KILL -- "-$__step"; } 2>/dev/null &
  __dog=$!
  set +m
  wait "$__step"; __gh_rc=$?
  kill -KILL -- "-$__dog" 2>/dev/null; wait "$__dog" 2>/dev/null
  if [ -e "$RUNNER_TEMP/timed_out" ]; then
    rm -f -- "$RUNNER_TEMP/timed_out"
    printf 'gauntlet: step %s timed out after %s minutes\n' "$2" "$3" >&2
  fi
}
__gh_pair() {
  local __d="gauntlet_eof_$RANDOM$RANDOM"
  while [[ $3 == *"$__d"* ]]; do __d+=$RANDOM; done
  printf '%s<<%s\n%s\n%s\n' "$2" "$__d" "$3" "$__d" >> "$1"
}
__gh_output() { __gh_pair "$GAUNTLET_OUTPUT" "$1" "$2"; }
__gh_commands() {
  local __l __v __f __c __warned= __stop=
  while IFS= read -r __l || [ -n "$__l" ]; do
    printf '%s\n' "$__l"
    __l=${__l%$'\r'}
    if [ -n "$__stop" ]; then [ "$__l" = "::$__stop::" ] && __stop=; continue; fi
    if [[ $__l =~ ^::stop-commands::(.+)$ ]]; then __stop=${BASH_REMATCH[1]}; continue; fi
    if [[ $__l =~ ^::set-output\ name=([^:]+)::(.*)$ ]]; then __f=$GITHUB_OUTPUT __c=set-output
    elif [[ $__l =~ ^::save-state\ name=([^:]+)::(.*)$ ]]; then __f=$GITHUB_STATE __c=save-state
    else continue; fi
    __v=${BASH_REMATCH[2]} __v=${__v//%0A/$'\n'} __v=${__v//%0D/$'\r'} __v=${__v//%25/%}
    __gh_pair "$__f" "${BASH_REMATCH[1]}" "$__v"
    [[ $__warned == *"$__c"* ]] || printf '%s\n' "::warning::The \`$__c\` command is deprecated and will be disabled soon. Please upgrade to using Environment Files. For more information see: https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/"
    __warned+=" $__c"
  done
}
__gh_stepvalue() {
  if [ "$1" = run ]; then __gh_run=$2; else __gh_steps["__gh.outputs.$1"]=$2; fi
}
__gh_step() {
  local __k __if=()
  : > "$RUNNER_TEMP/steps"
  for __k in "${!__gh_steps[@]}"; do __gh_pair "$RUNNER_TEMP/steps" "$__k" "${__gh_steps[$__k]}"; done
  [ "$__gh_run" = c ] && __if=("--if=$__gh_c")
  __gh_pre=0
  "$GAUNTLET_EXE" step-expr --dir "$RUNNER_TEMP" --failed "$__gh_failed" "${__if[@]}" -- "$@" \
    > "$RUNNER_TEMP/values" || __gh_pre=1
  __gh_pairs "$RUNNER_TEMP/values" __gh_stepvalue
  [ "$__gh_run" = c ] && __gh_run=e
  return 0
}
)SH";

// The runner's variables that come from the event: values from outside the file, so
// each `${{ }}` reaches the script as a variable reference (spec/shell_template.h).
constexpr std::pair<const char*, const char*> kEventVariables[] = {
    {"GITHUB_SHA", "github.sha"},
    {"GITHUB_REF", "github.ref"},
    {"GITHUB_REF_NAME", "github.ref_name"},
    {"GITHUB_REF_TYPE", "github.ref_type"},
    {"GITHUB_HEAD_REF", "github.head_ref"},
    {"GITHUB_BASE_REF", "github.base_ref"},
    {"GITHUB_EVENT_NAME", "github.event_name"},
    {"GITHUB_REPOSITORY", "github.repository"},
    {"GITHUB_ACTOR", "github.actor"},
    {"GITHUB_RUN_ID", "github.run_id"},
    {"GITHUB_RUN_NUMBER", "github.run_number"},
    {"GITHUB_WORKFLOW", "github.workflow"},
};

std::string SingleQuoted(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string DoubleQuoted(const std::string& text) {
  Template t;
  ExprError error;
  std::string out = "\"";
  auto literal = [&](std::string_view s) {
    for (char c : s) {
      if (std::strchr("\\$`\"", c)) out += '\\';
      out += c;
    }
  };
  if (!Template::Parse(text, &t, &error)) {
    literal(text);  // reported by the loader; never run
    return out + "\"";
  }
  for (size_t i = 0; i < t.expressions().size(); ++i) {
    literal(t.literals()[i]);
    out += "${{ " + t.expressions()[i].first.text() + " }}";
  }
  literal(t.literals().back());
  return out + "\"";
}

// The job's other contexts, for the expressions evaluated when a step is reached. One
// expression that reads `github` is a value from outside the file: the renderer passes
// it in a variable whatever its text.
constexpr const char* kContextsFile =
    "printf '%s\\n' ${{ format('{{\"github\":{0},\"inputs\":{1},\"vars\":{2},\"runner\":{3},"
    "\"job\":{4},\"strategy\":{5},\"matrix\":{6},\"needs\":{7},\"branch\":{8},"
    "\"event\":{9}}}', toJSON(github), toJSON(inputs), toJSON(vars), toJSON(runner), "
    "toJSON(job), toJSON(strategy), toJSON(matrix), toJSON(needs), toJSON(branch), "
    "toJSON(event)) }} > \"$RUNNER_TEMP/contexts.json\"\n";

bool ParsedReadsSteps(const std::string& text) {
  Expr expr;
  ExprError error;
  return Expr::Parse(text, &expr, &error) && ReadsSteps(expr);
}

// A step's decision: 1 or 0, known when the job starts, or `c` with the condition in
// $__gh_c, evaluated by __gh_step when the step is reached (steps.*).
std::string Decision(const std::string& condition, bool* evaluated) {
  if (condition == "true") return "1";
  if (condition.empty()) return "0";
  if (ParsedReadsSteps(condition)) {
    *evaluated = true;
    return "c __gh_c=" + SingleQuoted(condition);
  }
  return "${{ (" + condition + ") && '1' || '0' }}";
}

// `text` with each `${{ }}` that reads steps.* other than as a whole reference replaced
// by `${{ steps.__gh.outputs.eN }}`; *evaluations gets ` eN 'EXPRESSION'`, the
// arguments of the one __gh_step call that computes them before the step (`__gh_pre`
// says whether all succeeded). `*next`: the job's next N.
std::string Defer(const std::string& text, size_t* next, std::string* evaluations) {
  Template t;
  ExprError error;
  if (text.find("steps") == std::string::npos || !Template::Parse(text, &t, &error)) return text;
  std::string out;
  for (size_t i = 0; i < t.expressions().size(); ++i) {
    const Expr& expr = t.expressions()[i].first;
    out += t.literals()[i];
    if (!ReadsSteps(expr) || IsWholeStepReference(expr)) {
      out += "${{ " + expr.text() + " }}";
      continue;
    }
    const std::string name = fmt::format("e{}", (*next)++);
    *evaluations += " " + name + " " + SingleQuoted(expr.text());
    out += fmt::format("${{{{ steps.{}.outputs.{} }}}}", kDeferredStepId, name);
  }
  return out + t.literals().back();
}

// A heredoc delimiter that no line of `body` equals.
std::string Delimiter(const std::string& body, size_t index) {
  std::string d = fmt::format("GAUNTLET_STEP_{}_EOF", index);
  while (body.find(d) != std::string::npos) d += "_";
  return d;
}

// How a step's script is started: bash in a subshell (values from outside stay
// references the shell expands), any other shell from a file written by a quoted heredoc.
void AppendBody(const WorkflowStep& step, size_t index, std::string* out) {
  std::string body = step.run;
  if (!body.empty() && body.back() != '\n') body += '\n';
  if (step.shell.empty() || step.shell == "bash") {
    // GitHub: no shell is `bash -e {0}`, `shell: bash` adds pipefail.
    *out += step.shell.empty() ? "set -e +o pipefail\n" : "set -eo pipefail\n";
    *out += body;
    return;
  }
  std::string delim = Delimiter(body, index);
  *out += fmt::format("__gh_file=\"$RUNNER_TEMP/step_{}\"\ncat > \"$__gh_file\" <<'{}'\n{}{}\n",
                      index, delim, body, delim);
  if (step.shell == "sh") {
    *out += "exec sh -e \"$__gh_file\"\n";
  } else if (step.shell == "python") {
    *out += "exec \"$(command -v python || command -v python3)\" \"$__gh_file\"\n";
  } else {
    std::string command = step.shell;
    command.replace(command.find("{0}"), 3, "\"$__gh_file\"");
    *out += "exec " + command + "\n";
  }
}

// The deprecated `::set-output name=X::V` is read from the step's output by __gh_commands,
// which the output then goes through: only for a step whose script writes the command, so
// the others keep their output unfiltered (docs/github-actions.md, "Workflow commands").
void AppendStepBody(const WorkflowStep& step, size_t index, std::string* out) {
  // A JavaScript action with a post script may save its state with ::save-state.
  if (step.run.find("::set-output") == std::string::npos &&
      step.run.find("::save-state") == std::string::npos && step.post.empty())
    return AppendBody(step, index, out);
  *out += "{\n";
  AppendBody(step, index, out);
  *out += "} | __gh_commands\nexit \"${PIPESTATUS[0]}\"\n";
}

// One step of the script: its decision, the values evaluated before it, its body in a
// subshell (in the background under a timeout), and what the driver records after it.
void AppendStep(const WorkflowStep& step, size_t i, size_t* deferred, bool* evaluated,
                std::string* out) {
  const std::string label = SingleQuoted(step.label);
  bool at_step_time = false;
  const std::string if_ok = Decision(step.if_ok, &at_step_time);
  const std::string if_failed = Decision(step.if_failed, &at_step_time);
  // Rewritten first: the evaluations run before the step's subshell starts.
  std::string evaluations;
  KeyValues env;
  for (const auto& [key, value] : step.env)
    env.emplace_back(key, Defer(value, deferred, &evaluations));
  const std::string wd = Defer(step.working_directory, deferred, &evaluations);
  WorkflowStep rewritten = step;
  rewritten.run = Defer(step.run, deferred, &evaluations);
  *evaluated = *evaluated || at_step_time || !evaluations.empty();
  *out += fmt::format(
      "export GITHUB_OUTPUT=\"$RUNNER_TEMP/output_{0}\" GITHUB_ENV=\"$RUNNER_TEMP/env_{0}\" "
      "GITHUB_PATH=\"$RUNNER_TEMP/path_{0}\" GITHUB_STATE=\"$RUNNER_TEMP/state_{0}\"\n"
      ": > \"$GITHUB_OUTPUT\"; : > \"$GITHUB_ENV\"; : > \"$GITHUB_PATH\"\n"
      "if [ \"$__gh_failed\" = 0 ]; then __gh_run={1}; else __gh_run={2}; fi\n{3}"
      "if [ \"$__gh_run\" = 1 ]; then\n__gh_resolve\nprintf '%s\\n' {4}\n{5}(\n{6}",
      i, if_ok, if_failed,
      // One process decides the step and computes its values: a step costs one start.
      at_step_time || !evaluations.empty()
          ? "[ \"$__gh_run\" = 0 ] || __gh_step" + evaluations +
                "\nif [ \"$__gh_run\" = e ]; then __gh_failed=1 __gh_run=0; fi\n"
          : "",
      SingleQuoted("▶ " + step.label), step.timeout_minutes > 0 ? "set -m\n" : "",
      evaluations.empty() ? "" : "[ \"$__gh_pre\" = 0 ] || exit 1\n");
  // A name bash cannot export (`cache-name`, GitHub's own example) is read only through
  // ${{ env.NAME }}, which the loader put in its place (load_workflow_steps.cc).
  for (const auto& [key, value] : env)
    if (IsShellName(key)) *out += "export " + key + "=" + DoubleQuoted(value) + "\n";
  if (!wd.empty()) *out += "cd -- " + DoubleQuoted(wd) + " || exit 1\n";
  AppendStepBody(rewritten, i, out);
  // A step with a timeout runs in the background, in a process group of its own
  // (set -m), which __gh_timed stops when the time is up.
  if (step.timeout_minutes > 0)
    *out += fmt::format(") &\nset +m\n__gh_timed {} {} {}\n", step.timeout_minutes * 60, label,
                        step.timeout_minutes);
  else
    *out += ")\n__gh_rc=$?\n";
  // steps.<id>.outcome is the step's own result; .conclusion counts continue-on-error.
  const std::string record = step.id.empty() ? ":" : "__gh_record " + SingleQuoted(step.id);
  *out += fmt::format(
      "__gh_pairs \"$GITHUB_ENV\" __gh_setenv; __gh_addpath \"$GITHUB_PATH\"\n"
      "if [ \"$__gh_rc\" != 0 ]; then\n"
      "  printf 'gauntlet: step %s failed with exit code %s%s\\n' {0} \"$__gh_rc\" {1} >&2\n"
      "  {2}\n  {3} failure {4}\nelse\n  {3} success success\nfi\n"
      "{5}else\nprintf 'gauntlet: step %s skipped\\n' {0}\n{3} skipped skipped\nfi\n",
      label, step.continue_on_error ? "' (continue-on-error)'" : "''",
      step.continue_on_error ? ":" : "__gh_failed=1", record,
      step.continue_on_error ? "success" : "failure",
      step.post.empty() ? "" : fmt::format("__gh_ran_{}=1\n", i));
}

// A JavaScript action's post script, after every step (AppendStep's __gh_ran_N says
// that its step ran): with the state the step saved, and failing the job if it fails.
void AppendPost(const WorkflowStep& step, size_t i, std::string* out) {
  const char* condition = step.post_if == "success"   ? " && [ \"$__gh_failed\" = 0 ]"
                          : step.post_if == "failure" ? " && [ \"$__gh_failed\" != 0 ]"
                                                      : "";
  const std::string label = SingleQuoted(step.post_label);
  *out += fmt::format(
      "if [ -n \"${{__gh_ran_{0}:-}}\" ]{1}; then\n"
      "export GITHUB_STATE=\"$RUNNER_TEMP/state_{0}\"\nprintf '%s\\n' {2}\n(\n"
      "set -eo pipefail\n{3})\n__gh_rc=$?\n"
      "if [ \"$__gh_rc\" != 0 ]; then\n"
      "  printf 'gauntlet: step %s failed with exit code %s\\n' {4} \"$__gh_rc\" >&2\n"
      "  __gh_failed=1\nfi\nfi\n",
      i, condition, SingleQuoted("▶ " + step.post_label), step.post, label);
}

}  // namespace

std::string DoubleQuotedTemplate(const std::string& text) { return DoubleQuoted(text); }

bool KnownStepShell(std::string_view shell) {
  return shell == "bash" || shell == "sh" || shell == "python" ||
         shell.find("{0}") != std::string_view::npos;
}

std::string WorkflowJobScript(const std::string& job_id, const std::vector<WorkflowStep>& steps,
                              const std::vector<WorkflowOutput>& outputs) {
  std::string body;
  size_t deferred = 0;
  bool evaluated = false;
  for (size_t i = 0; i < steps.size(); ++i) AppendStep(steps[i], i, &deferred, &evaluated, &body);
  for (size_t i = steps.size(); i-- > 0;)
    if (!steps[i].post.empty()) AppendPost(steps[i], i, &body);
  std::string evaluations, values;
  for (const WorkflowOutput& o : outputs) {
    values += "__gh_output " + SingleQuoted(o.name) + " " +
              DoubleQuoted(Defer(o.value, &deferred, &evaluations)) + "\n";
  }
  std::string out = kPrologue;
  // Only a job with a built-in action step defines its functions and saves caches.
  const bool builtin = std::any_of(steps.begin(), steps.end(), [](const WorkflowStep& st) {
    return st.run.rfind("__gh_cache_", 0) == 0 || st.run.rfind("__gh_upload", 0) == 0 ||
           st.run.rfind("__gh_checkout", 0) == 0 ||
           st.run.rfind("__gh_download", 0) == 0;
  });
  if (builtin) out += kBuiltinActionFunctions;
  out += "export GITHUB_JOB=" + SingleQuoted(job_id) + "\n";
  for (const auto& [variable, expression] : kEventVariables)
    out += fmt::format("export {}=${{{{ {} }}}}\n", variable, expression);
  out += "printf '%s\\n' ${{ toJSON(github.event) }} > \"$GITHUB_EVENT_PATH\"\n";
  if (evaluated || deferred > 0) out += kContextsFile;
  out += body;
  // A job output that fails to evaluate fails the job.
  if (!evaluations.empty())
    out += "__gh_run=1\n__gh_step" + evaluations + "\n[ \"$__gh_pre\" = 0 ] || __gh_failed=1\n";
  if (builtin)
    out += "if [ \"$__gh_failed\" = 0 ] && [ -s \"$RUNNER_TEMP/cache_saves\" ]; then "
           "__gh_cache_saves; fi\n";
  out += "__gh_resolve\n" + values;
  out += "if [ -s \"$GITHUB_STEP_SUMMARY\" ]; then printf '%s\\n' '--- step summary'; "
         "cat \"$GITHUB_STEP_SUMMARY\"; fi\nexit \"$__gh_failed\"\n";
  return out;
}

}  // namespace gauntlet::spec
