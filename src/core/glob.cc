#include "core/glob.h"

#include <algorithm>
#include <utility>

namespace gauntlet {
namespace {

// The parsed pattern: a sequence of items, alternatives nesting sequences.
struct Node {
  enum class Kind { kChar, kAnyButSlash, kClass, kStar, kAnyString, kGlobStarSlash, kAlt };
  explicit Node(Kind k, char ch = 0) : kind(k), c(ch) {}
  Kind kind;
  char c = 0;
  int cls = -1;
  std::vector<std::vector<Node>> alts;
};

bool IsSegmentStart(std::string_view p, size_t i) {
  return i == 0 || p[i - 1] == '/' || p[i - 1] == '{' || p[i - 1] == ',';
}
bool IsSegmentEnd(std::string_view p, size_t i) {
  return i == p.size() || p[i] == '/' || p[i] == '}' || p[i] == ',';
}

}  // namespace

// Parses a pattern and emits the NFA, building each sequence back to front so
// every item is compiled knowing the state that follows it.
class GlobCompiler {
 public:
  GlobCompiler(std::string_view pattern, Glob& glob) : p_(pattern), glob_(glob) {}

  Status Compile() {
    std::vector<Node> top;
    if (auto s = ParseSeq(top, /*depth=*/0); !s.ok()) return s;
    if (i_ != p_.size()) return Fail("'}' without a matching '{'");
    const int match = Add(Glob::State{});
    glob_.start_ = Emit(top, match);
    return Ok();
  }

 private:
  Error Fail(const std::string& what) const {
    return Error{"invalid glob '" + std::string(p_) + "': " + what};
  }

  // Parses until end, or an unnested ',' / '}' when inside braces.
  Status ParseSeq(std::vector<Node>& out, int depth) {
    while (i_ < p_.size()) {
      const char ch = p_[i_];
      if (depth > 0 && (ch == ',' || ch == '}')) return Ok();
      if (depth == 0 && ch == '}') return Fail("'}' without a matching '{'");
      if (ch == '*') {
        if (i_ + 1 < p_.size() && p_[i_ + 1] == '*' && IsSegmentStart(p_, i_)) {
          if (i_ + 2 < p_.size() && p_[i_ + 2] == '/') {
            out.push_back(Node(Node::Kind::kGlobStarSlash));
            i_ += 3;
            continue;
          }
          if (IsSegmentEnd(p_, i_ + 2)) {
            out.push_back(Node(Node::Kind::kAnyString));
            i_ += 2;
            continue;
          }
        }
        // Consecutive stars outside a whole segment mean one star.
        while (i_ < p_.size() && p_[i_] == '*') ++i_;
        out.push_back(Node(Node::Kind::kStar));
      } else if (ch == '?') {
        out.push_back(Node(Node::Kind::kAnyButSlash));
        ++i_;
      } else if (ch == '[') {
        auto cls = ParseClass();
        if (!cls.ok()) return cls.error();
        Node n(Node::Kind::kClass);
        n.cls = *cls;
        out.push_back(std::move(n));
      } else if (ch == '{') {
        if (depth >= 32) return Fail("braces nested too deeply");
        ++i_;
        Node alt(Node::Kind::kAlt);
        while (true) {
          alt.alts.emplace_back();
          if (auto s = ParseSeq(alt.alts.back(), depth + 1); !s.ok()) return s;
          if (i_ >= p_.size()) return Fail("'{' is not closed");
          if (p_[i_++] == '}') break;  // else ',': next alternative
        }
        out.push_back(std::move(alt));
      } else if (ch == '\\') {
        if (i_ + 1 >= p_.size()) return Fail("trailing '\\'");
        out.push_back(Node(Node::Kind::kChar, p_[i_ + 1]));
        i_ += 2;
      } else {
        out.push_back(Node(Node::Kind::kChar, ch));
        ++i_;
      }
    }
    return Ok();
  }

  // At '['; returns the index of the class. Never matches '/'.
  Result<int> ParseClass() {
    const size_t open = i_++;
    std::bitset<256> set;
    bool negate = false;
    if (i_ < p_.size() && (p_[i_] == '!' || p_[i_] == '^')) {
      negate = true;
      ++i_;
    }
    bool first = true;
    while (true) {
      if (i_ >= p_.size())
        return Fail("'[' at column " + std::to_string(open + 1) + " is not closed");
      char lo = p_[i_];
      if (lo == ']' && !first) {
        ++i_;
        break;
      }
      first = false;
      if (lo == '\\' && i_ + 1 < p_.size()) lo = p_[++i_];
      ++i_;
      char hi = lo;
      if (i_ + 1 < p_.size() && p_[i_] == '-' && p_[i_ + 1] != ']') {
        hi = p_[i_ + 1];
        i_ += 2;
        if (hi == '\\' && i_ < p_.size()) hi = p_[i_++];
        if (static_cast<unsigned char>(hi) < static_cast<unsigned char>(lo)) {
          return Fail(std::string("empty range ") + lo + "-" + hi + " in a class");
        }
      }
      for (unsigned c = static_cast<unsigned char>(lo); c <= static_cast<unsigned char>(hi); ++c) {
        set.set(c);
      }
    }
    if (negate) set.flip();
    set.reset('/');
    glob_.classes_.push_back(set);
    return static_cast<int>(glob_.classes_.size() - 1);
  }

  int Add(Glob::State s) {
    glob_.states_.push_back(std::move(s));
    return static_cast<int>(glob_.states_.size() - 1);
  }
  int Consume(Glob::State::Kind kind, int next, char c = 0, int cls = -1) {
    Glob::State s;
    s.kind = kind;
    s.c = c;
    s.cls = cls;
    s.next = next;
    return Add(std::move(s));
  }
  int Split(std::vector<int> alts) {
    Glob::State s;
    s.kind = Glob::State::Kind::kSplit;
    s.alts = std::move(alts);
    return Add(std::move(s));
  }
  // A loop "x*" followed by `next`, where x consumes one character of `kind`.
  int Loop(Glob::State::Kind kind, int next) {
    const int split = Split({});
    const int body = Consume(kind, split);
    glob_.states_[split].alts = {body, next};
    return split;
  }

  int Emit(const std::vector<Node>& seq, int next) {
    using K = Glob::State::Kind;
    for (auto it = seq.rbegin(); it != seq.rend(); ++it) {
      switch (it->kind) {
        case Node::Kind::kChar:
          next = Consume(K::kChar, next, it->c);
          break;
        case Node::Kind::kAnyButSlash:
          next = Consume(K::kAnyButSlash, next);
          break;
        case Node::Kind::kClass:
          next = Consume(K::kClass, next, 0, it->cls);
          break;
        case Node::Kind::kStar:
          next = Loop(K::kAnyButSlash, next);
          break;
        case Node::Kind::kAnyString:
          next = Loop(K::kAny, next);
          break;
        case Node::Kind::kGlobStarSlash: {
          // (.*/)? : skip it, or any characters then a '/'.
          const int slash = Consume(K::kChar, next, '/');
          next = Split({Loop(K::kAny, slash), next});
          break;
        }
        case Node::Kind::kAlt: {
          std::vector<int> starts;
          for (const auto& alt : it->alts) starts.push_back(Emit(alt, next));
          next = Split(std::move(starts));
          break;
        }
      }
    }
    return next;
  }

  std::string_view p_;
  Glob& glob_;
  size_t i_ = 0;
};

Result<Glob> Glob::Compile(std::string_view pattern) {
  const std::string original(pattern);
  if (pattern.size() > kMaxPatternLength) {
    return Error{"invalid glob: longer than " + std::to_string(kMaxPatternLength) + " characters"};
  }
  while (pattern.starts_with("./")) pattern.remove_prefix(2);
  if (pattern.empty()) return Error{"invalid glob '" + original + "': empty pattern"};
  if (pattern.front() == '/') {
    return Error{"invalid glob '" + original +
                 "': absolute paths are not allowed; patterns are relative to the workspace"};
  }
  for (size_t b = 0; b <= pattern.size();) {
    size_t e = pattern.find('/', b);
    if (e == std::string_view::npos) e = pattern.size();
    if (pattern.substr(b, e - b) == "..") {
      return Error{"invalid glob '" + original + "': '..' would reach outside the workspace"};
    }
    b = e + 1;
  }
  std::string text(pattern);
  if (text.back() == '/') text += "**";  // "dir/" means everything under dir
  Glob glob;
  glob.pattern_ = original;
  GlobCompiler compiler(text, glob);
  if (auto s = compiler.Compile(); !s.ok()) return Error{s.error()};
  return glob;
}

void Glob::AddClosed(int s, std::vector<int>& set, std::vector<uint32_t>& mark,
                     uint32_t gen) const {
  if (mark[s] == gen) return;
  mark[s] = gen;
  const State& st = states_[s];
  if (st.kind == State::Kind::kSplit) {
    for (int a : st.alts) AddClosed(a, set, mark, gen);
  } else {
    set.push_back(s);
  }
}

std::vector<int> Glob::Run(std::string_view text) const {
  std::vector<uint32_t> mark(states_.size(), 0);
  uint32_t gen = 1;
  std::vector<int> cur, next;
  AddClosed(start_, cur, mark, gen);
  for (char ch : text) {
    if (cur.empty()) break;
    ++gen;
    next.clear();
    const auto uc = static_cast<unsigned char>(ch);
    for (int s : cur) {
      const State& st = states_[s];
      bool ok = false;
      switch (st.kind) {
        case State::Kind::kChar:
          ok = st.c == ch;
          break;
        case State::Kind::kAnyButSlash:
          ok = ch != '/';
          break;
        case State::Kind::kAny:
          ok = true;
          break;
        case State::Kind::kClass:
          ok = classes_[st.cls].test(uc);
          break;
        case State::Kind::kSplit:
        case State::Kind::kMatch:
          break;
      }
      if (ok) AddClosed(st.next, next, mark, gen);
    }
    cur.swap(next);
  }
  return cur;
}

bool Glob::Matches(std::string_view path) const {
  for (int s : Run(path)) {
    if (states_[s].kind == State::Kind::kMatch) return true;
  }
  return false;
}

bool Glob::CouldMatchUnder(std::string_view dir) const {
  if (dir.empty()) return true;
  std::string prefix(dir);
  prefix += '/';
  // Every live state can still reach the match state, so any live state means
  // some path under dir may match.
  return !Run(prefix).empty();
}

Result<GlobSet> GlobSet::Compile(const std::vector<std::string>& patterns) {
  GlobSet set;
  for (const auto& p : patterns) {
    std::string_view text = p;
    const bool negated = text.starts_with('!');
    if (negated) text.remove_prefix(1);
    auto glob = Glob::Compile(text);
    if (!glob.ok()) return glob.error();
    set.globs_.push_back(Entry{std::move(*glob), negated});
  }
  return set;
}

bool GlobSet::Matches(std::string_view path) const {
  for (auto it = globs_.rbegin(); it != globs_.rend(); ++it) {
    if (it->glob.Matches(path)) return !it->negated;
  }
  return false;
}

std::vector<std::string> GlobSet::Roots() const {
  std::vector<std::string> roots;
  for (const auto& e : globs_) {
    if (e.negated) continue;  // a negation only removes paths
    std::string_view p = e.glob.pattern();
    while (p.starts_with("./")) p.remove_prefix(2);
    if (p.ends_with('/')) p.remove_suffix(1);  // "dir/" is "dir/**": its root is dir
    else if (const size_t slash = p.rfind('/'); slash != std::string_view::npos)
      p = p.substr(0, slash);  // the directories before the last segment
    else
      p = {};
    std::string root;
    while (!p.empty()) {
      const size_t end = std::min(p.find('/'), p.size());
      const std::string_view seg = p.substr(0, end);
      if (seg.empty() || seg.find_first_of("*?[]{}\\") != std::string_view::npos) break;
      root += (root.empty() ? "" : "/") + std::string(seg);
      p.remove_prefix(std::min(end + 1, p.size()));
    }
    if (root.empty()) return {""};
    roots.push_back(std::move(root));
  }
  // Shortest first, so an ancestor ("src") is kept before what lies under it ("src/lib").
  std::sort(roots.begin(), roots.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  std::vector<std::string> out;
  for (std::string& r : roots) {
    const bool covered = std::any_of(out.begin(), out.end(), [&](const std::string& o) {
      return r == o || r.starts_with(o + "/");
    });
    if (!covered) out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool GlobSet::CouldMatchUnder(std::string_view dir) const {
  for (const auto& e : globs_) {
    if (!e.negated && e.glob.CouldMatchUnder(dir)) return true;
  }
  return false;
}

Result<bool> MatchAny(const std::vector<std::string>& patterns, std::string_view path) {
  auto set = GlobSet::Compile(patterns);
  if (!set.ok()) return set.error();
  return set->Matches(path);
}

bool IsCleanRelativePath(std::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  if (path.find('\0') != std::string_view::npos) return false;
  for (size_t b = 0; b <= path.size();) {
    size_t e = path.find('/', b);
    if (e == std::string_view::npos) e = path.size();
    const auto seg = path.substr(b, e - b);
    if (seg.empty() || seg == "." || seg == "..") return false;
    b = e + 1;
  }
  return true;
}

}  // namespace gauntlet
