// Versioned schema migrations for the SQL stores. The `schema_version` table has one row per
// applied step; opening a store applies the missing steps in order inside one write transaction
// (PostgreSQL also takes an advisory lock), so a store written by an older prodcat opens in a
// newer one and concurrent openers never apply a step twice.
#pragma once

#include "prodcat/common/status.h"
#include "prodcat/tracking/sql_db.h"

namespace prodcat::tracking {

// The newest schema version this build knows.
int LatestSchemaVersion();

// Applies every step up to `target_version` (default: the latest). Fails when the store was
// written by a newer prodcat than this one.
Status MigrateSchema(SqlDb& db, int target_version = 0);

// 0 for an empty database.
Status CurrentSchemaVersion(SqlDb& db, int* version);

}  // namespace prodcat::tracking
