// Number syntax shared by literals and string-to-number coercion: decimal with an
// optional sign, fraction and exponent, hex `0x1F`, octal `0o17`.
#pragma once

#include <optional>
#include <string_view>

namespace gauntlet::spec {

// The value of `text`, or nullopt if it is not a whole number token (no surrounding
// whitespace). Values too large for a double are nullopt, not infinity.
std::optional<double> ParseNumber(std::string_view text);

}  // namespace gauntlet::spec
