#include "prodcat/features/feature_spec.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>
#include <utility>

#include "prodcat/features/column_sort.h"
#include "prodcat/features/engineered_features.h"
#include "prodcat/features/feature_options.h"
#include "prodcat/features/feature_spec_impl.h"
#include "prodcat/features/record_analysis.h"

namespace prodcat {
namespace {

// Fit passes are cheap per row; below this many rows per thread, threads do not pay.
constexpr size_t kMinRowsPerChunk = 512;

int RecordPriceBin(const ProductRecord& record, const NumericStats& stats) {
  std::optional<double> price = FiniteValue(record.price);
  return price ? PriceBin(*price, stats.price_bin_edges) : -1;
}

void SortUnique(std::vector<uint32_t>* ids) {
  std::sort(ids->begin(), ids->end());
  ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
}

// Sorts indices[from..] (all < dim) and merges duplicates, writing each column's multiplicity to
// values.
void CountColumns(SparseVector* v, size_t from, size_t dim) {
  SortColumnIds(v->indices.data() + from, v->indices.size() - from, static_cast<uint32_t>(dim));
  size_t write = from;
  v->values.resize(from);
  for (size_t read = from; read < v->indices.size(); ++read) {
    if (write > from && v->indices[write - 1] == v->indices[read]) {
      v->values.back() += 1.0f;
    } else {
      v->indices[write++] = v->indices[read];
      v->values.push_back(1.0f);
    }
  }
  v->indices.resize(write);
}

// Counts, per bucket, the training rows in which a key of that bucket occurs (tfidf and one-hot).
void CountDocumentFrequencies(const std::vector<ProductRecord>& train, const FeatureSpec::Impl& s,
                              std::vector<std::atomic<uint32_t>>* tfidf_df,
                              std::vector<std::atomic<uint32_t>>* onehot_df) {
  const FeatureSpecOptions& o = s.options;
  ParallelChunks(
      train.size(), ChunkCount(train.size(), kMinRowsPerChunk),
      [&](size_t begin, size_t end, size_t) {
        AnalyzedRecord a;
        std::vector<uint32_t> ids;
        for (size_t row = begin; row < end; ++row) {
          AnalyzeRecord(train[row], o.use_description, &a);
          ids.clear();
          ForEachTfidfKey(a, o, [&](HashNamespace ns, std::string_view key) {
            ids.push_back(s.hasher(ns, key));
          });
          SortUnique(&ids);
          for (uint32_t id : ids) (*tfidf_df)[id].fetch_add(1, std::memory_order_relaxed);
          ids.clear();
          ForEachOneHotKey(
              &a, RecordPriceBin(train[row], s.numeric), o.tabular_title_words,
              [&](HashNamespace ns, std::string_view key) { ids.push_back(s.hasher(ns, key)); });
          SortUnique(&ids);
          for (uint32_t id : ids) (*onehot_df)[id].fetch_add(1, std::memory_order_relaxed);
        }
      });
}

// Names each kept column after the first key (in row order) that fell in its bucket. Chunks are
// contiguous and merged in order, so the result does not depend on the thread count.
void NameColumns(const std::vector<ProductRecord>& train, FeatureSpec::Impl* s) {
  const FeatureSpecOptions& o = s->options;
  const size_t chunks = ChunkCount(train.size(), kMinRowsPerChunk);
  std::vector<std::vector<std::string>> tfidf_names(chunks), onehot_names(chunks);
  ParallelChunks(train.size(), chunks, [&](size_t begin, size_t end, size_t chunk) {
    std::vector<std::string>& tfidf = tfidf_names[chunk];
    std::vector<std::string>& onehot = onehot_names[chunk];
    tfidf.resize(s->tfidf_buckets.size());
    onehot.resize(s->onehot_buckets.size());
    AnalyzedRecord a;
    auto name = [](HashNamespace ns, std::string_view key, std::string* slot) {
      if (!slot->empty()) return;
      slot->assign(NamespacePrefix(ns));
      slot->append(key);
    };
    for (size_t row = begin; row < end; ++row) {
      AnalyzeRecord(train[row], o.use_description, &a);
      ForEachTfidfKey(a, o, [&](HashNamespace ns, std::string_view key) {
        int32_t col = s->tfidf_column_of.Find(s->hasher(ns, key));
        if (col >= 0) name(ns, key, &tfidf[static_cast<size_t>(col)]);
      });
      ForEachOneHotKey(&a, RecordPriceBin(train[row], s->numeric), o.tabular_title_words,
                       [&](HashNamespace ns, std::string_view key) {
                         int32_t i = s->onehot_index_of.Find(s->hasher(ns, key));
                         if (i >= 0) name(ns, key, &onehot[static_cast<size_t>(i)]);
                       });
    }
  });
  s->tfidf_names.assign(s->tfidf_buckets.size(), std::string());
  s->onehot_names.assign(s->onehot_buckets.size(), std::string());
  for (size_t c = 0; c < chunks; ++c) {
    for (size_t i = 0; i < s->tfidf_names.size(); ++i) {
      if (s->tfidf_names[i].empty()) s->tfidf_names[i] = std::move(tfidf_names[c][i]);
    }
    for (size_t i = 0; i < s->onehot_names.size(); ++i) {
      if (s->onehot_names[i].empty()) s->onehot_names[i] = std::move(onehot_names[c][i]);
    }
  }
}

}  // namespace

void FeatureSpec::Impl::BuildLookupTables() {
  tfidf_column_of.Build(tfidf_buckets, options.hash_bits);
  onehot_index_of.Build(onehot_buckets, options.hash_bits);
}

FeatureSpec::FeatureSpec(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FeatureSpec::~FeatureSpec() = default;

Status FeatureSpec::Fit(const std::vector<ProductRecord>& train, const FeatureSpecOptions& options,
                        std::unique_ptr<FeatureSpec>* out) {
  PRODCAT_RETURN_IF_ERROR(ValidateFeatureSpecOptions(options));
  if (train.empty()) {
    return Status::InvalidArgument("cannot fit the feature spec on zero training records");
  }
  auto impl = std::make_unique<Impl>(options);
  impl->train_rows = train.size();
  impl->numeric = FitNumericStats(train, options.price_bins);

  const size_t buckets = size_t{1} << options.hash_bits;
  std::vector<std::atomic<uint32_t>> tfidf_df(buckets), onehot_df(buckets);
  CountDocumentFrequencies(train, *impl, &tfidf_df, &onehot_df);

  const double n = static_cast<double>(train.size());
  for (size_t b = 0; b < buckets; ++b) {
    const uint32_t df = tfidf_df[b].load(std::memory_order_relaxed);
    if (df >= static_cast<uint32_t>(options.tfidf_min_df)) {
      impl->tfidf_buckets.push_back(static_cast<uint32_t>(b));
      // scikit-learn's smooth idf: as if one extra document contained every term.
      impl->idf.push_back(static_cast<float>(std::log((1.0 + n) / (1.0 + df)) + 1.0));
    }
    if (onehot_df[b].load(std::memory_order_relaxed) >=
        static_cast<uint32_t>(options.tabular_min_count)) {
      impl->onehot_buckets.push_back(static_cast<uint32_t>(b));
    }
  }
  impl->BuildLookupTables();
  NameColumns(train, impl.get());
  out->reset(new FeatureSpec(std::move(impl)));
  return Status::Ok();
}

void FeatureSpec::Transform(const ProductRecord& record, unsigned views, FeatureVector* out) const {
  const Impl& s = *impl_;
  const FeatureSpecOptions& o = s.options;
  AnalyzedRecord& a =
      AnalyzeRecordCached(record, o.use_description && (views & (kViewText | kViewTfidf)) != 0);

  if (views & kViewText) {
    std::string& text = out->text;
    text.clear();
    text.append(a.title, 1);
    text.append(a.brand, 1);
    if (o.use_description) text.append(a.description, 1);
    if (!text.empty()) text.pop_back();  // every token is followed by one space
  }

  if (views & kViewTfidf) {
    SparseVector& v = out->tfidf;
    v.clear();
    ForEachTfidfKey(a, o, [&](HashNamespace ns, std::string_view key) {
      int32_t col = s.tfidf_column_of.Find(s.hasher(ns, key));
      if (col >= 0) v.indices.push_back(static_cast<uint32_t>(col));
    });
    CountColumns(&v, 0, s.tfidf_buckets.size());
    double norm2 = 0;
    for (size_t i = 0; i < v.size(); ++i) {
      double tf = v.values[i];
      if (o.sublinear_tf && tf > 1.0) tf = 1.0 + std::log(tf);  // most terms occur once
      const double w = tf * s.idf[v.indices[i]];
      v.values[i] = static_cast<float>(w);
      norm2 += w * w;
    }
    if (norm2 > 0) {
      const double scale = 1.0 / std::sqrt(norm2);
      for (float& x : v.values) x = static_cast<float>(x * scale);
    }
  }

  if (views & kViewTabular) {
    // The dense block is written in full, zeros included: for tree models an absent entry means
    // "missing", which is not what a 0 feature value means.
    SparseVector& t = out->tabular;
    t.indices.resize(kNumEngineeredFeatures);
    t.values.resize(kNumEngineeredFeatures);
    std::iota(t.indices.begin(), t.indices.end(), 0u);
    ComputeEngineeredFeatures(record, a, s.numeric, t.values.data());
    ForEachOneHotKey(&a, RecordPriceBin(record, s.numeric), o.tabular_title_words,
                     [&](HashNamespace ns, std::string_view key) {
                       int32_t i = s.onehot_index_of.Find(s.hasher(ns, key));
                       if (i >= 0) {
                         t.indices.push_back(static_cast<uint32_t>(kNumEngineeredFeatures + i));
                       }
                     });
    CountColumns(&t, kNumEngineeredFeatures, s.tabular_dim());
    std::fill(t.values.begin() + kNumEngineeredFeatures, t.values.end(), 1.0f);
  }
}

namespace {

// Transforms rows in parallel chunks into one CSR matrix, keeping row order.
void TransformMatrix(const FeatureSpec& spec, const std::vector<ProductRecord>& records,
                     FeatureView view, size_t num_cols, CsrMatrix* out) {
  const size_t chunks = ChunkCount(records.size(), 256);
  std::vector<CsrMatrix> parts(chunks);
  ParallelChunks(records.size(), chunks, [&](size_t begin, size_t end, size_t chunk) {
    FeatureVector fv;
    CsrMatrix& part = parts[chunk];
    part.indptr.reserve(end - begin + 1);
    for (size_t row = begin; row < end; ++row) {
      spec.Transform(records[row], view, &fv);
      part.AppendRow(view == kViewTfidf ? fv.tfidf : fv.tabular);
    }
  });
  out->Clear();
  out->num_cols = num_cols;
  size_t nnz = 0;
  for (const CsrMatrix& part : parts) nnz += part.nnz();
  out->indptr.reserve(records.size() + 1);
  out->indices.reserve(nnz);
  out->values.reserve(nnz);
  for (const CsrMatrix& part : parts) {
    const uint64_t offset = out->indices.size();
    out->indices.insert(out->indices.end(), part.indices.begin(), part.indices.end());
    out->values.insert(out->values.end(), part.values.begin(), part.values.end());
    for (size_t r = 1; r < part.indptr.size(); ++r) out->indptr.push_back(offset + part.indptr[r]);
  }
}

}  // namespace

void FeatureSpec::TransformTfidf(const std::vector<ProductRecord>& records, CsrMatrix* out) const {
  TransformMatrix(*this, records, kViewTfidf, tfidf_dim(), out);
}

void FeatureSpec::TransformTabular(const std::vector<ProductRecord>& records,
                                   CsrMatrix* out) const {
  TransformMatrix(*this, records, kViewTabular, tabular_dim(), out);
}

void FeatureSpec::TransformText(const std::vector<ProductRecord>& records,
                                std::vector<std::string>* out) const {
  out->assign(records.size(), std::string());
  ParallelChunks(records.size(), ChunkCount(records.size(), 256),
                 [&](size_t begin, size_t end, size_t) {
                   FeatureVector fv;
                   for (size_t row = begin; row < end; ++row) {
                     Transform(records[row], kViewText, &fv);
                     (*out)[row] = fv.text;
                   }
                 });
}

size_t FeatureSpec::tfidf_dim() const {
  return impl_->tfidf_buckets.size();
}
size_t FeatureSpec::tabular_dim() const {
  return impl_->tabular_dim();
}
size_t FeatureSpec::num_engineered() const {
  return kNumEngineeredFeatures;
}

std::string FeatureSpec::TfidfFeatureName(uint32_t column) const {
  return column < impl_->tfidf_names.size() ? impl_->tfidf_names[column] : std::string();
}

std::string FeatureSpec::TabularFeatureName(uint32_t column) const {
  if (column < kNumEngineeredFeatures) return std::string(kEngineeredFeatureNames[column]);
  const size_t i = column - kNumEngineeredFeatures;
  return i < impl_->onehot_names.size() ? impl_->onehot_names[i] : std::string();
}

const FeatureSpecOptions& FeatureSpec::options() const {
  return impl_->options;
}

nlohmann::json FeatureSpec::Summary() const {
  const Impl& s = *impl_;
  return nlohmann::json{
      {"format_version", kFormatVersion},
      {"options", s.options.ToJson()},
      {"train_rows", s.train_rows},
      {"tfidf_dim", tfidf_dim()},
      {"tabular_dim", tabular_dim()},
      {"num_engineered", num_engineered()},
      {"imputation",
       {{"price", s.numeric.price_median},
        {"rating", s.numeric.rating_median},
        {"reviews_count", s.numeric.reviews_count_median}}},
      {"price_bin_edges", s.numeric.price_bin_edges},
  };
}

}  // namespace prodcat
