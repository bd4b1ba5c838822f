#include "prodcat/http/router.h"

namespace prodcat::http {
namespace {

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = path.find('/', i);
    if (i < path.size())
      out.push_back(path.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) break;
    i = j;
  }
  return out;
}

bool MatchSegments(const Route& r, const std::vector<std::string>& parts,
                   std::map<std::string, std::string>* params) {
  size_t n = r.segments.size();
  for (size_t i = 0; i < n; ++i) {
    const std::string& seg = r.segments[i];
    bool capture = seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
    if (capture && seg[seg.size() - 2] == '*') {
      if (i >= parts.size()) return false;
      std::string rest;
      for (size_t k = i; k < parts.size(); ++k) rest += (k > i ? "/" : "") + parts[k];
      if (params) (*params)[seg.substr(1, seg.size() - 3)] = rest;
      return true;
    }
    if (i >= parts.size()) return false;
    if (capture) {
      if (params) (*params)[seg.substr(1, seg.size() - 2)] = PercentDecode(parts[i], false);
    } else if (seg != parts[i]) {
      return false;
    }
  }
  return n == parts.size();
}

}  // namespace

void Router::Add(const std::string& method, const std::string& pattern, Handler handler,
                 RouteOptions options) {
  routes_.push_back(Route{method, Split(pattern), std::move(handler), options});
}

MatchResult Router::Match(const std::string& method, const std::string& path, const Route** route,
                          std::map<std::string, std::string>* params) const {
  std::vector<std::string> parts = Split(path);
  bool path_matched = false;
  for (const auto& r : routes_) {
    std::map<std::string, std::string> captured;
    if (!MatchSegments(r, parts, &captured)) continue;
    path_matched = true;
    if (r.method == method || (method == "HEAD" && r.method == "GET")) {
      *route = &r;
      *params = std::move(captured);
      return MatchResult::kFound;
    }
  }
  return path_matched ? MatchResult::kMethodNotAllowed : MatchResult::kNotFound;
}

const Route* Router::Find(const std::string& method, const std::string& path) const {
  const Route* r = nullptr;
  std::map<std::string, std::string> params;
  return Match(method, path, &r, &params) == MatchResult::kFound ? r : nullptr;
}

}  // namespace prodcat::http
