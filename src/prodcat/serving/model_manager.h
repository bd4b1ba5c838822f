// ModelManager: the model currently served and its replacement without downtime. A reload
// (poll, SIGHUP, POST /admin/reload) asks the source for its revision; when it changed, the new
// model is loaded, verified and warmed on the calling (background) thread, then swapped in with
// one atomic store. Requests hold the shared_ptr they started with, so in-flight requests finish
// on the old model. A model that fails to load or verify is rejected and the current one keeps
// serving; a rejected revision is not retried by polling until it changes again.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "prodcat/common/shared_snapshot.h"
#include "prodcat/common/status.h"
#include "prodcat/serving/model_source.h"
#include "prodcat/serving/served_model.h"

namespace prodcat::serving {

enum class ReloadTrigger { kPoll, kSignal, kAdmin };
const char* ReloadTriggerName(ReloadTrigger trigger);

struct ReloadResult {
  enum class Outcome { kUnchanged, kReloaded, kFailed };
  Outcome outcome = Outcome::kUnchanged;
  Status status;                 // why it failed (kFailed only)
  std::string previous_version;  // the version served before the attempt ("" when none)
  std::string version;           // the version served after it
  double seconds = 0;            // load + verify + warm time
};
const char* ReloadOutcomeName(ReloadResult::Outcome outcome);

class ModelManager {
 public:
  // Called after every reload attempt that did something (reloaded or failed).
  using Observer = std::function<void(ReloadTrigger, const ReloadResult&)>;

  // Completes a freshly loaded model before it is warmed and swapped in (derived state such as
  // the class prior and drift windows); a failure rejects the model like a load failure.
  using Preparer = std::function<Status(ServedModel*)>;

  explicit ModelManager(std::unique_ptr<ModelSource> source, Observer observer = nullptr,
                        Preparer preparer = nullptr);
  ~ModelManager();
  ModelManager(const ModelManager&) = delete;
  ModelManager& operator=(const ModelManager&) = delete;

  // Loads, verifies and warms the first model. On failure nothing is served.
  Status LoadInitial();
  // The model to use for one request; null before the first successful load. Cheap on every
  // thread (see SharedSnapshot).
  std::shared_ptr<const ServedModel> current() const { return current_.Load(); }
  // Checks the source and swaps in its model when it changed (`force`: even when it did not).
  // Serialized: concurrent callers wait for each other.
  ReloadResult Reload(ReloadTrigger trigger, bool force = false);

  // Starts the background thread: polls every `interval` (zero: never; it still serves
  // RequestReload).
  void Start(std::chrono::milliseconds interval);
  // Asks the background thread to check the source now (e.g. from the signal thread).
  void RequestReload();
  // Stops and joins the background thread. Idempotent.
  void Stop();

  const ModelSource& source() const { return *source_; }
  // Installs a model directly (tests, and the initial load).
  void Install(std::shared_ptr<const ServedModel> model);

 private:
  void PollLoop(std::chrono::milliseconds interval);

  // Source's model + PrepareServedModel + preparer_.
  Status LoadPrepared(std::shared_ptr<const ServedModel>* out) const;

  std::unique_ptr<ModelSource> source_;        // never null
  Observer observer_;                          // may be empty
  Preparer preparer_;                          // may be empty
  SharedSnapshot<const ServedModel> current_;  // null until the first load
  std::mutex reload_mutex_;                    // one reload at a time; guards failed_revision_
  std::string failed_revision_;                // the last revision rejected; polls skip it
  std::mutex wake_mutex_;                      // guards wake_ and stop_
  std::condition_variable wake_cv_;
  bool wake_ = false;   // RequestReload was called since the last check
  bool stop_ = false;   // Stop was called
  std::thread poller_;  // joinable between Start and Stop
};

// Runs a few predictions so the first real request does not pay for first-touch page faults and
// lazily built state. Fails if the model cannot score a basic record.
Status WarmUp(const ModelBundle& bundle);

}  // namespace prodcat::serving
