// Secret masking for streamed output: every occurrence of any secret value becomes
// "***", also when a value arrives split across two reads. Every non-empty value is
// masked, even one or two characters long (which will also hide innocent text: a
// secret that short is the user's problem to fix, not ours to leak).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::exec {

class Masker {
 public:
  Masker() = default;
  explicit Masker(std::vector<std::string> secrets);

  bool empty() const { return secrets_.empty(); }

  // Masks a complete string (errors, outputs).
  std::string MaskString(std::string_view text) const;

  // Streaming state for one output stream; holds back at most max_len-1 bytes.
  class Stream {
   public:
    explicit Stream(const Masker* masker) : masker_(masker) {}
    // Appends the masked bytes that are safe to emit now to *out.
    void Write(std::string_view chunk, std::string* out);
    // Emits whatever was held back (the stream ended).
    void Flush(std::string* out);

   private:
    void Process(bool final, std::string* out);
    const Masker* masker_;
    std::string pending_;
  };

 private:
  friend class Stream;
  // Masks buf[0, safe_end) plus matches starting there; returns where it stopped.
  size_t MaskInto(std::string_view buf, size_t safe_end, std::string* out) const;

  std::vector<std::string> secrets_;  // longest first: the longest match wins at a position
  size_t max_len_ = 0;
};

}  // namespace gauntlet::exec
