// Sums an array; the accumulator is misspelled, so this does not compile.
#include <stddef.h>

int sum(const int* values, size_t n) {
  int acc = 0;
  for (size_t i = 0; i < n; ++i) total += values[i];
  return acc;
}
