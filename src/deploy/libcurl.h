// libcurl, loaded on first use. Only deploys (health checks, the traffic probe, metric
// providers) and notifications speak HTTP; linking libcurl into the binary would make every gauntlet
// command load its ~30 shared libraries (TLS, HTTP/2, IDN, LDAP, Kerberos, ...) at start:
// ~3 ms of dynamic linking per process, measured (docs/performance.md). The functions
// are the library's own, looked up by name in libcurl.so.4.
#pragma once

#include <curl/curl.h>

#include "core/result.h"

namespace gauntlet::deploy {

struct CurlApi {
  CURL* (*easy_init)();
  void (*easy_cleanup)(CURL*);
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  const char* (*easy_strerror)(CURLcode);
  char* (*easy_escape)(CURL*, const char*, int);
  void (*free)(void*);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
  CURLM* (*multi_init)();
  CURLMcode (*multi_cleanup)(CURLM*);
  CURLMcode (*multi_add_handle)(CURLM*, CURL*);
  CURLMcode (*multi_remove_handle)(CURLM*, CURL*);
  CURLMcode (*multi_perform)(CURLM*, int*);
  CURLMsg* (*multi_info_read)(CURLM*, int*);
  CURLMcode (*multi_poll)(CURLM*, curl_waitfd*, unsigned int, int, int*);
};

// The loaded library (once per process, thread-safe), or why it cannot be loaded.
Result<const CurlApi*> Curl();

}  // namespace gauntlet::deploy
