// Router: (method, path pattern) -> handler. Patterns are literal segments and "{name}"
// captures ("/v2/models/{name}/infer"); a trailing "{name*}" captures the rest of the path.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "prodcat/http/message.h"

namespace prodcat::http {

using Handler = std::function<void(Request&, Response&)>;

struct RouteOptions {
  size_t max_body_bytes = 1 << 20;  // larger bodies get 413 before they are read
  bool offload = false;             // run on the worker pool, off the I/O threads
};

struct Route {
  std::string method;
  std::vector<std::string> segments;  // "{x}" captures one, "{x*}" the rest
  Handler handler;
  RouteOptions options;
};

enum class MatchResult { kFound, kNotFound, kMethodNotAllowed };

class Router {
 public:
  void Add(const std::string& method, const std::string& pattern, Handler handler,
           RouteOptions options = {});
  // On kFound sets *route and fills request->path_params.
  MatchResult Match(const std::string& method, const std::string& path, const Route** route,
                    std::map<std::string, std::string>* params) const;
  // The route options for a path regardless of params (used to pick the body limit from the
  // header alone); nullptr when nothing matches.
  const Route* Find(const std::string& method, const std::string& path) const;

 private:
  std::vector<Route> routes_;  // matched in insertion order
};

}  // namespace prodcat::http
