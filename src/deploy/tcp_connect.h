// A TCP connect with a deadline: the `tcp` health check, and readiness waits in tests.
#pragma once

#include <string>

#include "core/duration.h"
#include "core/result.h"

namespace gauntlet::deploy {

// Connects to "host:port" (IPv4/IPv6 "[::1]:80" or a name) and closes at once.
Status TcpConnect(const std::string& address, Duration timeout);

}  // namespace gauntlet::deploy
