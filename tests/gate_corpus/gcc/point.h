// A header with an error, to get "In file included from" context.
struct point {
  int x;
  int y
};

static inline int norm1(struct point p) { return p.x + p.y; }
