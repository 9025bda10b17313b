int clamp(int v, int lo, int hi);

int main(void) {
  return clamp(5, 0, 10) == 5 ? 0 : 1;
}
