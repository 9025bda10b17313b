#include "exec/masker.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace gauntlet::exec {
namespace {

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(std::max(n, 0)));
  return out;
}

// The characters of base64(k filler bytes + secret) that depend on the secret alone:
// what the secret looks like inside any longer base64 text where it starts at an
// offset of k (mod 3) bytes.
std::string Base64Core(std::string_view secret, size_t k) {
  std::string bytes(k, '\0');
  bytes.append(secret);
  std::string b64 = Base64(bytes);
  const size_t groups = bytes.size() / 3, rest = bytes.size() % 3;
  const size_t begin = k == 0 ? 0 : k == 1 ? 2 : 3;  // chars touching the filler
  const size_t end = groups * 4 + rest;              // chars touching what follows
  return end > begin ? b64.substr(begin, end - begin) : "";
}

std::string JsonEscaped(std::string_view s) {
  std::string quoted =
      nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::ignore);
  return quoted.size() >= 2 ? quoted.substr(1, quoted.size() - 2) : "";
}

std::string PercentEncoded(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Everything that stands for `secret` in output (see masker.h).
void AddForms(const std::string& secret, std::vector<std::string>* out) {
  out->push_back(secret);
  if (secret.find('\n') != std::string::npos) {
    size_t at = 0;
    while (at <= secret.size()) {
      size_t nl = secret.find('\n', at);
      std::string line = secret.substr(at, nl == std::string::npos ? nl : nl - at);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.size() >= Masker::kMinLineLength) out->push_back(line);
      if (nl == std::string::npos) break;
      at = nl + 1;
    }
  }
  if (secret.size() >= Masker::kMinEncodedLength) {
    for (size_t k = 0; k < 3; ++k) out->push_back(Base64Core(secret, k));
  }
  out->push_back(JsonEscaped(secret));
  out->push_back(PercentEncoded(secret));
}

}  // namespace

Masker::Masker(std::vector<std::string> secrets) {
  for (const std::string& s : secrets) {
    if (!s.empty()) AddForms(s, &patterns_);
  }
  Normalize();
}

void Masker::Add(std::string_view secret) {
  if (secret.empty()) return;
  AddForms(std::string(secret), &patterns_);
  Normalize();
}

void Masker::Normalize() {
  std::erase_if(patterns_, [](const std::string& p) { return p.empty(); });
  std::sort(patterns_.begin(), patterns_.end());
  patterns_.erase(std::unique(patterns_.begin(), patterns_.end()), patterns_.end());
  max_len_ = 0;
  for (const std::string& p : patterns_) max_len_ = std::max(max_len_, p.size());
}

Masker Masker::ForSecrets(const std::vector<std::pair<std::string, std::string>>& secrets) {
  std::vector<std::string> values;
  for (const auto& [name, value] : secrets) values.push_back(value);
  return Masker(std::move(values));
}

std::vector<Masker::Span> Masker::Matches(std::string_view buf) const {
  std::vector<Span> found;
  for (const std::string& p : patterns_) {
    for (size_t at = buf.find(p); at != std::string_view::npos; at = buf.find(p, at + 1))
      found.emplace_back(at, at + p.size());
  }
  std::sort(found.begin(), found.end());
  std::vector<Span> merged;
  for (const Span& s : found) {
    // Overlapping matches merge; adjacent ones stay two ("abcabc" -> "******").
    if (!merged.empty() && s.first < merged.back().second) {
      merged.back().second = std::max(merged.back().second, s.second);
    } else {
      merged.push_back(s);
    }
  }
  return merged;
}

size_t Masker::Emit(std::string_view buf, size_t from, size_t until, bool* masking,
                    std::string* out) const {
  size_t pos = from;
  for (const Span& s : Matches(buf)) {
    if (s.second <= pos) continue;
    if (s.first >= until) break;
    if (s.first > pos) {
      out->append(buf.substr(pos, s.first - pos));
      *masking = false;
    }
    // A span that began in bytes already emitted (masked) goes on without a new "***".
    if (!(*masking && s.first < pos)) out->append("***");
    *masking = true;
    pos = s.second;  // may pass `until`: the whole match is in buf
  }
  if (pos < until) {
    out->append(buf.substr(pos, until - pos));
    *masking = false;
    pos = until;
  }
  return pos;
}

std::string Masker::MaskString(std::string_view text) const {
  if (patterns_.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  bool masking = false;
  Emit(text, 0, text.size(), &masking, &out);
  return out;
}

nlohmann::json Masker::MaskJson(const nlohmann::json& value) const {
  if (patterns_.empty()) return value;
  if (value.is_string()) return MaskString(value.get_ref<const std::string&>());
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(MaskJson(item));
    return out;
  }
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, v] : value.items()) out[MaskString(k)] = MaskJson(v);
    return out;
  }
  return value;
}

void Masker::Stream::Write(std::string_view chunk, std::string* out) {
  if (masker_->empty()) {
    out->append(chunk);
    return;
  }
  buf_.append(chunk);
  Process(false, out);
}

void Masker::Stream::Flush(std::string* out) {
  if (buf_.size() > emitted_) Process(true, out);
  buf_.clear();
  emitted_ = 0;
  masking_ = false;
}

void Masker::Stream::Process(bool final, std::string* out) {
  // The last max_len-1 bytes could begin a match the next read completes; a match that
  // begins before them lies entirely within the buffer.
  const size_t keep = masker_->max_len_ - 1;
  const size_t until = final ? buf_.size() : buf_.size() > keep ? buf_.size() - keep : 0;
  if (until <= emitted_) return;
  emitted_ = masker_->Emit(buf_, emitted_, until, &masking_, out);
  // Context for matches that began in emitted bytes: at most max_len-1 of them.
  if (emitted_ > keep) {
    buf_.erase(0, emitted_ - keep);
    emitted_ = keep;
  }
}

}  // namespace gauntlet::exec
