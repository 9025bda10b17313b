// The server's few cryptographic needs, through OpenSSL: API tokens (random, stored
// only as hashes) and webhook signatures (HMAC-SHA256, compared in constant time).
#pragma once

#include <string>
#include <string_view>

namespace gauntlet::server {

// A new API token: "gnt_" and 40 hex digits (160 bits from the OS's CSPRNG). Empty when
// the generator fails.
std::string NewToken();

// SHA-256 of `data`, 64 lower-case hex digits: how a token is stored.
std::string Sha256Hex(std::string_view data);

// HMAC-SHA256 of `data` under `key`, 64 lower-case hex digits.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// Whether `a` and `b` are equal, in time that depends only on their lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// GitHub's X-Hub-Signature-256 check: `header` must be "sha256=" and the HMAC of `body`
// under `secret`. An empty secret never verifies.
bool VerifyGithubSignature(std::string_view secret, std::string_view body,
                           std::string_view header);

}  // namespace gauntlet::server
