// libgit2's one-time initialisation, started early on another thread.
//
// git_libgit2_init() costs 10-20 ms here: Debian's libgit2 is built with mbedTLS, whose
// start parses the whole system CA bundle (/etc/ssl/certs/ca-certificates.crt, 220 KB),
// and nothing at run time turns that off. A cached `gauntlet run` costs about 150 ms for
// 1,000 jobs, so this alone was ~10% of it. Started while the pipeline file is read and
// the store opened, it costs no wall time; the first real use of libgit2 waits for it
// (a function-local static: thread-safe initialisation).
#pragma once

#include <thread>

namespace gauntlet::vcs {

class Libgit2WarmUp {
 public:
  Libgit2WarmUp();
  ~Libgit2WarmUp();  // joins: the process never exits with the start half done
  Libgit2WarmUp(const Libgit2WarmUp&) = delete;
  Libgit2WarmUp& operator=(const Libgit2WarmUp&) = delete;

 private:
  std::thread thread_;
};

}  // namespace gauntlet::vcs
