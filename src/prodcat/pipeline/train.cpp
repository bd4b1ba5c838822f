#include "prodcat/pipeline/train.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>

#include "prodcat/common/file_util.h"
#include "prodcat/common/progress.h"
#include "prodcat/common/sha256.h"
#include "prodcat/data/fingerprint.h"
#include "prodcat/evaluation/metrics.h"
#include "prodcat/features/reference_profile.h"
#include "prodcat/models/task_pool.h"
#include "prodcat/monitoring/drift_reference.h"
#include "prodcat/pipeline/data_gate.h"
#include "prodcat/pipeline/parallel.h"

namespace prodcat {
namespace fs = std::filesystem;

Status TrainOptions::FromConfig(const Config& config, const std::string& model, TrainOptions* out) {
  TrainOptions o;
  std::string chosen = model.empty() ? config.GetString("train", "model") : model;
  if (chosen.empty() || chosen == "auto") {
    const auto& list = config.section("train").value("candidates", nlohmann::json::array());
    for (const auto& c : list) {
      if (!c.is_string())
        return Status::InvalidArgument("train.candidates must be a list of names");
      o.candidates.push_back(c.get<std::string>());
    }
    if (o.candidates.empty()) return Status::InvalidArgument("train.candidates is empty");
  } else {
    o.candidates = {chosen};
  }
  auto families = ClassifierFamilies();
  for (const auto& c : o.candidates) {
    if (std::find(families.begin(), families.end(), c) == families.end()) {
      return Status::InvalidArgument("unknown model '" + c +
                                     "' (expected auto, linear, fasttext or gbdt)");
    }
  }
  o.family_params = config.section("models");
  PRODCAT_RETURN_IF_ERROR(FeatureSpecOptions::FromJson(config.section("features"), &o.features)
                              .WithContext("features"));
  o.seed = static_cast<uint64_t>(config.GetInt("train", "seed"));
  o.threads = static_cast<int>(config.GetInt("train", "threads"));
  o.class_weights = config.GetString("train", "class_weights");
  if (o.class_weights != "none" && o.class_weights != "balanced") {
    return Status::InvalidArgument("train.class_weights must be none or balanced, got '" +
                                   o.class_weights + "'");
  }
  o.class_weight_cap = config.GetDouble("train", "class_weight_cap");
  o.checkpoint_every = static_cast<int>(config.GetInt("train", "checkpoint_every"));
  o.keep_last = static_cast<int>(config.GetInt("train", "keep_last"));
  o.progress = config.GetBool("train", "progress");
  o.validate = config.GetBool("validation", "enabled");
  o.suite = config.GetString("validation", "suite");
  if (o.checkpoint_every < 1) return Status::InvalidArgument("train.checkpoint_every must be >= 1");
  *out = std::move(o);
  return Status::Ok();
}

namespace {

// Fills the views `views` of a TrainSet from records.
void BuildViews(const FeatureSpec& spec, const std::vector<ProductRecord>& records, unsigned views,
                TrainSet* set) {
  if (views & kViewTfidf) spec.TransformTfidf(records, &set->tfidf);
  if (views & kViewTabular) spec.TransformTabular(records, &set->tabular);
  if (views & kViewText) spec.TransformText(records, &set->text);
}

void ReleaseViews(TrainSet* set) {
  set->tfidf = CsrMatrix();
  set->tabular = CsrMatrix();
  std::vector<std::string>().swap(set->text);
}

void RowOf(const CsrMatrix& m, size_t row, SparseVector* out) {
  out->indices.assign(m.indices.begin() + static_cast<std::ptrdiff_t>(m.indptr[row]),
                      m.indices.begin() + static_cast<std::ptrdiff_t>(m.indptr[row + 1]));
  out->values.assign(m.values.begin() + static_cast<std::ptrdiff_t>(m.indptr[row]),
                     m.values.begin() + static_cast<std::ptrdiff_t>(m.indptr[row + 1]));
}

// Predicts every row of a prepared TrainSet (views already built), in chunks on the pool.
void PredictSet(const Classifier& model, const TrainSet& set, TaskPool* pool,
                std::vector<float>* probs) {
  const size_t k = static_cast<size_t>(model.num_classes());
  probs->assign(set.rows() * k, 0.0f);
  unsigned views = model.required_views();
  const size_t chunk = 1024;
  pool->Run((set.rows() + chunk - 1) / chunk, [&](size_t c) {
    const size_t begin = c * chunk, end = std::min(set.rows(), begin + chunk);
    FeatureVector x;
    for (size_t i = begin; i < end; ++i) {
      if (views & kViewTfidf) RowOf(set.tfidf, i, &x.tfidf);
      if (views & kViewTabular) RowOf(set.tabular, i, &x.tabular);
      if (views & kViewText) x.text = set.text[i];
      model.PredictProba(x, probs->data() + i * k);
    }
  });
}

// One progress line for candidates training side by side: the mean of their progress, with each
// one's percentage, or its validation macro-F1 once it is done. Thread-safe.
class CandidateProgress {
 public:
  CandidateProgress(std::vector<std::string> families, bool enabled)
      : families_(std::move(families)),
        fraction_(families_.size(), 0.0),
        f1_(families_.size(), -1.0),
        bar_("train", 1000, enabled) {}

  // What candidate `i` reports its progress to.
  ProgressCallback Reporter(size_t i) {
    return [this, i](size_t done, size_t total, const std::string&) {
      std::lock_guard<std::mutex> lock(mutex_);
      fraction_[i] = total > 0 ? std::min(1.0, static_cast<double>(done) / total) : 0.0;
      Draw();
    };
  }
  void Done(size_t i, double f1) {
    std::lock_guard<std::mutex> lock(mutex_);
    fraction_[i] = 1.0;
    f1_[i] = f1;
    Draw();
  }
  void Finish() {
    std::lock_guard<std::mutex> lock(mutex_);
    bar_.Finish(Describe());
  }

 private:
  std::string Describe() const {
    std::string out;
    for (size_t i = 0; i < families_.size(); ++i) {
      out += (i ? ", " : "") + families_[i] + " ";
      out += f1_[i] >= 0 ? fmt::format("F1 {:.4f}", f1_[i])
                         : fmt::format("{:.0f}%", 100 * fraction_[i]);
    }
    return out;
  }
  void Draw() {
    double sum = 0;
    for (double f : fraction_) sum += f;
    // 100% is drawn once, by Finish (a bar prints every update that reaches its total).
    const auto permille = static_cast<size_t>(1000 * sum / static_cast<double>(fraction_.size()));
    bar_.Update(std::min<size_t>(permille, 999), Describe());
  }

  std::mutex mutex_;                   // guards everything below
  std::vector<std::string> families_;  // candidate names, in configuration order
  std::vector<double> fraction_;       // per candidate, in [0, 1]
  std::vector<double> f1_;             // per candidate; < 0 until it is scored
  ProgressBar bar_;                    // the line; permille of the mean fraction
};

std::vector<int> Argmax(const std::vector<float>& probs, size_t k) {
  std::vector<int> out(probs.size() / k);
  for (size_t i = 0; i < out.size(); ++i) {
    const float* p = probs.data() + i * k;
    out[i] = static_cast<int>(std::max_element(p, p + k) - p);
  }
  return out;
}

double Accuracy(const std::vector<int>& y, const std::vector<int>& pred) {
  if (y.empty()) return 0.0;
  size_t ok = 0;
  for (size_t i = 0; i < y.size(); ++i) ok += y[i] == pred[i];
  return static_cast<double>(ok) / static_cast<double>(y.size());
}

}  // namespace

Status TrainBundle(const std::vector<ProductRecord>& train_in,
                   const std::vector<ProductRecord>& val_in, const Reframing& reframing,
                   const TrainOptions& o, const fs::path& out_dir, TrainOutcome* outcome) {
  using Clock = std::chrono::steady_clock;
  if (train_in.empty()) return Status::InvalidArgument("train: the training data has no rows");
  // Class ids: sorted labels of the training split.
  std::set<std::string> label_set;
  for (const auto& r : train_in) {
    if (r.category.empty()) {
      return Status::InvalidArgument("train: row at line " + std::to_string(r.source_line) +
                                     " has no label");
    }
    label_set.insert(reframing.Apply(r.category));
  }
  std::vector<std::string> class_names(label_set.begin(), label_set.end());
  if (class_names.size() < 2) {
    return Status::InvalidArgument("train: the training data has only one class ('" +
                                   class_names.front() + "'); at least 2 are needed");
  }
  std::map<std::string, int> class_id;
  for (size_t i = 0; i < class_names.size(); ++i) class_id[class_names[i]] = static_cast<int>(i);
  const int k = static_cast<int>(class_names.size());

  std::vector<int> train_labels;
  train_labels.reserve(train_in.size());
  for (const auto& r : train_in) train_labels.push_back(class_id[reframing.Apply(r.category)]);
  TrainSet val;
  std::vector<ProductRecord> val_rows;
  size_t val_unknown = 0;
  for (const auto& r : val_in) {
    auto it = class_id.find(reframing.Apply(r.category));
    if (it == class_id.end()) {
      ++val_unknown;
      continue;
    }
    val_rows.push_back(r);
    val.labels.push_back(it->second);
  }
  if (val_rows.empty()) {
    return Status::InvalidArgument("train: the validation data has no rows with a known label");
  }
  if (val_unknown) {
    spdlog::warn("train: {} validation rows have labels absent from training and are ignored",
                 val_unknown);
  }

  std::string fingerprint = Sha256Hex(FingerprintRecords(train_in) + FingerprintRecords(val_rows));

  // Class weights: balanced = n / (k * n_c), capped.
  std::vector<double> class_weights;
  std::vector<size_t> counts(static_cast<size_t>(k), 0);
  for (int y : train_labels) ++counts[static_cast<size_t>(y)];
  if (o.class_weights == "balanced") {
    for (int c = 0; c < k; ++c) {
      double w = static_cast<double>(train_labels.size()) /
                 (static_cast<double>(k) * static_cast<double>(std::max<size_t>(counts[c], 1)));
      class_weights.push_back(std::min(w, o.class_weight_cap));
    }
  }

  auto t0 = Clock::now();
  std::unique_ptr<FeatureSpec> spec;
  PRODCAT_RETURN_IF_ERROR(FeatureSpec::Fit(train_in, o.features, &spec));
  double fit_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  spdlog::info("features: fitted on {} rows in {:.1f}s (tfidf {} columns, tabular {} columns)",
               train_in.size(), fit_seconds, spec->tfidf_dim(), spec->tabular_dim());

  unsigned val_views = 0;
  std::vector<std::unique_ptr<Classifier>> models;
  for (const auto& family : o.candidates) {
    std::unique_ptr<Classifier> model;
    PRODCAT_RETURN_IF_ERROR(
        CreateClassifier(family, o.family_params.value(family, nlohmann::json::object()), k, &model)
            .WithContext("models." + family));
    val_views |= model->required_views();
    models.push_back(std::move(model));
  }
  BuildViews(*spec, val_rows, val_views, &val);

  fs::path checkpoint_root =
      o.checkpoint_dir.empty() ? fs::path(out_dir.string() + "-checkpoints") : o.checkpoint_dir;
  for (const auto& model : models) {
    PRODCAT_RETURN_IF_ERROR(EnsureDirectory(checkpoint_root / model->family()));
    spdlog::info("train: {} on {} rows, {} classes", model->family(), train_in.size(), k);
  }

  // Candidates train side by side on one pool of threads: each builds its own training views
  // (so a view lives only while its candidate trains), trains and scores the validation split.
  // Families that spread their work over the pool (one-vs-rest linear) start last, so the
  // single-threaded ones get a thread first and the divisible work fills the rest. Every
  // family's result depends only on the seed and its thread count, never on the schedule.
  const int threads = ResolveThreads(o.threads);
  TaskPool pool(threads);
  std::vector<size_t> order;
  for (int spreads = 0; spreads < 2; ++spreads) {
    for (size_t m = 0; m < models.size(); ++m) {
      if (models[m]->SpreadsOverPool() == (spreads == 1)) order.push_back(m);
    }
  }
  // Families with threads of their own (XGBoost's OpenMP) get them all when alone; beside other
  // candidates a share, so they do not fight the pool for cores (OpenMP threads spin while
  // they wait for each other, which wastes a shared core).
  const int solo_threads =
      models.size() == 1 ? threads : std::max(1, threads / static_cast<int>(models.size() + 1));
  CandidateProgress progress(o.candidates, o.progress && models.size() > 1);
  std::mutex round_mutex;  // observers (tracking) are called from one candidate at a time
  struct Result {
    Status status;
    double train_seconds = 0, f1 = 0, accuracy = 0;
    std::vector<float> val_probs;
  };
  std::vector<Result> results(models.size());
  std::atomic<bool> failed{false};  // after a failure, candidates not yet started are skipped
  auto train_one = [&](size_t slot) {
    const size_t m = order[slot];
    Classifier& model = *models[m];
    Result& result = results[m];
    if (failed) return;  // its status stays Ok; the failure is reported below
    auto start = Clock::now();
    TrainSet train;
    train.labels = train_labels;
    BuildViews(*spec, train_in, model.required_views(), &train);
    TrainContext ctx;
    ctx.num_classes = k;
    ctx.class_names = class_names;
    ctx.class_weights = class_weights;
    ctx.seed = o.seed;
    ctx.threads = model.SpreadsOverPool() ? threads : solo_threads;
    ctx.pool = &pool;
    ctx.checkpoint_dir = checkpoint_root / model.family();
    ctx.checkpoint_every = o.checkpoint_every;
    ctx.keep_last = o.keep_last;
    ctx.resume = o.resume;
    ctx.data_fingerprint = fingerprint;
    ctx.show_progress = o.progress;
    ctx.spec = spec.get();
    if (models.size() > 1) ctx.on_progress = progress.Reporter(m);
    std::string family = model.family();
    if (o.on_round) {
      ctx.on_round = [&o, &round_mutex, family](int step,
                                                const std::map<std::string, double>& metrics) {
        std::map<std::string, double> named;
        for (const auto& [key, v] : metrics) named[family + "." + key] = v;
        std::lock_guard<std::mutex> lock(round_mutex);
        o.on_round(step, named);
      };
    }
    result.status = model.Train(ctx, train, val).WithContext("training " + family);
    ReleaseViews(&train);
    if (!result.status.ok()) {
      failed = true;
      return;
    }
    result.train_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    PredictSet(model, val, &pool, &result.val_probs);
    std::vector<int> pred = Argmax(result.val_probs, static_cast<size_t>(k));
    result.f1 = MacroF1(val.labels, pred, k);
    result.accuracy = Accuracy(val.labels, pred);
    progress.Done(m, result.f1);
  };
  pool.Run(order.size(), train_one);
  progress.Finish();

  nlohmann::json candidates = nlohmann::json::array();
  int best = -1;
  double best_f1 = -1;
  std::vector<float> best_val_probs;
  for (const Result& result : results) PRODCAT_RETURN_IF_ERROR(result.status);
  for (size_t m = 0; m < models.size(); ++m) {
    Result& result = results[m];
    const Classifier& model = *models[m];
    spdlog::info("train: {} validation macro-F1 {:.4f}, accuracy {:.4f} ({:.1f}s)", model.family(),
                 result.f1, result.accuracy, result.train_seconds);
    candidates.push_back({{"family", model.family()},
                          {"val_macro_f1", result.f1},
                          {"val_accuracy", result.accuracy},
                          {"train_seconds", result.train_seconds},
                          {"hyperparameters", model.Hyperparameters()},
                          {"training", model.TrainingSummary()}});
    if (result.f1 > best_f1) {
      best_f1 = result.f1;
      best = static_cast<int>(m);
      best_val_probs = std::move(result.val_probs);
    }
  }

  std::unique_ptr<Classifier> chosen = std::move(models[static_cast<size_t>(best)]);
  models.clear();
  nlohmann::json profile = BuildReferenceProfile(train_in, *spec);
  // Exact reference counts in the drift bins, so live traffic of the training distribution
  // measures PSI near zero (bins rebuilt from deciles alone read up to 0.09 on count features).
  PRODCAT_RETURN_IF_ERROR(monitoring::AddDriftBins(train_in, *spec, &profile));
  {
    std::vector<int> pred = Argmax(best_val_probs, static_cast<size_t>(k));
    std::vector<float> conf(pred.size());
    for (size_t i = 0; i < pred.size(); ++i) {
      conf[i] = best_val_probs[i * static_cast<size_t>(k) + static_cast<size_t>(pred[i])];
    }
    AddPredictionProfile(pred, conf, class_names, &profile);
  }
  nlohmann::json metadata;
  metadata["data_fingerprint"] = fingerprint;
  metadata["train_rows"] = train_in.size();
  metadata["val_rows"] = val_rows.size();
  metadata["seed"] = o.seed;
  metadata["class_weights"] = class_weights;
  metadata["candidates"] = candidates;
  metadata["selected_by"] = "validation macro_f1";
  metadata["metrics"] = {{"val_macro_f1", best_f1},
                         {"val_accuracy", candidates[static_cast<size_t>(best)]["val_accuracy"]}};
  std::string family = chosen->family();
  ModelBundle bundle(std::move(spec), std::move(chosen), class_names, reframing, metadata,
                     std::move(profile));
  PRODCAT_RETURN_IF_ERROR(bundle.Save(out_dir));
  spdlog::info("train: selected {} (validation macro-F1 {:.4f}); bundle at {}", family, best_f1,
               out_dir.string());
  outcome->family = family;
  outcome->candidates = candidates;
  outcome->bundle_dir = out_dir;
  return Status::Ok();
}

Status TrainFromFiles(const fs::path& train_file, const fs::path& val_file, const ReadOptions& read,
                      const fs::path& reframing_file, const TrainOptions& options,
                      const fs::path& out_dir, TrainOutcome* outcome) {
  ReadOptions r = read;
  r.require_label = true;
  std::vector<ProductRecord> train, val;
  PRODCAT_RETURN_IF_ERROR(ReadAllRecords(train_file, r, &train));
  PRODCAT_RETURN_IF_ERROR(ReadAllRecords(val_file, r, &val));
  Reframing reframing;
  fs::path rf = reframing_file;
  if (rf.empty() && fs::exists(train_file.parent_path() / "reframing.json")) {
    rf = train_file.parent_path() / "reframing.json";
  }
  if (!rf.empty()) {
    std::string text;
    PRODCAT_RETURN_IF_ERROR(ReadFile(rf, &text));
    nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return Status::InvalidArgument(rf.string() + ": not valid JSON");
    PRODCAT_RETURN_IF_ERROR(Reframing::FromJson(j, &reframing).WithContext(rf.string()));
  }
  if (options.validate) {
    nlohmann::json gate;
    fs::path gate_dir = out_dir.string() + "-validation";
    PRODCAT_RETURN_IF_ERROR(
        GateSplits(options.suite, {{"train", &train}, {"val", &val}}, gate_dir, &gate));
  }
  return TrainBundle(train, val, reframing, options, out_dir, outcome);
}

void PredictRecords(const ModelBundle& bundle, const std::vector<ProductRecord>& records,
                    int threads, std::vector<float>* probs) {
  const size_t k = bundle.class_names().size();
  probs->assign(records.size() * k, 0.0f);
  ParallelFor(records.size(), threads, [&](size_t begin, size_t end) {
    std::vector<float> p;
    for (size_t i = begin; i < end; ++i) {
      bundle.PredictProba(records[i], &p);
      std::copy(p.begin(), p.end(), probs->begin() + static_cast<std::ptrdiff_t>(i * k));
    }
  });
}

}  // namespace prodcat
