// The cache key of a job: when it is equal to the key of an earlier successful
// attempt, the job's result can be reused instead of running it again.
#pragma once

#include <map>
#include <string>

#include "core/hash.h"

namespace gauntlet::cache {

struct CacheKeyParts {
  // The job's resolved definition, canonical and built by the caller: commands,
  // shell, env (secret names only, never their values), matrix values,
  // working_directory, cache_key_extra. Two jobs that would run differently
  // must give different strings.
  std::string definition;
  // HashInputs(...).digest of the job's `inputs:`.
  Digest inputs;
  // The outputs of each job it needs: need name -> (output key -> value).
  std::map<std::string, std::map<std::string, std::string>> need_outputs;
};

// xxh3-128 of the parts, length-prefixed and versioned, as 32 hex digits.
std::string CacheKey(const CacheKeyParts& parts);

}  // namespace gauntlet::cache
