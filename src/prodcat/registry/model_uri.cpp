#include "prodcat/registry/model_uri.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "prodcat/tracking/tracking_client.h"

namespace prodcat::registry {
namespace fs = std::filesystem;
using tracking::ModelVersion;
using tracking::TrackingClient;
using tracking::TrackingStore;

namespace {

Status BadUri(const std::string& uri) {
  return Status::InvalidArgument("invalid model URI '" + uri +
                                 "': expected models:/NAME/VERSION, models:/NAME/STAGE, "
                                 "models:/NAME/latest or models:/NAME@ALIAS");
}

fs::path ModelCacheDir() {
  if (const char* env = std::getenv("PRODCAT_MODEL_CACHE"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    return fs::path(xdg) / "prodcat" / "models";
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    return fs::path(home) / ".cache" / "prodcat" / "models";
  }
  return fs::temp_directory_path() / "prodcat-models";
}

}  // namespace

bool IsModelUri(const std::string& uri) {
  return uri.rfind("models:/", 0) == 0;
}

Status ParseModelUri(const std::string& uri, ModelUri* parsed) {
  if (!IsModelUri(uri)) return BadUri(uri);
  std::string rest = uri.substr(8);
  while (!rest.empty() && rest.front() == '/') rest.erase(0, 1);
  *parsed = ModelUri();
  size_t at = rest.find('@');
  size_t slash = rest.find('/');
  if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
    parsed->name = rest.substr(0, at);
    parsed->alias = rest.substr(at + 1);
    if (parsed->name.empty() || parsed->alias.empty() ||
        parsed->alias.find('/') != std::string::npos) {
      return BadUri(uri);
    }
    return Status::Ok();
  }
  if (slash == std::string::npos) return BadUri(uri);
  parsed->name = rest.substr(0, slash);
  std::string selector = rest.substr(slash + 1);
  if (parsed->name.empty() || selector.empty() || selector.find('/') != std::string::npos) {
    return BadUri(uri);
  }
  bool digits = std::all_of(selector.begin(), selector.end(),
                            [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  if (digits) {
    parsed->version = std::stoll(selector);
    if (parsed->version <= 0) return BadUri(uri);
    return Status::Ok();
  }
  std::string lower = selector;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "latest") {
    parsed->stage = "latest";
    return Status::Ok();
  }
  tracking::ModelStage stage;
  PRODCAT_RETURN_IF_ERROR(
      tracking::ParseModelStage(selector, &stage).WithContext("model URI '" + uri + "'"));
  parsed->stage = tracking::ModelStageName(stage);
  return Status::Ok();
}

Status FindModelVersion(TrackingStore& store, const ModelUri& uri, ModelVersion* version) {
  if (uri.version > 0) return store.GetModelVersion(uri.name, uri.version, version);
  if (!uri.alias.empty()) return store.GetModelVersionByAlias(uri.name, uri.alias, version);
  std::vector<ModelVersion> latest;
  std::vector<std::string> stages;
  if (uri.stage != "latest") stages.push_back(uri.stage);
  PRODCAT_RETURN_IF_ERROR(store.GetLatestVersions(uri.name, stages, &latest));
  const ModelVersion* best = nullptr;
  for (const ModelVersion& v : latest) {
    if (!best || v.version > best->version) best = &v;
  }
  if (!best) {
    return Status::NotFound("registered model '" + uri.name + "' has no version" +
                            (uri.stage == "latest" ? "" : " in stage " + uri.stage));
  }
  *version = *best;
  return Status::Ok();
}

Status ResolveModelUri(const std::string& uri_or_dir, const std::string& tracking_uri,
                       std::string* local_dir) {
  std::error_code ec;
  bool is_runs = uri_or_dir.rfind("runs:/", 0) == 0;
  if (!IsModelUri(uri_or_dir) && !is_runs) {
    if (!fs::is_directory(uri_or_dir, ec)) {
      return Status::NotFound("model directory '" + uri_or_dir + "' does not exist");
    }
    *local_dir = uri_or_dir;
    return Status::Ok();
  }
  std::unique_ptr<TrackingClient> client;
  PRODCAT_RETURN_IF_ERROR(TrackingClient::Open(tracking_uri, &client));
  std::string source = uri_or_dir;
  fs::path cache = ModelCacheDir();
  if (!is_runs) {
    ModelUri parsed;
    PRODCAT_RETURN_IF_ERROR(ParseModelUri(uri_or_dir, &parsed));
    ModelVersion version;
    PRODCAT_RETURN_IF_ERROR(
        FindModelVersion(client->store(), parsed, &version).WithContext("resolving " + uri_or_dir));
    source = version.source;
    // One cache entry per (name, version): a version's artifacts never change.
    cache = cache / version.name / std::to_string(version.version);
  } else {
    std::string key = uri_or_dir.substr(6);
    for (char& c : key) {
      if (c == '/') c = '_';
    }
    cache = cache / "runs" / key;
  }
  if (client->remote() && fs::is_directory(cache, ec)) {
    *local_dir = cache.string();
    return Status::Ok();
  }
  fs::path local;
  PRODCAT_RETURN_IF_ERROR(client->LocalArtifactDir(source, cache, &local)
                              .WithContext("fetching the artifacts of " + uri_or_dir));
  if (!fs::is_directory(local, ec)) {
    return Status::NotFound(uri_or_dir + " resolves to '" + local.string() +
                            "', which is not a directory");
  }
  *local_dir = local.string();
  return Status::Ok();
}

}  // namespace prodcat::registry
