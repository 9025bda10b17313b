#include "deploy/tcp_connect.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <memory>

namespace gauntlet::deploy {
namespace {

Status Split(const std::string& address, std::string* host, std::string* port) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size()) {
    return Error{"address '" + address + "' is not host:port"};
  }
  *host = address.substr(0, colon);
  *port = address.substr(colon + 1);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  return Ok();
}

}  // namespace

Status TcpConnect(const std::string& address, Duration timeout) {
  std::string host, port;
  if (auto s = Split(address, &host, &port); !s) return s;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return Error{"resolve " + address + ": " + gai_strerror(rc)};
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, &freeaddrinfo);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Error last{"connect " + address + ": no address"};
  for (addrinfo* ai = found; ai; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last = Error::Errno("socket", errno);
      continue;
    }
    std::unique_ptr<int, void (*)(int*)> closer(&fd, [](int* f) { close(*f); });
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) return Ok();
    if (errno != EINPROGRESS) {
      last = Error::Errno("connect " + address, errno);
      continue;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLOUT, 0};
    int n = left.count() > 0 ? poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (n == 0) return Error{"connect " + address + ": timed out"};
    if (n < 0) return Error::Errno("poll", errno);
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err == 0) return Ok();
    last = Error::Errno("connect " + address, err);
  }
  return last;
}

}  // namespace gauntlet::deploy
