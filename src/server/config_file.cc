#include "server/config_file.h"

#include <fmt/core.h>

#include <fstream>
#include <sstream>

#include "spec/problems.h"
#include "spec/yaml_reader.h"
#include "spec/yaml_tree.h"

namespace gauntlet::server {
namespace {

void ReadRepo(const spec::YamlReader& r, const spec::YamlNode* n, ServerFile* out) {
  WatchedRepo repo;
  bool poll_given = false;
  const spec::YamlNode* where = n;
  r.ForEach(n, "a repository", {"name", "url", "path", "poll", "workspace"},
            [&](const std::string& key, const spec::YamlNode* k, const spec::YamlNode* v) {
              if (key == "name") r.String(v, &repo.name);
              if (key == "url" || key == "path") {
                if (!repo.source.empty())
                  r.Error(k, "a repository has one url or path", "url: https://host/app.git");
                r.String(v, &repo.source);
              }
              if (key == "poll") poll_given = r.Int(v, &repo.poll_s, 0, 86400);
              if (key == "workspace") r.Enum(v, &repo.workspace, "workspace", {"kept", "fresh"});
            });
  if (!n->is_map()) return;
  if (repo.source.empty())
    return r.Error(where, "a repository needs a url or a path",
                   "- {name: app, url: /srv/git/app.git}");
  if (repo.name.empty()) {
    std::string path = repo.source;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    repo.name = path.substr(path.find_last_of('/') + 1);
    if (repo.name.size() > 4 && repo.name.ends_with(".git")) repo.name.resize(repo.name.size() - 4);
  }
  out->repos.push_back(std::move(repo));
  out->repo_poll_given.push_back(poll_given);
}

}  // namespace

Result<ServerFile> LoadServerFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::NotFound("cannot read the server config file " + path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string source = text.str();
  spec::Problems problems;
  spec::YamlReader r(path, source, &problems);
  spec::YamlDocument doc;
  spec::YamlError error;
  ServerFile out;
  if (!doc.Parse(source, &error)) {
    problems.Error(Location{path, error.line + 1, error.col + 1}, error.message, error.hint);
  } else if (doc.root()) {
    auto str = [&](const spec::YamlNode* v, std::optional<std::string>* field) {
      std::string s;
      if (r.String(v, &s)) *field = s;
    };
    auto num = [&](const spec::YamlNode* v, std::optional<int>* field, int min, int max) {
      int n = 0;
      if (r.Int(v, &n, min, max)) *field = n;
    };
    r.ForEach(doc.root(), "the server config",
              {"listen", "state_dir", "pipeline", "jobs", "slots", "poll", "repos", "webhook_secret_file",
               "webhook_secret_env", "secrets_file", "public_read", "max_body", "rate_limit",
               "tls_cert", "tls_key", "workspace", "keep_failed", "public_url"},
              [&](const std::string& key, const spec::YamlNode*, const spec::YamlNode* v) {
                if (key == "listen") str(v, &out.listen);
                if (key == "state_dir") str(v, &out.state_dir);
                if (key == "pipeline") str(v, &out.pipeline);
                if (key == "webhook_secret_file") str(v, &out.webhook_secret_file);
                if (key == "webhook_secret_env") str(v, &out.webhook_secret_env);
                if (key == "secrets_file") str(v, &out.secrets_file);
                if (key == "tls_cert") str(v, &out.tls_cert);
                if (key == "tls_key") str(v, &out.tls_key);
                if (key == "public_url") str(v, &out.public_url);
                if (key == "jobs") num(v, &out.jobs, 0, 1024);
                if (key == "slots") num(v, &out.slots, 1, 1024);
                if (key == "keep_failed") num(v, &out.keep_failed_s, 0, 365 * 86400);
                if (key == "workspace") {
                  std::string w;
                  if (r.Enum(v, &w, "workspace", {"kept", "fresh"})) out.workspace = w;
                }
                if (key == "poll") num(v, &out.poll_s, 0, 86400);
                if (key == "max_body") num(v, &out.max_body, 1, 1 << 30);
                if (key == "rate_limit") num(v, &out.rate_limit, 0, 1000000);
                if (key == "public_read") {
                  bool b = false;
                  if (r.Bool(v, &b)) out.public_read = b;
                }
                if (key != "repos") return;
                if (!v->is_sequence())
                  return r.TypeError(v, "a list of repositories", "repos: [{name: app, url: ...}]");
                for (const spec::YamlNode* item : v->items) ReadRepo(r, item, &out);
              });
  }
  for (const spec::Problem& p : problems.all()) {
    if (p.severity != spec::Severity::kError) continue;
    return Error::Invalid(fmt::format("{}:{}:{}: {}{}", path, p.loc.line, p.loc.col, p.message,
                                      p.hint.empty() ? "" : " (" + p.hint + ")"));
  }
  return out;
}

}  // namespace gauntlet::server
