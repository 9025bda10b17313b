#include <gtest/gtest.h>

static int Twice(int n) { return n * 3; }

TEST(Calc, Twice) {
  EXPECT_EQ(Twice(2), 4);
}

TEST(Calc, Zero) {
  EXPECT_EQ(Twice(0), 0);
}
