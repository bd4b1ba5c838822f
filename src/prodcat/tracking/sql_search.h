// Translates parsed search filters and order_by clauses into parameterized SQL for the four
// searchable entities. Each search names its table with a fixed alias (runs r, experiments e,
// registered_models m, model_versions v); a clause becomes one AND-ed condition, key-value
// entities (metrics, params, tags) become EXISTS sub-queries so a run lacking the key never
// matches, as in MLflow.
#pragma once

#include <string>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/tracking/search_filter.h"
#include "prodcat/tracking/sql_db.h"

namespace prodcat::tracking {

enum class SearchEntity { kRuns, kExperiments, kRegisteredModels, kModelVersions };

// SQL text with its parameters in text order.
struct SqlFragment {
  std::string sql;
  std::vector<SqlValue> params;

  void Append(const std::string& text) { sql += text; }
  void Append(const SqlFragment& other) {
    sql += other.sql;
    params.insert(params.end(), other.params.begin(), other.params.end());
  }
};

// " AND <condition>" per clause (empty when there are none).
Status FilterToSql(SearchEntity entity, const std::string& filter, SqlFragment* where);

// LEFT JOINs the ordering needs (`joins`) and the ORDER BY list without the keyword, ending
// with the entity's tiebreak so pages are stable.
Status OrderByToSql(SearchEntity entity, const std::vector<std::string>& order_by,
                    SqlFragment* joins, std::string* order_list);

}  // namespace prodcat::tracking
