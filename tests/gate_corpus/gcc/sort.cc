#include <algorithm>
#include <vector>

struct Point {
  int x, y;
};

void SortPoints(std::vector<Point>& points) {
  std::sort(points.begin(), points.end());
}
