// The floor for running trivial jobs: spawn N `/bin/sh -c true` with posix_spawn, at
// most J at a time, reaping with wait4. No logs, no bookkeeping: what any engine pays.
// Usage: spawn_floor N J   (prints the wall time in milliseconds)
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

extern char** environ;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: spawn_floor N J\n");
    return 2;
  }
  const int n = std::atoi(argv[1]);
  const int j = std::atoi(argv[2]);
  char sh[] = "/bin/sh", c[] = "-c", t[] = "true";
  char* args[] = {sh, c, t, nullptr};
  auto start = std::chrono::steady_clock::now();
  int started = 0, running = 0;
  while (started < n || running > 0) {
    while (started < n && running < j) {
      pid_t pid;
      if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, args, environ) != 0) return 1;
      ++started;
      ++running;
    }
    int status;
    if (wait(&status) > 0) --running;
  }
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
  std::printf("%.1f\n", ms.count());
  return 0;
}
