// Test helpers: reading the captured tool outputs in tests/gate_corpus and
// summarising diagnostics as one comparable line each.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gate/diagnostic.h"

namespace gauntlet::gate::testing {

// The captured tools ran in this directory (see tests/gate_corpus/capture.sh).
inline constexpr const char* kCaptureRoot = "/tmp/gauntlet-corpus";

inline std::string CorpusPath(const std::string& relative) {
  return std::string(GAUNTLET_SOURCE_DIR) + "/tests/gate_corpus/" + relative;
}

inline std::string ReadCorpus(const std::string& relative) {
  std::ifstream in(CorpusPath(relative), std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing corpus file " << relative;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// "file:line:col severity category rule: message"
inline std::string Summary(const Diagnostic& d) {
  return d.file + ":" + std::to_string(d.line) + ":" + std::to_string(d.col) + " " +
         SeverityName(d.severity) + " " + CategoryName(d.category) + " " + d.rule + ": " +
         d.message;
}

inline std::vector<std::string> Summaries(const std::vector<Diagnostic>& list) {
  std::vector<std::string> out;
  for (const Diagnostic& d : list) out.push_back(Summary(d));
  return out;
}

}  // namespace gauntlet::gate::testing
