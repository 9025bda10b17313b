#include "deploy/libcurl.h"

#include <dlfcn.h>

#include <string>

namespace gauntlet::deploy {
namespace {

// The soname of Debian's libcurl4 (the library libcurl4-openssl-dev builds against).
constexpr const char* kLibcurl = "libcurl.so.4";

Result<const CurlApi*> Load() {
  void* lib = dlopen(kLibcurl, RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    const char* why = dlerror();
    return Error{std::string("cannot load libcurl (needed for HTTP checks): ") +
                 (why ? why : kLibcurl)};
  }
  static CurlApi api;
  std::string missing;
  auto get = [&](auto& fn, const char* name) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
    if (fn == nullptr) missing += std::string(missing.empty() ? "" : ", ") + name;
  };
  get(api.easy_init, "curl_easy_init");
  get(api.easy_cleanup, "curl_easy_cleanup");
  get(api.easy_setopt, "curl_easy_setopt");
  get(api.easy_perform, "curl_easy_perform");
  get(api.easy_getinfo, "curl_easy_getinfo");
  get(api.easy_strerror, "curl_easy_strerror");
  get(api.easy_escape, "curl_easy_escape");
  get(api.free, "curl_free");
  get(api.slist_append, "curl_slist_append");
  get(api.slist_free_all, "curl_slist_free_all");
  get(api.multi_init, "curl_multi_init");
  get(api.multi_cleanup, "curl_multi_cleanup");
  get(api.multi_add_handle, "curl_multi_add_handle");
  get(api.multi_remove_handle, "curl_multi_remove_handle");
  get(api.multi_perform, "curl_multi_perform");
  get(api.multi_info_read, "curl_multi_info_read");
  get(api.multi_poll, "curl_multi_poll");
  if (!missing.empty()) return Error{std::string(kLibcurl) + " lacks " + missing};
  // The library stays loaded for the life of the process.
  return static_cast<const CurlApi*>(&api);
}

}  // namespace

Result<const CurlApi*> Curl() {
  static const Result<const CurlApi*> loaded = Load();
  return loaded;
}

}  // namespace gauntlet::deploy
