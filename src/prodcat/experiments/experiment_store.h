// Persistence of experiments, assignments and feedback in one SQLite file (SQLiteCpp; WAL
// journal, synchronous=FULL, busy timeout), with a versioned schema.
//
// The serving hot path never waits for SQLite: served and feedback rows are appended to an
// in-memory buffer and a background thread writes the buffer in one transaction every
// `flush_interval` (100 ms by default) or as soon as `flush_rows` rows are waiting, and on Flush()
// and destruction. Durability: a graceful stop (destructor, or Flush()) loses nothing; a kill -9
// or crash loses at most the rows buffered since the last committed flush, i.e. about one flush
// interval of traffic (plus the batch being written, which is rolled back as a whole, never
// half-applied). Experiment definitions and status changes are written synchronously.
// If a flush fails (disk full, lock timeout), its rows go back to the front of the buffer and are
// retried; beyond `max_pending_rows` new rows are dropped and counted (see Stats()).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/experiments/experiment_spec.h"

namespace SQLite {
class Database;
}

namespace prodcat::experiments {

// One request served by an experiment arm.
struct ServedRecord {
  std::string request_id;          // the server's request id (expected unique)
  std::string experiment_id;       // the experiment that assigned the request
  std::string arm;                 // the arm's name
  std::string key;                 // the assignment key (user, session or product id)
  std::string product_id;          // may be empty
  std::string predicted_category;  // the arm model's top class
  double confidence = 0;           // its probability
  double latency_ms = 0;           // model latency
  int64_t served_at_ms = 0;        // Unix time in milliseconds
};

// Ground truth for one served request.
struct FeedbackRecord {
  std::string request_id;      // the served request it belongs to
  std::string product_id;      // that request's product id (may be empty)
  std::string experiment_id;   // that request's experiment
  std::string arm;             // that request's arm
  std::string true_category;   // the label
  bool correct = false;        // true_category == the request's predicted_category
  int64_t received_at_ms = 0;  // Unix time in milliseconds
};

// Per-arm request aggregates, rebuilt from the assignments table on open.
struct ArmTotals {
  std::string experiment_id;  // the experiment
  std::string arm;            // the arm's name
  int64_t requests = 0;       // served rows
  double latency_ms_sum = 0;  // sum of their latency_ms
  double confidence_sum = 0;  // sum of their confidence
};

struct StoreOptions {
  std::chrono::milliseconds flush_interval{100};  // the background writer's period
  size_t flush_rows = 8192;                       // flush early once this many rows wait
  size_t max_pending_rows = 1000000;              // beyond this (failing disk) new rows are dropped
  int busy_timeout_ms = 5000;                     // wait this long for another process's write lock
};

struct StoreStats {
  size_t pending_rows = 0;    // not yet committed: buffered or in the batch being written
  uint64_t written_rows = 0;  // committed since open
  uint64_t dropped_rows = 0;  // refused because the buffer was full
  uint64_t flushes = 0;       // committed transactions since open
  std::string last_error;     // the last flush failure, empty when the last flush succeeded
};

class ExperimentStore {
 public:
  // Opens or creates the file (and its directory), applies schema migrations and starts the
  // background writer. Fails on a file written by a newer prodcat.
  static Status Open(const std::string& path, const StoreOptions& options,
                     std::unique_ptr<ExperimentStore>* store);
  // Stops the writer and commits every buffered row.
  ~ExperimentStore();

  ExperimentStore(const ExperimentStore&) = delete;
  ExperimentStore& operator=(const ExperimentStore&) = delete;

  // The schema version this build writes.
  static int SchemaVersion();

  // Inserts or replaces the experiment (spec JSON and status), synchronously.
  Status SaveExperiment(const ExperimentSpec& spec);
  // Every stored experiment, in creation order.
  Status LoadExperiments(std::vector<ExperimentSpec>* specs);

  // Buffered writes; cheap (a lock and a vector append).
  void EnqueueServed(ServedRecord record);
  void EnqueueFeedback(FeedbackRecord record);

  // Commits every row buffered before the call.
  Status Flush();

  // Lookups see committed and still-buffered rows alike (the buffer is scanned first: it holds
  // the newest rows), so callers never need to Flush before asking.
  // The most recent assignment with this request id.
  Status FindAssignment(std::string_view request_id, std::optional<ServedRecord>* record);
  // The most recent assignment of this product, any experiment.
  Status FindLatestAssignmentForProduct(std::string_view product_id,
                                        std::optional<ServedRecord>* record);
  // Whether feedback for this request id was recorded.
  Status HasFeedback(std::string_view request_id, bool* found);

  // Request aggregates per (experiment, arm).
  Status LoadArmTotals(std::vector<ArmTotals>* totals);
  // Every stored feedback row in the order it was recorded.
  Status ForEachFeedback(const std::function<void(const FeedbackRecord&)>& visit);

  StoreStats Stats() const;

 private:
  ExperimentStore(std::unique_ptr<SQLite::Database> db, const StoreOptions& options);
  void WriterLoop();
  // Moves the buffer to the in-flight batch and writes it in one transaction; on failure puts
  // it back in front of the buffer.
  Status FlushPending();
  // The newest buffered or in-flight assignment with this request id (or, when request_id is
  // empty, this product id).
  std::optional<ServedRecord> FindBuffered(std::string_view request_id,
                                           std::string_view product_id) const;
  Status WriteBatch(const std::vector<ServedRecord>& served,
                    const std::vector<FeedbackRecord>& feedback);

  const StoreOptions options_;  // fixed at open

  // Serializes every use of the connection (it is opened without SQLite's own mutex) and makes
  // batches commit in the order they were swapped out of the buffer.
  std::mutex db_mutex_;
  std::unique_ptr<SQLite::Database> db_;  // never null; guarded by db_mutex_

  mutable std::mutex queue_mutex_;            // guards everything below
  std::condition_variable wake_writer_;       // signalled on stop and when flush_rows are waiting
  std::vector<ServedRecord> pending_served_;  // not yet written, in arrival order
  std::vector<FeedbackRecord> pending_feedback_;  // not yet written, in arrival order
  // The batch being written: filled from the pending vectors and emptied (or put back) only
  // under both mutexes, read by the writer under db_mutex_ and by lookups under queue_mutex_.
  std::vector<ServedRecord> in_flight_served_;
  std::vector<FeedbackRecord> in_flight_feedback_;
  bool stopping_ = false;      // set once by the destructor
  uint64_t written_rows_ = 0;  // committed rows since open
  uint64_t dropped_rows_ = 0;  // rows refused because the buffer was full
  uint64_t flushes_ = 0;       // committed transactions since open
  std::string last_error_;     // last flush failure; cleared by a successful flush

  std::thread writer_;  // runs WriterLoop until stopping_
};

}  // namespace prodcat::experiments
