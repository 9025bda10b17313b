// Against a real nginx (Debian package `nginx`), started by the test on loopback.
#include "deploy/nginx_router.h"

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "deploy/exec_command.h"
#include "deploy/testing.h"

namespace gauntlet::deploy {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

bool HaveNginx() { return access("/usr/sbin/nginx", X_OK) == 0; }

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

size_t Append(char* d, size_t s, size_t n, void* out) {
  static_cast<std::string*>(out)->append(d, s * n);
  return s * n;
}

// One GET: the body ("version N") or "" on any failure (transport or non-200).
std::string Get(CURL* curl, const std::string& url) {
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  long status = 0;
  if (curl_easy_perform(curl) != CURLE_OK) return "";
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  return status == 200 ? body : "";
}

class DeployNginx : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveNginx()) GTEST_SKIP() << "nginx is not installed (scripts/install-deps)";
    v1_ = testing::StartTestApp(&app1_, {"--version", "1"});
    v2_ = testing::StartTestApp(&app2_, {"--version", "2"});
    ASSERT_FALSE(v1_.empty());
    ASSERT_FALSE(v2_.empty());
    const std::string& d = dir_.path();
    int port = testing::FreePort();
    ASSERT_GT(port, 0);
    listen_ = "127.0.0.1:" + std::to_string(port);
    std::ofstream(d + "/nginx.conf")
        << (geteuid() == 0 ? "user root;\n" : "") << "worker_processes 1;\n"
        << "pid " << d << "/nginx.pid;\nerror_log " << d << "/error.log;\n"
        << "events { worker_connections 512; }\n"
        << "http {\n  access_log off;\n"
        << "  client_body_temp_path " << d << "/body; proxy_temp_path " << d << "/proxy;\n"
        << "  fastcgi_temp_path " << d << "/fcgi; uwsgi_temp_path " << d << "/uwsgi;\n"
        << "  scgi_temp_path " << d << "/scgi;\n"
        << "  include " << d << "/upstream.conf;\n"
        << "  server { listen " << listen_ << "; location / { proxy_pass http://app; } }\n}\n";
    options_.upstream_file = d + "/upstream.conf";
    options_.upstream_name = "app";
    options_.nginx = {"/usr/sbin/nginx", "-p", d, "-e", d + "/error.log", "-c", d + "/nginx.conf"};
    // The first routing is written before nginx starts (its config includes the file).
    ASSERT_EQ(RenderUpstream("app", {{"v1", v1_, 100}}).empty(), false);
    std::ofstream(options_.upstream_file) << RenderUpstream("app", {{"v1", v1_, 100}});
    std::vector<std::string> argv = options_.nginx;
    argv.insert(argv.end(), {"-g", "daemon off;"});
    ASSERT_TRUE(nginx_.Start(argv, d + "/stderr.log"));
    ASSERT_TRUE(testing::WaitForPort(listen_, seconds(10))) << ReadAll(d + "/error.log");
  }

  // `n` requests, each on a new connection (so each goes to a current worker).
  std::map<std::string, int> Sample(int n) {
    std::map<std::string, int> seen;
    for (int i = 0; i < n; ++i) {
      CURL* curl = curl_easy_init();
      curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
      ++seen[Get(curl, "http://" + listen_ + "/")];
      curl_easy_cleanup(curl);
    }
    return seen;
  }

  // Samples until `ok` holds (the reload is asynchronous), with a deadline.
  template <typename Pred>
  bool SampleUntil(Pred ok, std::map<std::string, int>* last) {
    auto end = std::chrono::steady_clock::now() + seconds(10);
    while (std::chrono::steady_clock::now() < end) {
      *last = Sample(100);
      if (ok(*last)) return true;
    }
    return false;
  }

  testing::TempDir dir_;
  testing::Child app1_, app2_, nginx_;
  std::string v1_, v2_, listen_;
  NginxRouterOptions options_;
};

TEST_F(DeployNginx, ShiftsWeightsWithZeroFailedRequests) {
  // A client looping through nginx on one keep-alive handle for the whole test.
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::thread client([&] {
    CURL* curl = curl_easy_init();
    for (int i = 0; i < 200000 && !stop; ++i) {
      (Get(curl, "http://" + listen_ + "/").empty() ? failed : ok)++;
    }
    curl_easy_cleanup(curl);
  });

  NginxRouter router(options_, ExecCommand);
  std::map<std::string, int> seen;
  ASSERT_TRUE(router.SetWeights({{"v1", v1_, 100}, {"v2", v2_, 0}}));
  EXPECT_TRUE(SampleUntil([](auto& s) { return s["version 1\n"] == 100; }, &seen));

  ASSERT_TRUE(router.SetWeights({{"v1", v1_, 50}, {"v2", v2_, 50}}));
  EXPECT_TRUE(SampleUntil(
      [](auto& s) { return s["version 1\n"] >= 35 && s["version 2\n"] >= 35 && s[""] == 0; },
      &seen))
      << seen["version 1\n"] << "/" << seen["version 2\n"];

  ASSERT_TRUE(router.SetWeights({{"v1", v1_, 0}, {"v2", v2_, 100}}));
  EXPECT_TRUE(SampleUntil([](auto& s) { return s["version 2\n"] == 100; }, &seen));

  stop = true;
  client.join();
  EXPECT_GT(ok.load(), 0);
  EXPECT_EQ(failed.load(), 0) << "requests failed during the weight shifts";
  EXPECT_EQ(ReadAll(options_.upstream_file).find("server " + v1_), std::string::npos);
  std::printf("client: %d requests through nginx during the shifts\n", ok.load());
}

TEST_F(DeployNginx, RejectedConfigRestoresPreviousFile) {
  NginxRouter router(options_, ExecCommand);
  ASSERT_TRUE(router.SetWeights({{"v1", v1_, 100}, {"v2", v2_, 0}}));
  std::string good = ReadAll(options_.upstream_file);
  // Valid for gauntlet, rejected by nginx: the port is out of range.
  Status s = router.SetWeights({{"v1", v1_, 50}, {"v2", "127.0.0.1:99999", 50}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("nginx -t failed"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("port"), std::string::npos) << s.error().message;
  EXPECT_EQ(ReadAll(options_.upstream_file), good);
  // And traffic still flows to v1.
  std::map<std::string, int> seen = Sample(20);
  EXPECT_EQ(seen["version 1\n"], 20);
}

}  // namespace
}  // namespace gauntlet::deploy
