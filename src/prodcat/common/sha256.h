// SHA-256 digests (OpenSSL) for bundle manifests, artifacts and data fingerprints.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "prodcat/common/status.h"

namespace prodcat {

std::string Sha256Hex(std::string_view bytes);
Status Sha256File(const std::filesystem::path& path, std::string* hex);

// Incremental digest for streams (e.g. fingerprinting rows as they are read).
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void Update(std::string_view bytes);
  std::string FinishHex();

 private:
  void* ctx_;  // EVP_MD_CTX*, owned; valid until FinishHex or destruction
};

}  // namespace prodcat
