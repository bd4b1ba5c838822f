// Store URIs and the store factory.
//   sqlite:///abs/path.db   an absolute SQLite file
//   sqlite:relative.db      relative to the working directory (so is a plain path)
//   postgresql://user@host:port/db   (also postgres://, postgresql+driver://)
//   http://host:port        an MLflow-compatible tracking server (see rest_store.h)
// The default is $PRODCAT_TRACKING_URI, else sqlite:///$PWD/prodcat-store/tracking.db with
// artifacts in prodcat-store/artifacts beside it.
#pragma once

#include <memory>
#include <string>

#include "prodcat/common/status.h"
#include "prodcat/tracking/sql_store.h"
#include "prodcat/tracking/store.h"

namespace prodcat::tracking {

enum class StoreKind { kSqlite, kPostgres, kRest };

struct StoreUri {
  StoreKind kind = StoreKind::kSqlite;
  std::string location;  // SQLite file path, libpq conninfo, or http(s) base URL
};

Status ParseStoreUri(const std::string& uri, StoreUri* parsed);

// $PRODCAT_TRACKING_URI or the embedded SQLite store under ./prodcat-store.
std::string DefaultTrackingUri();

// The artifact root a store uses when none is recorded or given: "<db dir>/artifacts" for
// SQLite, $PRODCAT_ARTIFACT_ROOT or ./prodcat-store/artifacts otherwise.
std::string DefaultArtifactRoot(const StoreUri& uri);

// Opens a SQL store (sqlite or postgresql URI), migrating its schema.
Status OpenSqlStore(const std::string& uri, const SqlStoreOptions& options,
                    std::unique_ptr<SqlTrackingStore>* store);

// Opens any store by URI, http(s) included.
Status OpenStore(const std::string& uri, std::unique_ptr<TrackingStore>* store);

}  // namespace prodcat::tracking
