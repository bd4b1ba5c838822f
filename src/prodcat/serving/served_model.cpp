#include "prodcat/serving/served_model.h"

#include <ctime>

namespace prodcat::serving {

std::string ModelVersion(const nlohmann::json& manifest, std::string_view manifest_sha256) {
  auto version = manifest.find("version");
  if (version != manifest.end()) {
    if (version->is_string() && !version->get<std::string>().empty()) {
      return version->get<std::string>();
    }
    if (version->is_number_integer()) return std::to_string(version->get<int64_t>());
  }
  auto fingerprint = manifest.find("data_fingerprint");
  if (fingerprint != manifest.end() && fingerprint->is_string() &&
      fingerprint->get<std::string>().size() >= 12) {
    return fingerprint->get<std::string>().substr(0, 12);
  }
  return std::string(manifest_sha256.substr(0, 12));
}

std::string UtcNowIso8601() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

}  // namespace prodcat::serving
