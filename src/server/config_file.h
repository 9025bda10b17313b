// `gauntlet serve --config FILE`: the server's settings in YAML, for what is long to say in
// flags (several repositories, each with its own polling interval). A flag given on the
// command line overrides the file's value; docs/server.md lists every key.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "server/server.h"

namespace gauntlet::server {

struct ServerFile {
  std::optional<std::string> listen, state_dir, pipeline, secrets_file;
  std::optional<std::string> webhook_secret_file;  // its first line is the secret
  std::optional<std::string> webhook_secret_env;   // or the variable that holds it
  std::optional<std::string> tls_cert, tls_key;     // --tls-cert, --tls-key
  std::optional<std::string> workspace;             // --workspace
  std::optional<std::string> public_url;            // --public-url
  std::optional<int> jobs, slots, keep_failed_s, poll_s, max_body, rate_limit;
  std::optional<bool> public_read;
  std::vector<WatchedRepo> repos;  // poll_s 0 unless given (the file's `poll` is applied later)
  std::vector<bool> repo_poll_given;
};

// Reads FILE. kInvalid naming FILE:LINE:COL and what would be valid at the first problem;
// kNotFound when it cannot be read.
Result<ServerFile> LoadServerFile(const std::string& path);

}  // namespace gauntlet::server
