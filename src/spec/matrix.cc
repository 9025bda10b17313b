#include "spec/matrix.h"

#include <algorithm>

namespace gauntlet::spec {
namespace {

const MatrixValue* Lookup(const MatrixCombo& combo, const std::string& key) {
  for (const auto& [k, v] : combo)
    if (k == key) return &v;
  return nullptr;
}

// Every key of `partial` is in `combo` with the same value.
bool Matches(const MatrixCombo& combo, const MatrixCombo& partial) {
  for (const auto& [k, v] : partial) {
    const MatrixValue* have = Lookup(combo, k);
    if (!have || have->text != v.text) return false;
  }
  return true;
}

bool IsAxis(const Matrix& m, const std::string& key) {
  return std::any_of(m.axes.begin(), m.axes.end(), [&](const auto& a) { return a.first == key; });
}

}  // namespace

std::vector<MatrixCombo> ExpandMatrix(const Matrix& matrix) {
  std::vector<MatrixCombo> combos;
  if (!matrix.axes.empty()) {
    combos.push_back({});
    for (const auto& [axis, values] : matrix.axes) {
      std::vector<MatrixCombo> next;
      next.reserve(combos.size() * values.size());
      for (const MatrixCombo& c : combos) {
        for (const MatrixValue& v : values) {
          MatrixCombo grown = c;
          grown.emplace_back(axis, v);
          next.push_back(std::move(grown));
        }
      }
      combos = std::move(next);
    }
  }
  std::erase_if(combos, [&](const MatrixCombo& c) {
    return std::any_of(matrix.exclude.begin(), matrix.exclude.end(),
                       [&](const MatrixCombo& ex) { return Matches(c, ex); });
  });
  const size_t original = combos.size();
  for (const MatrixCombo& inc : matrix.include) {
    bool merged = false;
    for (size_t i = 0; i < original; ++i) {
      MatrixCombo& c = combos[i];
      // An include may not overwrite an original axis value; extra keys are added.
      bool contradicts = false;
      for (const auto& [k, v] : inc) {
        const MatrixValue* have = Lookup(c, k);
        if (have && IsAxis(matrix, k) && have->text != v.text) contradicts = true;
      }
      if (contradicts) continue;
      for (const auto& kv_in : inc) {
        const std::string& key = kv_in.first;
        auto it = std::find_if(c.begin(), c.end(), [&](const auto& kv) { return kv.first == key; });
        if (it == c.end())
          c.push_back(kv_in);
        else
          it->second = kv_in.second;
      }
      merged = true;
    }
    if (!merged) combos.push_back(inc);
  }
  return combos;
}

std::string MatrixJobName(const std::string& base, const MatrixCombo& combo) {
  if (combo.empty()) return base;
  std::string name = base + " (";
  for (size_t i = 0; i < combo.size(); ++i) {
    if (i) name += ", ";
    name += combo[i].first + "=" + combo[i].second.text;
  }
  return name + ")";
}

nlohmann::json MatrixContext(const MatrixCombo& combo) {
  nlohmann::json matrix = nlohmann::json::object();
  for (const auto& [axis, value] : combo) {
    if (value.kind == MatrixValue::Kind::kBool) {
      matrix[axis] = value.text == "true";
    } else {
      matrix[axis] = value.text;
    }
  }
  return matrix;
}

}  // namespace gauntlet::spec
