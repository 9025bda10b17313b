#include "point.h"

int area(int w, int h) {
  int unused = 0;
  return w * h;
}

int main(void) {
  struct point p = {1, 2};
  int total = area(p.x, p.y) + depth;
  char *s = 42;
  return total + norm1(p);
}
