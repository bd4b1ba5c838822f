#include "prodcat/experiments/experiment_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>

namespace prodcat::experiments {
namespace {

// Schema steps; step i (1-based) upgrades version i-1 to i. Append, never edit.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE experiments (
  id TEXT PRIMARY KEY,
  spec_json TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE TABLE assignments (
  seq INTEGER PRIMARY KEY,
  request_id TEXT NOT NULL,
  experiment_id TEXT NOT NULL,
  arm TEXT NOT NULL,
  assignment_key TEXT NOT NULL,
  product_id TEXT NOT NULL,
  predicted_category TEXT NOT NULL,
  confidence REAL NOT NULL,
  latency_ms REAL NOT NULL,
  served_at_ms INTEGER NOT NULL
);
CREATE INDEX assignments_by_request ON assignments(request_id);
CREATE INDEX assignments_by_product ON assignments(product_id);
CREATE TABLE feedback (
  seq INTEGER PRIMARY KEY,
  request_id TEXT NOT NULL,
  product_id TEXT NOT NULL,
  experiment_id TEXT NOT NULL,
  arm TEXT NOT NULL,
  true_category TEXT NOT NULL,
  correct INTEGER NOT NULL,
  received_at_ms INTEGER NOT NULL
);
CREATE INDEX feedback_by_request ON feedback(request_id);
)sql",
};
constexpr int kLatestVersion = static_cast<int>(std::size(kMigrations));

constexpr const char* kAssignmentColumns =
    "request_id, experiment_id, arm, assignment_key, product_id, predicted_category, confidence, "
    "latency_ms, served_at_ms";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status SqlError(const std::string& what, const std::exception& e) {
  return Status::IoError("experiment store: " + what + ": " + e.what());
}

// Rolls back an open transaction unless Commit() was reached.
class WriteTransaction {
 public:
  explicit WriteTransaction(SQLite::Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
  ~WriteTransaction() {
    if (open_) {
      try {
        db_.exec("ROLLBACK");
      } catch (const SQLite::Exception&) {
        // Nothing more to do: the connection reports the failure on its next use.
      }
    }
  }
  void Commit() {
    db_.exec("COMMIT");
    open_ = false;
  }

 private:
  SQLite::Database& db_;  // outlives the transaction
  bool open_ = true;      // BEGIN ran and neither COMMIT nor ROLLBACK has
};

Status Migrate(SQLite::Database& db) {
  try {
    WriteTransaction transaction(db);
    db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    int version = 0;
    {
      SQLite::Statement query(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
      if (query.executeStep()) version = query.getColumn(0).getInt();
    }
    if (version > kLatestVersion) {
      return Status::FailedPrecondition(
          "experiment store: schema version " + std::to_string(version) +
          " was written by a newer prodcat; this build knows up to version " +
          std::to_string(kLatestVersion));
    }
    for (int step = version + 1; step <= kLatestVersion; ++step) {
      db.exec(kMigrations[step - 1]);
      SQLite::Statement record(db, "INSERT INTO schema_version (version) VALUES (?)");
      record.bind(1, step);
      record.exec();
    }
    transaction.Commit();
    return Status::Ok();
  } catch (const SQLite::Exception& e) {
    return SqlError("schema migration", e);
  }
}

ServedRecord ReadServed(SQLite::Statement& row) {
  ServedRecord r;
  r.request_id = row.getColumn(0).getString();
  r.experiment_id = row.getColumn(1).getString();
  r.arm = row.getColumn(2).getString();
  r.key = row.getColumn(3).getString();
  r.product_id = row.getColumn(4).getString();
  r.predicted_category = row.getColumn(5).getString();
  r.confidence = row.getColumn(6).getDouble();
  r.latency_ms = row.getColumn(7).getDouble();
  r.served_at_ms = row.getColumn(8).getInt64();
  return r;
}

}  // namespace

int ExperimentStore::SchemaVersion() {
  return kLatestVersion;
}

Status ExperimentStore::Open(const std::string& path, const StoreOptions& options,
                             std::unique_ptr<ExperimentStore>* store) {
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) {
    return Status::IoError("experiment store: cannot create directory '" + parent.string() +
                           "': " + ec.message());
  }
  std::unique_ptr<SQLite::Database> db;
  try {
    db = std::make_unique<SQLite::Database>(
        path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX,
        options.busy_timeout_ms);
    // WAL: readers do not block the writer. FULL: a committed flush survives power loss too; it
    // costs one fsync per flush interval, not per row.
    db->exec("PRAGMA journal_mode = WAL");
    db->exec("PRAGMA synchronous = FULL");
  } catch (const SQLite::Exception& e) {
    return Status::IoError("experiment store: cannot open SQLite file '" + path + "': " + e.what());
  }
  Status migrated = Migrate(*db);
  if (!migrated.ok()) return migrated.WithContext("'" + path + "'");
  store->reset(new ExperimentStore(std::move(db), options));
  return Status::Ok();
}

ExperimentStore::ExperimentStore(std::unique_ptr<SQLite::Database> db, const StoreOptions& options)
    : options_(options), db_(std::move(db)) {
  writer_ = std::thread([this] { WriterLoop(); });
}

ExperimentStore::~ExperimentStore() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  wake_writer_.notify_all();
  writer_.join();
  Status last = FlushPending();
  if (!last.ok()) spdlog::error("experiment store: rows lost at shutdown: {}", last.message());
}

void ExperimentStore::WriterLoop() {
  while (true) {
    bool stopping;
    {
      std::unique_lock lock(queue_mutex_);
      wake_writer_.wait_for(lock, options_.flush_interval, [this] {
        return stopping_ ||
               pending_served_.size() + pending_feedback_.size() >= options_.flush_rows;
      });
      stopping = stopping_;
    }
    Status status = FlushPending();
    if (!status.ok()) {
      if (stopping) break;  // the destructor retries once more and reports
      // Back off one interval so a failing disk is not hammered; rows stay buffered.
      std::unique_lock lock(queue_mutex_);
      wake_writer_.wait_for(lock, options_.flush_interval, [this] { return stopping_; });
    }
    if (stopping) break;
  }
}

void ExperimentStore::EnqueueServed(ServedRecord record) {
  std::lock_guard lock(queue_mutex_);
  size_t pending = pending_served_.size() + pending_feedback_.size();
  if (pending >= options_.max_pending_rows) {
    ++dropped_rows_;
    return;
  }
  pending_served_.push_back(std::move(record));
  if (pending + 1 == options_.flush_rows) wake_writer_.notify_one();
}

void ExperimentStore::EnqueueFeedback(FeedbackRecord record) {
  std::lock_guard lock(queue_mutex_);
  size_t pending = pending_served_.size() + pending_feedback_.size();
  if (pending >= options_.max_pending_rows) {
    ++dropped_rows_;
    return;
  }
  pending_feedback_.push_back(std::move(record));
  if (pending + 1 == options_.flush_rows) wake_writer_.notify_one();
}

Status ExperimentStore::Flush() {
  return FlushPending();
}

Status ExperimentStore::FlushPending() {
  std::lock_guard db_lock(db_mutex_);
  {
    std::lock_guard lock(queue_mutex_);
    in_flight_served_.swap(pending_served_);
    in_flight_feedback_.swap(pending_feedback_);
  }
  const size_t rows = in_flight_served_.size() + in_flight_feedback_.size();
  if (rows == 0) return Status::Ok();
  // The in-flight vectors are only read here; lookups read them too, under queue_mutex_, and
  // they change only under queue_mutex_ below.
  Status status = WriteBatch(in_flight_served_, in_flight_feedback_);
  std::lock_guard lock(queue_mutex_);
  if (status.ok()) {
    written_rows_ += rows;
    ++flushes_;
    last_error_.clear();
    in_flight_served_.clear();
    in_flight_feedback_.clear();
    return status;
  }
  if (status.message() != last_error_) {
    spdlog::error("experiment store: flush of {} rows failed, will retry: {}", rows,
                  status.message());
  }
  last_error_ = status.message();
  // Put the batch back in front of what arrived meanwhile so the order is kept.
  in_flight_served_.insert(in_flight_served_.end(),
                           std::make_move_iterator(pending_served_.begin()),
                           std::make_move_iterator(pending_served_.end()));
  in_flight_feedback_.insert(in_flight_feedback_.end(),
                             std::make_move_iterator(pending_feedback_.begin()),
                             std::make_move_iterator(pending_feedback_.end()));
  pending_served_.swap(in_flight_served_);
  pending_feedback_.swap(in_flight_feedback_);
  in_flight_served_.clear();
  in_flight_feedback_.clear();
  return status;
}

std::optional<ServedRecord> ExperimentStore::FindBuffered(std::string_view request_id,
                                                          std::string_view product_id) const {
  std::lock_guard lock(queue_mutex_);
  auto matches = [&](const ServedRecord& r) {
    return request_id.empty() ? r.product_id == product_id : r.request_id == request_id;
  };
  // Newest first: the buffer, then the batch being written.
  for (const auto* rows : {&pending_served_, &in_flight_served_}) {
    for (auto it = rows->rbegin(); it != rows->rend(); ++it) {
      if (matches(*it)) return *it;
    }
  }
  return std::nullopt;
}

Status ExperimentStore::WriteBatch(const std::vector<ServedRecord>& served,
                                   const std::vector<FeedbackRecord>& feedback) {
  try {
    WriteTransaction transaction(*db_);
    if (!served.empty()) {
      SQLite::Statement insert(*db_, std::string("INSERT INTO assignments (") + kAssignmentColumns +
                                         ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
      for (const ServedRecord& r : served) {
        insert.bindNoCopy(1, r.request_id);
        insert.bindNoCopy(2, r.experiment_id);
        insert.bindNoCopy(3, r.arm);
        insert.bindNoCopy(4, r.key);
        insert.bindNoCopy(5, r.product_id);
        insert.bindNoCopy(6, r.predicted_category);
        insert.bind(7, r.confidence);
        insert.bind(8, r.latency_ms);
        insert.bind(9, static_cast<int64_t>(r.served_at_ms));
        insert.exec();
        insert.reset();
      }
    }
    if (!feedback.empty()) {
      SQLite::Statement insert(
          *db_,
          "INSERT INTO feedback (request_id, product_id, experiment_id, arm, true_category, "
          "correct, received_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)");
      for (const FeedbackRecord& r : feedback) {
        insert.bindNoCopy(1, r.request_id);
        insert.bindNoCopy(2, r.product_id);
        insert.bindNoCopy(3, r.experiment_id);
        insert.bindNoCopy(4, r.arm);
        insert.bindNoCopy(5, r.true_category);
        insert.bind(6, r.correct ? 1 : 0);
        insert.bind(7, static_cast<int64_t>(r.received_at_ms));
        insert.exec();
        insert.reset();
      }
    }
    transaction.Commit();
    return Status::Ok();
  } catch (const SQLite::Exception& e) {
    return SqlError("writing " + std::to_string(served.size()) + " assignments and " +
                        std::to_string(feedback.size()) + " feedback rows",
                    e);
  }
}

Status ExperimentStore::SaveExperiment(const ExperimentSpec& spec) {
  std::lock_guard db_lock(db_mutex_);
  try {
    SQLite::Statement upsert(
        *db_,
        "INSERT INTO experiments (id, spec_json, status, created_at, updated_at_ms) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET spec_json = excluded.spec_json, "
        "status = excluded.status, updated_at_ms = excluded.updated_at_ms");
    upsert.bind(1, spec.id);
    upsert.bind(2, ExperimentSpecToJson(spec).dump());
    upsert.bind(3, ExperimentStatusName(spec.status));
    upsert.bind(4, spec.created_at);
    upsert.bind(5, static_cast<int64_t>(NowMs()));
    upsert.exec();
    return Status::Ok();
  } catch (const SQLite::Exception& e) {
    return SqlError("saving experiment '" + spec.id + "'", e);
  }
}

Status ExperimentStore::LoadExperiments(std::vector<ExperimentSpec>* specs) {
  specs->clear();
  std::lock_guard db_lock(db_mutex_);
  try {
    SQLite::Statement query(*db_, "SELECT id, spec_json FROM experiments ORDER BY rowid");
    while (query.executeStep()) {
      std::string id = query.getColumn(0).getString();
      nlohmann::json json = nlohmann::json::parse(query.getColumn(1).getString(), nullptr, false);
      ExperimentSpec spec;
      Status parsed = json.is_discarded() ? Status::InvalidArgument("spec_json is not valid JSON")
                                          : ExperimentSpecFromJson(json, &spec);
      if (!parsed.ok()) {
        return Status::DataLoss("experiment store: experiments row '" + id +
                                "': " + parsed.message());
      }
      specs->push_back(std::move(spec));
    }
    return Status::Ok();
  } catch (const SQLite::Exception& e) {
    return SqlError("loading experiments", e);
  }
}

Status ExperimentStore::FindAssignment(std::string_view request_id,
                                       std::optional<ServedRecord>* record) {
  *record = FindBuffered(request_id, "");
  if (*record) return Status::Ok();
  std::lock_guard db_lock(db_mutex_);
  try {
    SQLite::Statement query(*db_, std::string("SELECT ") + kAssignmentColumns +
                                      " FROM assignments WHERE request_id = ? ORDER BY seq DESC "
                                      "LIMIT 1");
    query.bind(1, std::string(request_id));
    if (query.executeStep()) *record = ReadServed(query);
    return Status::Ok();
  } catch (const SQLite::Exception& e) {
    return SqlError("looking up request '" + std::string(request_id) + "'", e);
  }
}

Status ExperimentStore::FindLatestAssignmentForProduct(std::string_view product_id,
                                                       std::optional<ServedRecord>* record) {
  *record = FindBuffered("", product_id);
  if (*record) return Status::Ok();
  std::lock_guard db_lock(db_mutex_);
  try {
    SQLite::Statement query(*db_, std::string("SELECT ") + kAssignmentColumns +
                                      " FROM assignments WHERE product_id = ? ORDER BY seq DESC "
                                      "LIMIT 1");
    query.bind(1, std::string(product_id));
    if (query.executeStep()) *record = ReadServed(query);
    return Status::Ok();
  } catch (const SQLite::Exception& e) {
    return SqlError("looking up product '" + std::string(product_id) + "'", e);
  }
}

Status ExperimentStore::HasFeedback(std::string_view request_id, bool* found) {
  {
    std::lock_guard lock(queue_mutex_);
    for (const auto* rows : {&pending_feedback_, &in_flight_feedback_}) {
      for (const FeedbackRecord& r : *rows) {
        if (r.request_id == request_id) {
          *found = true;
          return Status::Ok();
        }
      }
    }
  }
  *found = false;
  std::lock_guard db_lock(db_mutex_);
  try {
    SQLite::Statement query(*db_, "SELECT 1 FROM feedback WHERE request_id = ? LIMIT 1");
    query.bind(1, std::string(request_id));
    *found = query.executeStep();
    return Status::Ok();
  } catch (const SQLite::Exception& e) {
    return SqlError("looking up feedback for request '" + std::string(request_id) + "'", e);
  }
}

Status ExperimentStore::LoadArmTotals(std::vector<ArmTotals>* totals) {
  totals->clear();
  std::lock_guard db_lock(db_mutex_);
  try {
    SQLite::Statement query(*db_,
                            "SELECT experiment_id, arm, COUNT(*), TOTAL(latency_ms), "
                            "TOTAL(confidence) FROM assignments GROUP BY experiment_id, arm");
    while (query.executeStep()) {
      ArmTotals t;
      t.experiment_id = query.getColumn(0).getString();
      t.arm = query.getColumn(1).getString();
      t.requests = query.getColumn(2).getInt64();
      t.latency_ms_sum = query.getColumn(3).getDouble();
      t.confidence_sum = query.getColumn(4).getDouble();
      totals->push_back(std::move(t));
    }
    return Status::Ok();
  } catch (const SQLite::Exception& e) {
    return SqlError("aggregating assignments", e);
  }
}

Status ExperimentStore::ForEachFeedback(const std::function<void(const FeedbackRecord&)>& visit) {
  std::lock_guard db_lock(db_mutex_);
  try {
    SQLite::Statement query(*db_,
                            "SELECT request_id, product_id, experiment_id, arm, true_category, "
                            "correct, received_at_ms FROM feedback ORDER BY seq");
    FeedbackRecord r;
    while (query.executeStep()) {
      r.request_id = query.getColumn(0).getString();
      r.product_id = query.getColumn(1).getString();
      r.experiment_id = query.getColumn(2).getString();
      r.arm = query.getColumn(3).getString();
      r.true_category = query.getColumn(4).getString();
      r.correct = query.getColumn(5).getInt() != 0;
      r.received_at_ms = query.getColumn(6).getInt64();
      visit(r);
    }
    return Status::Ok();
  } catch (const SQLite::Exception& e) {
    return SqlError("reading feedback", e);
  }
}

StoreStats ExperimentStore::Stats() const {
  std::lock_guard lock(queue_mutex_);
  StoreStats stats;
  stats.pending_rows = pending_served_.size() + pending_feedback_.size() +
                       in_flight_served_.size() + in_flight_feedback_.size();
  stats.written_rows = written_rows_;
  stats.dropped_rows = dropped_rows_;
  stats.flushes = flushes_;
  stats.last_error = last_error_;
  return stats;
}

}  // namespace prodcat::experiments
