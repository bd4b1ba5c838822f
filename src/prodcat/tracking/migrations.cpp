#include "prodcat/tracking/migrations.h"

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace prodcat::tracking {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "{ID}" is an auto-assigned integer primary key in either dialect.
std::string ForDialect(std::string sql, SqlDialect dialect) {
  const std::string id =
      dialect == SqlDialect::kSqlite ? "INTEGER PRIMARY KEY" : "BIGSERIAL PRIMARY KEY";
  for (size_t pos; (pos = sql.find("{ID}")) != std::string::npos;) sql.replace(pos, 4, id);
  return sql;
}

Status ApplyCoreTracking(SqlDb& db) {
  PRODCAT_RETURN_IF_ERROR(db.ExecuteScript(ForDialect(R"sql(
CREATE TABLE experiments (
  experiment_id {ID},
  name TEXT NOT NULL UNIQUE,
  artifact_location TEXT NOT NULL,
  lifecycle_stage TEXT NOT NULL DEFAULT 'active',
  creation_time BIGINT NOT NULL,
  last_update_time BIGINT NOT NULL
);
CREATE TABLE experiment_tags (
  experiment_id BIGINT NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (experiment_id, key)
);
CREATE TABLE runs (
  run_uuid TEXT PRIMARY KEY,
  experiment_id BIGINT NOT NULL REFERENCES experiments (experiment_id),
  name TEXT NOT NULL DEFAULT '',
  user_id TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  start_time BIGINT NOT NULL,
  end_time BIGINT,
  lifecycle_stage TEXT NOT NULL DEFAULT 'active',
  artifact_uri TEXT NOT NULL DEFAULT '',
  deleted_time BIGINT
);
CREATE TABLE params (
  run_uuid TEXT NOT NULL REFERENCES runs (run_uuid) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_uuid, key)
);
CREATE TABLE tags (
  run_uuid TEXT NOT NULL REFERENCES runs (run_uuid) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_uuid, key)
);
CREATE TABLE metrics (
  run_uuid TEXT NOT NULL REFERENCES runs (run_uuid) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  timestamp_ms BIGINT NOT NULL,
  step BIGINT NOT NULL,
  is_nan INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_uuid, key, timestamp_ms, step, value, is_nan)
);
CREATE TABLE latest_metrics (
  run_uuid TEXT NOT NULL REFERENCES runs (run_uuid) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  timestamp_ms BIGINT NOT NULL,
  step BIGINT NOT NULL,
  is_nan INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_uuid, key)
);
)sql",
                                                      db.dialect())));
  // Experiment 0 "Default" exists from the start, as in MLflow.
  int64_t now = NowMs();
  return db.Execute(
      "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, "
      "creation_time, last_update_time) VALUES (?, ?, ?, ?, ?, ?)",
      {int64_t{0}, std::string("Default"), std::string("mlflow-artifacts:/0"),
       std::string("active"), now, now});
}

Status ApplyInputsAndArtifacts(SqlDb& db) {
  return db.ExecuteScript(ForDialect(R"sql(
CREATE TABLE datasets (
  dataset_uuid TEXT PRIMARY KEY,
  experiment_id BIGINT NOT NULL REFERENCES experiments (experiment_id),
  name TEXT NOT NULL,
  digest TEXT NOT NULL,
  dataset_source_type TEXT NOT NULL DEFAULT '',
  dataset_source TEXT NOT NULL DEFAULT '',
  dataset_schema TEXT NOT NULL DEFAULT '',
  dataset_profile TEXT NOT NULL DEFAULT '',
  UNIQUE (experiment_id, name, digest)
);
CREATE TABLE run_inputs (
  run_uuid TEXT NOT NULL REFERENCES runs (run_uuid) ON DELETE CASCADE,
  dataset_uuid TEXT NOT NULL REFERENCES datasets (dataset_uuid),
  PRIMARY KEY (run_uuid, dataset_uuid)
);
CREATE TABLE input_tags (
  run_uuid TEXT NOT NULL,
  dataset_uuid TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_uuid, dataset_uuid, key),
  FOREIGN KEY (run_uuid, dataset_uuid) REFERENCES run_inputs (run_uuid, dataset_uuid)
    ON DELETE CASCADE
);
CREATE TABLE artifacts (
  path TEXT PRIMARY KEY,
  run_uuid TEXT NOT NULL DEFAULT '',
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  updated_time BIGINT NOT NULL
);
CREATE TABLE store_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql",
                                     db.dialect()));
}

Status ApplyRegistry(SqlDb& db) {
  return db.ExecuteScript(ForDialect(R"sql(
CREATE TABLE registered_models (
  name TEXT PRIMARY KEY,
  creation_time BIGINT NOT NULL,
  last_updated_time BIGINT NOT NULL,
  description TEXT NOT NULL DEFAULT ''
);
CREATE TABLE registered_model_tags (
  name TEXT NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (name, key)
);
CREATE TABLE model_versions (
  name TEXT NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
  version BIGINT NOT NULL,
  creation_time BIGINT NOT NULL,
  last_updated_time BIGINT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  user_id TEXT NOT NULL DEFAULT '',
  current_stage TEXT NOT NULL DEFAULT 'None',
  source TEXT NOT NULL,
  run_id TEXT NOT NULL DEFAULT '',
  run_link TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'READY',
  status_message TEXT NOT NULL DEFAULT '',
  deleted INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (name, version)
);
CREATE TABLE model_version_tags (
  name TEXT NOT NULL,
  version BIGINT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (name, version, key),
  FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
    ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE TABLE registered_model_aliases (
  name TEXT NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
  alias TEXT NOT NULL,
  version BIGINT NOT NULL,
  PRIMARY KEY (name, alias)
);
CREATE TABLE stage_transitions (
  transition_id {ID},
  name TEXT NOT NULL,
  version BIGINT NOT NULL,
  from_stage TEXT NOT NULL,
  to_stage TEXT NOT NULL,
  user_id TEXT NOT NULL,
  timestamp_ms BIGINT NOT NULL,
  comment TEXT NOT NULL DEFAULT ''
);
)sql",
                                     db.dialect()));
}

Status ApplySearchIndexes(SqlDb& db) {
  return db.ExecuteScript(R"sql(
CREATE INDEX idx_runs_experiment_start ON runs (experiment_id, start_time);
CREATE INDEX idx_model_versions_run ON model_versions (run_id);
CREATE INDEX idx_stage_transitions_model ON stage_transitions (name, version);
CREATE INDEX idx_artifacts_run ON artifacts (run_uuid);
)sql");
}

struct Migration {
  int version;
  const char* description;
  Status (*apply)(SqlDb&);
};

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> steps = {
      {1, "experiments, runs, params, tags, metrics", ApplyCoreTracking},
      {2, "dataset inputs, artifact digests, store settings", ApplyInputsAndArtifacts},
      {3, "model registry", ApplyRegistry},
      {4, "search indexes", ApplySearchIndexes},
  };
  return steps;
}

Status ReadVersion(SqlDb& db, int* version) {
  std::vector<SqlRow> rows;
  PRODCAT_RETURN_IF_ERROR(
      db.Query("SELECT COALESCE(MAX(version), 0) FROM schema_version", {}, &rows));
  *version = rows.empty() ? 0 : static_cast<int>(rows[0].Int(0));
  return Status::Ok();
}

Status MigrateOnce(SqlDb& db, int target, bool* retryable) {
  *retryable = false;
  if (Status s = db.Begin(/*write=*/true); !s.ok()) {
    *retryable = db.LastErrorRetryable();
    return s;
  }
  auto body = [&]() -> Status {
    if (db.dialect() == SqlDialect::kPostgres) {
      // Serializes concurrent openers; released at commit. The number is arbitrary but fixed.
      PRODCAT_RETURN_IF_ERROR(db.Execute("SELECT pg_advisory_xact_lock(7270010101)"));
    }
    PRODCAT_RETURN_IF_ERROR(
        db.ExecuteScript("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                         "description TEXT NOT NULL, applied_time BIGINT NOT NULL)"));
    int current = 0;
    PRODCAT_RETURN_IF_ERROR(ReadVersion(db, &current));
    if (current > LatestSchemaVersion()) {
      return Status::FailedPrecondition(
          "the tracking store has schema version " + std::to_string(current) +
          ", newer than this prodcat understands (" + std::to_string(LatestSchemaVersion()) +
          "); upgrade prodcat to use it");
    }
    for (const Migration& m : Migrations()) {
      if (m.version <= current || m.version > target) continue;
      PRODCAT_RETURN_IF_ERROR(m.apply(db).WithContext(
          "schema migration " + std::to_string(m.version) + " (" + m.description + ")"));
      PRODCAT_RETURN_IF_ERROR(db.Execute(
          "INSERT INTO schema_version (version, description, applied_time) VALUES (?, ?, ?)",
          {int64_t{m.version}, std::string(m.description), NowMs()}));
    }
    return Status::Ok();
  };
  Status s = body();
  if (!s.ok()) {
    *retryable = db.LastErrorRetryable();
    (void)db.Rollback();
    return s;
  }
  s = db.Commit();
  *retryable = !s.ok() && db.LastErrorRetryable();
  return s;
}

}  // namespace

int LatestSchemaVersion() {
  return Migrations().back().version;
}

Status CurrentSchemaVersion(SqlDb& db, int* version) {
  std::vector<SqlRow> rows;
  *version = 0;
  // The table may not exist yet; an empty database is version 0.
  Status s = db.Query("SELECT COALESCE(MAX(version), 0) FROM schema_version", {}, &rows);
  if (s.ok() && !rows.empty()) *version = static_cast<int>(rows[0].Int(0));
  return Status::Ok();
}

Status MigrateSchema(SqlDb& db, int target_version) {
  int target = target_version > 0 ? target_version : LatestSchemaVersion();
  Status s;
  for (int attempt = 0; attempt < 20; ++attempt) {
    bool retryable = false;
    s = MigrateOnce(db, target, &retryable);
    if (s.ok() || !retryable) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(50 * (attempt + 1)));
  }
  return s;
}

}  // namespace prodcat::tracking
