#include "core/thread.h"

#include <gtest/gtest.h>

namespace gauntlet {
namespace {

TEST(BackgroundThreadTest, BlocksTheSignalsTheEventLoopReads) {
  bool term_blocked = false, int_blocked = false;
  {
    std::jthread t = BackgroundThread([&] {
      sigset_t mask;
      pthread_sigmask(SIG_SETMASK, nullptr, &mask);
      term_blocked = sigismember(&mask, SIGTERM) == 1;
      int_blocked = sigismember(&mask, SIGINT) == 1;
    });
  }  // joined
  EXPECT_TRUE(term_blocked);
  EXPECT_TRUE(int_blocked);
  // The creating thread's own mask is left as it was.
  sigset_t mine;
  pthread_sigmask(SIG_SETMASK, nullptr, &mine);
  EXPECT_EQ(sigismember(&mine, SIGTERM), 0);
}

}  // namespace
}  // namespace gauntlet
