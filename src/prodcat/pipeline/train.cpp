#include "prodcat/pipeline/train.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "prodcat/common/file_util.h"
#include "prodcat/common/sha256.h"
#include "prodcat/data/fingerprint.h"
#include "prodcat/evaluation/metrics.h"
#include "prodcat/features/reference_profile.h"
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

// Predicts every row of a prepared TrainSet (views already built).
void PredictSet(const Classifier& model, const TrainSet& set, int threads,
                std::vector<float>* probs) {
  const size_t k = static_cast<size_t>(model.num_classes());
  probs->assign(set.rows() * k, 0.0f);
  unsigned views = model.required_views();
  ParallelFor(set.rows(), threads, [&](size_t begin, size_t end) {
    FeatureVector x;
    for (size_t i = begin; i < end; ++i) {
      if (views & kViewTfidf) RowOf(set.tfidf, i, &x.tfidf);
      if (views & kViewTabular) RowOf(set.tabular, i, &x.tabular);
      if (views & kViewText) x.text = set.text[i];
      model.PredictProba(x, probs->data() + i * k);
    }
  });
}

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

  TrainSet train, val;
  train.labels.reserve(train_in.size());
  for (const auto& r : train_in) train.labels.push_back(class_id[reframing.Apply(r.category)]);
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
  for (int y : train.labels) ++counts[static_cast<size_t>(y)];
  if (o.class_weights == "balanced") {
    for (int c = 0; c < k; ++c) {
      double w = static_cast<double>(train.labels.size()) /
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

  unsigned all_views = 0;
  std::vector<std::unique_ptr<Classifier>> models;
  for (const auto& family : o.candidates) {
    std::unique_ptr<Classifier> model;
    PRODCAT_RETURN_IF_ERROR(
        CreateClassifier(family, o.family_params.value(family, nlohmann::json::object()), k, &model)
            .WithContext("models." + family));
    all_views |= model->required_views();
    models.push_back(std::move(model));
  }
  BuildViews(*spec, val_rows, all_views, &val);

  fs::path checkpoint_root =
      o.checkpoint_dir.empty() ? fs::path(out_dir.string() + "-checkpoints") : o.checkpoint_dir;
  nlohmann::json candidates = nlohmann::json::array();
  int best = -1;
  double best_f1 = -1;
  std::vector<float> best_val_probs;
  for (size_t m = 0; m < models.size(); ++m) {
    Classifier& model = *models[m];
    auto start = Clock::now();
    BuildViews(*spec, train_in, model.required_views(), &train);
    TrainContext ctx;
    ctx.num_classes = k;
    ctx.class_names = class_names;
    ctx.class_weights = class_weights;
    ctx.seed = o.seed;
    ctx.threads = ResolveThreads(o.threads);
    ctx.checkpoint_dir = checkpoint_root / model.family();
    ctx.checkpoint_every = o.checkpoint_every;
    ctx.keep_last = o.keep_last;
    ctx.resume = o.resume;
    ctx.data_fingerprint = fingerprint;
    ctx.show_progress = o.progress;
    ctx.spec = spec.get();
    std::string family = model.family();
    if (o.on_round) {
      ctx.on_round = [&o, family](int step, const std::map<std::string, double>& metrics) {
        std::map<std::string, double> named;
        for (const auto& [key, v] : metrics) named[family + "." + key] = v;
        o.on_round(step, named);
      };
    }
    PRODCAT_RETURN_IF_ERROR(EnsureDirectory(ctx.checkpoint_dir));
    spdlog::info("train: {} on {} rows, {} classes", family, train.rows(), k);
    Status s = model.Train(ctx, train, val);
    ReleaseViews(&train);
    PRODCAT_RETURN_IF_ERROR(s.WithContext("training " + family));
    double train_seconds = std::chrono::duration<double>(Clock::now() - start).count();

    std::vector<float> probs;
    PredictSet(model, val, o.threads, &probs);
    std::vector<int> pred = Argmax(probs, static_cast<size_t>(k));
    double f1 = MacroF1(val.labels, pred, k);
    double acc = Accuracy(val.labels, pred);
    spdlog::info("train: {} validation macro-F1 {:.4f}, accuracy {:.4f} ({:.1f}s)", family, f1, acc,
                 train_seconds);
    candidates.push_back({{"family", family},
                          {"val_macro_f1", f1},
                          {"val_accuracy", acc},
                          {"train_seconds", train_seconds},
                          {"hyperparameters", model.Hyperparameters()},
                          {"training", model.TrainingSummary()}});
    if (f1 > best_f1) {
      best_f1 = f1;
      best = static_cast<int>(m);
      best_val_probs = std::move(probs);
    }
  }

  std::unique_ptr<Classifier> chosen = std::move(models[static_cast<size_t>(best)]);
  models.clear();
  nlohmann::json profile = BuildReferenceProfile(train_in, *spec);
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
