// Small string helpers shared by the layers: edit distance and "did you mean".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gauntlet {

// Edit distance: insertions, deletions, substitutions and swaps of two neighbouring
// characters each cost 1 (Levenshtein with transpositions).
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a plausible typo
// (distance <= max(1, len/3), or case-insensitively equal); "" otherwise.
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

// "a, b, c": candidates joined for hints.
std::string JoinComma(const std::vector<std::string>& items);

// The length of the well-formed UTF-8 sequence starting at s[i] (1 to 4), or 0 when the
// bytes there are not one (a stray continuation byte, an overlong form, a surrogate).
size_t Utf8SequenceLength(std::string_view s, size_t i);

// `s` safe to print on a terminal: bytes that are not valid UTF-8 and control characters
// other than tab become `\xNN`, so a binary file's bytes never reach the terminal raw.
std::string PrintableText(std::string_view s);

}  // namespace gauntlet
