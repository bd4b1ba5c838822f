#include "prodcat/tracking/store_uri.h"

#include <cstdlib>
#include <filesystem>

#include "prodcat/tracking/rest_store.h"

namespace prodcat::tracking {
namespace {

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

Status ParseStoreUri(const std::string& uri, StoreUri* parsed) {
  if (uri.empty()) return Status::InvalidArgument("empty tracking URI");
  if (StartsWith(uri, "http://") || StartsWith(uri, "https://")) {
    parsed->kind = StoreKind::kRest;
    parsed->location = uri;
    while (parsed->location.size() > 8 && parsed->location.back() == '/') {
      parsed->location.pop_back();
    }
    return Status::Ok();
  }
  if (StartsWith(uri, "postgresql") || StartsWith(uri, "postgres:")) {
    size_t scheme_end = uri.find("://");
    if (scheme_end == std::string::npos) {
      return Status::InvalidArgument("invalid PostgreSQL URI '" + uri +
                                     "': expected postgresql://user@host:port/database");
    }
    // SQLAlchemy-style "postgresql+psycopg2://" names a Python driver; libpq needs the bare scheme.
    parsed->kind = StoreKind::kPostgres;
    parsed->location = "postgresql" + uri.substr(scheme_end);
    return Status::Ok();
  }
  if (StartsWith(uri, "sqlite:")) {
    std::string rest = uri.substr(7);
    std::string path;
    if (StartsWith(rest, "///")) {
      path = rest.substr(2);  // "sqlite:///abs" -> "/abs"; "sqlite:////abs" -> "//abs"
      while (StartsWith(path, "//")) path.erase(0, 1);
    } else if (StartsWith(rest, "//")) {
      return Status::InvalidArgument("invalid SQLite URI '" + uri +
                                     "': use sqlite:///absolute/path.db or sqlite:relative.db");
    } else {
      path = rest;
    }
    if (path.empty() || path == "/") {
      return Status::InvalidArgument("invalid SQLite URI '" + uri + "': no file name");
    }
    parsed->kind = StoreKind::kSqlite;
    parsed->location = path;
    return Status::Ok();
  }
  if (uri.find("://") != std::string::npos) {
    return Status::InvalidArgument("unsupported tracking URI '" + uri +
                                   "': expected sqlite:///path.db, postgresql://user@host:port/db "
                                   "or http://host:port");
  }
  parsed->kind = StoreKind::kSqlite;
  parsed->location = uri;
  return Status::Ok();
}

std::string DefaultTrackingUri() {
  const char* env = std::getenv("PRODCAT_TRACKING_URI");
  if (env && *env) return env;
  std::error_code ec;
  std::filesystem::path cwd = std::filesystem::current_path(ec);
  return "sqlite://" + (cwd / "prodcat-store" / "tracking.db").string();
}

std::string DefaultArtifactRoot(const StoreUri& uri) {
  const char* env = std::getenv("PRODCAT_ARTIFACT_ROOT");
  if (env && *env) return env;
  std::error_code ec;
  if (uri.kind == StoreKind::kSqlite) {
    std::filesystem::path db = std::filesystem::absolute(uri.location, ec);
    return (db.parent_path() / "artifacts").string();
  }
  return (std::filesystem::current_path(ec) / "prodcat-store" / "artifacts").string();
}

Status OpenSqlStore(const std::string& uri, const SqlStoreOptions& options,
                    std::unique_ptr<SqlTrackingStore>* store) {
  StoreUri parsed;
  PRODCAT_RETURN_IF_ERROR(ParseStoreUri(uri, &parsed));
  SqlTrackingStore::Connector connect;
  if (parsed.kind == StoreKind::kSqlite) {
    std::string path = parsed.location;
    int timeout = options.busy_timeout_ms;
    connect = [path, timeout](std::unique_ptr<SqlDb>* db) {
      return OpenSqliteDb(path, timeout, db);
    };
  } else if (parsed.kind == StoreKind::kPostgres) {
    std::string conninfo = parsed.location;
    connect = [conninfo](std::unique_ptr<SqlDb>* db) { return OpenPostgresDb(conninfo, db); };
  } else {
    return Status::InvalidArgument("'" + uri + "' is not a database URI (sqlite or postgresql)");
  }
  return SqlTrackingStore::Open(std::move(connect), options, DefaultArtifactRoot(parsed), store)
      .WithContext("opening tracking store " + (parsed.kind == StoreKind::kSqlite
                                                    ? parsed.location
                                                    : std::string("(postgresql)")));
}

Status OpenStore(const std::string& uri, std::unique_ptr<TrackingStore>* store) {
  StoreUri parsed;
  PRODCAT_RETURN_IF_ERROR(ParseStoreUri(uri, &parsed));
  if (parsed.kind == StoreKind::kRest) {
    std::unique_ptr<RestTrackingStore> rest;
    PRODCAT_RETURN_IF_ERROR(RestTrackingStore::Open(parsed.location, &rest));
    *store = std::move(rest);
    return Status::Ok();
  }
  std::unique_ptr<SqlTrackingStore> sql;
  PRODCAT_RETURN_IF_ERROR(OpenSqlStore(uri, SqlStoreOptions{}, &sql));
  *store = std::move(sql);
  return Status::Ok();
}

}  // namespace prodcat::tracking
