#include "spec/hash_files.h"

#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>

#include "core/glob.h"

namespace gauntlet::spec {
namespace {

namespace fs = std::filesystem;

struct DigestFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Digest = std::unique_ptr<EVP_MD_CTX, DigestFree>;

Digest NewSha256() {
  Digest d(EVP_MD_CTX_new());
  if (d) EVP_DigestInit_ex(d.get(), EVP_sha256(), nullptr);
  return d;
}

Result<std::string> FileDigest(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"hashFiles(): cannot read " + path.string()};
  Digest d = NewSha256();
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0)
    EVP_DigestUpdate(d.get(), buf, static_cast<size_t>(in.gcount()));
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(d.get(), out, &n);
  return std::string(reinterpret_cast<char*>(out), n);
}

}  // namespace

Result<std::string> HashFiles(const std::string& root, const std::vector<std::string>& patterns) {
  Result<GlobSet> set = GlobSet::Compile(patterns);
  if (!set.ok()) return Error{"hashFiles(): " + set.error().message};
  std::vector<std::string> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_directory(ec)) {
      std::string rel = fs::relative(it->path(), root, ec).generic_string();
      if (name == ".git" || name == ".gauntlet" || !set->CouldMatchUnder(rel))
        it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    std::string rel = fs::relative(it->path(), root, ec).generic_string();
    if (set->Matches(rel)) files.push_back(std::move(rel));
  }
  if (files.empty()) return std::string();
  std::sort(files.begin(), files.end());
  Digest all = NewSha256();
  for (const std::string& f : files) {
    Result<std::string> digest = FileDigest(fs::path(root) / f);
    if (!digest.ok()) return digest.error();
    EVP_DigestUpdate(all.get(), digest->data(), digest->size());
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(all.get(), out, &n);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < n; ++i) {
    hex += kHex[out[i] >> 4];
    hex += kHex[out[i] & 15];
  }
  return hex;
}

}  // namespace gauntlet::spec
