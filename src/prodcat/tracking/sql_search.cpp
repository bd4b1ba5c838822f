#include "prodcat/tracking/sql_search.h"

#include <cctype>
#include <string>

#include "prodcat/tracking/entities.h"

namespace prodcat::tracking {
namespace {

struct AttributeColumn {
  const char* name;    // as written in filters, matched case-insensitively
  const char* column;  // qualified SQL column
  bool numeric;
};

// A key-value table hanging off the searched entity.
struct KeyValueTable {
  const char* table;
  const char* join;  // correlates alias `kv` with the outer row
};

bool EqualsIgnoreCase(const std::string& a, const char* b) {
  std::string bb(b);
  if (a.size() != bb.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(bb[i]))) {
      return false;
    }
  }
  return true;
}

const std::vector<AttributeColumn>& Attributes(SearchEntity entity) {
  static const std::vector<AttributeColumn> runs = {{"run_id", "r.run_uuid", false},
                                                    {"run_name", "r.name", false},
                                                    {"status", "r.status", false},
                                                    {"user_id", "r.user_id", false},
                                                    {"artifact_uri", "r.artifact_uri", false},
                                                    {"lifecycle_stage", "r.lifecycle_stage", false},
                                                    {"start_time", "r.start_time", true},
                                                    {"end_time", "r.end_time", true},
                                                    {"created", "r.start_time", true}};
  static const std::vector<AttributeColumn> experiments = {
      {"name", "e.name", false},
      {"experiment_id", "e.experiment_id", true},
      {"creation_time", "e.creation_time", true},
      {"last_update_time", "e.last_update_time", true},
      {"lifecycle_stage", "e.lifecycle_stage", false}};
  static const std::vector<AttributeColumn> models = {
      {"name", "m.name", false},
      {"creation_timestamp", "m.creation_time", true},
      {"last_updated_timestamp", "m.last_updated_time", true},
      {"timestamp", "m.last_updated_time", true},
      {"description", "m.description", false}};
  static const std::vector<AttributeColumn> versions = {
      {"name", "v.name", false},
      {"version_number", "v.version", true},
      {"version", "v.version", true},
      {"run_id", "v.run_id", false},
      {"source_path", "v.source", false},
      {"source", "v.source", false},
      {"current_stage", "v.current_stage", false},
      {"user_id", "v.user_id", false},
      {"creation_timestamp", "v.creation_time", true},
      {"last_updated_timestamp", "v.last_updated_time", true},
      {"timestamp", "v.last_updated_time", true}};
  switch (entity) {
    case SearchEntity::kRuns: return runs;
    case SearchEntity::kExperiments: return experiments;
    case SearchEntity::kRegisteredModels: return models;
    case SearchEntity::kModelVersions: return versions;
  }
  return runs;
}

const char* EntityNoun(SearchEntity entity) {
  switch (entity) {
    case SearchEntity::kRuns: return "runs";
    case SearchEntity::kExperiments: return "experiments";
    case SearchEntity::kRegisteredModels: return "registered models";
    case SearchEntity::kModelVersions: return "model versions";
  }
  return "runs";
}

std::string AttributeList(SearchEntity entity) {
  std::string out;
  for (const auto& a : Attributes(entity)) out += (out.empty() ? "" : ", ") + std::string(a.name);
  return out;
}

Status FindAttribute(SearchEntity entity, const std::string& key, const AttributeColumn** out) {
  for (const auto& a : Attributes(entity)) {
    if (EqualsIgnoreCase(key, a.name)) {
      *out = &a;
      return Status::Ok();
    }
  }
  return Status::InvalidArgument("Invalid attribute key '" + key + "' for searching " +
                                 EntityNoun(entity) + "; valid attributes are " +
                                 AttributeList(entity));
}

bool KeyValueTableFor(SearchEntity entity, FilterEntity kind, KeyValueTable* out) {
  switch (entity) {
    case SearchEntity::kRuns:
      if (kind == FilterEntity::kParam)
        *out = {"params", "kv.run_uuid = r.run_uuid"};
      else if (kind == FilterEntity::kTag)
        *out = {"tags", "kv.run_uuid = r.run_uuid"};
      else
        return false;
      return true;
    case SearchEntity::kExperiments:
      if (kind != FilterEntity::kTag) return false;
      *out = {"experiment_tags", "kv.experiment_id = e.experiment_id"};
      return true;
    case SearchEntity::kRegisteredModels:
      if (kind != FilterEntity::kTag) return false;
      *out = {"registered_model_tags", "kv.name = m.name"};
      return true;
    case SearchEntity::kModelVersions:
      if (kind != FilterEntity::kTag) return false;
      *out = {"model_version_tags", "kv.name = v.name AND kv.version = v.version"};
      return true;
  }
  return false;
}

// `column <op> value(s)` for one clause.
Status Compare(const std::string& column, bool numeric, const FilterClause& c,
               const std::string& what, SqlFragment* out) {
  if (c.op == Comparator::kIsNull || c.op == Comparator::kIsNotNull) {
    out->Append(column + (c.op == Comparator::kIsNull ? " IS NULL" : " IS NOT NULL"));
    return Status::Ok();
  }
  for (const FilterValue& v : c.values) {
    if (numeric && !v.is_number) {
      return Status::InvalidArgument("'" + what + "' is numeric; compare it with a number, not '" +
                                     v.text + "'");
    }
    if (!numeric && v.is_number) {
      return Status::InvalidArgument("'" + what + "' holds strings; quote the value: '" + v.text +
                                     "'");
    }
  }
  auto bind = [&](const FilterValue& v) {
    if (numeric) {
      out->params.emplace_back(v.number);
    } else {
      out->params.emplace_back(v.text);
    }
  };
  const char* placeholder = numeric ? "CAST(? AS DOUBLE PRECISION)" : "?";
  switch (c.op) {
    case Comparator::kEq:
    case Comparator::kNe:
    case Comparator::kGt:
    case Comparator::kGe:
    case Comparator::kLt:
    case Comparator::kLe:
      if (!numeric && c.op != Comparator::kEq && c.op != Comparator::kNe) {
        return Status::InvalidArgument(std::string("comparator '") + ComparatorText(c.op) +
                                       "' is not valid for '" + what +
                                       "'; expected one of =, !=, LIKE, ILIKE, IN, NOT IN");
      }
      out->Append(column + " " + (c.op == Comparator::kNe ? "<>" : ComparatorText(c.op)) + " " +
                  placeholder);
      bind(c.values[0]);
      return Status::Ok();
    case Comparator::kLike:
    case Comparator::kILike:
      if (numeric) {
        return Status::InvalidArgument(std::string("comparator '") + ComparatorText(c.op) +
                                       "' is not valid for numeric '" + what + "'");
      }
      out->Append(c.op == Comparator::kLike ? column + " LIKE ?"
                                            : "LOWER(" + column + ") LIKE LOWER(?)");
      bind(c.values[0]);
      return Status::Ok();
    case Comparator::kIn:
    case Comparator::kNotIn: {
      out->Append(column + (c.op == Comparator::kIn ? " IN (" : " NOT IN ("));
      for (size_t i = 0; i < c.values.size(); ++i) {
        out->Append(std::string(i ? ", " : "") + placeholder);
        bind(c.values[i]);
      }
      out->Append(")");
      return Status::Ok();
    }
    case Comparator::kIsNull:
    case Comparator::kIsNotNull: break;
  }
  return Status::Ok();
}

Status ClauseToSql(SearchEntity entity, const FilterClause& c, SqlFragment* out) {
  std::string what = std::string(FilterEntityName(c.entity)) + "." + c.key;
  switch (c.entity) {
    case FilterEntity::kAttribute: {
      const AttributeColumn* attr = nullptr;
      PRODCAT_RETURN_IF_ERROR(FindAttribute(entity, c.key, &attr));
      return Compare(attr->column, attr->numeric, c, what, out);
    }
    case FilterEntity::kMetric: {
      if (entity != SearchEntity::kRuns) break;
      out->Append(
          "EXISTS (SELECT 1 FROM latest_metrics kv WHERE kv.run_uuid = r.run_uuid AND kv.key = ? "
          "AND kv.is_nan = 0 AND ");
      out->params.emplace_back(c.key);
      PRODCAT_RETURN_IF_ERROR(Compare("kv.value", true, c, what, out));
      out->Append(")");
      return Status::Ok();
    }
    case FilterEntity::kParam:
    case FilterEntity::kTag: {
      KeyValueTable kv;
      if (!KeyValueTableFor(entity, c.entity, &kv)) break;
      std::string exists = std::string("EXISTS (SELECT 1 FROM ") + kv.table + " kv WHERE " +
                           kv.join + " AND kv.key = ?";
      out->params.emplace_back(c.key);
      if (c.op == Comparator::kIsNull || c.op == Comparator::kIsNotNull) {
        out->Append((c.op == Comparator::kIsNull ? "NOT " : "") + exists + ")");
        return Status::Ok();
      }
      out->Append(exists + " AND ");
      PRODCAT_RETURN_IF_ERROR(Compare("kv.value", false, c, what, out));
      out->Append(")");
      return Status::Ok();
    }
    case FilterEntity::kDataset: {
      if (entity != SearchEntity::kRuns) break;
      if (EqualsIgnoreCase(c.key, "context")) {
        out->Append(
            "EXISTS (SELECT 1 FROM input_tags kv WHERE kv.run_uuid = r.run_uuid AND kv.key = ? "
            "AND ");
        out->params.emplace_back(std::string(kInputTagContext));
        PRODCAT_RETURN_IF_ERROR(Compare("kv.value", false, c, what, out));
        out->Append(")");
        return Status::Ok();
      }
      const char* column = EqualsIgnoreCase(c.key, "name")     ? "d.name"
                           : EqualsIgnoreCase(c.key, "digest") ? "d.digest"
                                                               : nullptr;
      if (!column) {
        return Status::InvalidArgument("Invalid dataset key '" + c.key +
                                       "'; valid keys are name, digest, context");
      }
      out->Append(
          "EXISTS (SELECT 1 FROM run_inputs ri JOIN datasets d ON d.dataset_uuid = "
          "ri.dataset_uuid WHERE ri.run_uuid = r.run_uuid AND ");
      PRODCAT_RETURN_IF_ERROR(Compare(column, false, c, what, out));
      out->Append(")");
      return Status::Ok();
    }
  }
  return Status::InvalidArgument(std::string("Invalid filter: ") + FilterEntityName(c.entity) +
                                 " cannot be used when searching " + EntityNoun(entity));
}

const char* DefaultOrder(SearchEntity entity) {
  switch (entity) {
    case SearchEntity::kRuns: return "r.start_time DESC, r.run_uuid ASC";
    case SearchEntity::kExperiments: return "e.creation_time DESC, e.experiment_id ASC";
    case SearchEntity::kRegisteredModels: return "m.name ASC";
    case SearchEntity::kModelVersions: return "v.name ASC, v.version DESC";
  }
  return "";
}

}  // namespace

Status FilterToSql(SearchEntity entity, const std::string& filter, SqlFragment* where) {
  std::vector<FilterClause> clauses;
  PRODCAT_RETURN_IF_ERROR(ParseFilter(filter, &clauses));
  for (const FilterClause& c : clauses) {
    where->Append(" AND ");
    PRODCAT_RETURN_IF_ERROR(ClauseToSql(entity, c, where));
  }
  return Status::Ok();
}

Status OrderByToSql(SearchEntity entity, const std::vector<std::string>& order_by,
                    SqlFragment* joins, std::string* order_list) {
  order_list->clear();
  int join_count = 0;
  for (const std::string& text : order_by) {
    OrderByClause clause;
    PRODCAT_RETURN_IF_ERROR(ParseOrderBy(text, &clause));
    std::string expr, is_null;
    if (clause.entity == FilterEntity::kAttribute) {
      const AttributeColumn* attr = nullptr;
      PRODCAT_RETURN_IF_ERROR(FindAttribute(entity, clause.key, &attr)
                                  .WithContext("Invalid order_by clause '" + text + "'"));
      expr = attr->column;
      is_null = expr + " IS NULL";
    } else {
      std::string alias = "o" + std::to_string(join_count++);
      if (entity == SearchEntity::kRuns && clause.entity == FilterEntity::kMetric) {
        joins->Append(" LEFT JOIN latest_metrics " + alias + " ON " + alias +
                      ".run_uuid = r.run_uuid AND " + alias + ".key = ?");
        is_null = alias + ".value IS NULL OR " + alias + ".is_nan = 1";
      } else {
        KeyValueTable kv;
        if (!KeyValueTableFor(entity, clause.entity, &kv)) {
          return Status::InvalidArgument("Invalid order_by clause '" + text +
                                         "': " + FilterEntityName(clause.entity) +
                                         " cannot order " + EntityNoun(entity));
        }
        std::string join = kv.join;
        for (size_t pos; (pos = join.find("kv.")) != std::string::npos;) {
          join.replace(pos, 3, alias + ".");
        }
        joins->Append(std::string(" LEFT JOIN ") + kv.table + " " + alias + " ON " + join +
                      " AND " + alias + ".key = ?");
        is_null = alias + ".value IS NULL";
      }
      joins->params.emplace_back(clause.key);
      expr = alias + ".value";
    }
    // Missing values sort last in both directions, as in MLflow.
    *order_list += (order_list->empty() ? "" : ", ") + std::string("CASE WHEN ") + is_null +
                   " THEN 1 ELSE 0 END, " + expr + (clause.ascending ? " ASC" : " DESC");
  }
  *order_list += (order_list->empty() ? "" : ", ") + std::string(DefaultOrder(entity));
  return Status::Ok();
}

}  // namespace prodcat::tracking
