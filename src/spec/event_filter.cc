#include "spec/event_filter.h"

#include <re2/re2.h>

#include <cctype>

namespace gauntlet::spec {
namespace {

std::string Quote(char c) { return RE2::QuoteMeta(std::string(1, c)); }

// `[...]` at `p[*i]` (the '['): GitHub allows letters, digits and ranges of them; anything
// else inside is taken literally.
Result<std::string> ClassRegex(std::string_view p, size_t* i) {
  const size_t close = p.find(']', *i + 1);
  if (close == std::string_view::npos || close == *i + 1)
    return Error::Invalid("pattern '" + std::string(p) + "': '[' without a class and its ']'");
  std::string re = "[";
  for (size_t j = *i + 1; j < close; ++j) {
    const char c = p[j];
    const bool range = c == '-' && j > *i + 1 && j + 1 < close;
    re += std::isalnum(static_cast<unsigned char>(c)) || range ? std::string(1, c)
                                                               : "\\" + std::string(1, c);
  }
  *i = close;
  return re + "]";
}

}  // namespace

Result<std::string> GithubPatternRegex(std::string_view p) {
  if (p.empty()) return Error::Invalid("an empty pattern matches nothing");
  std::string re;
  bool atom = false;  // whether what was written last can take `?` or `+`
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '*') {
      atom = false;
      if (i + 1 < p.size() && p[i + 1] == '*') {
        ++i;
        const bool dir = i + 1 < p.size() && p[i + 1] == '/';
        re += dir ? "(?:.*/)?" : ".*";
        if (dir) ++i;
      } else {
        re += "[^/]*";
      }
    } else if ((c == '?' || c == '+') && atom) {
      re += c;
      atom = false;
    } else if (c == '[') {
      auto cls = ClassRegex(p, &i);
      if (!cls.ok()) return cls.error();
      re += *cls;
      atom = true;
    } else if (c == '\\') {
      if (i + 1 == p.size())
        return Error::Invalid("pattern '" + std::string(p) + "' ends in '\\'");
      re += Quote(p[++i]);
      atom = true;
    } else {
      re += Quote(c);
      atom = true;
    }
  }
  return re;
}

Result<FilterList> FilterList::Compile(const std::vector<std::string>& patterns,
                                       PatternSyntax syntax) {
  FilterList list;
  for (const std::string& pattern : patterns) {
    Entry e;
    e.negated = !pattern.empty() && pattern[0] == '!';
    const std::string_view body = std::string_view(pattern).substr(e.negated ? 1 : 0);
    if (syntax == PatternSyntax::kGlob) {
      auto glob = Glob::Compile(body);
      if (!glob.ok()) return glob.error();
      e.glob = std::make_shared<const Glob>(std::move(*glob));
    } else {
      auto regex = GithubPatternRegex(body);
      if (!regex.ok()) return regex.error();
      RE2::Options options;
      options.set_log_errors(false);
      auto re = std::make_shared<const RE2>(*regex, options);
      if (!re->ok())
        return Error::Invalid("pattern '" + pattern + "' does not compile: " + re->error());
      e.re = std::move(re);
    }
    list.entries_.push_back(std::move(e));
  }
  return list;
}

bool FilterList::Matches(std::string_view value) const {
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    const bool hit = it->re ? RE2::FullMatch(value, *it->re) : it->glob->Matches(value);
    if (hit) return !it->negated;
  }
  return false;
}

bool FilterList::OnlyNegations() const {
  for (const Entry& e : entries_)
    if (!e.negated) return false;
  return !entries_.empty();
}

bool FilterMatches(const std::vector<std::string>& patterns, PatternSyntax syntax,
                   std::string_view value) {
  auto list = FilterList::Compile(patterns, syntax);
  return list.ok() && list->Matches(value);
}

}  // namespace gauntlet::spec
