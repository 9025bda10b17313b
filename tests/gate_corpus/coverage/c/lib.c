int clamp(int v, int lo, int hi) {
  if (v < lo) return lo;
  if (v > hi) {
    return hi;
  }
  return v;
}

int unused_path(int v) {
  return v * 2;
}
