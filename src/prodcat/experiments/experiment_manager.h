// ExperimentManager: the HTTP server's single, thread-safe entry point to A/B experiments.
//
// Traffic: at most one experiment is running at a time and it receives all assignable traffic
// (Create refuses a second running experiment; stop the first). Assign() hashes the request key
// into a bucket (see assignment.h) and returns the arm; it takes no lock (the running experiment
// is published through an atomic shared_ptr). After scoring, the server calls RecordServed(),
// which updates in-memory per-arm aggregates under a short lock and buffers the row for the
// background SQLite writer (see experiment_store.h for the durability guarantee).
//
// Feedback: RecordFeedback() matches ground truth to the served request by request id, or by
// product id (then the most recent assignment of that product, any experiment; a request id wins
// when both are given). Recent assignments are matched in memory, older ones in the store. Each
// served request takes at most one feedback: a second one is rejected with AlreadyExists, which
// keeps every request a single Bernoulli observation of the sequential test (a replayed or
// corrected label cannot double-count or rewrite history). Feedback for a stopped experiment's
// requests is still recorded. Requests served outside any experiment are NotFound.
//
// Restart: Open() reloads the experiments, the per-arm request aggregates and replays every
// stored feedback in its recorded order, so the sequential test's state (running p-value,
// confidence sequence) is exactly what it was.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/experiments/assignment.h"
#include "prodcat/experiments/experiment_spec.h"
#include "prodcat/experiments/experiment_store.h"
#include "prodcat/experiments/statistics.h"

namespace prodcat::experiments {

// The sample-ratio-mismatch alert threshold on the chi-square p-value.
inline constexpr double kSrmAlertPValue = 0.001;

struct ManagerOptions {
  StoreOptions store;               // buffering and flushing of the SQLite writer
  size_t recent_capacity = 100000;  // recent assignments kept in memory for feedback matching
};

// Where a request goes.
struct Assignment {
  std::string experiment_id;  // the running experiment
  std::string arm;            // the arm's name (the response names it)
  std::string model;          // the arm's model reference, for the server to resolve
  size_t arm_index = 0;       // position in the spec's arms; 0 is the control
  uint32_t bucket = 0;        // Bucket(experiment_id, key), in [0, kBucketCount)
  std::string key;            // the assignment key that was hashed
};

struct FeedbackRequest {
  std::string request_id;     // the served request; takes precedence over product_id
  std::string product_id;     // else the most recent assignment of this product
  std::string true_category;  // the ground-truth label, required
};

struct FeedbackResult {
  std::string experiment_id;       // the experiment the request belonged to
  std::string arm;                 // its arm
  std::string request_id;          // the matched request
  std::string product_id;          // its product id (may be empty)
  std::string predicted_category;  // what the arm's model answered
  std::string true_category;       // the label just recorded
  bool correct = false;            // predicted_category == true_category
};

class ExperimentManager {
 public:
  // Opens (or creates) the SQLite store at `path` and rebuilds the in-memory state from it.
  static Status Open(const std::string& path, std::unique_ptr<ExperimentManager>* manager);
  static Status Open(const std::string& path, const ManagerOptions& options,
                     std::unique_ptr<ExperimentManager>* manager);
  // Graceful stop: commits every buffered row.
  ~ExperimentManager();

  ExperimentManager(const ExperimentManager&) = delete;
  ExperimentManager& operator=(const ExperimentManager&) = delete;

  // Validates and stores a new experiment (created_at set to now when empty). AlreadyExists for
  // a known id; FailedPrecondition when it is running and another experiment is running.
  Status Create(ExperimentSpec spec);
  // For experiments declared in the server config, applied at every start: creates the
  // experiment when it is new; Ok (no change, stored status kept) when it exists with the same
  // definition (SameDefinition); FailedPrecondition naming the field when the definition changed
  // (changing arms mid-experiment would invalidate it: use a new id).
  Status Declare(ExperimentSpec spec);
  // Stops the experiment: no more traffic; data and feedback are kept. Ok if already stopped;
  // NotFound for an unknown id.
  Status Stop(const std::string& id);

  // Every experiment, in creation order.
  std::vector<ExperimentSpec> List() const;
  StatusOr<ExperimentSpec> Get(const std::string& id) const;
  // The running experiment's id, or nullopt.
  std::optional<std::string> Active() const;

  // The arm of the running experiment for this key, or nullopt when none is running. Lock-free.
  std::optional<Assignment> Assign(const std::string& key) const;
  // Picks the key from the request with the running experiment's key_fields (first non-empty
  // one) and assigns it; nullopt when none is running or the request has none of the fields
  // (the server then serves its default model outside the experiment).
  std::optional<Assignment> AssignRequest(const FieldLookup& field) const;

  // Records one served request. Cheap: aggregates under a short lock plus a buffered row. An
  // unknown experiment or arm is ignored (counted in ignored_served()).
  void RecordServed(const std::string& experiment_id, const std::string& arm,
                    const std::string& request_id, const std::string& key,
                    const std::string& product_id, const std::string& predicted_category,
                    double confidence, double latency_ms);

  // Records ground truth (see the file comment). InvalidArgument for a missing label or id,
  // NotFound when no assignment matches, AlreadyExists for a second feedback on a request.
  Status RecordFeedback(const FeedbackRequest& request, FeedbackResult* result);

  // Everything GET /experiments/{id} returns: spec, per-arm figures, SRM check, the sequential
  // comparisons and the verdict (shape in docs/experiments.md). NotFound for an unknown id.
  StatusOr<nlohmann::json> Summary(const std::string& id) const;

  // Commits every buffered row now.
  Status Flush();
  StoreStats store_stats() const;
  // RecordServed calls dropped because they named an unknown experiment or arm.
  uint64_t ignored_served() const { return ignored_served_.load(std::memory_order_relaxed); }

 private:
  struct ArmState;
  struct ExperimentState;
  struct ActiveExperiment;
  struct RecentAssignment;

  ExperimentManager(std::unique_ptr<ExperimentStore> store, const ManagerOptions& options);
  Status Load();
  static std::unique_ptr<ExperimentState> NewState(const ExperimentSpec& spec);
  static std::shared_ptr<const ActiveExperiment> MakeActive(const ExperimentState& state);
  // Publishes the running experiment (null: none) to active_ and has_active_.
  void SetActive(std::shared_ptr<const ActiveExperiment> active);
  Status CreateLocked(ExperimentSpec spec);
  // Counts one feedback in the arm's aggregates and comparisons. Caller holds state_mutex_.
  void CountFeedback(ExperimentState& state, size_t arm_index, bool correct);
  // Remembers a request for in-memory feedback matching, evicting the oldest beyond capacity;
  // `latest_for_product` makes it the product's most recent request. Caller holds state_mutex_.
  void Remember(const std::string& request_id, RecentAssignment entry, bool latest_for_product);
  // Store fallback of RecordFeedback for requests no longer (or not yet) in memory.
  Status FeedbackFromStore(const FeedbackRequest& request, FeedbackResult* result);

  const ManagerOptions options_;            // fixed at open
  std::unique_ptr<ExperimentStore> store_;  // never null

  // Serializes Create/Declare/Stop so their checks and synchronous writes do not interleave;
  // taken before state_mutex_, never after.
  std::mutex admin_mutex_;
  // Guards experiments_, order_, recent_*; held only for in-memory updates, never across I/O.
  mutable std::mutex state_mutex_;
  std::map<std::string, std::unique_ptr<ExperimentState>> experiments_;  // by id; never erased
  std::vector<ExperimentState*> order_;  // experiments_ in creation order
  // Recent served requests by request id, for feedback without a store query; bounded by
  // options_.recent_capacity, oldest evicted first.
  std::unordered_map<std::string, RecentAssignment> recent_;
  // Insertion order of recent_ as a ring of (request id, generation); a slot whose generation
  // no longer matches its recent_ entry (the id was re-remembered) evicts nothing.
  std::vector<std::pair<std::string, uint64_t>> recent_ring_;
  size_t ring_next_ = 0;  // the ring slot written next (the oldest once the ring is full)
  std::unordered_map<std::string, std::string> recent_by_product_;  // product -> latest request
  uint64_t next_generation_ = 0;  // stamps recent_ entries and their ring slots

  // The running experiment's assignment table, or null; replaced whole on Create/Stop.
  std::atomic<std::shared_ptr<const ActiveExperiment>> active_;
  // active_ != nullptr, readable without touching active_: its load is a lock-and-copy on a
  // shared cache line, which every request paid for while no experiment ran.
  std::atomic<bool> has_active_{false};
  std::atomic<uint64_t> ignored_served_{0};  // RecordServed calls for an unknown experiment/arm
};

}  // namespace prodcat::experiments
