// Secret masking: every occurrence of a secret becomes "***", also when it arrives split
// across two reads of a stream. What is searched for, per secret value:
//   - the value itself, however short (a one- or two-character secret also hides
//     innocent text: a secret that short is the user's problem to fix, not ours to leak);
//   - each line of a multi-line value with at least kMinLineLength characters (a job
//     that prints one line of a key must not print that line);
//   - its base64 form at each of the three alignments a longer base64 text can give it
//     (values of at least kMinEncodedLength bytes), its JSON-escaped and its
//     percent-encoded forms where they differ.
// Overlapping matches are masked as their union, so two secrets sharing text leave no
// tail of either: each run of overlapping matches is one "***".
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gauntlet::exec {

class Masker {
 public:
  static constexpr size_t kMinLineLength = 4;
  static constexpr size_t kMinEncodedLength = 6;

  Masker() = default;
  explicit Masker(std::vector<std::string> secrets);
  // A masker for the values of (name, value) pairs.
  static Masker ForSecrets(const std::vector<std::pair<std::string, std::string>>& secrets);

  bool empty() const { return patterns_.empty(); }
  // Masks `secret` too from now on (a workflow step's ::add-mask::VALUE).
  void Add(std::string_view secret);

  // Masks a complete string (errors, outputs).
  std::string MaskString(std::string_view text) const;
  // Masks every string and key of a JSON value (a stored report): masking its text form
  // would miss a secret that JSON escapes.
  nlohmann::json MaskJson(const nlohmann::json& value) const;

  // Streaming state for one output stream; holds back at most the longest pattern's
  // length minus one byte.
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
    // buf_[0, emitted_) was emitted already and is kept as context: a match that began
    // there and ends in new bytes still masks its end. buf_[emitted_, ...) is held.
    std::string buf_;
    size_t emitted_ = 0;
    bool masking_ = false;  // the last byte emitted was masked
  };

 private:
  using Span = std::pair<size_t, size_t>;  // [begin, end)
  // Every match in `buf`, merged into disjoint spans sorted by begin.
  std::vector<Span> Matches(std::string_view buf) const;
  // Emits buf[from, until) masked, extending to the end of a span that starts before
  // `until`; returns where it stopped. `masking`: the byte before `from` was masked.
  size_t Emit(std::string_view buf, size_t from, size_t until, bool* masking,
              std::string* out) const;

  // Sorts the patterns, drops empty and repeated ones, sets max_len_.
  void Normalize();

  std::vector<std::string> patterns_;
  size_t max_len_ = 0;
};

}  // namespace gauntlet::exec
