#include "prodcat/models/bundle.h"

#include <algorithm>
#include <ctime>
#include <numeric>
#include <set>

#include "prodcat/common/file_util.h"
#include "prodcat/common/sha256.h"
#include "prodcat/common/version.h"

namespace prodcat {
namespace fs = std::filesystem;

namespace {

constexpr char kManifestFile[] = "manifest.json";
constexpr char kReferenceProfileFile[] = "reference_profile.json";
constexpr char kFeaturesDir[] = "features";
constexpr char kModelDir[] = "model";

// Manifest fields written by the bundle itself. They override same-named metadata fields, and
// "hyperparameters" in particular must be exactly the classifier's: Load feeds it back to the
// factory, which rejects unknown keys.
const std::set<std::string>& StructuralFields() {
  static const std::set<std::string> fields = {
      "format_version", "prodcat_version", "created_at",   "family",          "num_classes",
      "class_names",    "reframing",       "feature_spec", "hyperparameters", "files"};
  return fields;
}

std::string UtcNowIso8601() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

// Removes a staging directory unless it was published.
class StagingGuard {
 public:
  explicit StagingGuard(fs::path path) : path_(std::move(path)) {}
  ~StagingGuard() {
    std::error_code ec;
    if (!published_) fs::remove_all(path_, ec);
  }
  StagingGuard(const StagingGuard&) = delete;
  StagingGuard& operator=(const StagingGuard&) = delete;
  void MarkPublished() { published_ = true; }

 private:
  fs::path path_;           // the staging directory
  bool published_ = false;  // true once renamed into place: nothing left to clean
};

// "models/v1/" and "models/v1" name the same bundle; the sibling paths (staging, ".old") need
// the form without the trailing separator.
fs::path WithoutTrailingSeparator(const fs::path& dir) {
  return dir.has_filename() || !dir.has_parent_path() ? dir : dir.parent_path();
}

// A manifest path must stay inside the bundle: a tampered manifest must not make Load read
// (or checksum) files elsewhere.
bool IsSafeRelativePath(const std::string& rel) {
  fs::path p(rel);
  if (rel.empty() || p.is_absolute()) return false;
  for (const fs::path& part : p) {
    if (part == ".." || part == ".") return false;
  }
  return true;
}

}  // namespace

ModelBundle::ModelBundle(std::unique_ptr<FeatureSpec> spec, std::unique_ptr<Classifier> classifier,
                         std::vector<std::string> class_names, Reframing reframing,
                         nlohmann::json metadata, nlohmann::json reference_profile)
    : spec_(std::move(spec)),
      classifier_(std::move(classifier)),
      class_names_(std::move(class_names)),
      reframing_(std::move(reframing)),
      metadata_(metadata.is_object() ? std::move(metadata) : nlohmann::json::object()),
      reference_profile_(reference_profile.is_object() ? std::move(reference_profile)
                                                       : nlohmann::json::object()) {}

Status ModelBundle::Save(const fs::path& bundle_dir) const {
  const fs::path dir = WithoutTrailingSeparator(bundle_dir);
  if (spec_ == nullptr || classifier_ == nullptr) {
    return Status::FailedPrecondition("model bundle: no feature spec or classifier to save");
  }
  if (static_cast<size_t>(classifier_->num_classes()) != class_names_.size()) {
    return Status::FailedPrecondition(
        "model bundle: the classifier has " + std::to_string(classifier_->num_classes()) +
        " classes but there are " + std::to_string(class_names_.size()) + " class names");
  }
  const fs::path staged = StagingPath(dir);
  StagingGuard guard(staged);
  PRODCAT_RETURN_IF_ERROR(EnsureDirectory(staged / kFeaturesDir));
  PRODCAT_RETURN_IF_ERROR(EnsureDirectory(staged / kModelDir));

  std::vector<std::string> files;
  std::vector<std::string> part_files;
  PRODCAT_RETURN_IF_ERROR(spec_->Save(staged / kFeaturesDir, &part_files));
  for (const std::string& f : part_files) files.push_back(std::string(kFeaturesDir) + "/" + f);
  part_files.clear();
  PRODCAT_RETURN_IF_ERROR(classifier_->Save(staged / kModelDir, &part_files));
  for (const std::string& f : part_files) files.push_back(std::string(kModelDir) + "/" + f);
  PRODCAT_RETURN_IF_ERROR(
      WriteFileAtomic(staged / kReferenceProfileFile, reference_profile_.dump(2) + "\n"));
  files.push_back(kReferenceProfileFile);

  nlohmann::json manifest = metadata_;
  for (const std::string& field : StructuralFields()) manifest.erase(field);
  manifest["format_version"] = kFormatVersion;
  manifest["prodcat_version"] = kVersion;
  manifest["created_at"] = UtcNowIso8601();
  manifest["family"] = classifier_->family();
  manifest["num_classes"] = class_names_.size();
  manifest["class_names"] = class_names_;
  manifest["reframing"] = reframing_.ToJson();
  manifest["feature_spec"] = spec_->Summary();
  manifest["hyperparameters"] = classifier_->Hyperparameters();
  // The classifier's own training facts win over same-named ones from the caller.
  nlohmann::json training = manifest.contains("training") && manifest["training"].is_object()
                                ? manifest["training"]
                                : nlohmann::json::object();
  training.update(classifier_->TrainingSummary());
  manifest["training"] = std::move(training);
  nlohmann::json checksums = nlohmann::json::object();
  for (const std::string& rel : files) {
    std::string sha;
    PRODCAT_RETURN_IF_ERROR(Sha256File(staged / rel, &sha));
    checksums[rel] = sha;
  }
  manifest["files"] = std::move(checksums);
  PRODCAT_RETURN_IF_ERROR(WriteFileAtomic(staged / kManifestFile, manifest.dump(2) + "\n"));
  PRODCAT_RETURN_IF_ERROR(FsyncDirectory(staged / kFeaturesDir));
  PRODCAT_RETURN_IF_ERROR(FsyncDirectory(staged / kModelDir));
  PRODCAT_RETURN_IF_ERROR(FsyncDirectory(staged));
  PRODCAT_RETURN_IF_ERROR(PublishDirectory(staged, dir));
  guard.MarkPublished();
  return Status::Ok();
}

Status ModelBundle::Load(const fs::path& bundle_dir, std::unique_ptr<ModelBundle>* out) {
  const fs::path dir = WithoutTrailingSeparator(bundle_dir);
  RecoverDirectory(dir);
  const std::string where = "bundle " + dir.string();
  const fs::path manifest_path = dir / kManifestFile;
  std::error_code ec;
  if (!fs::is_regular_file(manifest_path, ec)) {
    return Status::NotFound("no manifest.json in " + dir.string() + ": not a prodcat model bundle");
  }
  std::string text;
  PRODCAT_RETURN_IF_ERROR(ReadFile(manifest_path, &text));
  nlohmann::json manifest = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!manifest.is_object()) {
    return Status::DataLoss(where + ": manifest.json is not a JSON object (corrupt or truncated)");
  }

  auto version = manifest.find("format_version");
  if (version == manifest.end() || !version->is_number_integer()) {
    return Status::DataLoss(where + ": manifest.json has no integer 'format_version'");
  }
  if (version->get<int64_t>() > kFormatVersion) {
    return Status::FailedPrecondition(where + " has format version " + version->dump() +
                                      " but this prodcat (" + kVersion + ") reads format version " +
                                      std::to_string(kFormatVersion) +
                                      " and older: upgrade prodcat to load it");
  }
  if (version->get<int64_t>() < 1) {
    return Status::DataLoss(where + ": invalid format version " + version->dump());
  }

  auto files = manifest.find("files");
  if (files == manifest.end() || !files->is_object()) {
    return Status::DataLoss(where + ": manifest.json has no 'files' checksums");
  }
  for (const auto& [rel, expected] : files->items()) {
    if (!IsSafeRelativePath(rel) || !expected.is_string()) {
      return Status::DataLoss(where + ": manifest.json lists an invalid file entry '" + rel + "'");
    }
    const fs::path path = dir / rel;
    if (!fs::is_regular_file(path, ec)) {
      return Status::DataLoss(where + ": file " + rel + " listed in manifest.json is missing");
    }
    std::string sha;
    PRODCAT_RETURN_IF_ERROR(Sha256File(path, &sha));
    if (sha != expected.get<std::string>()) {
      return Status::DataLoss(where + ": file " + rel +
                              " failed its checksum (tampered or truncated)");
    }
  }

  auto family = manifest.find("family");
  auto class_names_json = manifest.find("class_names");
  if (family == manifest.end() || !family->is_string()) {
    return Status::DataLoss(where + ": manifest.json has no string 'family'");
  }
  if (class_names_json == manifest.end() || !class_names_json->is_array() ||
      !std::all_of(class_names_json->begin(), class_names_json->end(),
                   [](const nlohmann::json& n) { return n.is_string(); })) {
    return Status::DataLoss(where + ": manifest.json has no string array 'class_names'");
  }
  std::vector<std::string> class_names = class_names_json->get<std::vector<std::string>>();
  auto num_classes = manifest.find("num_classes");
  if (num_classes != manifest.end() &&
      (!num_classes->is_number_integer() ||
       num_classes->get<int64_t>() != static_cast<int64_t>(class_names.size()))) {
    return Status::DataLoss(where + ": 'num_classes' " + num_classes->dump() + " does not match " +
                            std::to_string(class_names.size()) + " class names");
  }
  Reframing reframing;
  if (manifest.contains("reframing")) {
    PRODCAT_RETURN_IF_ERROR(
        Reframing::FromJson(manifest["reframing"], &reframing).WithContext(where));
  }

  std::unique_ptr<FeatureSpec> spec;
  PRODCAT_RETURN_IF_ERROR(FeatureSpec::Load(dir / kFeaturesDir, &spec).WithContext(where));
  std::unique_ptr<Classifier> classifier;
  PRODCAT_RETURN_IF_ERROR(CreateClassifier(family->get<std::string>(),
                                           manifest.value("hyperparameters", nlohmann::json()),
                                           static_cast<int>(class_names.size()), &classifier)
                              .WithContext(where));
  PRODCAT_RETURN_IF_ERROR(classifier->Load(dir / kModelDir).WithContext(where));

  nlohmann::json reference_profile = nlohmann::json::object();
  if (files->contains(kReferenceProfileFile)) {
    PRODCAT_RETURN_IF_ERROR(ReadFile(dir / kReferenceProfileFile, &text));
    reference_profile = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!reference_profile.is_object()) {
      return Status::DataLoss(where + ": reference_profile.json is not a JSON object");
    }
  }
  // Everything but the checksums stays readable (created_at, metrics, data fingerprint...).
  manifest.erase("files");
  *out = std::make_unique<ModelBundle>(std::move(spec), std::move(classifier),
                                       std::move(class_names), std::move(reframing),
                                       std::move(manifest), std::move(reference_profile));
  return Status::Ok();
}

void ModelBundle::PredictProba(const ProductRecord& record, std::vector<float>* probs) const {
  // Reused per thread so steady-state serving does not allocate for the transform.
  thread_local FeatureVector features;
  spec_->Transform(record, classifier_->required_views(), &features);
  probs->resize(static_cast<size_t>(classifier_->num_classes()));
  classifier_->PredictProba(features, probs->data());
}

std::vector<ScoredLabel> ModelBundle::PredictTopK(const ProductRecord& record, size_t k) const {
  thread_local std::vector<float> probs;
  thread_local std::vector<size_t> order;
  PredictProba(record, &probs);
  k = std::min({k, probs.size(), class_names_.size()});
  order.resize(probs.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::partial_sort(
      order.begin(), order.begin() + static_cast<ptrdiff_t>(k), order.end(),
      [](size_t a, size_t b) { return probs[a] != probs[b] ? probs[a] > probs[b] : a < b; });
  std::vector<ScoredLabel> top;
  top.reserve(k);
  for (size_t i = 0; i < k; ++i) top.push_back({class_names_[order[i]], probs[order[i]]});
  return top;
}

int ModelBundle::ClassIndex(const std::string& label) const {
  // A linear scan: bundle.h keeps no index map, and class counts are in the hundreds at most.
  auto it = std::find(class_names_.begin(), class_names_.end(), label);
  return it == class_names_.end() ? -1 : static_cast<int>(it - class_names_.begin());
}

}  // namespace prodcat
