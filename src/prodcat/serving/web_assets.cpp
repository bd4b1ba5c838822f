#include "prodcat/serving/web_assets.h"

#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "prodcat/common/file_util.h"
#include "prodcat/serving/api_error.h"

namespace prodcat::serving {
namespace fs = std::filesystem;

namespace {

constexpr char kSwaggerDir[] = "swagger-ui-dist";
constexpr char kSwaggerBundle[] = "swagger-ui-dist/swagger-ui-bundle.js";
constexpr char kRedocBundle[] = "redoc/bundles/redoc.standalone.js";

// The Swagger UI files the page uses, the only ones served under /docs/.
constexpr std::string_view kSwaggerFiles[] = {
    "swagger-ui.css",    "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
    "favicon-16x16.png", "favicon-32x32.png",    "oauth2-redirect.html",
    "oauth2-redirect.js"};

std::string ContentType(std::string_view file) {
  if (file.ends_with(".js")) return "application/javascript; charset=utf-8";
  if (file.ends_with(".css")) return "text/css; charset=utf-8";
  if (file.ends_with(".png")) return "image/png";
  if (file.ends_with(".html")) return "text/html; charset=utf-8";
  return "application/octet-stream";
}

fs::path ExecutableDir() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return {};
  return fs::path(std::string(buf, static_cast<size_t>(n))).parent_path();
}

void NotFound(std::string_view file, http::Response* response) {
  SetErrorResponse(
      ApiError::Make(404, "not_found", "no such documentation asset: " + std::string(file)),
      response);
}

}  // namespace

fs::path DefaultWebRoot() {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("PRODCAT_WEB_ROOT"); env != nullptr && *env != '\0') {
    candidates.emplace_back(env);
  }
  fs::path exe = ExecutableDir();
  if (!exe.empty()) {
    candidates.push_back(exe / ".." / "web" / "node_modules");
    candidates.push_back(exe / ".." / "share" / "prodcat" / "web" / "node_modules");
  }
#ifdef PRODCAT_BUILD_WEB_ROOT
  candidates.emplace_back(PRODCAT_BUILD_WEB_ROOT);
#endif
#ifdef PRODCAT_SOURCE_WEB_ROOT
  candidates.emplace_back(PRODCAT_SOURCE_WEB_ROOT);
#endif
  std::error_code ec;
  for (const fs::path& c : candidates) {
    if (fs::exists(c / kSwaggerBundle, ec) || fs::exists(c / kRedocBundle, ec)) {
      return c.lexically_normal();
    }
  }
  return candidates.empty() ? fs::path("web/node_modules") : candidates.front().lexically_normal();
}

WebAssets::WebAssets(fs::path root) : root_(std::move(root)) {}

bool WebAssets::Available(const std::string& rel) const {
  std::error_code ec;
  return fs::is_regular_file(root_ / rel, ec);
}

void WebAssets::ServeFile(const std::string& rel, const char* what,
                          http::Response* response) const {
  std::shared_ptr<const std::string> bytes;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = cache_.find(rel);
    if (it != cache_.end()) bytes = it->second;
  }
  if (!bytes) {
    std::string contents;
    Status s = ReadFile(root_ / rel, &contents);
    if (!s.ok()) {
      SetErrorResponse(
          ApiError::Make(503, "docs_unavailable",
                         std::string(what) +
                             " assets are not installed: " + (root_ / rel).string() +
                             " is missing. Run `npm ci` in web/ (the build does this when npm is "
                             "available) or pass --web-root DIR (a node_modules directory)."),
          response);
      return;
    }
    bytes = std::make_shared<const std::string>(std::move(contents));
    std::lock_guard<std::mutex> lock(mutex_);
    cache_.emplace(rel, bytes);
  }
  response->status = 200;
  response->content_type = ContentType(rel);
  response->body = *bytes;
  response->SetHeader("Cache-Control", "public, max-age=3600");
}

void WebAssets::SwaggerUiPage(http::Response* response) const {
  if (!Available(kSwaggerBundle)) return ServeFile(kSwaggerBundle, "Swagger UI", response);
  response->status = 200;
  response->content_type = "text/html; charset=utf-8";
  response->body = R"html(<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>prodcat inference API - Swagger UI</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script>
    window.onload = function () {
      window.ui = SwaggerUIBundle({
        url: "/openapi.json",
        dom_id: "#swagger-ui",
        deepLinking: true,
        presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
        layout: "StandaloneLayout"
      });
    };
  </script>
</body>
</html>
)html";
}

void WebAssets::RedocPage(http::Response* response) const {
  if (!Available(kRedocBundle)) return ServeFile(kRedocBundle, "ReDoc", response);
  response->status = 200;
  response->content_type = "text/html; charset=utf-8";
  response->body = R"html(<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>prodcat inference API - ReDoc</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
</head>
<body>
  <redoc spec-url="/openapi.json"></redoc>
  <script src="/redoc/redoc.standalone.js"></script>
</body>
</html>
)html";
}

void WebAssets::SwaggerUiFile(std::string_view file, http::Response* response) const {
  for (std::string_view allowed : kSwaggerFiles) {
    if (file == allowed) {
      return ServeFile(std::string(kSwaggerDir) + "/" + std::string(file), "Swagger UI", response);
    }
  }
  NotFound(file, response);
}

void WebAssets::RedocFile(std::string_view file, http::Response* response) const {
  if (file == "redoc.standalone.js") return ServeFile(kRedocBundle, "ReDoc", response);
  NotFound(file, response);
}

}  // namespace prodcat::serving
