function clamp(v, lo, hi) {
  if (v < lo) return lo;
  if (v > hi) {
    return hi;
  }
  return v;
}

function unusedPath(v) {
  return v * 2;
}

module.exports = { clamp, unusedPath };
