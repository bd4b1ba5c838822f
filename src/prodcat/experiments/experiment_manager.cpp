#include "prodcat/experiments/experiment_manager.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <ctime>

#include "prodcat/experiments/verdict.h"

namespace prodcat::experiments {
namespace {

constexpr size_t kMaxIdBytes = 256;
constexpr size_t kMaxLabelBytes = 1024;
// Pearson's chi-square needs a handful of expected observations per arm to be trusted.
constexpr double kSrmMinExpectedCount = 5;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string NowIso8601() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// A ratio, or JSON null when the denominator is 0 (no data is not 0%).
nlohmann::json Ratio(double numerator, double denominator) {
  if (denominator <= 0) return nullptr;
  return numerator / denominator;
}

}  // namespace

struct ExperimentManager::ArmState {
  int64_t requests = 0;       // RecordServed calls for this arm
  double latency_ms_sum = 0;  // sum of their latency_ms
  double confidence_sum = 0;  // sum of their confidence
  int64_t feedback = 0;       // feedbacks matched to this arm's requests
  int64_t correct = 0;        // those whose label equals the prediction
};

struct ExperimentManager::ExperimentState {
  ExperimentSpec spec;                   // validated; only status changes after creation
  std::vector<BucketRange> ranges;       // ranges[i] belongs to spec.arms[i]
  std::vector<ArmState> arms;            // arms[i] belongs to spec.arms[i]
  std::vector<MixtureSprt> comparisons;  // comparisons[j - 1]: arm j against arm 0

  size_t ArmIndex(std::string_view name) const {
    for (size_t i = 0; i < spec.arms.size(); ++i) {
      if (spec.arms[i].name == name) return i;
    }
    return spec.arms.size();
  }
};

struct ExperimentManager::ActiveExperiment {
  std::string id;                       // the running experiment
  std::vector<std::string> key_fields;  // tried in order for the assignment key
  std::vector<BucketRange> ranges;      // ranges[i] belongs to arm i
  std::vector<std::string> arm_names;   // arm_names[i] of arm i
  std::vector<std::string> models;      // models[i] of arm i
};

struct ExperimentManager::RecentAssignment {
  ExperimentState* experiment = nullptr;  // owner of the request; never null once stored
  size_t arm_index = 0;                   // the request's arm
  std::string product_id;                 // may be empty
  std::string predicted_category;         // the arm model's answer
  bool has_feedback = false;              // a label was recorded for this request
  uint64_t generation = 0;                // matches the recent_ring_ slot that evicts it
};

Status ExperimentManager::Open(const std::string& path,
                               std::unique_ptr<ExperimentManager>* manager) {
  return Open(path, ManagerOptions{}, manager);
}

Status ExperimentManager::Open(const std::string& path, const ManagerOptions& options,
                               std::unique_ptr<ExperimentManager>* manager) {
  std::unique_ptr<ExperimentStore> store;
  PRODCAT_RETURN_IF_ERROR(ExperimentStore::Open(path, options.store, &store));
  std::unique_ptr<ExperimentManager> opened(new ExperimentManager(std::move(store), options));
  Status loaded = opened->Load();
  if (!loaded.ok()) return loaded.WithContext("experiment store '" + path + "'");
  *manager = std::move(opened);
  return Status::Ok();
}

ExperimentManager::ExperimentManager(std::unique_ptr<ExperimentStore> store,
                                     const ManagerOptions& options)
    : options_(options), store_(std::move(store)) {}

ExperimentManager::~ExperimentManager() = default;  // the store's destructor commits the buffer

std::unique_ptr<ExperimentManager::ExperimentState> ExperimentManager::NewState(
    const ExperimentSpec& spec) {
  auto state = std::make_unique<ExperimentState>();
  state->spec = spec;
  std::vector<double> weights;
  for (const ArmSpec& arm : spec.arms) weights.push_back(arm.weight);
  (void)ComputeBucketRanges(weights, &state->ranges);  // the spec was validated
  state->arms.resize(spec.arms.size());
  // Bonferroni: k - 1 comparisons against the control share the family-wise alpha.
  SequentialTestOptions test;
  test.alpha = spec.alpha / static_cast<double>(spec.arms.size() - 1);
  test.mixture_sd = spec.mixture_sd;
  test.min_per_arm = spec.min_feedback_per_arm;
  state->comparisons.assign(spec.arms.size() - 1, MixtureSprt(test));
  return state;
}

std::shared_ptr<const ExperimentManager::ActiveExperiment> ExperimentManager::MakeActive(
    const ExperimentState& state) {
  auto active = std::make_shared<ActiveExperiment>();
  active->id = state.spec.id;
  active->key_fields = state.spec.key_fields;
  active->ranges = state.ranges;
  for (const ArmSpec& arm : state.spec.arms) {
    active->arm_names.push_back(arm.name);
    active->models.push_back(arm.model);
  }
  return active;
}

Status ExperimentManager::Load() {
  std::vector<ExperimentSpec> specs;
  PRODCAT_RETURN_IF_ERROR(store_->LoadExperiments(&specs));
  std::lock_guard lock(state_mutex_);
  ExperimentState* running = nullptr;
  for (const ExperimentSpec& spec : specs) {
    auto state = NewState(spec);
    if (spec.status == ExperimentStatus::kRunning) {
      if (running) {
        return Status::FailedPrecondition("experiments '" + running->spec.id + "' and '" + spec.id +
                                          "' are both running; at most one may run at a time");
      }
      running = state.get();
    }
    order_.push_back(state.get());
    experiments_.emplace(spec.id, std::move(state));
  }
  std::vector<ArmTotals> totals;
  PRODCAT_RETURN_IF_ERROR(store_->LoadArmTotals(&totals));
  for (const ArmTotals& t : totals) {
    auto it = experiments_.find(t.experiment_id);
    size_t arm = it == experiments_.end() ? 0 : it->second->ArmIndex(t.arm);
    if (it == experiments_.end() || arm == it->second->arms.size()) {
      spdlog::warn("experiment store: {} assignments name unknown experiment '{}' arm '{}'",
                   t.requests, t.experiment_id, t.arm);
      continue;
    }
    ArmState& state = it->second->arms[arm];
    state.requests = t.requests;
    state.latency_ms_sum = t.latency_ms_sum;
    state.confidence_sum = t.confidence_sum;
  }
  uint64_t orphans = 0;
  PRODCAT_RETURN_IF_ERROR(store_->ForEachFeedback([&](const FeedbackRecord& r) {
    auto it = experiments_.find(r.experiment_id);
    size_t arm = it == experiments_.end() ? 0 : it->second->ArmIndex(r.arm);
    if (it == experiments_.end() || arm == it->second->arms.size()) {
      ++orphans;
      return;
    }
    CountFeedback(*it->second, arm, r.correct);
  }));
  if (orphans > 0) {
    spdlog::warn("experiment store: {} feedback rows name an unknown experiment or arm", orphans);
  }
  if (running) SetActive(MakeActive(*running));
  return Status::Ok();
}

Status ExperimentManager::Create(ExperimentSpec spec) {
  std::lock_guard admin(admin_mutex_);
  return CreateLocked(std::move(spec));
}

Status ExperimentManager::CreateLocked(ExperimentSpec spec) {
  if (spec.created_at.empty()) spec.created_at = NowIso8601();
  PRODCAT_RETURN_IF_ERROR(ValidateExperimentSpec(spec));
  {
    std::lock_guard lock(state_mutex_);
    if (experiments_.count(spec.id)) {
      return Status::AlreadyExists("experiment '" + spec.id + "' already exists");
    }
    auto active = active_.load();
    if (spec.status == ExperimentStatus::kRunning && active) {
      return Status::FailedPrecondition("experiment '" + active->id +
                                        "' is running; stop it before starting '" + spec.id +
                                        "' (at most one experiment receives traffic)");
    }
  }
  PRODCAT_RETURN_IF_ERROR(store_->SaveExperiment(spec));
  auto state = NewState(spec);
  std::lock_guard lock(state_mutex_);
  if (spec.status == ExperimentStatus::kRunning) SetActive(MakeActive(*state));
  order_.push_back(state.get());
  experiments_.emplace(spec.id, std::move(state));
  return Status::Ok();
}

Status ExperimentManager::Declare(ExperimentSpec spec) {
  PRODCAT_RETURN_IF_ERROR(ValidateExperimentSpec(spec));
  std::lock_guard admin(admin_mutex_);
  std::optional<ExperimentSpec> existing;
  {
    std::lock_guard lock(state_mutex_);
    auto it = experiments_.find(spec.id);
    if (it != experiments_.end()) existing = it->second->spec;
  }
  if (!existing) return CreateLocked(std::move(spec));
  std::string difference;
  if (SameDefinition(*existing, spec, &difference)) return Status::Ok();
  return Status::FailedPrecondition("experiment '" + spec.id +
                                    "' already exists with a different " + difference +
                                    "; changing a running experiment's definition would "
                                    "invalidate it, declare a new id instead");
}

Status ExperimentManager::Stop(const std::string& id) {
  std::lock_guard admin(admin_mutex_);
  ExperimentSpec spec;
  {
    std::lock_guard lock(state_mutex_);
    auto it = experiments_.find(id);
    if (it == experiments_.end()) return Status::NotFound("experiment '" + id + "' does not exist");
    if (it->second->spec.status == ExperimentStatus::kStopped) return Status::Ok();
    spec = it->second->spec;
  }
  spec.status = ExperimentStatus::kStopped;
  PRODCAT_RETURN_IF_ERROR(store_->SaveExperiment(spec));
  std::lock_guard lock(state_mutex_);
  experiments_.at(id)->spec.status = ExperimentStatus::kStopped;
  auto active = active_.load();
  if (active && active->id == id) SetActive(nullptr);
  return Status::Ok();
}

std::vector<ExperimentSpec> ExperimentManager::List() const {
  std::lock_guard lock(state_mutex_);
  std::vector<ExperimentSpec> specs;
  specs.reserve(order_.size());
  for (const ExperimentState* state : order_) specs.push_back(state->spec);
  return specs;
}

StatusOr<ExperimentSpec> ExperimentManager::Get(const std::string& id) const {
  std::lock_guard lock(state_mutex_);
  auto it = experiments_.find(id);
  if (it == experiments_.end()) return Status::NotFound("experiment '" + id + "' does not exist");
  return it->second->spec;
}

void ExperimentManager::SetActive(std::shared_ptr<const ActiveExperiment> active) {
  const bool any = active != nullptr;
  active_.store(std::move(active), std::memory_order_release);
  has_active_.store(any, std::memory_order_release);
}

std::optional<std::string> ExperimentManager::Active() const {
  auto active = active_.load();
  if (!active) return std::nullopt;
  return active->id;
}

std::optional<Assignment> ExperimentManager::Assign(const std::string& key) const {
  if (!has_active_.load(std::memory_order_acquire)) return std::nullopt;
  auto active = active_.load(std::memory_order_acquire);
  if (!active) return std::nullopt;
  Assignment assignment;
  assignment.experiment_id = active->id;
  assignment.bucket = Bucket(active->id, key);
  assignment.arm_index = ArmForBucket(active->ranges, assignment.bucket);
  assignment.arm = active->arm_names[assignment.arm_index];
  assignment.model = active->models[assignment.arm_index];
  assignment.key = key;
  return assignment;
}

std::optional<Assignment> ExperimentManager::AssignRequest(const FieldLookup& field) const {
  if (!has_active_.load(std::memory_order_acquire)) return std::nullopt;
  auto active = active_.load(std::memory_order_acquire);
  if (!active) return std::nullopt;
  std::optional<std::string> key = SelectAssignmentKey(active->key_fields, field);
  if (!key) return std::nullopt;
  // Assign with the same snapshot, so a concurrent Stop cannot mix two experiments' tables.
  Assignment assignment;
  assignment.experiment_id = active->id;
  assignment.bucket = Bucket(active->id, *key);
  assignment.arm_index = ArmForBucket(active->ranges, assignment.bucket);
  assignment.arm = active->arm_names[assignment.arm_index];
  assignment.model = active->models[assignment.arm_index];
  assignment.key = std::move(*key);
  return assignment;
}

void ExperimentManager::Remember(const std::string& request_id, RecentAssignment entry,
                                 bool latest_for_product) {
  // Steady state allocates nothing: the evicted entry's map nodes and ring slot (strings
  // included) are reused for the new one. This is on every served request's path.
  const size_t capacity = std::max<size_t>(1, options_.recent_capacity);
  entry.generation = ++next_generation_;
  decltype(recent_)::node_type spare_request;
  decltype(recent_by_product_)::node_type spare_product;
  const bool ring_full = recent_ring_.size() >= capacity;
  if (ring_full) {
    const auto& [oldest, oldest_generation] = recent_ring_[ring_next_];
    auto it = recent_.find(oldest);
    if (it != recent_.end() && it->second.generation == oldest_generation) {
      auto product = recent_by_product_.find(it->second.product_id);
      if (product != recent_by_product_.end() && product->second == oldest) {
        spare_product = recent_by_product_.extract(product);
      }
      spare_request = recent_.extract(it);
    }
  }
  // One hash lookup per map: insert, and overwrite when the key is already there.
  if (latest_for_product && !entry.product_id.empty()) {
    if (spare_product) {
      spare_product.key() = entry.product_id;
      spare_product.mapped() = request_id;
      auto inserted = recent_by_product_.insert(std::move(spare_product));
      if (!inserted.inserted) inserted.position->second = request_id;
    } else {
      auto [it, inserted] = recent_by_product_.try_emplace(entry.product_id, request_id);
      if (!inserted) it->second = request_id;
    }
  }
  // A reused request id overwrites: the newest request wins.
  if (spare_request) {
    spare_request.key() = request_id;
    spare_request.mapped() = std::move(entry);
    auto inserted = recent_.insert(std::move(spare_request));
    if (!inserted.inserted) inserted.position->second = std::move(inserted.node.mapped());
  } else {
    recent_.insert_or_assign(request_id, std::move(entry));
  }
  if (ring_full) {
    recent_ring_[ring_next_].first = request_id;  // reuses the slot string's buffer
    recent_ring_[ring_next_].second = next_generation_;
  } else {
    recent_ring_.emplace_back(request_id, next_generation_);
  }
  ring_next_ = (ring_next_ + 1) % capacity;
}

void ExperimentManager::RecordServed(const std::string& experiment_id, const std::string& arm,
                                     const std::string& request_id, const std::string& key,
                                     const std::string& product_id,
                                     const std::string& predicted_category, double confidence,
                                     double latency_ms) {
  // Build the copies before taking the lock so the critical section is only map updates.
  ServedRecord row{request_id,         experiment_id, arm,        key,    product_id,
                   predicted_category, confidence,    latency_ms, NowMs()};
  RecentAssignment entry;
  entry.product_id = product_id;
  entry.predicted_category = predicted_category;
  {
    std::lock_guard lock(state_mutex_);
    auto it = experiments_.find(experiment_id);
    size_t arm_index = it == experiments_.end() ? 0 : it->second->ArmIndex(arm);
    if (it == experiments_.end() || arm_index == it->second->arms.size()) {
      ignored_served_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    ArmState& state = it->second->arms[arm_index];
    ++state.requests;
    state.latency_ms_sum += latency_ms;
    state.confidence_sum += confidence;
    entry.experiment = it->second.get();
    entry.arm_index = arm_index;
    Remember(request_id, std::move(entry), /*latest_for_product=*/true);
  }
  store_->EnqueueServed(std::move(row));
}

void ExperimentManager::CountFeedback(ExperimentState& state, size_t arm_index, bool correct) {
  ArmState& arm = state.arms[arm_index];
  ++arm.feedback;
  arm.correct += correct ? 1 : 0;
  if (arm_index == 0) {
    for (MixtureSprt& comparison : state.comparisons) comparison.Add(false, correct);
  } else {
    state.comparisons[arm_index - 1].Add(true, correct);
  }
}

namespace {

Status AlreadyLabelled(const std::string& request_id) {
  return Status::AlreadyExists("feedback for request '" + request_id +
                               "' was already recorded; each served request takes one label");
}

}  // namespace

Status ExperimentManager::RecordFeedback(const FeedbackRequest& request, FeedbackResult* result) {
  if (request.true_category.empty() || request.true_category.size() > kMaxLabelBytes) {
    return Status::InvalidArgument("feedback: true_category: expected a label of 1 to " +
                                   std::to_string(kMaxLabelBytes) + " bytes");
  }
  if (request.request_id.empty() && request.product_id.empty()) {
    return Status::InvalidArgument("feedback: expected request_id or product_id, got neither");
  }
  if (request.request_id.size() > kMaxIdBytes || request.product_id.size() > kMaxIdBytes) {
    return Status::InvalidArgument("feedback: request_id and product_id must be at most " +
                                   std::to_string(kMaxIdBytes) + " bytes");
  }
  const bool by_request = !request.request_id.empty();
  bool first_attempt = true;
  std::optional<ServedRecord> stored;
  while (true) {
    {
      std::lock_guard lock(state_mutex_);
      // In memory: recent requests, and older ones that already received feedback this run.
      std::string request_id = request.request_id;
      if (!by_request) {
        auto product = recent_by_product_.find(request.product_id);
        if (product != recent_by_product_.end()) request_id = product->second;
      }
      auto it = request_id.empty() ? recent_.end() : recent_.find(request_id);
      if (!by_request && it != recent_.end() && it->second.product_id != request.product_id) {
        it = recent_.end();  // the request id was reused for another product
      }
      if (it == recent_.end() && stored) {
        // Found in the store on the previous pass (unless a concurrent feedback brought it into
        // memory meanwhile): count it and remember it as labelled.
        request_id = stored->request_id;
        it = recent_.find(request_id);
      }
      if (it == recent_.end() && stored) {
        auto experiment = experiments_.find(stored->experiment_id);
        size_t arm =
            experiment == experiments_.end() ? 0 : experiment->second->ArmIndex(stored->arm);
        if (experiment == experiments_.end() || arm == experiment->second->arms.size()) {
          return Status::DataLoss("feedback: request '" + stored->request_id +
                                  "' is stored for unknown experiment '" + stored->experiment_id +
                                  "' arm '" + stored->arm + "'");
        }
        RecentAssignment entry;
        entry.experiment = experiment->second.get();
        entry.arm_index = arm;
        entry.product_id = stored->product_id;
        entry.predicted_category = stored->predicted_category;
        // An older request: it must not displace the product's latest one.
        Remember(request_id, std::move(entry), /*latest_for_product=*/false);
        it = recent_.find(request_id);
      }
      if (it != recent_.end()) {
        RecentAssignment& entry = it->second;
        if (entry.has_feedback) return AlreadyLabelled(request_id);
        entry.has_feedback = true;
        ExperimentState& experiment = *entry.experiment;
        FeedbackResult out;
        out.experiment_id = experiment.spec.id;
        out.arm = experiment.spec.arms[entry.arm_index].name;
        out.request_id = request_id;
        out.product_id = entry.product_id;
        out.predicted_category = entry.predicted_category;
        out.true_category = request.true_category;
        out.correct = entry.predicted_category == request.true_category;
        CountFeedback(experiment, entry.arm_index, out.correct);
        // Enqueued under the lock so the store's order is the order the test saw.
        store_->EnqueueFeedback({out.request_id, out.product_id, out.experiment_id, out.arm,
                                 out.true_category, out.correct, NowMs()});
        *result = std::move(out);
        return Status::Ok();
      }
    }
    if (!first_attempt) break;
    first_attempt = false;
    // Not in memory: ask the store (committed and buffered rows alike).
    if (by_request) {
      PRODCAT_RETURN_IF_ERROR(store_->FindAssignment(request.request_id, &stored));
    } else {
      PRODCAT_RETURN_IF_ERROR(store_->FindLatestAssignmentForProduct(request.product_id, &stored));
    }
    if (!stored) break;
    bool labelled = false;
    PRODCAT_RETURN_IF_ERROR(store_->HasFeedback(stored->request_id, &labelled));
    if (labelled) return AlreadyLabelled(stored->request_id);
  }
  return Status::NotFound(
      by_request
          ? "feedback: no experiment assignment for request_id '" + request.request_id + "'"
          : "feedback: no experiment assignment for product_id '" + request.product_id + "'");
}

StatusOr<nlohmann::json> ExperimentManager::Summary(const std::string& id) const {
  ExperimentSpec spec;
  std::vector<BucketRange> ranges;
  std::vector<ArmState> arms;
  std::vector<SequentialResult> comparisons;
  {
    std::lock_guard lock(state_mutex_);
    auto it = experiments_.find(id);
    if (it == experiments_.end()) return Status::NotFound("experiment '" + id + "' does not exist");
    const ExperimentState& state = *it->second;
    spec = state.spec;
    ranges = state.ranges;
    arms = state.arms;
    for (const MixtureSprt& comparison : state.comparisons)
      comparisons.push_back(comparison.result());
  }
  int64_t total_requests = 0;
  for (const ArmState& arm : arms) total_requests += arm.requests;

  nlohmann::json arms_json = nlohmann::json::array();
  std::vector<int64_t> observed;
  std::vector<double> expected;
  for (size_t i = 0; i < arms.size(); ++i) {
    const ArmState& arm = arms[i];
    observed.push_back(arm.requests);
    expected.push_back(ExpectedShare(ranges[i]));
    arms_json.push_back({
        {"name", spec.arms[i].name},
        {"model", spec.arms[i].model},
        {"weight", spec.arms[i].weight},
        {"buckets", {ranges[i].begin, ranges[i].end}},
        {"expected_share", expected.back()},
        {"requests", arm.requests},
        {"share", Ratio(static_cast<double>(arm.requests), static_cast<double>(total_requests))},
        {"mean_latency_ms", Ratio(arm.latency_ms_sum, static_cast<double>(arm.requests))},
        {"mean_confidence", Ratio(arm.confidence_sum, static_cast<double>(arm.requests))},
        {"feedback", arm.feedback},
        {"correct", arm.correct},
        {"accuracy", Ratio(static_cast<double>(arm.correct), static_cast<double>(arm.feedback))},
    });
  }

  nlohmann::json srm;
  StatusOr<ChiSquareResult> chi = ChiSquareGoodnessOfFit(observed, expected);
  if (chi.ok()) {
    double min_expected = total_requests * *std::min_element(expected.begin(), expected.end());
    srm = {{"test", "pearson_chi_square"},
           {"chi_square", chi->statistic},
           {"degrees_of_freedom", chi->degrees_of_freedom},
           {"p_value", chi->p_value},
           {"threshold", kSrmAlertPValue},
           {"alert", chi->p_value < kSrmAlertPValue && min_expected >= kSrmMinExpectedCount}};
  }

  const double alpha_per_comparison = spec.alpha / static_cast<double>(comparisons.size());
  nlohmann::json comparisons_json = nlohmann::json::array();
  std::vector<Verdict> verdicts;
  std::optional<size_t> winner;
  for (size_t j = 0; j < comparisons.size(); ++j) {
    const SequentialResult& r = comparisons[j];
    Verdict verdict = DecideComparison(r, spec.min_detectable_effect);
    verdicts.push_back(verdict);
    if (verdict == Verdict::kBBetter && (!winner || r.lower > comparisons[*winner].lower)) {
      winner = j;
    }
    bool has_data = r.control_n > 0 && r.treatment_n > 0;
    comparisons_json.push_back({
        {"control", spec.arms[0].name},
        {"treatment", spec.arms[j + 1].name},
        {"method", "msprt_normal_mixture"},
        {"alpha", spec.alpha},
        {"alpha_per_comparison", alpha_per_comparison},
        {"mixture_sd", spec.mixture_sd},
        {"min_detectable_effect", spec.min_detectable_effect},
        {"started", r.started},
        {"difference", has_data ? nlohmann::json(r.difference) : nlohmann::json(nullptr)},
        {"confidence_sequence", {r.lower, r.upper}},
        {"always_valid_p_value", r.p_value},
        {"verdict", VerdictName(verdict)},
    });
  }
  Verdict verdict = CombineVerdicts(verdicts);
  nlohmann::json summary = {
      {"id", spec.id},
      {"status", ExperimentStatusName(spec.status)},
      {"spec", ExperimentSpecToJson(spec)},
      {"total_requests", total_requests},
      {"arms", arms_json},
      {"srm", srm},
      {"comparisons", comparisons_json},
      {"comparison", comparisons_json.at(0)},
      {"verdict", VerdictName(verdict)},
      {"winner", winner ? nlohmann::json(spec.arms[*winner + 1].name) : nlohmann::json(nullptr)},
  };
  return summary;
}

Status ExperimentManager::Flush() {
  return store_->Flush();
}

StoreStats ExperimentManager::store_stats() const {
  return store_->Stats();
}

}  // namespace prodcat::experiments
