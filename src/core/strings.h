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

}  // namespace gauntlet
