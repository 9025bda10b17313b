// Helper threads that never take the engine's signals.
#pragma once

#include <pthread.h>
#include <signal.h>

#include <thread>
#include <utility>

namespace gauntlet {

// Starts `fn` on a thread that blocks every signal. SIGINT and SIGTERM are read by the
// event loop through a signalfd, which works only while no thread can take them: a
// helper started with them unblocked (e.g. before the loop blocked them) would receive
// one and the default action would kill the engine. The thread joins when destroyed.
template <typename F>
std::jthread BackgroundThread(F&& fn) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);  // a new thread inherits its creator's mask
  std::jthread t(std::forward<F>(fn));
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return t;
}

}  // namespace gauntlet
