// Save/Load of a fitted FeatureSpec:
//   feature_spec.json  format version, options, dimensions, imputation values, price bin edges,
//                      engineered feature names (small, readable, diffable)
//   feature_spec.bin   the big arrays, little-endian:
//                        "PRODCATF"  magic (8 bytes)
//                        u32 format version, u32 hash_bits
//                        u64 T, u32 tfidf bucket[T] (strictly increasing), f32 idf[T]
//                        u64 H, u32 one-hot bucket[H] (strictly increasing)
//                        T + H names, each u32 length + bytes (tfidf names first)
//                        u64 StableHash of every preceding byte (detects corruption)
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "prodcat/common/file_util.h"
#include "prodcat/common/stable_hash.h"
#include "prodcat/features/byte_io.h"
#include "prodcat/features/feature_options.h"
#include "prodcat/features/feature_spec.h"
#include "prodcat/features/feature_spec_impl.h"

namespace prodcat {
namespace {

constexpr const char* kJsonFile = "feature_spec.json";
constexpr const char* kBinaryFile = "feature_spec.bin";
constexpr std::string_view kMagic = "PRODCATF";

std::string SerializeBinary(const FeatureSpec::Impl& s) {
  ByteWriter w;
  w.PutBytes(kMagic);
  w.PutU32(FeatureSpec::kFormatVersion);
  w.PutU32(static_cast<uint32_t>(s.options.hash_bits));
  w.PutU64(s.tfidf_buckets.size());
  for (uint32_t b : s.tfidf_buckets) w.PutU32(b);
  for (float idf : s.idf) w.PutF32(idf);
  w.PutU64(s.onehot_buckets.size());
  for (uint32_t b : s.onehot_buckets) w.PutU32(b);
  for (const auto* names : {&s.tfidf_names, &s.onehot_names}) {
    for (const std::string& name : *names) {
      w.PutU32(static_cast<uint32_t>(name.size()));
      w.PutBytes(name);
    }
  }
  w.PutU64(StableHash(w.bytes()));
  return w.bytes();
}

nlohmann::json SpecJson(const FeatureSpec::Impl& s) {
  nlohmann::json names = nlohmann::json::array();
  for (std::string_view name : kEngineeredFeatureNames) names.push_back(name);
  return nlohmann::json{
      {"format_version", FeatureSpec::kFormatVersion},
      {"options", s.options.ToJson()},
      {"train_rows", s.train_rows},
      {"tfidf_dim", s.tfidf_buckets.size()},
      {"tabular_dim", s.tabular_dim()},
      {"num_engineered", kNumEngineeredFeatures},
      {"num_onehot", s.onehot_buckets.size()},
      {"imputation",
       {{"price", s.numeric.price_median},
        {"rating", s.numeric.rating_median},
        {"reviews_count", s.numeric.reviews_count_median}}},
      {"price_bin_edges", s.numeric.price_bin_edges},
      {"engineered_names", names},
      {"binary_file", kBinaryFile},
  };
}

// Readers of feature_spec.json fields: stored bytes that do not fit are DataLoss.
class JsonFields {
 public:
  JsonFields(const nlohmann::json& j, std::string file) : j_(j), file_(std::move(file)) {}

  Status Get(const char* key, const nlohmann::json** out) const {
    auto it = j_.find(key);
    if (it == j_.end()) return Status::DataLoss(file_ + ": missing key '" + key + "'");
    *out = &*it;
    return Status::Ok();
  }
  Status GetUint(const char* key, uint64_t* out) const {
    const nlohmann::json* v;
    PRODCAT_RETURN_IF_ERROR(Get(key, &v));
    if (!v->is_number_unsigned() && !(v->is_number_integer() && v->get<int64_t>() >= 0)) {
      return Status::DataLoss(file_ + ": key '" + key + "' must be a non-negative integer, got " +
                              v->dump());
    }
    *out = v->get<uint64_t>();
    return Status::Ok();
  }
  Status GetFinite(const nlohmann::json& v, const std::string& key, double* out) const {
    if (!v.is_number() || !std::isfinite(v.get<double>())) {
      return Status::DataLoss(file_ + ": key '" + key + "' must be a finite number, got " +
                              v.dump());
    }
    *out = v.get<double>();
    return Status::Ok();
  }

 private:
  const nlohmann::json& j_;  // the parsed object; outlives this
  std::string file_;         // path for messages
};

// Dimensions feature_spec.json promises; the binary file must agree.
struct ExpectedDims {
  uint64_t tfidf = 0;
  uint64_t tabular = 0;
};

Status LoadJson(const std::filesystem::path& path, FeatureSpec::Impl* s, ExpectedDims* dims) {
  const std::string file = path.string();
  std::string text;
  PRODCAT_RETURN_IF_ERROR(ReadFile(path, &text));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::DataLoss(file + ": not a valid JSON object");
  }
  JsonFields f(j, file);
  uint64_t version;
  PRODCAT_RETURN_IF_ERROR(f.GetUint("format_version", &version));
  if (version != FeatureSpec::kFormatVersion) {
    return Status::FailedPrecondition(
        file + ": feature spec format version " + std::to_string(version) +
        " is not supported; this build reads version " +
        std::to_string(FeatureSpec::kFormatVersion) + " (re-train the model with this build)");
  }
  const nlohmann::json* options;
  PRODCAT_RETURN_IF_ERROR(f.Get("options", &options));
  Status st = FeatureSpecOptions::FromJson(*options, &s->options);
  if (!st.ok()) return Status::DataLoss(file + ": 'options': " + st.message());
  s->hasher = BucketHasher(s->options.hash_bits);

  PRODCAT_RETURN_IF_ERROR(f.GetUint("train_rows", &s->train_rows));
  uint64_t num_engineered;
  PRODCAT_RETURN_IF_ERROR(f.GetUint("num_engineered", &num_engineered));
  const nlohmann::json* names;
  PRODCAT_RETURN_IF_ERROR(f.Get("engineered_names", &names));
  bool names_match = num_engineered == kNumEngineeredFeatures && names->is_array() &&
                     names->size() == kNumEngineeredFeatures;
  for (size_t i = 0; names_match && i < kNumEngineeredFeatures; ++i) {
    names_match =
        (*names)[i].is_string() && (*names)[i].get<std::string>() == kEngineeredFeatureNames[i];
  }
  if (!names_match) {
    return Status::FailedPrecondition(file + ": its engineered features differ from this build's " +
                                      std::to_string(kNumEngineeredFeatures) +
                                      " features (re-train the model with this build)");
  }

  const nlohmann::json* imputation;
  PRODCAT_RETURN_IF_ERROR(f.Get("imputation", &imputation));
  if (!imputation->is_object()) return Status::DataLoss(file + ": 'imputation' must be an object");
  const std::pair<const char*, double*> imputed[] = {
      {"price", &s->numeric.price_median},
      {"rating", &s->numeric.rating_median},
      {"reviews_count", &s->numeric.reviews_count_median}};
  for (const auto& [key, value] : imputed) {
    auto it = imputation->find(key);
    if (it == imputation->end()) {
      return Status::DataLoss(file + ": missing key 'imputation." + key + "'");
    }
    PRODCAT_RETURN_IF_ERROR(f.GetFinite(*it, std::string("imputation.") + key, value));
  }

  const nlohmann::json* edges;
  PRODCAT_RETURN_IF_ERROR(f.Get("price_bin_edges", &edges));
  if (!edges->is_array() || edges->size() != static_cast<size_t>(s->options.price_bins - 1)) {
    return Status::DataLoss(file + ": 'price_bin_edges' must be an array of price_bins - 1 = " +
                            std::to_string(s->options.price_bins - 1) + " numbers");
  }
  s->numeric.price_bin_edges.clear();
  for (const nlohmann::json& e : *edges) {
    double edge;
    PRODCAT_RETURN_IF_ERROR(f.GetFinite(e, "price_bin_edges[]", &edge));
    if (!s->numeric.price_bin_edges.empty() && edge < s->numeric.price_bin_edges.back()) {
      return Status::DataLoss(file + ": 'price_bin_edges' must be ascending");
    }
    s->numeric.price_bin_edges.push_back(edge);
  }
  PRODCAT_RETURN_IF_ERROR(f.GetUint("tfidf_dim", &dims->tfidf));
  PRODCAT_RETURN_IF_ERROR(f.GetUint("tabular_dim", &dims->tabular));
  return Status::Ok();
}

// Reads `count` strictly increasing buckets below 2^hash_bits.
Status ReadBuckets(ByteReader* r, uint64_t count, int hash_bits, const std::string& file,
                   const char* what, std::vector<uint32_t>* out) {
  if (count > r->remaining() / 4) {
    return Status::DataLoss(file + ": truncated: " + std::to_string(count) + " " + what +
                            " buckets announced, " + std::to_string(r->remaining()) +
                            " bytes left");
  }
  out->resize(count);
  const uint64_t limit = uint64_t{1} << hash_bits;
  for (uint64_t i = 0; i < count; ++i) {
    uint32_t b = 0;
    (void)r->ReadU32(&b);  // size checked above
    if (b >= limit || (i > 0 && b <= (*out)[i - 1])) {
      return Status::DataLoss(file + ": " + what + " bucket #" + std::to_string(i) + " (" +
                              std::to_string(b) + ") is out of range or out of order");
    }
    (*out)[i] = b;
  }
  return Status::Ok();
}

Status ReadNames(ByteReader* r, size_t count, const std::string& file,
                 std::vector<std::string>* out) {
  out->resize(count);
  for (size_t i = 0; i < count; ++i) {
    uint32_t len;
    std::string_view bytes;
    if (!r->ReadU32(&len) || !r->ReadBytes(len, &bytes)) {
      return Status::DataLoss(file + ": truncated in feature name #" + std::to_string(i) +
                              " at byte " + std::to_string(r->position()));
    }
    (*out)[i].assign(bytes);
  }
  return Status::Ok();
}

Status LoadBinary(const std::filesystem::path& path, const ExpectedDims& dims,
                  FeatureSpec::Impl* s) {
  const std::string file = path.string();
  std::string bytes;
  PRODCAT_RETURN_IF_ERROR(ReadFile(path, &bytes));
  constexpr size_t kHeader = 8 + 4 + 4;
  if (bytes.size() < kHeader + 8) {
    return Status::DataLoss(file + ": truncated: " + std::to_string(bytes.size()) +
                            " bytes is shorter than the header");
  }
  if (std::string_view(bytes).substr(0, kMagic.size()) != kMagic) {
    return Status::DataLoss(file + ": not a prodcat feature spec file (bad magic number)");
  }
  ByteReader r(bytes);
  std::string_view skip;
  (void)r.ReadBytes(kMagic.size(), &skip);
  uint32_t version = 0, hash_bits = 0;
  (void)r.ReadU32(&version);
  (void)r.ReadU32(&hash_bits);
  if (version != FeatureSpec::kFormatVersion) {
    return Status::FailedPrecondition(file + ": feature spec format version " +
                                      std::to_string(version) +
                                      " is not supported; this build reads version " +
                                      std::to_string(FeatureSpec::kFormatVersion));
  }
  // The checksum covers everything before it, so truncation and bit flips are both caught here.
  const std::string_view body = std::string_view(bytes).substr(0, bytes.size() - 8);
  ByteReader tail(std::string_view(bytes).substr(bytes.size() - 8));
  uint64_t stored_checksum = 0;
  (void)tail.ReadU64(&stored_checksum);
  if (StableHash(body) != stored_checksum) {
    return Status::DataLoss(file + ": checksum mismatch: the file is truncated or corrupted");
  }
  if (hash_bits != static_cast<uint32_t>(s->options.hash_bits)) {
    return Status::DataLoss(file + ": hash_bits " + std::to_string(hash_bits) +
                            " differs from the options' " + std::to_string(s->options.hash_bits));
  }
  ByteReader in(body);
  (void)in.ReadBytes(kHeader, &skip);
  uint64_t tfidf_count, onehot_count;
  if (!in.ReadU64(&tfidf_count)) return Status::DataLoss(file + ": truncated before tfidf count");
  PRODCAT_RETURN_IF_ERROR(
      ReadBuckets(&in, tfidf_count, s->options.hash_bits, file, "tfidf", &s->tfidf_buckets));
  if (tfidf_count > in.remaining() / 4) return Status::DataLoss(file + ": truncated in idf");
  s->idf.resize(tfidf_count);
  for (float& idf : s->idf) {
    (void)in.ReadF32(&idf);
    if (!std::isfinite(idf) || idf <= 0) {
      return Status::DataLoss(file + ": invalid idf value " + std::to_string(idf));
    }
  }
  if (!in.ReadU64(&onehot_count))
    return Status::DataLoss(file + ": truncated before one-hot count");
  PRODCAT_RETURN_IF_ERROR(
      ReadBuckets(&in, onehot_count, s->options.hash_bits, file, "one-hot", &s->onehot_buckets));
  if (tfidf_count != dims.tfidf || s->tabular_dim() != dims.tabular) {
    return Status::DataLoss(file + ": holds " + std::to_string(tfidf_count) + " tfidf and " +
                            std::to_string(s->tabular_dim()) +
                            " tabular columns but feature_spec.json says " +
                            std::to_string(dims.tfidf) + " and " + std::to_string(dims.tabular));
  }
  PRODCAT_RETURN_IF_ERROR(ReadNames(&in, tfidf_count, file, &s->tfidf_names));
  PRODCAT_RETURN_IF_ERROR(ReadNames(&in, onehot_count, file, &s->onehot_names));
  if (in.remaining() != 0) {
    return Status::DataLoss(file + ": " + std::to_string(in.remaining()) +
                            " unexpected bytes after the last feature name");
  }
  return Status::Ok();
}

}  // namespace

Status FeatureSpec::Save(const std::filesystem::path& dir, std::vector<std::string>* files) const {
  PRODCAT_RETURN_IF_ERROR(EnsureDirectory(dir));
  // The binary goes first: a reader that finds the JSON also finds the arrays it describes.
  PRODCAT_RETURN_IF_ERROR(WriteFileAtomic(dir / kBinaryFile, SerializeBinary(*impl_)));
  PRODCAT_RETURN_IF_ERROR(WriteFileAtomic(dir / kJsonFile, SpecJson(*impl_).dump(2) + "\n"));
  if (files != nullptr) {
    files->push_back(kJsonFile);
    files->push_back(kBinaryFile);
  }
  return Status::Ok();
}

Status FeatureSpec::Load(const std::filesystem::path& dir, std::unique_ptr<FeatureSpec>* out) {
  auto impl = std::make_unique<Impl>(FeatureSpecOptions());
  ExpectedDims dims;
  PRODCAT_RETURN_IF_ERROR(LoadJson(dir / kJsonFile, impl.get(), &dims));
  PRODCAT_RETURN_IF_ERROR(LoadBinary(dir / kBinaryFile, dims, impl.get()));
  impl->BuildLookupTables();
  out->reset(new FeatureSpec(std::move(impl)));
  return Status::Ok();
}

}  // namespace prodcat
