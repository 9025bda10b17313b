#include "engine/notify.h"

#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>

#include "core/clock.h"
#include "deploy/http_post.h"
#include "exec/masker.h"
#include "spec/expr.h"
#include "store/open.h"

namespace gauntlet::engine {

using nlohmann::json;
using SteadyTime = std::chrono::steady_clock::time_point;

struct Notifier::Delivery {
  std::string store_url;
  store::NotificationRecord record;  // its id, state and counts as recorded
  std::string url;                   // as rendered: never recorded or shown
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  exec::Masker masker;
  int max_attempts = 1;
  Duration backoff{0}, timeout{0};
  SteadyTime next_at;
};

namespace {

constexpr auto kMaxBackoff = std::chrono::minutes(5);
constexpr auto kMaxRetryAfter = std::chrono::hours(1);

std::string Short(const std::string& commit) { return commit.substr(0, 12); }

std::string RunWords(store::RunStatus s) {
  switch (s) {
    case store::RunStatus::kSuccess:
      return "succeeded";
    case store::RunStatus::kFailed:
      return "failed";
    case store::RunStatus::kCancelled:
      return "was cancelled";
    default:
      return std::string(store::ToString(s));
  }
}

std::string Where(const store::RunRecord& run) {
  std::string out;
  if (!run.git_branch.empty() && run.git_branch != "HEAD") out += " on " + run.git_branch;
  if (!run.git_commit.empty()) out += " at " + Short(run.git_commit);
  return out;
}

// The fields of a run every body has; a run id of 0 leaves them empty.
json RunFields(const store::RunRecord& run, const std::string& pipeline, const NotifyLinks& links) {
  return {{"run_id", run.id},
          {"pipeline", pipeline},
          {"status", run.id ? json(std::string(store::ToString(run.status))) : json(nullptr)},
          {"commit", run.git_commit},
          {"branch", run.git_branch == "HEAD" ? "" : run.git_branch},
          {"url", links.run_url.empty() ? json(nullptr) : json(links.run_url)},
          {"repo", links.repo.empty() ? json(nullptr) : json(links.repo)}};
}

bool Takes(const spec::Notify& entry, const std::string& event) {
  return entry.on.empty() || std::find(entry.on.begin(), entry.on.end(), event) != entry.on.end();
}

Result<std::string> RenderText(const std::string& text, const spec::EvalContext& ctx) {
  spec::Template t;
  spec::ExprError err;
  if (!spec::Template::Parse(text, &t, &err)) return Error{"cannot be read: " + err.message};
  return t.Render(ctx);
}

bool HttpUrl(const std::string& url) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) return false;
  return std::none_of(url.begin(), url.end(),
                      [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; });
}

std::string Plural(int n, const char* what) {
  return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
}

}  // namespace

std::string RunNotifyEventName(store::RunStatus status) {
  switch (status) {
    case store::RunStatus::kSuccess:
      return "success";
    case store::RunStatus::kFailed:
      return "failure";
    case store::RunStatus::kCancelled:
      return "cancelled";
    default:
      return "";
  }
}

std::string DeploymentNotifyEventName(const std::string& state) {
  if (state == store::kDeploySucceeded) return "deployed";
  if (state == store::kDeployRolledBack) return "rolled_back";
  if (state == store::kDeployFailed) return "deploy_failed";
  return "";
}

NotifyEvent RunNotification(const store::RunRecord& run, const std::vector<std::string>& failed,
                            const NotifyLinks& links, int64_t at_ms) {
  NotifyEvent e;
  e.event = RunNotifyEventName(run.status);
  e.run_id = run.id;
  std::string text = fmt::format("{} run {} {}{}", run.pipeline.empty() ? "pipeline" : run.pipeline,
                                 run.id, RunWords(run.status), Where(run));
  if (!links.repo.empty()) text = links.repo + ": " + text;
  if (!failed.empty()) text += fmt::format(" (failed: {})", fmt::join(failed, ", "));
  if (!links.run_url.empty()) text += " " + links.run_url;
  e.body = RunFields(run, run.pipeline, links);
  e.body.update({{"event", e.event},
                 {"kind", "run"},
                 {"text", text},
                 {"reason", run.reason},
                 {"jobs_failed", failed},
                 {"deployment", nullptr},
                 {"at_ms", at_ms}});
  return e;
}

NotifyEvent DeploymentNotification(const store::DeploymentRecord& d, const store::RunRecord& run,
                                   const std::string& pipeline, const NotifyLinks& links,
                                   int64_t at_ms) {
  NotifyEvent e;
  e.event = DeploymentNotifyEventName(d.state);
  e.run_id = run.id;
  e.deployment_id = d.id;
  const std::string what = d.state == store::kDeploySucceeded    ? "succeeded"
                           : d.state == store::kDeployRolledBack ? "was rolled back"
                                                                 : "failed";
  std::string text = fmt::format("{}: deployment {} of {} to {} {}",
                                 pipeline.empty() ? "pipeline" : pipeline, d.id,
                                 d.version.empty() ? "?" : d.version, d.environment, what);
  if (!links.repo.empty()) text = links.repo + ": " + text;
  if (!d.reason.empty() && d.state != store::kDeploySucceeded) text += " (" + d.reason + ")";
  if (!d.git_commit.empty()) text += " at " + Short(d.git_commit);
  if (run.id) text += fmt::format(" (run {})", run.id);
  if (!links.run_url.empty()) text += " " + links.run_url;
  store::RunRecord of_run = run;
  if (of_run.git_commit.empty()) of_run.git_commit = d.git_commit;
  e.body = RunFields(of_run, pipeline, links);
  e.body.update({{"event", e.event},
                 {"kind", "deployment"},
                 {"text", text},
                 {"reason", d.reason},
                 {"jobs_failed", json::array()},
                 {"deployment",
                  {{"id", d.id},
                   {"environment", d.environment},
                   {"version", d.version},
                   {"strategy", d.strategy},
                   {"state", d.state},
                   {"outcome", e.event},
                   {"reason", d.reason}}},
                 {"at_ms", at_ms}});
  return e;
}

json NotificationJson(const store::NotificationRecord& r) {
  json tries = json::array();
  for (const store::NotifyAttemptRecord& a : r.attempt_list)
    tries.push_back({{"number", a.number},
                     {"at_ms", a.at_ms},
                     {"status_code", a.status_code},
                     {"error", a.error},
                     {"duration_ms", a.duration_ms}});
  json body = json::parse(r.body, nullptr, false);
  return {{"id", r.id},
          {"run_id", r.run_id},
          {"deployment_id", r.deployment_id},
          {"event", r.event},
          {"url", r.url},
          {"state", r.state},
          {"attempts", r.attempts},
          {"status_code", r.status_code},
          {"error", r.error},
          {"created_ms", r.created_ms},
          {"finished_ms", r.finished_ms},
          {"tries", tries},
          {"body", body.is_discarded() ? json(nullptr) : body}};
}

Notifier::Notifier(NotifyDone done) : done_(std::move(done)) {
  thread_ = std::thread([this] { Loop(); });
}

Notifier::~Notifier() { Stop(std::chrono::milliseconds(0)); }

void Notifier::Send(const std::string& store_url, const std::vector<spec::Notify>& entries,
                    const NotifyEvent& e, const Secrets& secrets, const json& contexts) {
  if (e.event.empty()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
  }
  std::vector<const spec::Notify*> taken;
  for (const spec::Notify& entry : entries)
    if (Takes(entry, e.event)) taken.push_back(&entry);
  if (taken.empty()) return;
  auto store = store::OpenStore(store_url);
  if (!store.ok()) return;  // nowhere to record: nothing is sent unrecorded
  const exec::Masker masker = exec::Masker::ForSecrets(secrets);
  spec::EvalContext ctx;
  ctx.contexts = contexts.is_object() ? contexts : json::object();
  json secret_values = json::object();
  for (const auto& [name, value] : secrets) secret_values[name] = value;
  ctx.contexts["secrets"] = std::move(secret_values);
  const std::string body = masker.MaskString(e.body.dump());
  const int64_t now = RealClock().UnixMs();
  for (const spec::Notify* entry : taken) {
    auto d = std::make_unique<Delivery>();
    d->store_url = store_url;
    d->masker = masker;
    d->body = body;
    d->max_attempts = entry->attempts;
    d->backoff = entry->backoff;
    d->timeout = entry->timeout;
    store::NotificationRecord& r = d->record;
    r.run_id = e.run_id;
    r.deployment_id = e.deployment_id;
    r.event = e.event;
    r.state = "pending";
    r.created_ms = now;
    r.body = body;
    auto url = RenderText(entry->url, ctx);
    std::string problem;
    if (!url.ok()) {
      problem = "the url " + url.error().message;
    } else {
      d->url = *url;
      r.url = masker.MaskString(*url);
      if (!HttpUrl(d->url)) problem = "the url is not an http:// or https:// URL";
    }
    if (r.url.empty()) r.url = masker.MaskString(entry->url);
    for (const auto& [name, value] : entry->headers) {
      auto v = RenderText(value, ctx);
      if (!v.ok()) {
        problem = "header " + name + " " + v.error().message;
      } else if (v->find_first_of("\r\n") != std::string::npos) {
        problem = "header " + name + " holds a line break";
      } else {
        d->headers.emplace_back(name, *v);
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (problem.empty() && stopping_) problem = "not delivered: gauntlet stopped";
    }
    if (!problem.empty()) {
      r.state = "failed";
      r.error = masker.MaskString(problem);
      r.finished_ms = now;
    }
    auto id = (*store)->RecordNotification(r);
    if (!id.ok()) continue;
    r.id = *id;
    if (r.state == "failed") {
      if (done_) done_(r);
      continue;
    }
    d->next_at = std::chrono::steady_clock::now();
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(d));
    }
    changed_.notify_all();
  }
}

void Notifier::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
}

void Notifier::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return queue_.empty() && in_flight_ == 0; });
}

void Notifier::Stop(std::chrono::milliseconds grace) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      stopping_ = true;
      stop_by_ = std::chrono::steady_clock::now() + grace;
    }
  }
  changed_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void Notifier::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (queue_.empty()) {
      if (stopping_) return;
      changed_.wait(lock);
      continue;
    }
    auto next = std::min_element(queue_.begin(), queue_.end(), [](const auto& a, const auto& b) {
      return a->next_at < b->next_at;
    });
    const auto now = std::chrono::steady_clock::now();
    if (stopping_ && now >= stop_by_) {
      // Out of time: what is left is recorded as not delivered.
      std::deque<std::unique_ptr<Delivery>> left;
      left.swap(queue_);
      in_flight_ += static_cast<int>(left.size());
      lock.unlock();
      for (auto& d : left) {
        d->record.state = "failed";
        d->record.error = "not delivered: gauntlet stopped";
        d->record.finished_ms = RealClock().UnixMs();
        Record(*d, nullptr);
      }
      lock.lock();
      in_flight_ -= static_cast<int>(left.size());
      changed_.notify_all();
      return;
    }
    if (!stopping_ && (*next)->next_at > now) {
      changed_.wait_until(lock, (*next)->next_at);
      continue;
    }
    std::unique_ptr<Delivery> d = std::move(*next);
    queue_.erase(next);
    ++in_flight_;
    const bool last = stopping_;  // stopping: one last attempt, no retry after it
    lock.unlock();
    bool again = Attempt(*d);
    if (again && last) {
      d->record.state = "failed";
      d->record.error += " (not retried: gauntlet stopped)";
      d->record.finished_ms = RealClock().UnixMs();
      Record(*d, nullptr);
      again = false;
    }
    lock.lock();
    --in_flight_;
    if (again) queue_.push_back(std::move(d));
    changed_.notify_all();
  }
}

bool Notifier::Attempt(Delivery& d) {
  store::NotificationRecord& r = d.record;
  store::NotifyAttemptRecord a;
  a.number = ++r.attempts;
  a.at_ms = RealClock().UnixMs();
  auto answer = deploy::HttpPost(d.url, d.headers, d.body, d.timeout);
  bool retryable = false;
  int64_t retry_after_s = -1;
  if (!answer.ok()) {
    a.error = d.masker.MaskString(answer.error().message);
    retryable = true;
  } else {
    a.status_code = static_cast<int>(answer->status);
    a.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(answer->elapsed).count();
    retry_after_s = answer->retry_after_s;
    if (a.status_code >= 500 || a.status_code == 429) {
      retryable = true;
      a.error = fmt::format("HTTP {}", a.status_code);
    } else if (a.status_code < 200 || a.status_code >= 300) {
      a.error = fmt::format("HTTP {} (not retried)", a.status_code);
    }
  }
  if (a.duration_ms == 0) a.duration_ms = RealClock().UnixMs() - a.at_ms;
  r.status_code = a.status_code;
  r.error = a.error;
  const bool again = retryable && r.attempts < d.max_attempts;
  if (a.error.empty()) {
    r.state = "delivered";
  } else if (again) {
    r.state = "pending";
    Duration delay = d.backoff;
    for (int i = 1; i < r.attempts && delay < kMaxBackoff; ++i) delay *= 2;
    if (delay > kMaxBackoff) delay = kMaxBackoff;
    if (retry_after_s >= 0) {
      Duration asked = std::min<Duration>(std::chrono::seconds(retry_after_s), kMaxRetryAfter);
      delay = std::max(delay, asked);
    }
    d.next_at = std::chrono::steady_clock::now() + delay;
  } else {
    r.state = "failed";
    if (retryable) r.error += fmt::format(" (gave up after {})", Plural(r.attempts, "attempt"));
  }
  if (r.state != "pending") r.finished_ms = RealClock().UnixMs();
  Record(d, &a);
  return again;
}

void Notifier::Record(Delivery& d, const store::NotifyAttemptRecord* attempt) {
  auto store = store::OpenStore(d.store_url);
  // Without an attempt (number 0) only the delivery's state is written.
  if (store.ok()) (void)(*store)->AddNotifyAttempt(d.record, attempt ? *attempt : store::NotifyAttemptRecord{});
  if (attempt) d.record.attempt_list.push_back(*attempt);
  if (d.record.state != "pending" && done_) done_(d.record);
}

}  // namespace gauntlet::engine
