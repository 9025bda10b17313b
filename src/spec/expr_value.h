// Coercions and comparisons between expression values (GitHub Actions rules).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace gauntlet::spec {

// null -> 0, bool -> 0/1, numbers as is, strings parsed (empty or blank -> 0, bad -> NaN),
// arrays and objects -> NaN.
double ToNumber(const nlohmann::json& v);

// `==`: same kinds compare directly (strings ignoring ASCII case; arrays and objects only
// when they are the same value, i.e. the same address); different kinds compare as numbers.
bool LooseEquals(const nlohmann::json& a, const nlohmann::json& b);

enum class Order { kLess, kEqual, kGreater, kUnordered };
// For `<` `<=` `>` `>=`: two strings compare ignoring ASCII case, anything else as numbers;
// NaN is unordered, so every comparison with it is false.
Order Compare(const nlohmann::json& a, const nlohmann::json& b);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// Position of `needle` in `haystack` ignoring ASCII case, or npos.
size_t FindIgnoreCase(std::string_view haystack, std::string_view needle);

// Appends ToText(v) to *out without building a temporary.
void AppendText(const nlohmann::json& v, std::string* out);
// Numbers in the shortest form that round-trips at 15 digits: 3, 1.5, 1e+20, NaN.
std::string NumberText(double d);

// The member `key` of object `obj`: exact match first, then ignoring ASCII case (context
// and property names are case-insensitive, as in GitHub). nullptr when absent.
const nlohmann::json* FindMember(const nlohmann::json& obj, std::string_view key);

}  // namespace gauntlet::spec
