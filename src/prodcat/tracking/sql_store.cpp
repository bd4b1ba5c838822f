// The SQL store's connection handling, experiments and runs (registry: sql_store_registry.cpp).
#include "prodcat/tracking/sql_store.h"

#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "prodcat/tracking/migrations.h"
#include "prodcat/tracking/page_token.h"
#include "prodcat/tracking/sql_search.h"
#include "prodcat/tracking/sql_store_internal.h"

namespace prodcat::tracking {

namespace sql_internal {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string NewUuidHex() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    std::random_device rd;
    for (unsigned char& b : bytes) b = static_cast<unsigned char>(rd());
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static const char* kHex = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 0x0f];
  }
  return out;
}

Status ResolveMaxResults(int64_t requested, int64_t default_value, int64_t limit,
                         int64_t* max_results) {
  if (requested < 0) {
    return Status::InvalidArgument("Invalid value " + std::to_string(requested) +
                                   " for parameter 'max_results': it must be positive");
  }
  if (requested > limit) {
    return Status::InvalidArgument("Invalid value " + std::to_string(requested) +
                                   " for parameter 'max_results' supplied. It must be at most " +
                                   std::to_string(limit));
  }
  *max_results = requested == 0 ? default_value : requested;
  return Status::Ok();
}

Status ValidateKey(const char* what, const std::string& key) {
  if (key.empty()) return Status::InvalidArgument(std::string(what) + " name must not be empty");
  if (key.size() > 250) {
    return Status::InvalidArgument(std::string(what) + " name '" + key.substr(0, 40) +
                                   "...' is longer than 250 characters");
  }
  for (char c : key) {
    unsigned char u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '_' || c == '-' || c == '.' || c == '/' || c == ' ')) {
      return Status::InvalidArgument(
          std::string("Invalid ") + what + " name: '" + key +
          "'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), "
          "spaces ( ), and slashes (/).");
    }
  }
  std::string padded = "/" + key + "/";
  if (padded.find("/../") != std::string::npos || padded.find("/./") != std::string::npos ||
      key.front() == '/') {
    return Status::InvalidArgument(std::string("Invalid ") + what + " name: '" + key +
                                   "'. Names may be treated as files in certain cases, and must "
                                   "not resolve to other names when treated as such.");
  }
  return Status::Ok();
}

std::vector<std::vector<std::string>> Chunks(const std::vector<std::string>& ids, size_t size) {
  std::vector<std::vector<std::string>> out;
  for (size_t i = 0; i < ids.size(); i += size) {
    out.emplace_back(ids.begin() + static_cast<std::ptrdiff_t>(i),
                     ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), i + size)));
  }
  return out;
}

Status MapUniqueViolation(const Status& s, const std::string& message) {
  if (s.code() == StatusCode::kAlreadyExists) return Status::AlreadyExists(message);
  return s;
}

}  // namespace sql_internal

using namespace sql_internal;  // NOLINT: this file implements them

namespace {

constexpr int kMaxTransactionAttempts = 50;
constexpr const char* kRunColumns =
    "r.run_uuid, r.experiment_id, r.name, r.user_id, r.status, r.start_time, r.end_time, "
    "r.lifecycle_stage, r.artifact_uri";
constexpr const char* kExperimentColumns =
    "e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage, e.creation_time, "
    "e.last_update_time";

Status ParseExperimentId(const std::string& id, int64_t* out) {
  char* end = nullptr;
  long long v = std::strtoll(id.c_str(), &end, 10);
  if (id.empty() || !end || *end != '\0' || v < 0) {
    return Status::InvalidArgument("Invalid experiment ID '" + id +
                                   "': experiment IDs are non-negative integers");
  }
  *out = v;
  return Status::Ok();
}

std::string JoinUri(std::string base, const std::string& part) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/" + part;
}

std::string GenerateRunName() {
  static const char* kAdjectives[] = {"amber",  "brisk",  "calm",  "dapper", "eager", "fleet",
                                      "gentle", "hardy",  "jolly", "keen",   "lucid", "merry",
                                      "nimble", "placid", "quick", "rustic", "sunny", "tidy"};
  static const char* kNouns[] = {"badger", "crane",  "dolphin", "falcon", "gecko",  "heron",
                                 "ibis",   "jackal", "koala",   "lemur",  "marten", "newt",
                                 "otter",  "panda",  "quail",   "robin",  "stoat",  "wren"};
  unsigned char r[3];
  if (RAND_bytes(r, 3) != 1) r[0] = r[1] = r[2] = 0;
  return std::string(kAdjectives[r[0] % 18]) + "-" + kNouns[r[1] % 18] + "-" +
         std::to_string(r[2] % 1000);
}

Experiment ExperimentFromRow(const SqlRow& row) {
  Experiment e;
  e.experiment_id = std::to_string(row.Int(0));
  e.name = row.Text(1);
  e.artifact_location = row.Text(2);
  e.lifecycle_stage = row.Text(3);
  e.creation_time = row.Int(4);
  e.last_update_time = row.Int(5);
  return e;
}

RunInfo RunInfoFromRow(const SqlRow& row) {
  RunInfo info;
  info.run_id = row.Text(0);
  info.experiment_id = std::to_string(row.Int(1));
  info.run_name = row.Text(2);
  info.user_id = row.Text(3);
  if (!ParseRunStatus(row.Text(4), &info.status)) info.status = RunStatus::kRunning;
  info.start_time = row.Int(5);
  if (!row.IsNull(6)) info.end_time = row.Int(6);
  info.lifecycle_stage = row.Text(7);
  info.artifact_uri = row.Text(8);
  return info;
}

Status LoadExperimentTags(SqlDb& db, std::vector<Experiment>* experiments) {
  if (experiments->empty()) return Status::Ok();
  std::map<std::string, Experiment*> by_id;
  std::vector<SqlValue> ids;
  for (auto& e : *experiments) {
    by_id[e.experiment_id] = &e;
    ids.emplace_back(int64_t{std::strtoll(e.experiment_id.c_str(), nullptr, 10)});
  }
  std::vector<SqlRow> rows;
  PRODCAT_RETURN_IF_ERROR(
      db.Query("SELECT experiment_id, key, value FROM experiment_tags WHERE "
               "experiment_id IN (" +
                   Placeholders(ids.size()) + ") ORDER BY key",
               ids, &rows));
  for (const SqlRow& row : rows) {
    auto it = by_id.find(std::to_string(row.Int(0)));
    if (it != by_id.end()) it->second->tags.push_back({row.Text(1), row.Text(2)});
  }
  return Status::Ok();
}

Status LoadExperimentWhere(SqlDb& db, const std::string& where, const std::vector<SqlValue>& params,
                           Experiment* experiment, bool* found) {
  std::vector<SqlRow> rows;
  PRODCAT_RETURN_IF_ERROR(
      db.Query(std::string("SELECT ") + kExperimentColumns + " FROM experiments e WHERE " + where,
               params, &rows));
  *found = !rows.empty();
  if (!*found) return Status::Ok();
  std::vector<Experiment> one = {ExperimentFromRow(rows[0])};
  PRODCAT_RETURN_IF_ERROR(LoadExperimentTags(db, &one));
  *experiment = std::move(one[0]);
  return Status::Ok();
}

Status LoadExperiment(SqlDb& db, const std::string& experiment_id, Experiment* experiment) {
  int64_t id = 0;
  PRODCAT_RETURN_IF_ERROR(ParseExperimentId(experiment_id, &id));
  bool found = false;
  PRODCAT_RETURN_IF_ERROR(LoadExperimentWhere(db, "e.experiment_id = ?", {id}, experiment, &found));
  if (!found) return Status::NotFound("No Experiment with id=" + experiment_id + " exists");
  return Status::Ok();
}

Status LoadRunInfo(SqlDb& db, const std::string& run_id, RunInfo* info) {
  std::vector<SqlRow> rows;
  PRODCAT_RETURN_IF_ERROR(db.Query(
      std::string("SELECT ") + kRunColumns + " FROM runs r WHERE r.run_uuid = ?", {run_id}, &rows));
  if (rows.empty()) return Status::NotFound("Run with id=" + run_id + " not found");
  *info = RunInfoFromRow(rows[0]);
  return Status::Ok();
}

Status LoadActiveRun(SqlDb& db, const std::string& run_id, RunInfo* info) {
  PRODCAT_RETURN_IF_ERROR(LoadRunInfo(db, run_id, info));
  if (info->lifecycle_stage != kLifecycleActive) {
    return Status::InvalidArgument("The run " + run_id +
                                   " must be in the 'active' state. Current state is " +
                                   info->lifecycle_stage + ".");
  }
  return Status::Ok();
}

Metric MetricFromColumns(const SqlRow& row, size_t first) {
  Metric m;
  m.key = row.Text(first);
  m.value = row.Int(first + 4) ? std::nan("") : row.Double(first + 1);
  m.timestamp = row.Int(first + 2);
  m.step = row.Int(first + 3);
  return m;
}

// Fills metrics, params, tags and inputs of `runs` (whose info is set) in bulk.
Status LoadRunData(SqlDb& db, std::vector<Run>* runs) {
  if (runs->empty()) return Status::Ok();
  std::map<std::string, Run*> by_id;
  std::vector<std::string> ids;
  for (Run& r : *runs) {
    by_id[r.info.run_id] = &r;
    ids.push_back(r.info.run_id);
  }
  for (const auto& chunk : Chunks(ids)) {
    std::vector<SqlValue> params(chunk.begin(), chunk.end());
    std::string in = "(" + Placeholders(chunk.size()) + ")";
    std::vector<SqlRow> rows;
    PRODCAT_RETURN_IF_ERROR(db.Query(
        "SELECT run_uuid, key, value, timestamp_ms, step, is_nan FROM latest_metrics WHERE "
        "run_uuid IN " +
            in + " ORDER BY key",
        params, &rows));
    for (const SqlRow& row : rows) by_id[row.Text(0)]->metrics.push_back(MetricFromColumns(row, 1));
    for (const char* table : {"params", "tags"}) {
      PRODCAT_RETURN_IF_ERROR(db.Query(std::string("SELECT run_uuid, key, value FROM ") + table +
                                           " WHERE run_uuid IN " + in + " ORDER BY key",
                                       params, &rows));
      for (const SqlRow& row : rows) {
        Run* run = by_id[row.Text(0)];
        (std::string(table) == "params" ? run->params : run->tags)
            .push_back({row.Text(1), row.Text(2)});
      }
    }
    PRODCAT_RETURN_IF_ERROR(db.Query(
        "SELECT ri.run_uuid, d.dataset_uuid, d.name, d.digest, d.dataset_source_type, "
        "d.dataset_source, d.dataset_schema, d.dataset_profile FROM run_inputs ri JOIN datasets d "
        "ON d.dataset_uuid = ri.dataset_uuid WHERE ri.run_uuid IN " +
            in + " ORDER BY d.name, d.digest",
        params, &rows));
    std::map<std::pair<std::string, std::string>, DatasetInput*> inputs;
    for (const SqlRow& row : rows) {
      Run* run = by_id[row.Text(0)];
      DatasetInput input;
      input.dataset = {row.Text(2), row.Text(3), row.Text(4),
                       row.Text(5), row.Text(6), row.Text(7)};
      run->inputs.push_back(std::move(input));
    }
    // Pointers into `inputs` vectors are stable now that every input is appended.
    for (const SqlRow& row : rows) {
      Run* run = by_id[row.Text(0)];
      for (DatasetInput& input : run->inputs) {
        if (input.dataset.name == row.Text(2) && input.dataset.digest == row.Text(3)) {
          inputs[{row.Text(0), row.Text(1)}] = &input;
        }
      }
    }
    PRODCAT_RETURN_IF_ERROR(
        db.Query("SELECT run_uuid, dataset_uuid, key, value FROM input_tags WHERE run_uuid IN " +
                     in + " ORDER BY key",
                 params, &rows));
    for (const SqlRow& row : rows) {
      auto it = inputs.find({row.Text(0), row.Text(1)});
      if (it != inputs.end()) it->second->tags.push_back({row.Text(2), row.Text(3)});
    }
  }
  return Status::Ok();
}

Status UpsertTag(SqlDb& db, const std::string& table, const std::string& owner_column,
                 const SqlValue& owner, const std::string& key, const std::string& value) {
  return db.Execute("INSERT INTO " + table + " (" + owner_column +
                        ", key, value) VALUES (?, ?, ?) ON CONFLICT (" + owner_column +
                        ", key) DO UPDATE SET value = excluded.value",
                    {owner, key, value});
}

Status ValidateTagValue(const KeyValue& tag, size_t limit) {
  if (tag.value.size() > limit) {
    return Status::InvalidArgument("Tag value for key '" + tag.key + "' is " +
                                   std::to_string(tag.value.size()) +
                                   " characters long; the limit is " + std::to_string(limit));
  }
  return Status::Ok();
}

Status CheckBatchLimits(const std::vector<Metric>& metrics, const std::vector<KeyValue>& params,
                        const std::vector<KeyValue>& tags) {
  if (metrics.size() > kMaxMetricsPerBatch || params.size() > kMaxParamsPerBatch ||
      tags.size() > kMaxTagsPerBatch ||
      metrics.size() + params.size() + tags.size() > kMaxEntriesPerBatch) {
    return Status::InvalidArgument(
        "A batch logging request can contain at most 1000 metrics, 100 params and 100 tags, "
        "1000 entries in total; got " +
        std::to_string(metrics.size()) + " metrics, " + std::to_string(params.size()) +
        " params and " + std::to_string(tags.size()) + " tags");
  }
  for (const Metric& m : metrics) PRODCAT_RETURN_IF_ERROR(ValidateKey("metric", m.key));
  for (const KeyValue& p : params) {
    PRODCAT_RETURN_IF_ERROR(ValidateKey("param", p.key));
    if (p.value.size() > 6000) {
      return Status::InvalidArgument("Param value for key '" + p.key + "' is " +
                                     std::to_string(p.value.size()) +
                                     " characters long; the limit is 6000");
    }
  }
  for (const KeyValue& t : tags) {
    PRODCAT_RETURN_IF_ERROR(ValidateKey("tag", t.key));
    PRODCAT_RETURN_IF_ERROR(ValidateTagValue(t, 8000));
  }
  return Status::Ok();
}

Status LogParams(SqlDb& db, const std::string& run_id, const std::vector<KeyValue>& params) {
  if (params.empty()) return Status::Ok();
  std::map<std::string, std::string> wanted;
  for (const KeyValue& p : params) {
    auto [it, inserted] = wanted.emplace(p.key, p.value);
    if (!inserted && it->second != p.value) {
      return Status::InvalidArgument("Duplicate parameter key '" + p.key +
                                     "' with different values ('" + it->second + "', '" + p.value +
                                     "') in one batch for run ID='" + run_id + "'");
    }
  }
  std::vector<SqlValue> args = {run_id};
  for (const auto& [key, value] : wanted) args.emplace_back(key);
  std::vector<SqlRow> rows;
  PRODCAT_RETURN_IF_ERROR(db.Query("SELECT key, value FROM params WHERE run_uuid = ? AND key IN (" +
                                       Placeholders(wanted.size()) + ")",
                                   args, &rows));
  for (const SqlRow& row : rows) {
    std::string key = row.Text(0);
    std::string old_value = row.Text(1);
    if (wanted[key] != old_value) {
      return Status::InvalidArgument("Changing param values is not allowed. Param with key='" +
                                     key + "' was already logged with value='" + old_value +
                                     "' for run ID='" + run_id +
                                     "'. Attempted logging new value '" + wanted[key] + "'.");
    }
    wanted.erase(key);
  }
  if (wanted.empty()) return Status::Ok();
  std::string sql = "INSERT INTO params (run_uuid, key, value) VALUES ";
  std::vector<SqlValue> values;
  for (const auto& [key, value] : wanted) {
    sql += values.empty() ? "(?, ?, ?)" : ", (?, ?, ?)";
    values.insert(values.end(), {run_id, key, value});
  }
  // A concurrent writer may have logged the same key meanwhile; same value is fine.
  return db.Execute(sql + " ON CONFLICT (run_uuid, key) DO NOTHING", values);
}

Status LogMetrics(SqlDb& db, const std::string& run_id, const std::vector<Metric>& metrics) {
  if (metrics.empty()) return Status::Ok();
  constexpr size_t kRowsPerInsert = 250;  // 6 parameters each, far under both engines' limits
  for (size_t begin = 0; begin < metrics.size(); begin += kRowsPerInsert) {
    size_t end = std::min(metrics.size(), begin + kRowsPerInsert);
    std::string sql =
        "INSERT INTO metrics (run_uuid, key, value, timestamp_ms, step, is_nan) VALUES ";
    std::vector<SqlValue> values;
    values.reserve((end - begin) * 6);
    for (size_t i = begin; i < end; ++i) {
      const Metric& m = metrics[i];
      bool nan = std::isnan(m.value);
      sql += i == begin ? "(?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?)";
      values.insert(values.end(), {run_id, m.key, nan ? 0.0 : m.value, m.timestamp, m.step,
                                   int64_t{nan ? 1 : 0}});
    }
    // An identical (key, value, timestamp, step) is the same observation logged twice.
    PRODCAT_RETURN_IF_ERROR(db.Execute(
        sql + " ON CONFLICT (run_uuid, key, timestamp_ms, step, value, is_nan) DO NOTHING",
        values));
  }
  // The newest value per key wins by (step, timestamp, value), as in MLflow.
  std::map<std::string, const Metric*> newest;
  auto sort_key = [](const Metric& m) {
    return std::make_tuple(m.step, m.timestamp, std::isnan(m.value) ? 0.0 : m.value);
  };
  for (const Metric& m : metrics) {
    auto [it, inserted] = newest.emplace(m.key, &m);
    if (!inserted && sort_key(m) > sort_key(*it->second)) it->second = &m;
  }
  for (const auto& [key, m] : newest) {
    bool nan = std::isnan(m->value);
    PRODCAT_RETURN_IF_ERROR(db.Execute(
        "INSERT INTO latest_metrics (run_uuid, key, value, timestamp_ms, step, is_nan) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_uuid, key) DO UPDATE SET "
        "value = excluded.value, timestamp_ms = excluded.timestamp_ms, step = excluded.step, "
        "is_nan = excluded.is_nan WHERE excluded.step > latest_metrics.step OR "
        "(excluded.step = latest_metrics.step AND (excluded.timestamp_ms > "
        "latest_metrics.timestamp_ms OR (excluded.timestamp_ms = latest_metrics.timestamp_ms AND "
        "excluded.value > latest_metrics.value)))",
        {run_id, key, nan ? 0.0 : m->value, m->timestamp, m->step, int64_t{nan ? 1 : 0}}));
  }
  return Status::Ok();
}

Status LogRunTags(SqlDb& db, const std::string& run_id, const std::vector<KeyValue>& tags) {
  for (const KeyValue& t : tags) {
    PRODCAT_RETURN_IF_ERROR(UpsertTag(db, "tags", "run_uuid", run_id, t.key, t.value));
    if (t.key == kTagRunName) {
      PRODCAT_RETURN_IF_ERROR(
          db.Execute("UPDATE runs SET name = ? WHERE run_uuid = ?", {t.value, run_id}));
    }
  }
  return Status::Ok();
}

}  // namespace

// ---------------------------------------------------------------- connections and transactions

SqlTrackingStore::SqlTrackingStore(Connector connect, SqlDialect dialect)
    : connect_(std::move(connect)), dialect_(dialect) {}

Status SqlTrackingStore::Open(Connector connect, const SqlStoreOptions& options,
                              const std::string& default_artifact_root,
                              std::unique_ptr<SqlTrackingStore>* store) {
  std::unique_ptr<SqlDb> db;
  PRODCAT_RETURN_IF_ERROR(connect(&db));
  PRODCAT_RETURN_IF_ERROR(MigrateSchema(*db, options.migrate_to_version));
  std::unique_ptr<SqlTrackingStore> s(new SqlTrackingStore(std::move(connect), db->dialect()));
  std::string chosen = options.artifact_root;
  int version = 0;
  PRODCAT_RETURN_IF_ERROR(CurrentSchemaVersion(*db, &version));
  if (version >= 2) {
    std::vector<SqlRow> rows;
    PRODCAT_RETURN_IF_ERROR(db->Query("SELECT value FROM store_settings WHERE key = ?",
                                      {std::string("artifact_root")}, &rows));
    std::string recorded = rows.empty() ? "" : rows[0].Text(0);
    if (chosen.empty()) chosen = recorded.empty() ? default_artifact_root : recorded;
    if (recorded.empty()) {
      std::error_code ec;
      std::string absolute = std::filesystem::absolute(chosen, ec).lexically_normal().string();
      // First opener wins; a concurrent opener recording the same default is harmless.
      PRODCAT_RETURN_IF_ERROR(db->Execute(
          "INSERT INTO store_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
          {std::string("artifact_root"), absolute}));
    }
  }
  if (chosen.empty()) chosen = default_artifact_root;
  std::error_code ec;
  s->artifact_root_ = std::filesystem::absolute(chosen, ec).lexically_normal().string();
  while (s->artifact_root_.size() > 1 && s->artifact_root_.back() == '/') {
    s->artifact_root_.pop_back();
  }
  s->Release(std::move(db));
  *store = std::move(s);
  return Status::Ok();
}

Status SqlTrackingStore::Acquire(std::unique_ptr<SqlDb>* db) {
  {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    if (!idle_.empty()) {
      *db = std::move(idle_.back());
      idle_.pop_back();
      return Status::Ok();
    }
  }
  return connect_(db);
}

void SqlTrackingStore::Release(std::unique_ptr<SqlDb> db) {
  if (!db || !db->Healthy()) return;
  std::lock_guard<std::mutex> lock(pool_mutex_);
  if (idle_.size() < 16) idle_.push_back(std::move(db));
}

Status SqlTrackingStore::Transact(bool write, const std::function<Status(SqlDb&)>& body) {
  static thread_local std::mt19937 jitter(std::random_device{}());
  Status s;
  for (int attempt = 0; attempt < kMaxTransactionAttempts; ++attempt) {
    std::unique_ptr<SqlDb> db;
    PRODCAT_RETURN_IF_ERROR(Acquire(&db));
    s = db->Begin(write);
    bool retry = false;
    if (s.ok()) {
      s = body(*db);
      if (s.ok()) s = db->Commit();
      if (!s.ok()) {
        retry = db->LastErrorRetryable();
        (void)db->Rollback();
      }
    } else {
      retry = db->LastErrorRetryable();
    }
    Release(std::move(db));
    if (s.ok() || !retry) return s;
    int cap = std::min(200, 5 * (attempt + 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + jitter() % cap));
  }
  return s.WithContext("gave up after " + std::to_string(kMaxTransactionAttempts) +
                       " attempts on a busy database");
}

// ---------------------------------------------------------------- experiments

Status SqlTrackingStore::CreateExperiment(const std::string& name,
                                          const std::string& artifact_location,
                                          const std::vector<KeyValue>& tags,
                                          std::string* experiment_id) {
  if (name.empty()) {
    return Status::InvalidArgument("Invalid experiment name: ''. Experiment names cannot be empty");
  }
  for (const KeyValue& t : tags) PRODCAT_RETURN_IF_ERROR(ValidateKey("tag", t.key));
  return Transact(true, [&](SqlDb& db) -> Status {
    std::vector<SqlRow> rows;
    PRODCAT_RETURN_IF_ERROR(
        db.Query("SELECT lifecycle_stage FROM experiments WHERE name = ?", {name}, &rows));
    if (!rows.empty()) {
      if (rows[0].Text(0) == kLifecycleDeleted) {
        return Status::AlreadyExists("Experiment '" + name +
                                     "' already exists in deleted state. You can restore the "
                                     "experiment, or permanently delete it.");
      }
      return Status::AlreadyExists("Experiment(name=" + name + ") already exists.");
    }
    int64_t now = NowMs();
    Status s = db.Query(
        "INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, "
        "last_update_time) VALUES (?, ?, ?, ?, ?) RETURNING experiment_id",
        {name, artifact_location, std::string(kLifecycleActive), now, now}, &rows);
    PRODCAT_RETURN_IF_ERROR(MapUniqueViolation(s, "Experiment(name=" + name + ") already exists."));
    int64_t id = rows.at(0).Int(0);
    if (artifact_location.empty()) {
      PRODCAT_RETURN_IF_ERROR(
          db.Execute("UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?",
                     {"mlflow-artifacts:/" + std::to_string(id), id}));
    }
    for (const KeyValue& t : tags) {
      PRODCAT_RETURN_IF_ERROR(
          UpsertTag(db, "experiment_tags", "experiment_id", id, t.key, t.value));
    }
    *experiment_id = std::to_string(id);
    return Status::Ok();
  });
}

Status SqlTrackingStore::GetExperiment(const std::string& experiment_id, Experiment* experiment) {
  return Transact(false, [&](SqlDb& db) { return LoadExperiment(db, experiment_id, experiment); });
}

Status SqlTrackingStore::GetExperimentByName(const std::string& name, Experiment* experiment) {
  return Transact(false, [&](SqlDb& db) -> Status {
    bool found = false;
    PRODCAT_RETURN_IF_ERROR(LoadExperimentWhere(db, "e.name = ?", {name}, experiment, &found));
    if (!found) return Status::NotFound("Could not find experiment with name '" + name + "'");
    return Status::Ok();
  });
}

namespace {
std::string LifecycleCondition(ViewType view, const std::string& column) {
  switch (view) {
    case ViewType::kActiveOnly: return " AND " + column + " = 'active'";
    case ViewType::kDeletedOnly: return " AND " + column + " = 'deleted'";
    case ViewType::kAll: return "";
  }
  return "";
}
}  // namespace

Status SqlTrackingStore::SearchExperiments(const ExperimentSearch& query, Page<Experiment>* page) {
  int64_t max_results = 0, offset = 0;
  PRODCAT_RETURN_IF_ERROR(ResolveMaxResults(query.max_results, 1000, 50000, &max_results));
  PRODCAT_RETURN_IF_ERROR(DecodePageToken(query.page_token, &offset));
  SqlFragment where, joins;
  PRODCAT_RETURN_IF_ERROR(FilterToSql(SearchEntity::kExperiments, query.filter, &where));
  std::string order;
  PRODCAT_RETURN_IF_ERROR(OrderByToSql(SearchEntity::kExperiments, query.order_by, &joins, &order));
  SqlFragment sql;
  sql.Append(std::string("SELECT ") + kExperimentColumns + " FROM experiments e");
  sql.Append(joins);
  sql.Append(" WHERE 1 = 1" + LifecycleCondition(query.view_type, "e.lifecycle_stage"));
  sql.Append(where);
  sql.Append(" ORDER BY " + order + " LIMIT ? OFFSET ?");
  sql.params.insert(sql.params.end(), {max_results + 1, offset});
  return Transact(false, [&](SqlDb& db) -> Status {
    std::vector<SqlRow> rows;
    PRODCAT_RETURN_IF_ERROR(db.Query(sql.sql, sql.params, &rows));
    page->items.clear();
    page->next_page_token.clear();
    for (size_t i = 0; i < rows.size() && static_cast<int64_t>(i) < max_results; ++i) {
      page->items.push_back(ExperimentFromRow(rows[i]));
    }
    if (static_cast<int64_t>(rows.size()) > max_results) {
      page->next_page_token = EncodePageToken(offset + max_results);
    }
    return LoadExperimentTags(db, &page->items);
  });
}

Status SqlTrackingStore::DeleteExperiment(const std::string& experiment_id) {
  return Transact(true, [&](SqlDb& db) -> Status {
    Experiment e;
    PRODCAT_RETURN_IF_ERROR(LoadExperiment(db, experiment_id, &e));
    if (e.experiment_id == kDefaultExperimentId) {
      return Status::InvalidArgument("Cannot delete the default experiment '0'");
    }
    if (e.lifecycle_stage != kLifecycleActive) {
      return Status::InvalidArgument("Cannot delete an already deleted experiment " +
                                     experiment_id);
    }
    int64_t now = NowMs(), id = std::stoll(experiment_id);
    PRODCAT_RETURN_IF_ERROR(
        db.Execute("UPDATE experiments SET lifecycle_stage = 'deleted', last_update_time = ? WHERE "
                   "experiment_id = ?",
                   {now, id}));
    return db.Execute(
        "UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ? WHERE experiment_id = ? "
        "AND lifecycle_stage = 'active'",
        {now, id});
  });
}

Status SqlTrackingStore::RestoreExperiment(const std::string& experiment_id) {
  return Transact(true, [&](SqlDb& db) -> Status {
    Experiment e;
    PRODCAT_RETURN_IF_ERROR(LoadExperiment(db, experiment_id, &e));
    if (e.lifecycle_stage != kLifecycleDeleted) {
      return Status::InvalidArgument("Cannot restore an active experiment " + experiment_id);
    }
    int64_t now = NowMs(), id = std::stoll(experiment_id);
    PRODCAT_RETURN_IF_ERROR(
        db.Execute("UPDATE experiments SET lifecycle_stage = 'active', last_update_time = ? WHERE "
                   "experiment_id = ?",
                   {now, id}));
    return db.Execute(
        "UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE experiment_id = ? "
        "AND lifecycle_stage = 'deleted'",
        {id});
  });
}

Status SqlTrackingStore::RenameExperiment(const std::string& experiment_id,
                                          const std::string& new_name) {
  if (new_name.empty()) {
    return Status::InvalidArgument("Invalid experiment name: ''. Experiment names cannot be empty");
  }
  return Transact(true, [&](SqlDb& db) -> Status {
    Experiment e;
    PRODCAT_RETURN_IF_ERROR(LoadExperiment(db, experiment_id, &e));
    if (e.lifecycle_stage != kLifecycleActive) {
      return Status::InvalidArgument("Cannot rename a non-active experiment " + experiment_id);
    }
    Status s =
        db.Execute("UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?",
                   {new_name, NowMs(), int64_t{std::stoll(experiment_id)}});
    return MapUniqueViolation(s, "Experiment(name=" + new_name + ") already exists.");
  });
}

Status SqlTrackingStore::SetExperimentTag(const std::string& experiment_id, const std::string& key,
                                          const std::string& value) {
  PRODCAT_RETURN_IF_ERROR(ValidateKey("tag", key));
  PRODCAT_RETURN_IF_ERROR(ValidateTagValue({key, value}, 8000));
  return Transact(true, [&](SqlDb& db) -> Status {
    Experiment e;
    PRODCAT_RETURN_IF_ERROR(LoadExperiment(db, experiment_id, &e));
    if (e.lifecycle_stage != kLifecycleActive) {
      return Status::InvalidArgument("The experiment " + experiment_id +
                                     " must be in the 'active' state. Current state is " +
                                     e.lifecycle_stage + ".");
    }
    return UpsertTag(db, "experiment_tags", "experiment_id", int64_t{std::stoll(experiment_id)},
                     key, value);
  });
}

Status SqlTrackingStore::DeleteExperimentTag(const std::string& experiment_id,
                                             const std::string& key) {
  return Transact(true, [&](SqlDb& db) -> Status {
    Experiment e;
    PRODCAT_RETURN_IF_ERROR(LoadExperiment(db, experiment_id, &e));
    int64_t affected = 0;
    PRODCAT_RETURN_IF_ERROR(
        db.Execute("DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?",
                   {int64_t{std::stoll(experiment_id)}, key}, &affected));
    if (affected == 0) {
      return Status::NotFound("No tag with name: " + key + " in experiment with id " +
                              experiment_id);
    }
    return Status::Ok();
  });
}

// ---------------------------------------------------------------- runs

Status SqlTrackingStore::CreateRun(const CreateRunRequest& request, Run* run) {
  for (const KeyValue& t : request.tags) {
    PRODCAT_RETURN_IF_ERROR(ValidateKey("tag", t.key));
    PRODCAT_RETURN_IF_ERROR(ValidateTagValue(t, 8000));
  }
  return Transact(true, [&](SqlDb& db) -> Status {
    Experiment e;
    PRODCAT_RETURN_IF_ERROR(LoadExperiment(
        db, request.experiment_id.empty() ? kDefaultExperimentId : request.experiment_id, &e));
    if (e.lifecycle_stage != kLifecycleActive) {
      return Status::InvalidArgument("Could not create run under non-active experiment with ID " +
                                     e.experiment_id + ".");
    }
    std::vector<KeyValue> tags = request.tags;
    auto find_tag = [&](const char* key) -> const KeyValue* {
      for (const KeyValue& t : tags) {
        if (t.key == key) return &t;
      }
      return nullptr;
    };
    std::string run_name = request.run_name;
    if (run_name.empty() && find_tag(kTagRunName)) run_name = find_tag(kTagRunName)->value;
    if (run_name.empty()) run_name = GenerateRunName();
    tags.erase(std::remove_if(tags.begin(), tags.end(),
                              [](const KeyValue& t) { return t.key == kTagRunName; }),
               tags.end());
    tags.push_back({kTagRunName, run_name});
    std::string user = request.user_id;
    if (user.empty() && find_tag(kTagUser)) user = find_tag(kTagUser)->value;
    std::string run_id = NewUuidHex();
    int64_t start = request.start_time > 0 ? request.start_time : NowMs();
    std::string artifact_uri = JoinUri(JoinUri(e.artifact_location, run_id), "artifacts");
    PRODCAT_RETURN_IF_ERROR(
        db.Execute("INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, "
                   "lifecycle_stage, artifact_uri) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   {run_id, int64_t{std::stoll(e.experiment_id)}, run_name, user,
                    std::string(RunStatusName(RunStatus::kRunning)), start,
                    std::string(kLifecycleActive), artifact_uri}));
    PRODCAT_RETURN_IF_ERROR(LogRunTags(db, run_id, tags));
    std::vector<Run> runs(1);
    PRODCAT_RETURN_IF_ERROR(LoadRunInfo(db, run_id, &runs[0].info));
    PRODCAT_RETURN_IF_ERROR(LoadRunData(db, &runs));
    *run = std::move(runs[0]);
    return Status::Ok();
  });
}

Status SqlTrackingStore::GetRun(const std::string& run_id, Run* run) {
  return Transact(false, [&](SqlDb& db) -> Status {
    std::vector<Run> runs(1);
    PRODCAT_RETURN_IF_ERROR(LoadRunInfo(db, run_id, &runs[0].info));
    PRODCAT_RETURN_IF_ERROR(LoadRunData(db, &runs));
    *run = std::move(runs[0]);
    return Status::Ok();
  });
}

Status SqlTrackingStore::UpdateRun(const std::string& run_id, std::optional<RunStatus> status,
                                   std::optional<int64_t> end_time,
                                   const std::optional<std::string>& run_name, RunInfo* info) {
  return Transact(true, [&](SqlDb& db) -> Status {
    RunInfo current;
    PRODCAT_RETURN_IF_ERROR(LoadActiveRun(db, run_id, &current));
    if (status) {
      PRODCAT_RETURN_IF_ERROR(db.Execute("UPDATE runs SET status = ? WHERE run_uuid = ?",
                                         {std::string(RunStatusName(*status)), run_id}));
    }
    if (end_time) {
      PRODCAT_RETURN_IF_ERROR(
          db.Execute("UPDATE runs SET end_time = ? WHERE run_uuid = ?", {*end_time, run_id}));
    }
    if (run_name && !run_name->empty()) {
      PRODCAT_RETURN_IF_ERROR(LogRunTags(db, run_id, {{kTagRunName, *run_name}}));
    }
    return LoadRunInfo(db, run_id, info);
  });
}

Status SqlTrackingStore::DeleteRun(const std::string& run_id) {
  return Transact(true, [&](SqlDb& db) -> Status {
    RunInfo info;
    PRODCAT_RETURN_IF_ERROR(LoadRunInfo(db, run_id, &info));
    return db.Execute(
        "UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ? WHERE run_uuid = ?",
        {NowMs(), run_id});
  });
}

Status SqlTrackingStore::RestoreRun(const std::string& run_id) {
  return Transact(true, [&](SqlDb& db) -> Status {
    RunInfo info;
    PRODCAT_RETURN_IF_ERROR(LoadRunInfo(db, run_id, &info));
    return db.Execute(
        "UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE run_uuid = ?",
        {run_id});
  });
}

Status SqlTrackingStore::LogBatch(const std::string& run_id, const std::vector<Metric>& metrics,
                                  const std::vector<KeyValue>& params,
                                  const std::vector<KeyValue>& tags) {
  PRODCAT_RETURN_IF_ERROR(CheckBatchLimits(metrics, params, tags));
  return Transact(true, [&](SqlDb& db) -> Status {
    RunInfo info;
    PRODCAT_RETURN_IF_ERROR(LoadActiveRun(db, run_id, &info));
    PRODCAT_RETURN_IF_ERROR(LogParams(db, run_id, params));
    PRODCAT_RETURN_IF_ERROR(LogMetrics(db, run_id, metrics));
    return LogRunTags(db, run_id, tags);
  });
}

Status SqlTrackingStore::DeleteTag(const std::string& run_id, const std::string& key) {
  return Transact(true, [&](SqlDb& db) -> Status {
    RunInfo info;
    PRODCAT_RETURN_IF_ERROR(LoadActiveRun(db, run_id, &info));
    int64_t affected = 0;
    PRODCAT_RETURN_IF_ERROR(
        db.Execute("DELETE FROM tags WHERE run_uuid = ? AND key = ?", {run_id, key}, &affected));
    if (affected == 0) {
      return Status::NotFound("No tag with name: " + key + " in run with id " + run_id);
    }
    return Status::Ok();
  });
}

Status SqlTrackingStore::LogInputs(const std::string& run_id,
                                   const std::vector<DatasetInput>& inputs) {
  for (const DatasetInput& input : inputs) {
    if (input.dataset.name.empty() || input.dataset.digest.empty()) {
      return Status::InvalidArgument(
          "Missing value for required parameter 'dataset.name' or 'dataset.digest'");
    }
    for (const KeyValue& t : input.tags) PRODCAT_RETURN_IF_ERROR(ValidateKey("input tag", t.key));
  }
  return Transact(true, [&](SqlDb& db) -> Status {
    RunInfo info;
    PRODCAT_RETURN_IF_ERROR(LoadActiveRun(db, run_id, &info));
    int64_t experiment = std::stoll(info.experiment_id);
    for (const DatasetInput& input : inputs) {
      const Dataset& d = input.dataset;
      PRODCAT_RETURN_IF_ERROR(db.Execute(
          "INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, dataset_source_type, "
          "dataset_source, dataset_schema, dataset_profile) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
          "ON CONFLICT (experiment_id, name, digest) DO NOTHING",
          {NewUuidHex(), experiment, d.name, d.digest, d.source_type, d.source, d.schema,
           d.profile}));
      std::vector<SqlRow> rows;
      PRODCAT_RETURN_IF_ERROR(db.Query(
          "SELECT dataset_uuid FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?",
          {experiment, d.name, d.digest}, &rows));
      std::string dataset_uuid = rows.at(0).Text(0);
      PRODCAT_RETURN_IF_ERROR(db.Execute(
          "INSERT INTO run_inputs (run_uuid, dataset_uuid) VALUES (?, ?) ON CONFLICT (run_uuid, "
          "dataset_uuid) DO NOTHING",
          {run_id, dataset_uuid}));
      for (const KeyValue& t : input.tags) {
        PRODCAT_RETURN_IF_ERROR(db.Execute(
            "INSERT INTO input_tags (run_uuid, dataset_uuid, key, value) VALUES (?, ?, ?, ?) ON "
            "CONFLICT (run_uuid, dataset_uuid, key) DO UPDATE SET value = excluded.value",
            {run_id, dataset_uuid, t.key, t.value}));
      }
    }
    return Status::Ok();
  });
}

Status SqlTrackingStore::LogModel(const std::string& run_id, const std::string& model_json) {
  nlohmann::json model = nlohmann::json::parse(model_json, nullptr, false);
  if (!model.is_object()) {
    return Status::InvalidArgument("Malformed model info: model_json must be a JSON object");
  }
  return Transact(true, [&](SqlDb& db) -> Status {
    RunInfo info;
    PRODCAT_RETURN_IF_ERROR(LoadActiveRun(db, run_id, &info));
    std::vector<SqlRow> rows;
    PRODCAT_RETURN_IF_ERROR(db.Query("SELECT value FROM tags WHERE run_uuid = ? AND key = ?",
                                     {run_id, std::string(kTagLogModelHistory)}, &rows));
    nlohmann::json history = nlohmann::json::array();
    if (!rows.empty()) {
      history = nlohmann::json::parse(rows[0].Text(0), nullptr, false);
      if (!history.is_array()) history = nlohmann::json::array();
    }
    history.push_back(model);
    return UpsertTag(db, "tags", "run_uuid", run_id, kTagLogModelHistory, history.dump());
  });
}

Status SqlTrackingStore::GetMetricHistory(const std::string& run_id, const std::string& key,
                                          int64_t max_results, const std::string& page_token,
                                          Page<Metric>* page) {
  int64_t offset = 0;
  PRODCAT_RETURN_IF_ERROR(DecodePageToken(page_token, &offset));
  if (max_results < 0) {
    return Status::InvalidArgument(
        "Invalid value for parameter 'max_results': it must be positive");
  }
  return Transact(false, [&](SqlDb& db) -> Status {
    RunInfo info;
    PRODCAT_RETURN_IF_ERROR(LoadRunInfo(db, run_id, &info));
    std::vector<SqlRow> rows;
    std::string sql =
        "SELECT key, value, timestamp_ms, step, is_nan FROM metrics WHERE run_uuid = ? AND key = ? "
        "ORDER BY timestamp_ms, step, value";
    std::vector<SqlValue> params = {run_id, key};
    if (max_results > 0) {
      sql += " LIMIT ? OFFSET ?";
      params.insert(params.end(), {max_results + 1, offset});
    }
    PRODCAT_RETURN_IF_ERROR(db.Query(sql, params, &rows));
    page->items.clear();
    page->next_page_token.clear();
    for (size_t i = 0; i < rows.size(); ++i) {
      if (max_results > 0 && static_cast<int64_t>(i) >= max_results) {
        page->next_page_token = EncodePageToken(offset + max_results);
        break;
      }
      page->items.push_back(MetricFromColumns(rows[i], 0));
    }
    return Status::Ok();
  });
}

Status SqlTrackingStore::SearchRuns(const RunSearch& query, Page<Run>* page) {
  int64_t max_results = 0, offset = 0;
  PRODCAT_RETURN_IF_ERROR(ResolveMaxResults(query.max_results, 1000, 50000, &max_results));
  PRODCAT_RETURN_IF_ERROR(DecodePageToken(query.page_token, &offset));
  page->items.clear();
  page->next_page_token.clear();
  std::vector<SqlValue> experiment_ids;
  for (const std::string& id : query.experiment_ids) {
    int64_t v = 0;
    PRODCAT_RETURN_IF_ERROR(ParseExperimentId(id, &v));
    experiment_ids.emplace_back(v);
  }
  SqlFragment where, joins;
  PRODCAT_RETURN_IF_ERROR(FilterToSql(SearchEntity::kRuns, query.filter, &where));
  std::string order;
  PRODCAT_RETURN_IF_ERROR(OrderByToSql(SearchEntity::kRuns, query.order_by, &joins, &order));
  if (experiment_ids.empty()) return Status::Ok();
  SqlFragment sql;
  sql.Append(std::string("SELECT ") + kRunColumns + " FROM runs r");
  sql.Append(joins);
  sql.Append(" WHERE r.experiment_id IN (" + Placeholders(experiment_ids.size()) + ")");
  sql.params.insert(sql.params.end(), experiment_ids.begin(), experiment_ids.end());
  sql.Append(LifecycleCondition(query.view_type, "r.lifecycle_stage"));
  sql.Append(where);
  sql.Append(" ORDER BY " + order + " LIMIT ? OFFSET ?");
  sql.params.insert(sql.params.end(), {max_results + 1, offset});
  return Transact(false, [&](SqlDb& db) -> Status {
    std::vector<SqlRow> rows;
    PRODCAT_RETURN_IF_ERROR(db.Query(sql.sql, sql.params, &rows));
    page->items.clear();
    page->next_page_token.clear();
    for (size_t i = 0; i < rows.size() && static_cast<int64_t>(i) < max_results; ++i) {
      Run run;
      run.info = RunInfoFromRow(rows[i]);
      page->items.push_back(std::move(run));
    }
    if (static_cast<int64_t>(rows.size()) > max_results) {
      page->next_page_token = EncodePageToken(offset + max_results);
    }
    return LoadRunData(db, &page->items);
  });
}

Status SqlTrackingStore::RecordArtifact(const ArtifactRecord& record) {
  return Transact(true, [&](SqlDb& db) {
    return db.Execute(
        "INSERT INTO artifacts (path, run_uuid, size, sha256, updated_time) VALUES (?, ?, ?, ?, "
        "?) ON CONFLICT (path) DO UPDATE SET run_uuid = excluded.run_uuid, size = excluded.size, "
        "sha256 = excluded.sha256, updated_time = excluded.updated_time",
        {record.path, record.run_id, record.size, record.sha256,
         record.updated_time ? record.updated_time : NowMs()});
  });
}

Status SqlTrackingStore::ListArtifactRecords(const std::string& run_id,
                                             std::vector<ArtifactRecord>* records) {
  return Transact(false, [&](SqlDb& db) -> Status {
    std::vector<SqlRow> rows;
    PRODCAT_RETURN_IF_ERROR(db.Query(
        "SELECT path, run_uuid, size, sha256, updated_time FROM artifacts WHERE run_uuid = ? "
        "ORDER BY path",
        {run_id}, &rows));
    records->clear();
    for (const SqlRow& row : rows) {
      records->push_back({row.Text(0), row.Text(1), row.Int(2), row.Text(3), row.Int(4)});
    }
    return Status::Ok();
  });
}

}  // namespace prodcat::tracking
