// The "fasttext" family: fastText supervised over the Text view.
//
// Hyperparameters (JSON, all optional):
//   dim             embedding size (default 50)
//   epoch           passes over the training rows (default 10)
//   lr              initial learning rate, decays linearly to 0 (default 0.5)
//   word_ngrams     word n-gram order (default 2)
//   minn, maxn      char n-gram lengths of each word; maxn 0 disables them (default 2 and 5)
//   bucket          hashed n-gram rows; 0 = sized from the data (default): 4 x the estimated
//                   distinct n-grams, clamped to [100000, 2000000] (fastText's fixed 2M default
//                   costs 400 MB at dim 50 whatever the data)
//   min_count       words seen fewer times get no own row, only their char n-grams (default 1)
//   loss            "softmax" (default) | "ova" | "hs"
//   threads         training threads, 0 = TrainContext::threads (default 0)
//   deterministic   force one training thread (default true): fastText trains hogwild, so with
//                   several threads the result depends on thread scheduling
//   max_train_rows  cap on training rows, subsampled per class (default 0 = no cap)
//
// Training goes through a temporary file "__label__<class id> <text>" per row (class ids, so
// class names with spaces are safe). fastText reads its input in file order without shuffling,
// so rows are shuffled with the seed first.
//
// Importance() is empty: fastText's weights live in a dense embedding space with no per-feature
// attribution comparable to linear weights or tree gains.
#include "prodcat/models/fasttext_classifier.h"

#include <fasttext/fasttext.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "prodcat/common/file_util.h"
#include "prodcat/common/sha256.h"
#include "prodcat/models/calibration.h"
#include "prodcat/models/fasttext_bucket_estimate.h"
#include "prodcat/models/linear_param_reader.h"
#include "prodcat/models/linear_row_sample.h"
#include "prodcat/models/training_progress.h"

namespace prodcat {
namespace fs = std::filesystem;

namespace {

constexpr char kModelFile[] = "fasttext.bin";
constexpr char kMetaFile[] = "fasttext.json";
constexpr int kMetaVersion = 1;
constexpr char kLabelPrefix[] = "__label__";

struct FastTextParams {
  int dim = 50;
  int epoch = 10;
  double lr = 0.5;
  int word_ngrams = 2;
  int minn = 2;
  int maxn = 5;
  int64_t bucket = 0;
  int min_count = 1;
  std::string loss = "softmax";
  int threads = 0;
  bool deterministic = true;
  int64_t max_train_rows = 0;

  nlohmann::json ToJson() const {
    return {{"dim", dim},
            {"epoch", epoch},
            {"lr", lr},
            {"word_ngrams", word_ngrams},
            {"minn", minn},
            {"maxn", maxn},
            {"bucket", bucket},
            {"min_count", min_count},
            {"loss", loss},
            {"threads", threads},
            {"deterministic", deterministic},
            {"max_train_rows", max_train_rows}};
  }
};

Status ParseFastTextParams(const nlohmann::json& j, FastTextParams* p) {
  ParamReader r("fasttext", j);
  PRODCAT_RETURN_IF_ERROR(r.Integer("dim", 1, 1000, &p->dim));
  PRODCAT_RETURN_IF_ERROR(r.Integer("epoch", 1, 10000, &p->epoch));
  PRODCAT_RETURN_IF_ERROR(r.Number("lr", 1e-9, 100, &p->lr));
  PRODCAT_RETURN_IF_ERROR(r.Integer("word_ngrams", 1, 10, &p->word_ngrams));
  PRODCAT_RETURN_IF_ERROR(r.Integer("minn", 0, 100, &p->minn));
  PRODCAT_RETURN_IF_ERROR(r.Integer("maxn", 0, 100, &p->maxn));
  PRODCAT_RETURN_IF_ERROR(r.Integer("bucket", int64_t{0}, int64_t{100000000}, &p->bucket));
  PRODCAT_RETURN_IF_ERROR(r.Integer("min_count", 1, 1000000000, &p->min_count));
  PRODCAT_RETURN_IF_ERROR(r.Choice("loss", {"softmax", "ova", "hs"}, &p->loss));
  PRODCAT_RETURN_IF_ERROR(r.Integer("threads", 0, 1024, &p->threads));
  PRODCAT_RETURN_IF_ERROR(r.Boolean("deterministic", &p->deterministic));
  PRODCAT_RETURN_IF_ERROR(
      r.Integer("max_train_rows", int64_t{0}, int64_t{1} << 40, &p->max_train_rows));
  PRODCAT_RETURN_IF_ERROR(r.RejectUnknownKeys());
  if (p->maxn > 0 && p->minn > p->maxn) {
    return Status::InvalidArgument("fasttext parameters 'minn' (" + std::to_string(p->minn) +
                                   ") must not exceed 'maxn' (" + std::to_string(p->maxn) + ")");
  }
  if (p->maxn > 0 && p->minn < 1) {
    return Status::InvalidArgument("fasttext parameter 'minn' must be >= 1 when maxn > 0");
  }
  return Status::Ok();
}

// One line of fastText input: a newline would end the line early and a "__label__" token
// inside the text would become a label, so both are neutralized (identically at train and
// predict time). Appends to *out.
void AppendSanitized(const std::string& text, std::string* out) {
  size_t begin = out->size();
  out->append(text);
  for (size_t i = begin; i < out->size(); ++i) {
    if ((*out)[i] == '\n') (*out)[i] = ' ';
  }
  for (size_t pos = out->find(kLabelPrefix, begin); pos != std::string::npos;
       pos = out->find(kLabelPrefix, pos)) {
    out->replace(pos, sizeof(kLabelPrefix) - 1, "label");
  }
}

// A private directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() = default;
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  Status Create() {
    std::error_code ec;
    fs::path base = fs::temp_directory_path(ec);
    if (ec) base = "/tmp";
    std::string pattern = (base / "prodcat-fasttext-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return Status::IoError("cannot create a temporary directory in '" + base.string() +
                             "': " + std::strerror(errno));
    }
    path_ = pattern;
    return Status::Ok();
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;  // empty until Create succeeds
};

Status FsyncFile(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status::IoError("cannot open '" + path.string() + "': " + std::strerror(errno));
  }
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) {
    return Status::IoError("fsync failed for '" + path.string() + "': " + std::strerror(errno));
  }
  return Status::Ok();
}

class FastTextClassifier final : public Classifier {
 public:
  FastTextClassifier(FastTextParams params, int num_classes)
      : params_(std::move(params)), num_classes_(num_classes) {}

  std::string family() const override { return "fasttext"; }
  unsigned required_views() const override { return kViewText; }
  int num_classes() const override { return num_classes_; }

  Status Train(const TrainContext& ctx, const TrainSet& train, const TrainSet& val) override;
  void PredictProba(const FeatureVector& x, float* probs) const override;
  Status Save(const fs::path& dir, std::vector<std::string>* files) const override;
  Status Load(const fs::path& dir) override;
  nlohmann::json Hyperparameters() const override { return params_.ToJson(); }
  nlohmann::json TrainingSummary() const override { return summary_; }
  std::vector<FeatureImportance> Importance(const FeatureSpec&, size_t) const override {
    return {};
  }

 private:
  void PredictText(const std::string& text, float* probs) const;
  // Sets model_, dict_ and label_to_class_ from a trained or loaded model.
  Status Adopt(std::unique_ptr<fasttext::FastText> model, const std::string& where);

  FastTextParams params_;                              // validated hyperparameters
  int num_classes_;                                    // >= 2
  std::unique_ptr<fasttext::FastText> model_;          // null until trained or loaded
  std::shared_ptr<const fasttext::Dictionary> dict_;   // model_'s dictionary, cached
  std::vector<int> label_to_class_;                    // fastText label index -> class id
  nlohmann::json summary_ = nlohmann::json::object();  // facts from training
};

Status FastTextClassifier::Adopt(std::unique_ptr<fasttext::FastText> model,
                                 const std::string& where) {
  if (model->getArgs().model != fasttext::model_name::sup) {
    return Status::DataLoss(where + ": not a supervised fastText model");
  }
  std::shared_ptr<const fasttext::Dictionary> dict = model->getDictionary();
  std::vector<int> label_to_class(static_cast<size_t>(dict->nlabels()), -1);
  const std::string prefix = kLabelPrefix;
  for (int32_t i = 0; i < dict->nlabels(); ++i) {
    std::string label = dict->getLabel(i);
    int class_id = -1;
    if (label.rfind(prefix, 0) == 0 && label.size() > prefix.size() &&
        label.find_first_not_of("0123456789", prefix.size()) == std::string::npos &&
        label.size() - prefix.size() < 10) {
      class_id = std::stoi(label.substr(prefix.size()));
    }
    if (class_id < 0 || class_id >= num_classes_) {
      return Status::DataLoss(where + ": label '" + label + "' is not a class id below " +
                              std::to_string(num_classes_));
    }
    label_to_class[static_cast<size_t>(i)] = class_id;
  }
  model_ = std::move(model);
  dict_ = std::move(dict);
  label_to_class_ = std::move(label_to_class);
  return Status::Ok();
}

Status FastTextClassifier::Train(const TrainContext& ctx, const TrainSet& train,
                                 const TrainSet& val) {
  auto started = std::chrono::steady_clock::now();
  for (const auto* set : {&train, &val}) {
    const char* name = set == &train ? "train" : "validation";
    if (set->text.size() != set->rows()) {
      return Status::InvalidArgument(std::string("fasttext: ") + name + " set has " +
                                     std::to_string(set->rows()) + " labels but " +
                                     std::to_string(set->text.size()) + " texts");
    }
    for (size_t r = 0; r < set->rows(); ++r) {
      if (set->labels[r] < 0 || set->labels[r] >= num_classes_) {
        return Status::InvalidArgument(std::string("fasttext: ") + name + " row " +
                                       std::to_string(r) + " has class id " +
                                       std::to_string(set->labels[r]) + ", expected [0, " +
                                       std::to_string(num_classes_) + ")");
      }
    }
  }
  if (train.rows() == 0) return Status::InvalidArgument("fasttext: the training set is empty");

  std::vector<size_t> rows = StratifiedRowSample(
      train.labels, num_classes_, static_cast<size_t>(params_.max_train_rows), ctx.seed);
  // fastText makes its passes in file order, so a class-sorted input would train badly.
  std::mt19937_64 rng(ctx.seed ^ 0x66617374ULL);
  for (size_t i = rows.size(); i > 1; --i) std::swap(rows[i - 1], rows[rng() % i]);

  const int64_t bucket =
      params_.bucket > 0
          ? params_.bucket
          : DefaultBucketCount(EstimateDistinctNgrams(train.text, rows, params_.word_ngrams,
                                                      params_.minn, params_.maxn),
                               params_.word_ngrams, params_.maxn);
  const int threads =
      params_.deterministic
          ? 1
          : (params_.threads > 0
                 ? params_.threads
                 : (ctx.threads > 0
                        ? ctx.threads
                        : std::max(1, static_cast<int>(std::thread::hardware_concurrency()))));

  TempDir temp;
  PRODCAT_RETURN_IF_ERROR(temp.Create());
  const fs::path input = temp.path() / "train.txt";
  {
    std::ofstream out(input, std::ios::binary);
    std::string line;
    for (size_t r : rows) {
      line.assign(kLabelPrefix).append(std::to_string(train.labels[r])).push_back(' ');
      AppendSanitized(train.text[r], &line);
      line.push_back('\n');
      out.write(line.data(), static_cast<std::streamsize>(line.size()));
    }
    out.close();
    if (!out) return Status::IoError("fasttext: cannot write '" + input.string() + "'");
  }

  fasttext::Args args;
  args.input = input.string();
  args.output = (temp.path() / "unused").string();
  args.model = fasttext::model_name::sup;
  args.loss = params_.loss == "ova"  ? fasttext::loss_name::ova
              : params_.loss == "hs" ? fasttext::loss_name::hs
                                     : fasttext::loss_name::softmax;
  args.dim = params_.dim;
  args.epoch = params_.epoch;
  args.lr = params_.lr;
  args.wordNgrams = params_.word_ngrams;
  args.minn = params_.maxn > 0 ? params_.minn : 0;
  args.maxn = params_.maxn;
  args.bucket = static_cast<int>(bucket);
  args.minCount = params_.min_count;
  args.minCountLabel = 0;
  args.thread = threads;
  args.verbose = 0;  // progress goes through our ProgressBar instead
  args.seed = static_cast<int>(ctx.seed & 0x7fffffffULL);
  args.saveOutput = false;

  TrainingProgress bar(ctx, "fasttext", 1000);
  auto model = std::make_unique<fasttext::FastText>();
  try {
    model->train(args, [&bar](float progress, float loss, double, double, int64_t) {
      bar.Update(static_cast<size_t>(std::clamp(progress, 0.0f, 1.0f) * 1000),
                 "loss " + std::to_string(loss));
    });
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("fasttext: training failed: ") + e.what());
  }
  bar.Finish();
  PRODCAT_RETURN_IF_ERROR(Adopt(std::move(model), "fasttext"));

  std::vector<float> probs(val.rows() * static_cast<size_t>(num_classes_));
  for (size_t r = 0; r < val.rows(); ++r) {
    PredictText(val.text[r], probs.data() + r * static_cast<size_t>(num_classes_));
  }
  ProbabilityScores scores = ScoreProbabilities(probs, val.labels, num_classes_);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  summary_ = {{"train_rows", train.rows()}, {"train_rows_used", rows.size()},
              {"bucket_used", bucket},      {"threads_used", threads},
              {"words", dict_->nwords()},   {"labels_seen", dict_->nlabels()},
              {"train_seconds", seconds}};
  std::map<std::string, double> metrics;
  if (val.rows() > 0) {
    summary_["val_rows"] = val.rows();
    summary_["val_accuracy"] = scores.accuracy;
    summary_["val_macro_f1"] = scores.macro_f1;
    summary_["val_log_loss"] = scores.log_loss;
    metrics = {{"val_accuracy", scores.accuracy},
               {"val_macro_f1", scores.macro_f1},
               {"val_log_loss", scores.log_loss}};
  }
  if (ctx.on_round) ctx.on_round(params_.epoch, metrics);
  return Status::Ok();
}

void FastTextClassifier::PredictText(const std::string& text, float* probs) const {
  const size_t k = static_cast<size_t>(num_classes_);
  if (model_ == nullptr) {  // untrained: no information
    std::fill(probs, probs + k, 1.0f / static_cast<float>(k));
    return;
  }
  // Per-thread scratch: FastText::predict keeps its own per-call state, so this is thread-safe.
  thread_local std::string line;
  thread_local std::vector<int32_t> words, labels;
  thread_local fasttext::Predictions predictions;
  line.clear();
  AppendSanitized(text, &line);
  line.push_back('\n');  // training lines end in a newline, read as the "</s>" token
  std::istringstream in(line);
  dict_->getLine(in, words, labels);
  predictions.clear();
  model_->predict(dict_->nlabels(), words, predictions, 0.0f);
  std::fill(probs, probs + k, 0.0f);
  double sum = 0;
  for (const auto& [log_prob, label] : predictions) {
    if (label < 0 || static_cast<size_t>(label) >= label_to_class_.size()) continue;
    float p = std::exp(log_prob);
    probs[label_to_class_[static_cast<size_t>(label)]] += p;
    sum += p;
  }
  if (!(sum > 0)) {  // no usable token: no information
    std::fill(probs, probs + k, 1.0f / static_cast<float>(k));
    return;
  }
  const float inv = static_cast<float>(1.0 / sum);  // ova and hs scores need not sum to 1
  for (size_t c = 0; c < k; ++c) probs[c] *= inv;
}

void FastTextClassifier::PredictProba(const FeatureVector& x, float* probs) const {
  PredictText(x.text, probs);
}

Status FastTextClassifier::Save(const fs::path& dir, std::vector<std::string>* files) const {
  if (model_ == nullptr) {
    return Status::FailedPrecondition("fasttext: cannot save a model that was never trained");
  }
  PRODCAT_RETURN_IF_ERROR(EnsureDirectory(dir));
  const fs::path final_path = dir / kModelFile;
  const fs::path staged = StagingPath(final_path);
  try {
    model_->saveModel(staged.string());
  } catch (const std::exception& e) {
    std::error_code ec;
    fs::remove(staged, ec);
    return Status::IoError("fasttext: cannot save '" + staged.string() + "': " + e.what());
  }
  std::error_code ec;
  const uintmax_t bytes = fs::file_size(staged, ec);
  std::string sha;
  Status s = ec ? Status::IoError("fasttext: '" + staged.string() + "' was not written")
                : Sha256File(staged, &sha);
  if (s.ok()) s = FsyncFile(staged);
  if (s.ok()) {
    fs::rename(staged, final_path, ec);
    if (ec) s = Status::IoError("cannot rename to '" + final_path.string() + "': " + ec.message());
  }
  if (!s.ok()) {
    fs::remove(staged, ec);
    return s;
  }
  PRODCAT_RETURN_IF_ERROR(FsyncDirectory(dir));
  nlohmann::json meta = {{"format_version", kMetaVersion},
                         {"hyperparameters", params_.ToJson()},
                         {"training", ReproducibleSummary(summary_)},
                         {"model_file", {{"name", kModelFile}, {"bytes", bytes}, {"sha256", sha}}}};
  PRODCAT_RETURN_IF_ERROR(WriteFileAtomic(dir / kMetaFile, meta.dump(2) + "\n"));
  if (files != nullptr) {
    files->push_back(kModelFile);
    files->push_back(kMetaFile);
  }
  return Status::Ok();
}

Status FastTextClassifier::Load(const fs::path& dir) {
  const fs::path meta_path = dir / kMetaFile;
  std::string text;
  PRODCAT_RETURN_IF_ERROR(ReadFile(meta_path, &text));
  nlohmann::json meta = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  const nlohmann::json* file_info = nullptr;
  if (meta.is_object() && meta.contains("model_file") && meta["model_file"].is_object()) {
    file_info = &meta["model_file"];
  }
  if (file_info == nullptr || !meta.contains("hyperparameters") ||
      !file_info->value("bytes", nlohmann::json()).is_number_unsigned() ||
      !file_info->value("sha256", nlohmann::json()).is_string()) {
    return Status::DataLoss(meta_path.string() +
                            ": expected a JSON object with 'hyperparameters' and 'model_file' "
                            "{bytes, sha256}");
  }
  auto version = meta.find("format_version");
  if (version == meta.end() || !version->is_number_integer()) {
    return Status::DataLoss(meta_path.string() + ": missing integer 'format_version'");
  }
  if (version->get<int64_t>() > kMetaVersion) {
    return Status::FailedPrecondition(meta_path.string() + ": format version " + version->dump() +
                                      ", this build reads up to " + std::to_string(kMetaVersion));
  }
  FastTextParams params;
  PRODCAT_RETURN_IF_ERROR(
      ParseFastTextParams(meta["hyperparameters"], &params).WithContext(meta_path.string()));

  // fastText trusts the sizes stored in its file: a truncated or corrupt one can make it loop
  // or allocate without bound. Its size and SHA-256 are therefore checked before it is parsed.
  const fs::path model_path = dir / kModelFile;
  const std::string where = model_path.string();
  std::error_code ec;
  const uintmax_t bytes = fs::file_size(model_path, ec);
  if (ec) return Status::DataLoss(where + ": missing (" + ec.message() + ")");
  const uintmax_t expected_bytes = (*file_info)["bytes"].get<uintmax_t>();
  if (bytes != expected_bytes) {
    return Status::DataLoss(where + ": " + std::to_string(bytes) + " bytes, expected " +
                            std::to_string(expected_bytes) + " (truncated or replaced)");
  }
  std::string sha;
  PRODCAT_RETURN_IF_ERROR(Sha256File(model_path, &sha));
  if (sha != (*file_info)["sha256"].get<std::string>()) {
    return Status::DataLoss(where + ": failed its checksum (corrupt)");
  }
  auto model = std::make_unique<fasttext::FastText>();
  try {
    model->loadModel(model_path.string());
  } catch (const std::exception& e) {
    return Status::DataLoss(where + ": fastText cannot load it: " + e.what());
  }
  PRODCAT_RETURN_IF_ERROR(Adopt(std::move(model), where));
  params_ = std::move(params);
  summary_ = meta.value("training", nlohmann::json::object());
  return Status::Ok();
}

}  // namespace

Status CreateFastTextClassifier(const nlohmann::json& params, int num_classes,
                                std::unique_ptr<Classifier>* out) {
  if (num_classes < 2) {
    return Status::InvalidArgument("fasttext: need at least 2 classes, got " +
                                   std::to_string(num_classes));
  }
  FastTextParams parsed;
  PRODCAT_RETURN_IF_ERROR(ParseFastTextParams(params, &parsed));
  *out = std::make_unique<FastTextClassifier>(std::move(parsed), num_classes);
  return Status::Ok();
}

}  // namespace prodcat
