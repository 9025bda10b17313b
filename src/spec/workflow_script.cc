#include "spec/workflow_script.h"

#include <fmt/format.h>

#include <cctype>
#include <cstring>

namespace gauntlet::spec {
namespace {

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
__gh_output() {
  local __d="gauntlet_eof_$RANDOM$RANDOM"
  while [[ $2 == *"$__d"* ]]; do __d+=$RANDOM; done
  printf '%s<<%s\n%s\n%s\n' "$1" "$__d" "$2" "$__d" >> "$GAUNTLET_OUTPUT"
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

// A template inside double quotes: the literal text escaped, the `${{ }}` parts kept for
// the renderer, which quotes each for its place.
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

std::string Decision(const std::string& condition) {
  if (condition == "true") return "1";
  if (condition.empty()) return "0";
  return "${{ (" + condition + ") && '1' || '0' }}";
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

bool IsStatusCall(std::string_view name) {
  return name == "success" || name == "failure" || name == "always" || name == "cancelled";
}

// `text` with the status calls replaced; `failed`: an earlier step failed.
std::string ReplaceStatusCalls(const Expr& expr, bool failed) {
  const std::string& text = expr.text();
  std::string out;
  size_t done = 0;
  for (const auto& [name, offset] : expr.Calls()) {
    if (!IsStatusCall(name)) continue;
    size_t end = text.find(')', offset);  // these take no arguments
    if (end == std::string::npos) continue;
    bool value = name == "always" || (name == "success" && !failed) ||
                 (name == "failure" && failed);
    out += text.substr(done, offset - done);
    out += value ? "true" : "false";
    done = end + 1;
  }
  return out + text.substr(done);
}

}  // namespace

nlohmann::json StepPlaceholders(const std::string& script) {
  nlohmann::json steps = nlohmann::json::object();
  Template t;
  ExprError error;
  if (script.find("steps") == std::string::npos || !Template::Parse(script, &t, &error))
    return steps;
  const std::string mark(1, kStepPlaceholderMark);
  for (const auto& [expr, offset] : t.expressions()) {
    for (const Expr::Reference& ref : expr.References()) {
      const std::vector<std::string>& p = ref.path;
      if (p.size() < 3 || p[0] != "steps") continue;
      if (p.size() == 4 && p[2] == "outputs")
        steps[p[1]]["outputs"][p[3]] = mark + p[1] + ".outputs." + p[3] + mark;
      else if (p.size() == 3 && (p[2] == "outcome" || p[2] == "conclusion"))
        steps[p[1]][p[2]] = mark + p[1] + "." + p[2] + mark;
    }
  }
  return steps;
}

void WorkflowStatusVariants(const Expr& expr, std::string* if_ok, std::string* if_failed) {
  if (expr.CallsStatusFunction()) {
    *if_ok = ReplaceStatusCalls(expr, false);
    *if_failed = ReplaceStatusCalls(expr, true);
    return;
  }
  *if_ok = expr.text();
  *if_failed = "";
}

bool KnownStepShell(std::string_view shell) {
  return shell == "bash" || shell == "sh" || shell == "python" ||
         shell.find("{0}") != std::string_view::npos;
}

std::string WorkflowJobScript(const std::string& job_id, const std::vector<WorkflowStep>& steps,
                              const std::vector<WorkflowOutput>& outputs) {
  std::string out = kPrologue;
  out += "export GITHUB_JOB=" + SingleQuoted(job_id) + "\n";
  for (const auto& [variable, expression] : kEventVariables)
    out += fmt::format("export {}=${{{{ {} }}}}\n", variable, expression);
  out += "printf '%s\\n' ${{ toJSON(github.event) }} > \"$GITHUB_EVENT_PATH\"\n";
  for (size_t i = 0; i < steps.size(); ++i) {
    const WorkflowStep& step = steps[i];
    const std::string label = SingleQuoted(step.label);
    out += fmt::format(
        "export GITHUB_OUTPUT=\"$RUNNER_TEMP/output_{0}\" GITHUB_ENV=\"$RUNNER_TEMP/env_{0}\" "
        "GITHUB_PATH=\"$RUNNER_TEMP/path_{0}\"\n"
        ": > \"$GITHUB_OUTPUT\"; : > \"$GITHUB_ENV\"; : > \"$GITHUB_PATH\"\n"
        "if [ \"$__gh_failed\" = 0 ]; then __gh_run={1}; else __gh_run={2}; fi\n"
        "if [ \"$__gh_run\" = 1 ]; then\n__gh_resolve\nprintf '%s\\n' {3}\n(\n",
        i, Decision(step.if_ok), Decision(step.if_failed), SingleQuoted("▶ " + step.label));
    for (const auto& [key, value] : step.env)
      out += "export " + key + "=" + DoubleQuoted(value) + "\n";
    if (!step.working_directory.empty())
      out += "cd -- " + DoubleQuoted(step.working_directory) + " || exit 1\n";
    AppendBody(step, i, &out);
    // steps.<id>.outcome is the step's own result; .conclusion counts continue-on-error.
    const std::string id = SingleQuoted(step.id);
    const std::string record = step.id.empty() ? ":" : "__gh_record " + id;
    out += fmt::format(
        ")\n__gh_rc=$?\n__gh_pairs \"$GITHUB_ENV\" __gh_setenv; __gh_addpath \"$GITHUB_PATH\"\n"
        "if [ \"$__gh_rc\" != 0 ]; then\n"
        "  printf 'gauntlet: step %s failed with exit code %s%s\\n' {0} \"$__gh_rc\" {1} >&2\n"
        "  {2}\n  {3} failure {4}\nelse\n  {3} success success\nfi\n"
        "else\nprintf 'gauntlet: step %s skipped\\n' {0}\n{3} skipped skipped\nfi\n",
        label, step.continue_on_error ? "' (continue-on-error)'" : "''",
        step.continue_on_error ? ":" : "__gh_failed=1", record,
        step.continue_on_error ? "success" : "failure");
  }
  out += "__gh_resolve\n";
  for (const WorkflowOutput& o : outputs)
    out += "__gh_output " + SingleQuoted(o.name) + " " + DoubleQuoted(o.value) + "\n";
  out += "if [ -s \"$GITHUB_STEP_SUMMARY\" ]; then printf '%s\\n' '--- step summary'; "
         "cat \"$GITHUB_STEP_SUMMARY\"; fi\nexit \"$__gh_failed\"\n";
  return out;
}

}  // namespace gauntlet::spec
