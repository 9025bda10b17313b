#include "cache/job_definition.h"

namespace gauntlet::cache {
namespace {

class Canon {
 public:
  void Field(std::string_view name, std::string_view value) {
    out_.append(name).append("=").append(std::to_string(value.size())).append(":");
    out_.append(value).append("\n");
    if (value.find("${{") != std::string_view::npos) templated_ = true;
  }
  std::string out_;
  bool templated_ = false;
};

}  // namespace

std::string JobDefinition(const plan::Plan& plan, const plan::PlannedJob& job,
                          const std::function<std::string()>& branch, std::string_view event) {
  Canon c;
  c.Field("name", job.name);
  c.Field("shell", job.shell);
  c.Field("working_directory", job.working_directory);
  if (plan.pipeline) {
    for (const auto& [k, v] : plan.pipeline->env) {
      c.Field("pipeline.env", k);
      c.Field("value", v);
    }
  }
  if (job.spec) {
    const spec::Job& s = *job.spec;
    for (const std::string& cmd : s.commands) c.Field("command", cmd);
    for (const auto& [k, v] : s.env) {
      c.Field("env", k);
      c.Field("value", v);
    }
    for (const std::string& name : s.secrets) c.Field("secret", name);
    for (const std::string& g : s.inputs) c.Field("input", g);
    for (const std::string& g : s.artifacts) c.Field("artifact", g);
    for (const std::string& e : s.cache_key_extra) c.Field("extra", e);
  }
  for (const auto& [axis, value] : job.matrix) {
    c.Field("matrix", axis);
    c.Field("value", value.text);
  }
  if (c.templated_) {
    c.Field("branch", branch ? branch() : std::string());
    c.Field("event", event);
  }
  return std::move(c.out_);
}

}  // namespace gauntlet::cache
