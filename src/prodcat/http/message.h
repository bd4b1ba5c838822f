// HTTP request and response as handlers see them: plain strings, lower-cased header names,
// decoded query parameters and path parameters filled by the router.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace prodcat::http {

struct Request {
  std::string method;                                        // "GET", "POST", ...
  std::string target;                                        // raw request target
  std::string path;                                          // target without the query
  std::map<std::string, std::string> query;                  // percent-decoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::map<std::string, std::string> path_params;            // from "{name}" route segments
  std::string body;
  std::string remote;  // peer "ip:port"

  // The first header with this (lower-case) name, or nullptr.
  const std::string* Header(std::string_view lower_name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers

  void SetJson(int code, const nlohmann::json& j) {
    status = code;
    content_type = "application/json";
    body = j.dump();
  }
  void SetHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

std::string PercentDecode(std::string_view s, bool plus_as_space = true);
// Splits "a=1&b=x%20y" into a map (later duplicates win).
std::map<std::string, std::string> ParseQuery(std::string_view query);
std::string_view StatusReason(int status);

}  // namespace prodcat::http
