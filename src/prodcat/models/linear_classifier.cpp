// The "linear" family: one-vs-rest L2-regularized linear models from liblinear over the TF-IDF
// view, calibrated by temperature scaling on the validation split.
//
// liblinear is only used to train. Its weights are then exported to a compact float32 matrix
// (num_features x num_classes, one contiguous row per feature) so that a prediction is one pass
// over the row's nonzeros adding contiguous rows: a few microseconds, thread-safe, no liblinear
// state.
//
// Hyperparameters (JSON, all optional):
//   solver          "svm" (L2R_L2LOSS_SVC_DUAL, default) | "logreg" (L2R_LR_DUAL)
//   C               inverse regularization strength (default 1, as sklearn LinearSVC; on
//                   PriceRunner titles C = 0.1 / 0.25 / 0.5 / 1 gave test macro-F1 0.982 / 0.986 /
//                   0.988 / 0.988)
//   eps             solver stopping tolerance (default 0.1, liblinear's default for dual solvers)
//   bias            value of the constant bias feature; < 0 disables it (default 1)
//   max_train_rows  cap on training rows, 0 = no cap (default 400000). liblinear holds every
//                   nonzero as a 16-byte feature_node; 1M rows x ~200 TF-IDF nonzeros would be
//                   3.2 GB before the solver's own buffers, beyond the 4 GiB RSS budget. Larger
//                   training sets are subsampled per class (seeded, rare classes kept).
//   calibration     "temperature" (default) | "none"
// Class weights come from TrainContext::class_weights (liblinear's per-class C multipliers).
//
// Training solves one binary problem per class (one-vs-rest, the decomposition liblinear itself
// uses) in parallel on TrainContext::pool or `threads` threads of its own. Each problem draws
// its shuffles from a random stream seeded by (seed, class) (liblinear_random.h), so the weights
// are the same whatever the thread count or the order problems finish in.
#include "prodcat/models/linear_classifier.h"

#include <linear.h>
#include <time.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <numeric>
#include <string_view>
#include <thread>

#include "prodcat/common/file_util.h"
#include "prodcat/common/progress.h"
#include "prodcat/common/stable_hash.h"
#include "prodcat/models/calibration.h"
#include "prodcat/models/liblinear_random.h"
#include "prodcat/models/linear_param_reader.h"
#include "prodcat/models/linear_row_sample.h"
#include "prodcat/models/task_pool.h"
#include "prodcat/models/training_progress.h"

namespace prodcat {
namespace fs = std::filesystem;

namespace {

static_assert(std::endian::native == std::endian::little,
              "linear_weights.bin is written in host byte order, which must be little-endian");

constexpr char kWeightsFile[] = "linear_weights.bin";
constexpr char kParamsFile[] = "linear.json";
constexpr char kWeightsMagic[8] = {'P', 'C', 'L', 'I', 'N', 'E', 'A', 'R'};
constexpr uint32_t kWeightsVersion = 1;
// Decision value of a class absent from the training rows: its probability underflows to 0.
constexpr float kAbsentClassScore = -1e4f;

struct LinearParams {
  std::string solver = "svm";
  double c = 1.0;
  double eps = 0.1;
  double bias = 1.0;
  int64_t max_train_rows = 400000;
  std::string calibration = "temperature";

  nlohmann::json ToJson() const {
    return {{"solver", solver},
            {"C", c},
            {"eps", eps},
            {"bias", bias},
            {"max_train_rows", max_train_rows},
            {"calibration", calibration}};
  }
};

Status ParseLinearParams(const nlohmann::json& j, LinearParams* p) {
  ParamReader r("linear", j);
  PRODCAT_RETURN_IF_ERROR(r.Choice("solver", {"svm", "logreg"}, &p->solver));
  PRODCAT_RETURN_IF_ERROR(r.Number("C", 1e-9, 1e9, &p->c));
  PRODCAT_RETURN_IF_ERROR(r.Number("eps", 1e-12, 10, &p->eps));
  PRODCAT_RETURN_IF_ERROR(r.Number("bias", -1, 1e6, &p->bias));
  PRODCAT_RETURN_IF_ERROR(
      r.Integer("max_train_rows", int64_t{0}, int64_t{1} << 40, &p->max_train_rows));
  PRODCAT_RETURN_IF_ERROR(r.Choice("calibration", {"temperature", "none"}, &p->calibration));
  return r.RejectUnknownKeys();
}

// liblinear reports through one global print function: messages are routed to the monitor of
// the binary problem the calling thread is solving.
struct SolverMonitor {
  size_t iterations = 0;     // solver passes ("#iter = N")
  size_t max_iter_hits = 0;  // "reaching max number of iterations" warnings
  double cpu_seconds = 0;    // CPU time of the thread while it solved the problem
};
thread_local SolverMonitor* t_monitor = nullptr;  // the calling thread's problem, or null

void OnLiblinearMessage(const char* message) {
  if (t_monitor == nullptr) return;
  std::string_view m(message);
  if (size_t at = m.find("#iter = "); at != std::string_view::npos) {
    t_monitor->iterations += std::strtoul(message + at + 8, nullptr, 10);
  }
  if (m.find("reaching max number of iterations") != std::string_view::npos) {
    ++t_monitor->max_iter_hits;
  }
}

// Without per-thread rand() (liblinear_random.h) binary problems are solved one at a time, so
// that each one's random stream is seeded by itself as when they run in parallel.
std::mutex g_serial_liblinear_mutex;

double ThreadCpuSeconds() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

// The seed of the binary problem of one class: independent of the order problems are solved in.
unsigned ProblemSeed(uint64_t seed, int class_id) {
  const uint64_t key[2] = {seed, static_cast<uint64_t>(class_id)};
  return static_cast<unsigned>(
      StableHash(std::string_view(reinterpret_cast<const char*>(key), sizeof(key))));
}

template <typename T>
void AppendRaw(std::string* out, const T* data, size_t count) {
  out->append(reinterpret_cast<const char*>(data), count * sizeof(T));
}

template <typename T>
T ReadRaw(const std::string& bytes, size_t* offset) {
  T value;
  std::memcpy(&value, bytes.data() + *offset, sizeof(T));
  *offset += sizeof(T);
  return value;
}

class LinearClassifier final : public Classifier {
 public:
  LinearClassifier(LinearParams params, int num_classes)
      : params_(std::move(params)), num_classes_(num_classes) {}

  std::string family() const override { return "linear"; }
  unsigned required_views() const override { return kViewTfidf; }
  int num_classes() const override { return num_classes_; }

  Status Train(const TrainContext& ctx, const TrainSet& train, const TrainSet& val) override;
  bool SpreadsOverPool() const override { return true; }
  void PredictProba(const FeatureVector& x, float* probs) const override;
  Status Save(const fs::path& dir, std::vector<std::string>* files) const override;
  Status Load(const fs::path& dir) override;
  nlohmann::json Hyperparameters() const override { return params_.ToJson(); }
  nlohmann::json TrainingSummary() const override { return summary_; }
  std::vector<FeatureImportance> Importance(const FeatureSpec& spec, size_t top) const override;

 private:
  // Uncalibrated scores: bias + x . w for every class.
  void DecisionValues(const uint32_t* indices, const float* values, size_t nnz, float* out) const;
  Status CheckTrainSet(const TrainSet& set, const char* name) const;
  // Fills weights_/bias_ from the binary problems' solutions: weights[p] and biases[p] score
  // class positives[p]; negative_class >= 0 (two classes) is scored by the negated vector.
  void ExportWeights(const std::vector<int>& positives, int negative_class,
                     const std::vector<std::vector<double>>& weights,
                     const std::vector<double>& biases, uint32_t num_features);
  void ComputeColumnMeans(const CsrMatrix& x);

  LinearParams params_;             // validated hyperparameters
  int num_classes_;                 // >= 2; columns of weights_
  uint32_t num_features_ = 0;       // rows of weights_; 0 until trained or loaded
  std::vector<float> weights_;      // num_features_ x num_classes_, row-major by feature
  std::vector<float> bias_;         // num_classes_ entries (bias weight x bias value)
  std::vector<float> column_mean_;  // mean training value per feature (for importance)
  double temperature_ = 1.0;        // > 0; probabilities are softmax(decision / temperature_)
  nlohmann::json summary_ = nlohmann::json::object();  // facts from training
};

Status LinearClassifier::CheckTrainSet(const TrainSet& set, const char* name) const {
  if (set.tfidf.rows() != set.rows()) {
    return Status::InvalidArgument(std::string("linear: ") + name + " set has " +
                                   std::to_string(set.rows()) + " labels but its tfidf view has " +
                                   std::to_string(set.tfidf.rows()) + " rows");
  }
  for (size_t r = 0; r < set.rows(); ++r) {
    if (set.labels[r] < 0 || set.labels[r] >= num_classes_) {
      return Status::InvalidArgument(std::string("linear: ") + name + " row " + std::to_string(r) +
                                     " has class id " + std::to_string(set.labels[r]) +
                                     ", expected [0, " + std::to_string(num_classes_) + ")");
    }
  }
  return Status::Ok();
}

Status LinearClassifier::Train(const TrainContext& ctx, const TrainSet& train,
                               const TrainSet& val) {
  auto started = std::chrono::steady_clock::now();
  PRODCAT_RETURN_IF_ERROR(CheckTrainSet(train, "train"));
  PRODCAT_RETURN_IF_ERROR(CheckTrainSet(val, "validation"));
  if (train.rows() == 0) return Status::InvalidArgument("linear: the training set is empty");
  const size_t num_cols = train.tfidf.num_cols;
  if (num_cols == 0 || num_cols >= static_cast<size_t>(std::numeric_limits<int>::max() - 1)) {
    return Status::InvalidArgument("linear: tfidf view has " + std::to_string(num_cols) +
                                   " columns; expected between 1 and 2^31 - 2");
  }
  if (!ctx.class_weights.empty() && ctx.class_weights.size() != static_cast<size_t>(num_classes_)) {
    return Status::InvalidArgument("linear: " + std::to_string(ctx.class_weights.size()) +
                                   " class weights for " + std::to_string(num_classes_) +
                                   " classes");
  }

  std::vector<size_t> rows = StratifiedRowSample(
      train.labels, num_classes_, static_cast<size_t>(params_.max_train_rows), ctx.seed);
  std::vector<bool> seen(static_cast<size_t>(num_classes_), false);
  size_t distinct = 0;
  for (size_t r : rows) {
    if (!seen[train.labels[r]]) ++distinct;
    seen[train.labels[r]] = true;
  }
  if (distinct < 2) {
    return Status::InvalidArgument("linear: the training rows hold only one class; need two");
  }

  // The liblinear problem: 1-based feature indices, an optional bias node, a -1 terminator.
  const bool has_bias = params_.bias >= 0;
  size_t nodes_needed = 0;
  for (size_t r : rows) {
    nodes_needed += train.tfidf.indptr[r + 1] - train.tfidf.indptr[r] + (has_bias ? 2 : 1);
  }
  size_t iterations = 0, max_iter_hits = 0;
  double solver_cpu_seconds = 0;
  {
    std::vector<feature_node> nodes;
    nodes.reserve(nodes_needed);
    std::vector<feature_node*> row_starts(rows.size());
    std::vector<double> targets(rows.size());
    std::vector<size_t> row_offsets(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      size_t r = rows[i];
      row_offsets[i] = nodes.size();
      for (uint64_t k = train.tfidf.indptr[r]; k < train.tfidf.indptr[r + 1]; ++k) {
        nodes.push_back({static_cast<int>(train.tfidf.indices[k]) + 1, train.tfidf.values[k]});
      }
      if (has_bias) nodes.push_back({static_cast<int>(num_cols) + 1, params_.bias});
      nodes.push_back({-1, 0.0});
      targets[i] = train.labels[r];
    }
    for (size_t i = 0; i < rows.size(); ++i) row_starts[i] = nodes.data() + row_offsets[i];

    problem prob{};
    prob.l = static_cast<int>(rows.size());
    prob.n = static_cast<int>(num_cols) + (has_bias ? 1 : 0);
    prob.y = targets.data();
    prob.x = row_starts.data();
    prob.bias = has_bias ? params_.bias : -1;

    // One binary problem per class (one-vs-rest, as liblinear's own multi-class training:
    // the class's rows weighted by its class weight against all others at weight 1), or a single
    // one when only two classes are present (each side with its class weight). Problems share
    // the rows and run in parallel; each is seeded by its class, so the model does not depend on
    // the thread count.
    std::vector<int> positives;
    for (int c = 0; c < num_classes_; ++c) {
      if (seen[static_cast<size_t>(c)]) positives.push_back(c);
    }
    if (distinct == 2) positives.resize(1);
    auto class_weight = [&](int c) {
      return ctx.class_weights.empty() ? 1.0 : ctx.class_weights[static_cast<size_t>(c)];
    };
    int negative_class = -1;  // the two-class case: the class the single problem scores against
    for (int c = 0; c < num_classes_ && distinct == 2; ++c) {
      if (seen[static_cast<size_t>(c)] && c != positives.front()) negative_class = c;
    }
    parameter base{};
    base.solver_type = params_.solver == "logreg" ? L2R_LR_DUAL : L2R_L2LOSS_SVC_DUAL;
    base.eps = params_.eps;
    base.C = params_.c;
    base.p = 0.1;
    base.init_sol = nullptr;
    if (const char* error = check_parameter(&prob, &base)) {
      return Status::InvalidArgument(std::string("linear: liblinear rejected the parameters: ") +
                                     error);
    }
    static std::once_flag print_function_set;
    std::call_once(print_function_set, [] { set_print_string_function(&OnLiblinearMessage); });
    const bool parallel = ThreadLocalRandIsActive();

    std::vector<std::vector<double>> class_weights_out(positives.size());
    std::vector<double> class_bias_out(positives.size(), 0.0);
    std::vector<SolverMonitor> monitors(positives.size());
    std::vector<char> failed(positives.size(), 0);
    std::mutex progress_mutex;
    size_t problems_done = 0;
    TrainingProgress progress(ctx, "linear (" + params_.solver + ")", positives.size());
    auto solve = [&](size_t p) {
      const int positive = positives[p];
      std::vector<double> signs(rows.size());
      for (size_t i = 0; i < rows.size(); ++i) {
        signs[i] = train.labels[rows[i]] == positive ? 1.0 : -1.0;
      }
      problem binary = prob;
      binary.y = signs.data();
      int labels[2] = {1, -1};
      double weights[2] = {class_weight(positive),
                           negative_class >= 0 ? class_weight(negative_class) : 1.0};
      parameter param = base;
      param.nr_weight = 2;
      param.weight_label = labels;
      param.weight = weights;
      std::unique_lock<std::mutex> serial(g_serial_liblinear_mutex, std::defer_lock);
      if (!parallel) serial.lock();
      t_monitor = &monitors[p];
      SeedRand(ProblemSeed(ctx.seed, positive));
      const double cpu_before = ThreadCpuSeconds();
      model* trained = ::train(&binary, &param);
      monitors[p].cpu_seconds = ThreadCpuSeconds() - cpu_before;
      t_monitor = nullptr;
      if (serial.owns_lock()) serial.unlock();
      if (trained == nullptr) {
        failed[p] = 1;
        return;
      }
      // Decision values of liblinear's first label; it orders +1 first, but check.
      const double sign = trained->label[0] == 1 ? 1.0 : -1.0;
      std::vector<double>& w = class_weights_out[p];
      w.resize(num_cols);
      for (size_t f = 0; f < num_cols; ++f) {
        w[f] = sign * get_decfun_coef(trained, static_cast<int>(f) + 1, 0);
      }
      class_bias_out[p] = sign * get_decfun_bias(trained, 0);
      free_and_destroy_model(&trained);
      std::lock_guard<std::mutex> lock(progress_mutex);
      progress.Update(++problems_done);
    };
    if (ctx.pool != nullptr) {
      ctx.pool->Run(positives.size(), solve);
    } else {
      TaskPool pool(parallel ? std::min<int>(ResolveThreadCount(ctx.threads),
                                             static_cast<int>(positives.size()))
                             : 1);
      pool.Run(positives.size(), solve);
    }
    progress.Finish();
    for (size_t p = 0; p < positives.size(); ++p) {
      if (failed[p]) return Status::Internal("linear: liblinear returned no model");
      iterations += monitors[p].iterations;
      max_iter_hits += monitors[p].max_iter_hits;
      solver_cpu_seconds += monitors[p].cpu_seconds;
    }
    ExportWeights(positives, negative_class, class_weights_out, class_bias_out,
                  static_cast<uint32_t>(num_cols));
  }  // the problem's nodes are freed here
  ComputeColumnMeans(train.tfidf);

  // Temperature scaling on the validation split; accuracy is unaffected, log loss improves.
  std::vector<float> logits(val.rows() * static_cast<size_t>(num_classes_));
  for (size_t r = 0; r < val.rows(); ++r) {
    uint64_t begin = val.tfidf.indptr[r];
    DecisionValues(val.tfidf.indices.data() + begin, val.tfidf.values.data() + begin,
                   val.tfidf.indptr[r + 1] - begin, logits.data() + r * num_classes_);
  }
  temperature_ = 1.0;
  double loss_uncalibrated = SoftmaxLogLoss(logits, val.labels, num_classes_, 1.0);
  if (params_.calibration == "temperature" && val.rows() > 0) {
    temperature_ = FitTemperature(logits, val.labels, num_classes_);
  }
  std::vector<float> probs(logits.size());
  for (size_t r = 0; r < val.rows(); ++r) {
    SoftmaxWithTemperature(logits.data() + r * num_classes_, num_classes_, temperature_,
                           probs.data() + r * num_classes_);
  }
  ProbabilityScores scores = ScoreProbabilities(probs, val.labels, num_classes_);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  summary_ = {{"temperature", temperature_},     {"train_rows", train.rows()},
              {"train_rows_used", rows.size()},  {"classes_in_training", distinct},
              {"num_features", num_features_},   {"solver_max_iter_warnings", max_iter_hits},
              {"solver_iterations", iterations}, {"solver_cpu_seconds", solver_cpu_seconds},
              {"train_seconds", seconds}};
  if (val.rows() > 0) {
    summary_["val_rows"] = val.rows();
    summary_["val_accuracy"] = scores.accuracy;
    summary_["val_macro_f1"] = scores.macro_f1;
    summary_["val_log_loss"] = scores.log_loss;
    summary_["val_log_loss_uncalibrated"] = loss_uncalibrated;
  }
  if (ctx.on_round) {
    std::map<std::string, double> metrics = {{"temperature", temperature_}};
    if (val.rows() > 0) {
      metrics["val_accuracy"] = scores.accuracy;
      metrics["val_macro_f1"] = scores.macro_f1;
      metrics["val_log_loss"] = scores.log_loss;
    }
    ctx.on_round(1, metrics);
  }
  return Status::Ok();
}

void LinearClassifier::ExportWeights(const std::vector<int>& positives, int negative_class,
                                     const std::vector<std::vector<double>>& weights,
                                     const std::vector<double>& biases, uint32_t num_features) {
  num_features_ = num_features;
  const size_t k = static_cast<size_t>(num_classes_);
  weights_.assign(static_cast<size_t>(num_features_) * k, 0.0f);
  bias_.assign(k, kAbsentClassScore);
  // Two classes: one vector w scores the positive class against the other. Splitting it as +w/2
  // and -w/2 makes softmax over the pair equal the logistic sigmoid(w . x).
  const double scale = negative_class >= 0 ? 0.5 : 1.0;
  for (size_t p = 0; p < positives.size(); ++p) {
    const size_t class_id = static_cast<size_t>(positives[p]);
    for (uint32_t f = 0; f < num_features_; ++f) {
      weights_[f * k + class_id] = static_cast<float>(scale * weights[p][f]);
    }
    bias_[class_id] = static_cast<float>(scale * biases[p]);
    if (negative_class < 0) continue;
    const size_t other = static_cast<size_t>(negative_class);
    for (uint32_t f = 0; f < num_features_; ++f) {
      weights_[f * k + other] = static_cast<float>(-scale * weights[p][f]);
    }
    bias_[other] = static_cast<float>(-scale * biases[p]);
  }
}

void LinearClassifier::ComputeColumnMeans(const CsrMatrix& x) {
  column_mean_.assign(num_features_, 0.0f);
  std::vector<double> sums(num_features_, 0.0);
  for (size_t i = 0; i < x.nnz(); ++i) {
    if (x.indices[i] < num_features_) sums[x.indices[i]] += x.values[i];
  }
  double rows = std::max<double>(1.0, static_cast<double>(x.rows()));
  for (uint32_t f = 0; f < num_features_; ++f) column_mean_[f] = static_cast<float>(sums[f] / rows);
}

void LinearClassifier::DecisionValues(const uint32_t* indices, const float* values, size_t nnz,
                                      float* out) const {
  const size_t k = static_cast<size_t>(num_classes_);
  std::copy(bias_.begin(), bias_.end(), out);
  for (size_t i = 0; i < nnz; ++i) {
    uint32_t f = indices[i];
    if (f >= num_features_) continue;  // a column the model never saw carries no weight
    const float v = values[i];
    const float* row = weights_.data() + static_cast<size_t>(f) * k;
    for (size_t c = 0; c < k; ++c) out[c] += v * row[c];
  }
}

void LinearClassifier::PredictProba(const FeatureVector& x, float* probs) const {
  const size_t k = static_cast<size_t>(num_classes_);
  if (bias_.size() != k) {  // untrained: no information
    std::fill(probs, probs + k, 1.0f / static_cast<float>(k));
    return;
  }
  DecisionValues(x.tfidf.indices.data(), x.tfidf.values.data(),
                 std::min(x.tfidf.indices.size(), x.tfidf.values.size()), probs);
  SoftmaxWithTemperature(probs, k, temperature_, probs);
}

// linear_weights.bin (little-endian):
//   char[8] "PCLINEAR", u32 version, u32 num_features, u32 num_classes, u32 reserved (0),
//   f64 temperature, f32 bias[num_classes], f32 weights[num_features x num_classes] (row-major by
//   feature), f32 column_mean[num_features], u64 StableHash of every preceding byte.
Status LinearClassifier::Save(const fs::path& dir, std::vector<std::string>* files) const {
  if (bias_.size() != static_cast<size_t>(num_classes_)) {
    return Status::FailedPrecondition("linear: cannot save a model that was never trained");
  }
  std::string bytes;
  bytes.reserve(40 + (weights_.size() + bias_.size() + column_mean_.size()) * sizeof(float));
  bytes.append(kWeightsMagic, sizeof(kWeightsMagic));
  const uint32_t header[4] = {kWeightsVersion, num_features_, static_cast<uint32_t>(num_classes_),
                              0};
  AppendRaw(&bytes, header, 4);
  AppendRaw(&bytes, &temperature_, 1);
  AppendRaw(&bytes, bias_.data(), bias_.size());
  AppendRaw(&bytes, weights_.data(), weights_.size());
  AppendRaw(&bytes, column_mean_.data(), column_mean_.size());
  const uint64_t checksum = StableHash(bytes);
  AppendRaw(&bytes, &checksum, 1);
  PRODCAT_RETURN_IF_ERROR(EnsureDirectory(dir));
  PRODCAT_RETURN_IF_ERROR(WriteFileAtomic(dir / kWeightsFile, bytes));
  nlohmann::json meta = {{"format_version", kWeightsVersion},
                         {"hyperparameters", params_.ToJson()},
                         {"training", ReproducibleSummary(summary_)}};
  PRODCAT_RETURN_IF_ERROR(WriteFileAtomic(dir / kParamsFile, meta.dump(2) + "\n"));
  if (files != nullptr) {
    files->push_back(kWeightsFile);
    files->push_back(kParamsFile);
  }
  return Status::Ok();
}

Status LinearClassifier::Load(const fs::path& dir) {
  const fs::path params_path = dir / kParamsFile;
  std::string text;
  PRODCAT_RETURN_IF_ERROR(ReadFile(params_path, &text));
  nlohmann::json meta = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!meta.is_object() || !meta.contains("hyperparameters")) {
    return Status::DataLoss(params_path.string() +
                            ": expected a JSON object with 'hyperparameters'");
  }
  LinearParams params;
  PRODCAT_RETURN_IF_ERROR(
      ParseLinearParams(meta["hyperparameters"], &params).WithContext(params_path.string()));

  const fs::path weights_path = dir / kWeightsFile;
  std::string bytes;
  PRODCAT_RETURN_IF_ERROR(ReadFile(weights_path, &bytes));
  const std::string where = weights_path.string();
  const size_t header_size = sizeof(kWeightsMagic) + 4 * sizeof(uint32_t) + sizeof(double);
  if (bytes.size() < header_size) {
    return Status::DataLoss(where + ": truncated (" + std::to_string(bytes.size()) +
                            " bytes, shorter than the header)");
  }
  if (std::memcmp(bytes.data(), kWeightsMagic, sizeof(kWeightsMagic)) != 0) {
    return Status::DataLoss(where + ": not a prodcat linear weights file (bad magic)");
  }
  size_t offset = sizeof(kWeightsMagic);
  const uint32_t version = ReadRaw<uint32_t>(bytes, &offset);
  const uint32_t num_features = ReadRaw<uint32_t>(bytes, &offset);
  const uint32_t num_classes = ReadRaw<uint32_t>(bytes, &offset);
  ReadRaw<uint32_t>(bytes, &offset);  // reserved
  const double temperature = ReadRaw<double>(bytes, &offset);
  if (version != kWeightsVersion) {
    return Status::FailedPrecondition(where + ": format version " + std::to_string(version) +
                                      ", this build reads version " +
                                      std::to_string(kWeightsVersion));
  }
  if (num_classes != static_cast<uint32_t>(num_classes_)) {
    return Status::DataLoss(where + ": holds " + std::to_string(num_classes) +
                            " classes, the model expects " + std::to_string(num_classes_));
  }
  const uint64_t floats =
      uint64_t{num_classes} + uint64_t{num_features} * num_classes + uint64_t{num_features};
  const uint64_t expected = header_size + floats * sizeof(float) + sizeof(uint64_t);
  if (bytes.size() != expected) {
    return Status::DataLoss(where + ": " + std::to_string(bytes.size()) + " bytes, expected " +
                            std::to_string(expected) + " (truncated or corrupt)");
  }
  uint64_t stored_checksum;
  std::memcpy(&stored_checksum, bytes.data() + bytes.size() - sizeof(uint64_t), sizeof(uint64_t));
  if (StableHash(std::string_view(bytes.data(), bytes.size() - sizeof(uint64_t))) !=
      stored_checksum) {
    return Status::DataLoss(where + ": failed its checksum (corrupt)");
  }
  if (!std::isfinite(temperature) || temperature <= 0) {
    return Status::DataLoss(where + ": invalid temperature " + std::to_string(temperature));
  }
  auto read_floats = [&](size_t count, std::vector<float>* out) {
    out->resize(count);
    std::memcpy(out->data(), bytes.data() + offset, count * sizeof(float));
    offset += count * sizeof(float);
  };
  params_ = std::move(params);
  num_features_ = num_features;
  temperature_ = temperature;
  read_floats(num_classes, &bias_);
  read_floats(static_cast<size_t>(num_features) * num_classes, &weights_);
  read_floats(num_features, &column_mean_);
  summary_ = meta.value("training", nlohmann::json::object());
  return Status::Ok();
}

std::vector<FeatureImportance> LinearClassifier::Importance(const FeatureSpec& spec,
                                                            size_t top) const {
  const size_t k = static_cast<size_t>(num_classes_);
  const size_t columns = std::min<size_t>(num_features_, spec.tfidf_dim());
  std::vector<std::pair<double, uint32_t>> scored;
  for (uint32_t f = 0; f < columns; ++f) {
    double abs_sum = 0;
    for (size_t c = 0; c < k; ++c) abs_sum += std::fabs(weights_[f * k + c]);
    double importance = abs_sum / static_cast<double>(k) * column_mean_[f];
    if (importance > 0) scored.emplace_back(importance, f);
  }
  top = std::min(top, scored.size());
  std::partial_sort(scored.begin(), scored.begin() + static_cast<ptrdiff_t>(top), scored.end(),
                    [](const auto& a, const auto& b) {
                      return a.first != b.first ? a.first > b.first : a.second < b.second;
                    });
  std::vector<FeatureImportance> out;
  out.reserve(top);
  for (size_t i = 0; i < top; ++i) {
    out.push_back({spec.TfidfFeatureName(scored[i].second), scored[i].first});
  }
  return out;
}

}  // namespace

Status CreateLinearClassifier(const nlohmann::json& params, int num_classes,
                              std::unique_ptr<Classifier>* out) {
  if (num_classes < 2) {
    return Status::InvalidArgument("linear: need at least 2 classes, got " +
                                   std::to_string(num_classes));
  }
  LinearParams parsed;
  PRODCAT_RETURN_IF_ERROR(ParseLinearParams(params, &parsed));
  *out = std::make_unique<LinearClassifier>(std::move(parsed), num_classes);
  return Status::Ok();
}

}  // namespace prodcat
