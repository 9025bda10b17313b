// Matrix expansion with GitHub Actions semantics: the product of the axes, minus the
// `exclude` entries (partial matches), plus the `include` entries — an include merges
// into every combination whose original axis values it does not contradict, and is
// added as a new combination when it merges into none.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "spec/model.h"

namespace gauntlet::spec {

std::vector<MatrixCombo> ExpandMatrix(const Matrix& matrix);

// "unit (python=3.12, os=linux)"; `base` alone for an empty combination.
std::string MatrixJobName(const std::string& base, const MatrixCombo& combo);

// The `matrix` context of a combination: booleans as booleans, everything else as the
// text written ("3.10" stays "3.10"; `==` coerces to numbers anyway).
nlohmann::json MatrixContext(const MatrixCombo& combo);

}  // namespace gauntlet::spec
