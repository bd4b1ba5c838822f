// Helpers shared by the SQL store's tracking and registry halves (not a public interface).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/tracking/entities.h"
#include "prodcat/tracking/sql_db.h"

namespace prodcat::tracking::sql_internal {

int64_t NowMs();
// A random (version 4) UUID as 32 lower-case hex digits, MLflow's run id format.
std::string NewUuidHex();

// Resolves the page size: 0 -> default, above `limit` -> error naming the limit.
Status ResolveMaxResults(int64_t requested, int64_t default_value, int64_t limit,
                         int64_t* max_results);

// Names of metrics, params and tags: non-empty, at most 250 characters, letters, digits and
// _ - . / space only, and no ".." path component (they become file names in MLflow).
Status ValidateKey(const char* what, const std::string& key);

// Splits `ids` into chunks small enough for one IN list.
std::vector<std::vector<std::string>> Chunks(const std::vector<std::string>& ids,
                                             size_t size = 500);

// Converts a unique-constraint failure from the database into kAlreadyExists with `message`.
Status MapUniqueViolation(const Status& s, const std::string& message);

}  // namespace prodcat::tracking::sql_internal
