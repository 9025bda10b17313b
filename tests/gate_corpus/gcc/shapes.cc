#include <string>
#include <vector>

struct Shape {
  std::string name;
};

int main() {
  std::vector<Shape> shapes;
  shapes.push_back("square");
  return static_cast<int>(shapes.size());
}
