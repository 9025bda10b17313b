#include "release/tag_format.h"

#include "spec/model.h"

namespace gauntlet::release {
namespace {

constexpr std::string_view kPlaceholder = "{version}";

}  // namespace

Status CheckTagFormat(std::string_view format) {
  if (std::string why = spec::TagFormatProblem(format); !why.empty()) return Error::Invalid(why);
  return Ok();
}

std::string FormatTag(std::string_view format, const Version& version) {
  std::string tag(format);
  const size_t at = tag.find(kPlaceholder);
  if (at != std::string::npos) tag.replace(at, kPlaceholder.size(), version.ToString());
  return tag;
}

std::optional<Version> MatchTag(std::string_view format, std::string_view tag) {
  const size_t at = format.find(kPlaceholder);
  if (at == std::string_view::npos) return std::nullopt;
  const std::string_view prefix = format.substr(0, at);
  const std::string_view suffix = format.substr(at + kPlaceholder.size());
  if (tag.size() <= prefix.size() + suffix.size() || !tag.starts_with(prefix) ||
      !tag.ends_with(suffix))
    return std::nullopt;
  auto v = ParseVersion(tag.substr(prefix.size(), tag.size() - prefix.size() - suffix.size()));
  if (!v.ok()) return std::nullopt;
  return *v;
}

}  // namespace gauntlet::release
