#include "exec/masker.h"

#include <algorithm>

namespace gauntlet::exec {

Masker::Masker(std::vector<std::string> secrets) {
  for (std::string& s : secrets) {
    if (!s.empty()) secrets_.push_back(std::move(s));
  }
  std::sort(secrets_.begin(), secrets_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  secrets_.erase(std::unique(secrets_.begin(), secrets_.end()), secrets_.end());
  for (const std::string& s : secrets_) max_len_ = std::max(max_len_, s.size());
}

size_t Masker::MaskInto(std::string_view buf, size_t safe_end, std::string* out) const {
  size_t pos = 0;
  while (pos < safe_end) {
    // The leftmost match starting before safe_end; longest first at equal starts.
    size_t best = std::string_view::npos, best_len = 0;
    for (const std::string& s : secrets_) {
      size_t at = buf.find(s, pos);
      if (at < best) {
        best = at;
        best_len = s.size();
      }
    }
    if (best == std::string_view::npos || best >= safe_end) {
      out->append(buf.substr(pos, safe_end - pos));
      return safe_end;
    }
    out->append(buf.substr(pos, best - pos));
    out->append("***");
    pos = best + best_len;  // a match starting before safe_end fits in buf (see Write)
  }
  return pos;
}

std::string Masker::MaskString(std::string_view text) const {
  if (secrets_.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  MaskInto(text, text.size(), &out);
  return out;
}

void Masker::Stream::Write(std::string_view chunk, std::string* out) {
  if (masker_->empty()) {
    out->append(chunk);
    return;
  }
  pending_.append(chunk);
  Process(false, out);
}

void Masker::Stream::Flush(std::string* out) {
  if (!pending_.empty()) Process(true, out);
}

void Masker::Stream::Process(bool final, std::string* out) {
  // Bytes in the last max_len-1 could begin a secret completed by the next read; any
  // match starting before that tail lies entirely within the buffer.
  size_t keep = final ? 0 : masker_->max_len_ - 1;
  if (pending_.size() <= keep) return;
  size_t safe_end = pending_.size() - keep;
  size_t stop = masker_->MaskInto(pending_, safe_end, out);
  pending_.erase(0, stop);
}

}  // namespace gauntlet::exec
