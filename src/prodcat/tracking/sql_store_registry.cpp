// The SQL store's model registry: registered models, versions, stages, aliases, tags and the
// stage transition history.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "prodcat/tracking/page_token.h"
#include "prodcat/tracking/sql_search.h"
#include "prodcat/tracking/sql_store.h"
#include "prodcat/tracking/sql_store_internal.h"

namespace prodcat::tracking {

using sql_internal::MapUniqueViolation;
using sql_internal::NowMs;
using sql_internal::ResolveMaxResults;
using sql_internal::ValidateKey;

namespace {

constexpr const char* kVersionColumns =
    "v.name, v.version, v.creation_time, v.last_updated_time, v.description, v.user_id, "
    "v.current_stage, v.source, v.run_id, v.run_link, v.status, v.status_message";

Status ValidateModelName(const std::string& name) {
  if (name.empty()) return Status::InvalidArgument("Registered model name cannot be empty.");
  if (name.size() > 256) {
    return Status::InvalidArgument("Registered model name '" + name.substr(0, 40) +
                                   "...' is longer than 256 characters");
  }
  return Status::Ok();
}

Status ValidateAlias(const std::string& alias) {
  if (alias.empty()) return Status::InvalidArgument("Registered model alias cannot be empty.");
  std::string lower = alias;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool version_like = lower.size() > 1 && lower[0] == 'v' &&
                      std::all_of(lower.begin() + 1, lower.end(), [](char c) {
                        return std::isdigit(static_cast<unsigned char>(c));
                      });
  if (lower == "latest" || version_like) {
    return Status::InvalidArgument("'" + alias +
                                   "' is reserved and cannot be used as an alias: it would be "
                                   "confused with a version ('latest', 'v1', 'V2', ...)");
  }
  return ValidateKey("alias", alias);
}

ModelVersion VersionFromRow(const SqlRow& row) {
  ModelVersion v;
  v.name = row.Text(0);
  v.version = row.Int(1);
  v.creation_timestamp = row.Int(2);
  v.last_updated_timestamp = row.Int(3);
  v.description = row.Text(4);
  v.user_id = row.Text(5);
  v.current_stage = row.Text(6);
  v.source = row.Text(7);
  v.run_id = row.Text(8);
  v.run_link = row.Text(9);
  v.status = row.Text(10);
  v.status_message = row.Text(11);
  return v;
}

// Fills tags and aliases of `versions` in bulk.
Status LoadVersionDetails(SqlDb& db, std::vector<ModelVersion>* versions) {
  if (versions->empty()) return Status::Ok();
  std::set<std::string> names;
  std::map<std::pair<std::string, int64_t>, ModelVersion*> by_key;
  for (ModelVersion& v : *versions) {
    names.insert(v.name);
    by_key[{v.name, v.version}] = &v;
  }
  std::vector<SqlValue> params(names.begin(), names.end());
  std::string in = "(";  // built by appends: GCC 12 warns falsely on "(" + string&&
  in += Placeholders(params.size());
  in += ")";
  std::vector<SqlRow> rows;
  PRODCAT_RETURN_IF_ERROR(
      db.Query("SELECT name, version, key, value FROM model_version_tags WHERE name IN " + in +
                   " ORDER BY key",
               params, &rows));
  for (const SqlRow& row : rows) {
    auto it = by_key.find({row.Text(0), row.Int(1)});
    if (it != by_key.end()) it->second->tags.push_back({row.Text(2), row.Text(3)});
  }
  PRODCAT_RETURN_IF_ERROR(
      db.Query("SELECT name, version, alias FROM registered_model_aliases "
               "WHERE name IN " +
                   in + " ORDER BY alias",
               params, &rows));
  for (const SqlRow& row : rows) {
    auto it = by_key.find({row.Text(0), row.Int(1)});
    if (it != by_key.end()) it->second->aliases.push_back(row.Text(2));
  }
  return Status::Ok();
}

Status LoadVersion(SqlDb& db, const std::string& name, int64_t version, ModelVersion* out) {
  std::vector<SqlRow> rows;
  PRODCAT_RETURN_IF_ERROR(db.Query(std::string("SELECT ") + kVersionColumns +
                                       " FROM model_versions v WHERE v.name = ? AND v.version = ? "
                                       "AND v.deleted = 0",
                                   {name, version}, &rows));
  if (rows.empty()) {
    return Status::NotFound("Model Version (name=" + name + ", version=" + std::to_string(version) +
                            ") not found");
  }
  std::vector<ModelVersion> one = {VersionFromRow(rows[0])};
  PRODCAT_RETURN_IF_ERROR(LoadVersionDetails(db, &one));
  *out = std::move(one[0]);
  return Status::Ok();
}

// Fills tags, aliases and latest versions per stage of `models` in bulk.
Status LoadModelDetails(SqlDb& db, std::vector<RegisteredModel>* models) {
  if (models->empty()) return Status::Ok();
  std::map<std::string, RegisteredModel*> by_name;
  std::vector<SqlValue> params;
  for (RegisteredModel& m : *models) {
    by_name[m.name] = &m;
    params.emplace_back(m.name);
  }
  std::string in = "(";  // built by appends: GCC 12 warns falsely on "(" + string&&
  in += Placeholders(params.size());
  in += ")";
  std::vector<SqlRow> rows;
  PRODCAT_RETURN_IF_ERROR(db.Query(
      "SELECT name, key, value FROM registered_model_tags WHERE name IN " + in + " ORDER BY key",
      params, &rows));
  for (const SqlRow& row : rows) by_name[row.Text(0)]->tags.push_back({row.Text(1), row.Text(2)});
  PRODCAT_RETURN_IF_ERROR(
      db.Query("SELECT name, alias, version FROM registered_model_aliases "
               "WHERE name IN " +
                   in + " ORDER BY alias",
               params, &rows));
  for (const SqlRow& row : rows) {
    by_name[row.Text(0)]->aliases.push_back({row.Text(1), row.Int(2)});
  }
  PRODCAT_RETURN_IF_ERROR(db.Query(
      std::string("SELECT ") + kVersionColumns + " FROM model_versions v WHERE v.name IN " + in +
          " AND v.deleted = 0 AND v.version = (SELECT MAX(w.version) FROM model_versions w WHERE "
          "w.name = v.name AND w.current_stage = v.current_stage AND w.deleted = 0) ORDER BY "
          "v.version",
      params, &rows));
  std::vector<ModelVersion> latest;
  for (const SqlRow& row : rows) latest.push_back(VersionFromRow(row));
  PRODCAT_RETURN_IF_ERROR(LoadVersionDetails(db, &latest));
  for (ModelVersion& v : latest) by_name[v.name]->latest_versions.push_back(std::move(v));
  return Status::Ok();
}

Status LoadModel(SqlDb& db, const std::string& name, RegisteredModel* out) {
  std::vector<SqlRow> rows;
  PRODCAT_RETURN_IF_ERROR(db.Query(
      "SELECT name, creation_time, last_updated_time, description FROM registered_models WHERE "
      "name = ?",
      {name}, &rows));
  if (rows.empty()) return Status::NotFound("Registered Model with name=" + name + " not found");
  std::vector<RegisteredModel> one(1);
  one[0].name = rows[0].Text(0);
  one[0].creation_timestamp = rows[0].Int(1);
  one[0].last_updated_timestamp = rows[0].Int(2);
  one[0].description = rows[0].Text(3);
  PRODCAT_RETURN_IF_ERROR(LoadModelDetails(db, &one));
  *out = std::move(one[0]);
  return Status::Ok();
}

Status RequireModel(SqlDb& db, const std::string& name) {
  std::vector<SqlRow> rows;
  PRODCAT_RETURN_IF_ERROR(
      db.Query("SELECT 1 FROM registered_models WHERE name = ?", {name}, &rows));
  if (rows.empty()) return Status::NotFound("Registered Model with name=" + name + " not found");
  return Status::Ok();
}

Status RecordTransition(SqlDb& db, const StageTransition& t) {
  return db.Execute(
      "INSERT INTO stage_transitions (name, version, from_stage, to_stage, user_id, "
      "timestamp_ms, comment) VALUES (?, ?, ?, ?, ?, ?, ?)",
      {t.name, t.version, t.from_stage, t.to_stage, t.user, t.timestamp, t.comment});
}

}  // namespace

Status SqlTrackingStore::CreateRegisteredModel(const std::string& name,
                                               const std::vector<KeyValue>& tags,
                                               const std::string& description,
                                               RegisteredModel* model) {
  PRODCAT_RETURN_IF_ERROR(ValidateModelName(name));
  for (const KeyValue& t : tags) PRODCAT_RETURN_IF_ERROR(ValidateKey("tag", t.key));
  return Transact(true, [&](SqlDb& db) -> Status {
    int64_t now = NowMs();
    Status s = db.Execute(
        "INSERT INTO registered_models (name, creation_time, last_updated_time, description) "
        "VALUES (?, ?, ?, ?)",
        {name, now, now, description});
    PRODCAT_RETURN_IF_ERROR(
        MapUniqueViolation(s, "Registered Model (name=" + name + ") already exists."));
    for (const KeyValue& t : tags) {
      PRODCAT_RETURN_IF_ERROR(db.Execute(
          "INSERT INTO registered_model_tags (name, key, value) VALUES (?, ?, ?) ON CONFLICT "
          "(name, key) DO UPDATE SET value = excluded.value",
          {name, t.key, t.value}));
    }
    return LoadModel(db, name, model);
  });
}

Status SqlTrackingStore::GetRegisteredModel(const std::string& name, RegisteredModel* model) {
  return Transact(false, [&](SqlDb& db) { return LoadModel(db, name, model); });
}

Status SqlTrackingStore::RenameRegisteredModel(const std::string& name, const std::string& new_name,
                                               RegisteredModel* model) {
  PRODCAT_RETURN_IF_ERROR(ValidateModelName(new_name));
  return Transact(true, [&](SqlDb& db) -> Status {
    PRODCAT_RETURN_IF_ERROR(RequireModel(db, name));
    Status s =
        db.Execute("UPDATE registered_models SET name = ?, last_updated_time = ? WHERE name = ?",
                   {new_name, NowMs(), name});
    PRODCAT_RETURN_IF_ERROR(
        MapUniqueViolation(s, "Registered Model (name=" + new_name + ") already exists."));
    // Versions, tags and aliases follow by ON UPDATE CASCADE; the audit trail is renamed too.
    PRODCAT_RETURN_IF_ERROR(
        db.Execute("UPDATE stage_transitions SET name = ? WHERE name = ?", {new_name, name}));
    return LoadModel(db, new_name, model);
  });
}

Status SqlTrackingStore::UpdateRegisteredModel(const std::string& name,
                                               const std::string& description,
                                               RegisteredModel* model) {
  return Transact(true, [&](SqlDb& db) -> Status {
    PRODCAT_RETURN_IF_ERROR(RequireModel(db, name));
    PRODCAT_RETURN_IF_ERROR(db.Execute(
        "UPDATE registered_models SET description = ?, last_updated_time = ? WHERE name = ?",
        {description, NowMs(), name}));
    return LoadModel(db, name, model);
  });
}

Status SqlTrackingStore::DeleteRegisteredModel(const std::string& name) {
  return Transact(true, [&](SqlDb& db) -> Status {
    PRODCAT_RETURN_IF_ERROR(RequireModel(db, name));
    return db.Execute("DELETE FROM registered_models WHERE name = ?", {name});
  });
}

Status SqlTrackingStore::SearchRegisteredModels(const SearchQuery& query,
                                                Page<RegisteredModel>* page) {
  int64_t max_results = 0, offset = 0;
  PRODCAT_RETURN_IF_ERROR(ResolveMaxResults(query.max_results, 100, 1000, &max_results));
  PRODCAT_RETURN_IF_ERROR(DecodePageToken(query.page_token, &offset));
  SqlFragment where, joins;
  PRODCAT_RETURN_IF_ERROR(FilterToSql(SearchEntity::kRegisteredModels, query.filter, &where));
  std::string order;
  PRODCAT_RETURN_IF_ERROR(
      OrderByToSql(SearchEntity::kRegisteredModels, query.order_by, &joins, &order));
  SqlFragment sql;
  sql.Append(
      "SELECT m.name, m.creation_time, m.last_updated_time, m.description FROM registered_models "
      "m");
  sql.Append(joins);
  sql.Append(" WHERE 1 = 1");
  sql.Append(where);
  sql.Append(" ORDER BY " + order + " LIMIT ? OFFSET ?");
  sql.params.insert(sql.params.end(), {max_results + 1, offset});
  return Transact(false, [&](SqlDb& db) -> Status {
    std::vector<SqlRow> rows;
    PRODCAT_RETURN_IF_ERROR(db.Query(sql.sql, sql.params, &rows));
    page->items.clear();
    page->next_page_token.clear();
    for (size_t i = 0; i < rows.size() && static_cast<int64_t>(i) < max_results; ++i) {
      RegisteredModel m;
      m.name = rows[i].Text(0);
      m.creation_timestamp = rows[i].Int(1);
      m.last_updated_timestamp = rows[i].Int(2);
      m.description = rows[i].Text(3);
      page->items.push_back(std::move(m));
    }
    if (static_cast<int64_t>(rows.size()) > max_results) {
      page->next_page_token = EncodePageToken(offset + max_results);
    }
    return LoadModelDetails(db, &page->items);
  });
}

Status SqlTrackingStore::GetLatestVersions(const std::string& name,
                                           const std::vector<std::string>& stages,
                                           std::vector<ModelVersion>* versions) {
  std::vector<std::string> wanted;
  for (const std::string& s : stages) {
    ModelStage stage;
    PRODCAT_RETURN_IF_ERROR(ParseModelStage(s, &stage));
    wanted.push_back(ModelStageName(stage));
  }
  return Transact(false, [&](SqlDb& db) -> Status {
    RegisteredModel model;
    PRODCAT_RETURN_IF_ERROR(LoadModel(db, name, &model));
    versions->clear();
    for (ModelVersion& v : model.latest_versions) {
      if (wanted.empty() ||
          std::find(wanted.begin(), wanted.end(), v.current_stage) != wanted.end()) {
        versions->push_back(std::move(v));
      }
    }
    return Status::Ok();
  });
}

Status SqlTrackingStore::SetRegisteredModelTag(const std::string& name, const std::string& key,
                                               const std::string& value) {
  PRODCAT_RETURN_IF_ERROR(ValidateKey("tag", key));
  return Transact(true, [&](SqlDb& db) -> Status {
    PRODCAT_RETURN_IF_ERROR(RequireModel(db, name));
    return db.Execute(
        "INSERT INTO registered_model_tags (name, key, value) VALUES (?, ?, ?) ON CONFLICT "
        "(name, key) DO UPDATE SET value = excluded.value",
        {name, key, value});
  });
}

Status SqlTrackingStore::DeleteRegisteredModelTag(const std::string& name, const std::string& key) {
  return Transact(true, [&](SqlDb& db) -> Status {
    PRODCAT_RETURN_IF_ERROR(RequireModel(db, name));
    return db.Execute("DELETE FROM registered_model_tags WHERE name = ? AND key = ?", {name, key});
  });
}

Status SqlTrackingStore::SetRegisteredModelAlias(const std::string& name, const std::string& alias,
                                                 int64_t version) {
  PRODCAT_RETURN_IF_ERROR(ValidateAlias(alias));
  return Transact(true, [&](SqlDb& db) -> Status {
    ModelVersion v;
    PRODCAT_RETURN_IF_ERROR(LoadVersion(db, name, version, &v));
    return db.Execute(
        "INSERT INTO registered_model_aliases (name, alias, version) VALUES (?, ?, ?) ON "
        "CONFLICT (name, alias) DO UPDATE SET version = excluded.version",
        {name, alias, version});
  });
}

Status SqlTrackingStore::DeleteRegisteredModelAlias(const std::string& name,
                                                    const std::string& alias) {
  return Transact(true, [&](SqlDb& db) -> Status {
    PRODCAT_RETURN_IF_ERROR(RequireModel(db, name));
    return db.Execute("DELETE FROM registered_model_aliases WHERE name = ? AND alias = ?",
                      {name, alias});
  });
}

Status SqlTrackingStore::GetModelVersionByAlias(const std::string& name, const std::string& alias,
                                                ModelVersion* version) {
  return Transact(false, [&](SqlDb& db) -> Status {
    PRODCAT_RETURN_IF_ERROR(RequireModel(db, name));
    std::vector<SqlRow> rows;
    PRODCAT_RETURN_IF_ERROR(
        db.Query("SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?",
                 {name, alias}, &rows));
    if (rows.empty()) {
      return Status::NotFound("Registered model alias " + alias + " not found for model " + name);
    }
    return LoadVersion(db, name, rows[0].Int(0), version);
  });
}

Status SqlTrackingStore::CreateModelVersion(const CreateModelVersionRequest& request,
                                            ModelVersion* version) {
  PRODCAT_RETURN_IF_ERROR(ValidateModelName(request.name));
  if (request.source.empty()) {
    return Status::InvalidArgument("Missing value for required parameter 'source'.");
  }
  for (const KeyValue& t : request.tags) PRODCAT_RETURN_IF_ERROR(ValidateKey("tag", t.key));
  return Transact(true, [&](SqlDb& db) -> Status {
    int64_t now = NowMs(), touched = 0;
    // Updating the model row first also locks it (PostgreSQL), so concurrent registrations of
    // one model get consecutive numbers.
    PRODCAT_RETURN_IF_ERROR(
        db.Execute("UPDATE registered_models SET last_updated_time = ? WHERE name = ?",
                   {now, request.name}, &touched));
    if (touched == 0) {
      return Status::NotFound("Registered Model with name=" + request.name + " not found");
    }
    std::vector<SqlRow> rows;
    PRODCAT_RETURN_IF_ERROR(
        db.Query("SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE name = ?",
                 {request.name}, &rows));
    int64_t number = rows.at(0).Int(0);
    PRODCAT_RETURN_IF_ERROR(db.Execute(
        "INSERT INTO model_versions (name, version, creation_time, last_updated_time, "
        "description, user_id, current_stage, source, run_id, run_link, status) VALUES (?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?)",
        {request.name, number, now, now, request.description, request.user_id, std::string("None"),
         request.source, request.run_id, request.run_link, std::string(kModelVersionReady)}));
    for (const KeyValue& t : request.tags) {
      PRODCAT_RETURN_IF_ERROR(db.Execute(
          "INSERT INTO model_version_tags (name, version, key, value) VALUES (?, ?, ?, ?) ON "
          "CONFLICT (name, version, key) DO UPDATE SET value = excluded.value",
          {request.name, number, t.key, t.value}));
    }
    return LoadVersion(db, request.name, number, version);
  });
}

Status SqlTrackingStore::GetModelVersion(const std::string& name, int64_t version,
                                         ModelVersion* model_version) {
  return Transact(false, [&](SqlDb& db) { return LoadVersion(db, name, version, model_version); });
}

Status SqlTrackingStore::UpdateModelVersion(const std::string& name, int64_t version,
                                            const std::string& description,
                                            ModelVersion* model_version) {
  return Transact(true, [&](SqlDb& db) -> Status {
    ModelVersion current;
    PRODCAT_RETURN_IF_ERROR(LoadVersion(db, name, version, &current));
    PRODCAT_RETURN_IF_ERROR(db.Execute(
        "UPDATE model_versions SET description = ?, last_updated_time = ? WHERE name = ? AND "
        "version = ?",
        {description, NowMs(), name, version}));
    return LoadVersion(db, name, version, model_version);
  });
}

Status SqlTrackingStore::DeleteModelVersion(const std::string& name, int64_t version) {
  return Transact(true, [&](SqlDb& db) -> Status {
    ModelVersion current;
    PRODCAT_RETURN_IF_ERROR(LoadVersion(db, name, version, &current));
    // The row stays (marked deleted) so its number is never handed out again.
    PRODCAT_RETURN_IF_ERROR(
        db.Execute("UPDATE model_versions SET deleted = 1, current_stage = 'Deleted_Internal', "
                   "last_updated_time = ? WHERE name = ? AND version = ?",
                   {NowMs(), name, version}));
    PRODCAT_RETURN_IF_ERROR(db.Execute(
        "DELETE FROM model_version_tags WHERE name = ? AND version = ?", {name, version}));
    return db.Execute("DELETE FROM registered_model_aliases WHERE name = ? AND version = ?",
                      {name, version});
  });
}

Status SqlTrackingStore::SearchModelVersions(const SearchQuery& query, Page<ModelVersion>* page) {
  int64_t max_results = 0, offset = 0;
  PRODCAT_RETURN_IF_ERROR(ResolveMaxResults(query.max_results, 10000, 200000, &max_results));
  PRODCAT_RETURN_IF_ERROR(DecodePageToken(query.page_token, &offset));
  SqlFragment where, joins;
  PRODCAT_RETURN_IF_ERROR(FilterToSql(SearchEntity::kModelVersions, query.filter, &where));
  std::string order;
  PRODCAT_RETURN_IF_ERROR(
      OrderByToSql(SearchEntity::kModelVersions, query.order_by, &joins, &order));
  SqlFragment sql;
  sql.Append(std::string("SELECT ") + kVersionColumns + " FROM model_versions v");
  sql.Append(joins);
  sql.Append(" WHERE v.deleted = 0");
  sql.Append(where);
  sql.Append(" ORDER BY " + order + " LIMIT ? OFFSET ?");
  sql.params.insert(sql.params.end(), {max_results + 1, offset});
  return Transact(false, [&](SqlDb& db) -> Status {
    std::vector<SqlRow> rows;
    PRODCAT_RETURN_IF_ERROR(db.Query(sql.sql, sql.params, &rows));
    page->items.clear();
    page->next_page_token.clear();
    for (size_t i = 0; i < rows.size() && static_cast<int64_t>(i) < max_results; ++i) {
      page->items.push_back(VersionFromRow(rows[i]));
    }
    if (static_cast<int64_t>(rows.size()) > max_results) {
      page->next_page_token = EncodePageToken(offset + max_results);
    }
    return LoadVersionDetails(db, &page->items);
  });
}

Status SqlTrackingStore::TransitionModelVersionStage(const TransitionRequest& request,
                                                     ModelVersion* model_version) {
  ModelStage stage;
  PRODCAT_RETURN_IF_ERROR(ParseModelStage(request.stage, &stage));
  std::string to = ModelStageName(stage);
  if (request.archive_existing_versions && stage != ModelStage::kStaging &&
      stage != ModelStage::kProduction) {
    return Status::InvalidArgument(
        "Model version transition cannot archive existing model versions because '" + to +
        "' is not an Active stage. Valid stages are Staging, Production.");
  }
  return Transact(true, [&](SqlDb& db) -> Status {
    ModelVersion current;
    PRODCAT_RETURN_IF_ERROR(LoadVersion(db, request.name, request.version, &current));
    int64_t now = NowMs();
    std::string user = request.user.empty() ? "unknown" : request.user;
    PRODCAT_RETURN_IF_ERROR(db.Execute(
        "UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE name = ? AND "
        "version = ?",
        {to, now, request.name, request.version}));
    PRODCAT_RETURN_IF_ERROR(RecordTransition(
        db,
        {request.name, request.version, current.current_stage, to, user, now, request.comment}));
    if (request.archive_existing_versions) {
      std::vector<SqlRow> rows;
      PRODCAT_RETURN_IF_ERROR(db.Query(
          "SELECT version FROM model_versions WHERE name = ? AND current_stage = ? AND version "
          "<> ? AND deleted = 0 ORDER BY version",
          {request.name, to, request.version}, &rows));
      for (const SqlRow& row : rows) {
        int64_t other = row.Int(0);
        PRODCAT_RETURN_IF_ERROR(db.Execute(
            "UPDATE model_versions SET current_stage = 'Archived', last_updated_time = ? WHERE "
            "name = ? AND version = ?",
            {now, request.name, other}));
        PRODCAT_RETURN_IF_ERROR(RecordTransition(
            db, {request.name, other, to, "Archived", user, now,
                 "archived: version " + std::to_string(request.version) + " moved to " + to}));
      }
    }
    PRODCAT_RETURN_IF_ERROR(db.Execute(
        "UPDATE registered_models SET last_updated_time = ? WHERE name = ?", {now, request.name}));
    return LoadVersion(db, request.name, request.version, model_version);
  });
}

Status SqlTrackingStore::GetModelVersionDownloadUri(const std::string& name, int64_t version,
                                                    std::string* artifact_uri) {
  ModelVersion v;
  PRODCAT_RETURN_IF_ERROR(GetModelVersion(name, version, &v));
  *artifact_uri = v.source;
  return Status::Ok();
}

Status SqlTrackingStore::SetModelVersionTag(const std::string& name, int64_t version,
                                            const std::string& key, const std::string& value) {
  PRODCAT_RETURN_IF_ERROR(ValidateKey("tag", key));
  return Transact(true, [&](SqlDb& db) -> Status {
    ModelVersion current;
    PRODCAT_RETURN_IF_ERROR(LoadVersion(db, name, version, &current));
    return db.Execute(
        "INSERT INTO model_version_tags (name, version, key, value) VALUES (?, ?, ?, ?) ON "
        "CONFLICT (name, version, key) DO UPDATE SET value = excluded.value",
        {name, version, key, value});
  });
}

Status SqlTrackingStore::DeleteModelVersionTag(const std::string& name, int64_t version,
                                               const std::string& key) {
  return Transact(true, [&](SqlDb& db) -> Status {
    ModelVersion current;
    PRODCAT_RETURN_IF_ERROR(LoadVersion(db, name, version, &current));
    return db.Execute("DELETE FROM model_version_tags WHERE name = ? AND version = ? AND key = ?",
                      {name, version, key});
  });
}

Status SqlTrackingStore::ListStageTransitions(const std::string& name, int64_t version,
                                              std::vector<StageTransition>* transitions) {
  return Transact(false, [&](SqlDb& db) -> Status {
    std::vector<SqlRow> rows;
    std::string sql =
        "SELECT name, version, from_stage, to_stage, user_id, timestamp_ms, comment FROM "
        "stage_transitions WHERE name = ?";
    std::vector<SqlValue> params = {name};
    if (version > 0) {
      sql += " AND version = ?";
      params.emplace_back(version);
    }
    PRODCAT_RETURN_IF_ERROR(db.Query(sql + " ORDER BY timestamp_ms, transition_id", params, &rows));
    transitions->clear();
    for (const SqlRow& row : rows) {
      transitions->push_back({row.Text(0), row.Int(1), row.Text(2), row.Text(3), row.Text(4),
                              row.Int(5), row.Text(6)});
    }
    return Status::Ok();
  });
}

}  // namespace prodcat::tracking
