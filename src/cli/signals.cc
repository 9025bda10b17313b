#include "cli/signals.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "core/thread.h"

namespace gauntlet::cli {

CancelOnSignals::CancelOnSignals(std::function<void()> on_signal)
    : on_signal_(std::move(on_signal)) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal_fd_ = signalfd(-1, &set, SFD_CLOEXEC);
  stop_fd_ = eventfd(0, EFD_CLOEXEC);
  if (signal_fd_ >= 0 && stop_fd_ >= 0) thread_ = BackgroundThread([this] { Watch(); });
}

CancelOnSignals::~CancelOnSignals() {
  if (thread_.joinable()) {
    uint64_t one = 1;
    ssize_t n = write(stop_fd_, &one, sizeof(one));
    (void)n;
    thread_.join();
  }
  if (signal_fd_ >= 0) close(signal_fd_);
  if (stop_fd_ >= 0) close(stop_fd_);
}

void CancelOnSignals::Then(std::function<void()> on_signal) {
  std::lock_guard lock(mu_);
  on_signal_ = std::move(on_signal);
}

void CancelOnSignals::Watch() {
  pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  while (true) {
    if (poll(fds, 2, -1) < 0) continue;  // EINTR
    if (fds[1].revents) return;
    signalfd_siginfo info{};
    if (!(fds[0].revents & POLLIN) || read(signal_fd_, &info, sizeof(info)) != sizeof(info))
      continue;
    int expected = 0;
    signal_.compare_exchange_strong(expected, static_cast<int>(info.ssi_signo));
    std::lock_guard lock(mu_);
    if (on_signal_) on_signal_();
  }
}

}  // namespace gauntlet::cli
