// WebAssets: the interactive API docs, /docs (Swagger UI) and /redoc (ReDoc), served from the
// npm packages swagger-ui-dist and redoc installed at build time (never a CDN). Only a fixed list
// of files is served, so no request path reaches the file system. Files are read once and
// cached. Missing assets give a 503 JSON error naming the file and the fix.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "prodcat/http/message.h"

namespace prodcat::serving {

// Where the npm packages are looked for when --web-root is not given: $PRODCAT_WEB_ROOT, then
// <executable dir>/../web/node_modules (the build tree), <executable dir>/../share/prodcat/web/
// node_modules (an install), the build tree and source tree this binary was built from. The
// first with swagger-ui-dist or redoc wins; with none, the first candidate (for the error).
std::filesystem::path DefaultWebRoot();

class WebAssets {
 public:
  // `root`: the node_modules directory holding swagger-ui-dist/ and redoc/.
  explicit WebAssets(std::filesystem::path root);

  // The HTML pages, pointing at /openapi.json.
  void SwaggerUiPage(http::Response* response) const;
  void RedocPage(http::Response* response) const;
  // GET /docs/{file} (a Swagger UI file) and /redoc/{file} (the ReDoc bundle).
  void SwaggerUiFile(std::string_view file, http::Response* response) const;
  void RedocFile(std::string_view file, http::Response* response) const;

  const std::filesystem::path& root() const { return root_; }

 private:
  // Serves root_/rel from the cache (reading it on first use); 503 when missing.
  void ServeFile(const std::string& rel, const char* what, http::Response* response) const;
  bool Available(const std::string& rel) const;

  std::filesystem::path root_;  // the node_modules directory
  mutable std::mutex mutex_;    // guards cache_
  mutable std::map<std::string, std::shared_ptr<const std::string>> cache_;  // rel -> bytes
};

}  // namespace prodcat::serving
