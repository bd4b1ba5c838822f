#include "prodcat/pipeline/prepare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_set>

#include "prodcat/common/file_util.h"
#include "prodcat/common/stable_hash.h"
#include "prodcat/features/text_normalizer.h"
#include "prodcat/pipeline/random.h"

namespace prodcat {
namespace fs = std::filesystem;

Status PrepareOptions::FromConfig(const Config& config, PrepareOptions* out) {
  PrepareOptions o;
  const auto& cols = config.section("data").value("columns", nlohmann::json::object());
  for (const auto& [canonical, source] : cols.items()) {
    Field f;
    if (!ParseFieldName(canonical, &f)) {
      return Status::InvalidArgument("data.columns: unknown field '" + canonical +
                                     "' (expected one of product_id, title, seller_id, brand, "
                                     "subcategory, price, rating, reviews_count, category, "
                                     "description)");
    }
    if (!source.is_string()) {
      return Status::InvalidArgument("data.columns." + canonical + " must be a column name");
    }
    o.read.columns.canonical_to_source[canonical] = source.get<std::string>();
  }
  std::string on_error = config.GetString("data", "on_error");
  if (on_error == "skip") {
    o.read.on_error = OnError::kSkip;
  } else if (on_error != "fail" && !on_error.empty()) {
    return Status::InvalidArgument("data.on_error must be 'fail' or 'skip', got '" + on_error +
                                   "'");
  }
  o.train_fraction = config.GetDouble("prepare", "train_fraction");
  o.val_fraction = config.GetDouble("prepare", "val_fraction");
  o.test_fraction = config.GetDouble("prepare", "test_fraction");
  o.seed = static_cast<uint64_t>(config.GetInt("prepare", "seed"));
  o.group_col = config.GetString("prepare", "group_col");
  o.dedupe = config.GetBool("prepare", "dedupe");
  o.rebalance = config.GetString("prepare", "rebalance");
  o.reframe_min_share = config.GetDouble("prepare", "reframe_min_share");
  o.other_label = config.GetString("prepare", "other_label");
  if (o.other_label.empty()) o.other_label = "Other";
  double sum = o.train_fraction + o.val_fraction + o.test_fraction;
  if (o.train_fraction <= 0 || o.val_fraction < 0 || o.test_fraction < 0 ||
      std::abs(sum - 1.0) > 1e-6) {
    return Status::InvalidArgument(fmt::format(
        "prepare: train/val/test fractions must be non-negative, train > 0, and sum to 1 "
        "(got {}/{}/{})",
        o.train_fraction, o.val_fraction, o.test_fraction));
  }
  if (o.rebalance != "none" && o.rebalance != "oversample" && o.rebalance != "undersample") {
    return Status::InvalidArgument(
        "prepare.rebalance must be none, oversample or undersample, got '" + o.rebalance + "'");
  }
  o.read.group_column = o.group_col;
  o.read.require_label = true;
  *out = std::move(o);
  return Status::Ok();
}

namespace {

double Median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  double m = v[mid];
  if (v.size() % 2 == 0) {
    double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
    m = (m + lower) / 2;
  }
  return m;
}

nlohmann::json ClassCounts(const std::vector<ProductRecord>& rows) {
  std::map<std::string, size_t> counts;
  for (const auto& r : rows) ++counts[r.category];
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : counts) j[k] = v;
  return j;
}

void CleanRecord(ProductRecord* r) {
  for (Field f : kAllFields) {
    if (std::string* s = r->MutableStringField(f)) {
      if (!s->empty()) *s = CleanText(*s);
    }
  }
  if (!r->group.empty()) r->group = NormalizeText(r->group);
}

// Assigns each row to 0 (train), 1 (val) or 2 (test).
std::vector<int> StratifiedAssignment(const std::vector<ProductRecord>& rows,
                                      const PrepareOptions& o) {
  std::map<std::string, std::vector<size_t>> by_class;
  for (size_t i = 0; i < rows.size(); ++i) by_class[rows[i].category].push_back(i);
  std::vector<int> split(rows.size(), 0);
  SeededRandom rng(o.seed);
  for (auto& [label, idx] : by_class) {
    rng.Shuffle(&idx);
    size_t n = idx.size();
    auto n_val = static_cast<size_t>(std::llround(static_cast<double>(n) * o.val_fraction));
    auto n_test = static_cast<size_t>(std::llround(static_cast<double>(n) * o.test_fraction));
    // A class always keeps at least one training row.
    while (n_val + n_test >= n && (n_val + n_test) > 0) {
      if (n_test >= n_val && n_test > 0) {
        --n_test;
      } else {
        --n_val;
      }
    }
    for (size_t k = 0; k < n; ++k) {
      split[idx[k]] = k < n_val ? 1 : (k < n_val + n_test ? 2 : 0);
    }
  }
  return split;
}

std::vector<int> GroupAssignment(const std::vector<ProductRecord>& rows, const PrepareOptions& o,
                                 nlohmann::json* group_counts) {
  std::vector<int> split(rows.size(), 0);
  std::unordered_set<std::string> groups[3];
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string& key = !rows[i].group.empty()        ? rows[i].group
                             : !rows[i].product_id.empty() ? rows[i].product_id
                                                           : rows[i].title;
    double u = static_cast<double>(StableHash(key, o.seed) >> 11) * 0x1.0p-53;
    int s = u < o.train_fraction ? 0 : (u < o.train_fraction + o.val_fraction ? 1 : 2);
    split[i] = s;
    groups[s].insert(key);
  }
  *group_counts = {
      {"train", groups[0].size()}, {"val", groups[1].size()}, {"test", groups[2].size()}};
  return split;
}

void Rebalance(const std::string& mode, uint64_t seed, std::vector<ProductRecord>* train) {
  if (mode == "none" || train->empty()) return;
  std::map<std::string, std::vector<size_t>> by_class;
  for (size_t i = 0; i < train->size(); ++i) by_class[(*train)[i].category].push_back(i);
  size_t max_n = 0, min_n = SIZE_MAX;
  for (const auto& [_, idx] : by_class) {
    max_n = std::max(max_n, idx.size());
    min_n = std::min(min_n, idx.size());
  }
  SeededRandom rng(seed ^ 0x9e3779b97f4a7c15ULL);
  std::vector<ProductRecord> out;
  for (auto& [label, idx] : by_class) {
    if (mode == "oversample") {
      for (size_t i : idx) out.push_back((*train)[i]);
      for (size_t k = idx.size(); k < max_n; ++k)
        out.push_back((*train)[idx[rng.Below(idx.size())]]);
    } else {
      rng.Shuffle(&idx);
      for (size_t k = 0; k < min_n; ++k) out.push_back((*train)[idx[k]]);
    }
  }
  rng.Shuffle(&out);
  *train = std::move(out);
}

}  // namespace

Status PrepareRecords(std::vector<ProductRecord> records, const PrepareOptions& o,
                      const ReadStats& read_stats, PreparedSplits* out) {
  nlohmann::json report;
  report["rows_in"] = records.size() + read_stats.rows_skipped;
  report["rows_skipped_unparseable"] = read_stats.rows_skipped;
  if (!read_stats.error_samples.empty()) report["skipped_examples"] = read_stats.error_samples;

  size_t empty_title = 0, empty_label = 0, duplicates = 0;
  std::vector<ProductRecord> kept;
  kept.reserve(records.size());
  std::unordered_set<std::string> seen_ids;
  for (auto& r : records) {
    CleanRecord(&r);
    if (r.title.empty()) {
      ++empty_title;
      continue;
    }
    if (r.category.empty()) {
      ++empty_label;
      continue;
    }
    if (o.dedupe && !r.product_id.empty() && !seen_ids.insert(r.product_id).second) {
      ++duplicates;
      continue;
    }
    kept.push_back(std::move(r));
  }
  records.clear();
  records.shrink_to_fit();
  report["empty_title_dropped"] = empty_title;
  report["empty_label_dropped"] = empty_label;
  report["duplicates_dropped"] = duplicates;
  report["rows_out"] = kept.size();
  if (kept.empty()) {
    return Status::InvalidArgument(
        "prepare: no usable rows left (every row lacked a title or a "
        "label, or the input was empty)");
  }

  // Completeness per canonical field over the kept rows.
  nlohmann::json completeness = nlohmann::json::object();
  for (Field f : kAllFields) {
    size_t present = 0;
    for (const auto& r : kept) {
      if (const std::string* s = r.StringField(f)) {
        present += !s->empty();
      } else if (const auto* n = r.NumericField(f)) {
        present += n->has_value();
      }
    }
    completeness[std::string(FieldName(f))] =
        static_cast<double>(present) / static_cast<double>(kept.size());
  }
  report["completeness"] = completeness;

  std::vector<int> assignment;
  if (!o.group_col.empty()) {
    nlohmann::json groups;
    assignment = GroupAssignment(kept, o, &groups);
    report["group_split"] = {{"column", o.group_col}, {"groups", groups}};
  } else {
    assignment = StratifiedAssignment(kept, o);
  }
  PreparedSplits splits;
  for (size_t i = 0; i < kept.size(); ++i) {
    auto& dst = assignment[i] == 0 ? splits.train : (assignment[i] == 1 ? splits.val : splits.test);
    dst.push_back(std::move(kept[i]));
  }
  kept.clear();
  if (splits.train.empty()) {
    return Status::InvalidArgument(
        "prepare: the training split is empty; add rows or raise "
        "prepare.train_fraction");
  }

  // Reframing is decided on the training split only.
  std::vector<std::string> train_labels;
  train_labels.reserve(splits.train.size());
  for (const auto& r : splits.train) train_labels.push_back(r.category);
  splits.reframing = Reframing::Fit(train_labels, o.reframe_min_share, o.other_label);
  for (auto* part : {&splits.train, &splits.val, &splits.test}) {
    for (auto& r : *part) r.category = splits.reframing.Apply(r.category);
  }

  nlohmann::json train_counts = ClassCounts(splits.train);
  size_t max_n = 0, min_n = SIZE_MAX;
  for (const auto& [_, n] : train_counts.items()) {
    max_n = std::max<size_t>(max_n, n.get<size_t>());
    min_n = std::min<size_t>(min_n, n.get<size_t>());
  }
  report["num_classes"] = train_counts.size();
  report["imbalance_ratio"] = min_n ? static_cast<double>(max_n) / static_cast<double>(min_n) : 0.0;

  // Imputation values: training split only.
  std::vector<double> prices, ratings, reviews;
  for (const auto& r : splits.train) {
    if (r.price) prices.push_back(*r.price);
    if (r.rating) ratings.push_back(*r.rating);
    if (r.reviews_count) reviews.push_back(*r.reviews_count);
  }
  report["imputation"] = {{"fitted_on", "train"},
                          {"price_median", Median(prices)},
                          {"rating_median", Median(ratings)},
                          {"reviews_count_median", Median(reviews)}};
  report["reframing"] = splits.reframing.ToJson();

  Rebalance(o.rebalance, o.seed, &splits.train);
  report["rebalance"] = o.rebalance;
  report["splits"] = {
      {"train", splits.train.size()}, {"val", splits.val.size()}, {"test", splits.test.size()}};
  report["class_distribution"] = {{"train", ClassCounts(splits.train)},
                                  {"val", ClassCounts(splits.val)},
                                  {"test", ClassCounts(splits.test)}};
  splits.quality_report = std::move(report);
  *out = std::move(splits);
  return Status::Ok();
}

Status WriteRecordsCsv(const fs::path& path, const std::vector<ProductRecord>& rows) {
  std::unique_ptr<RecordWriter> writer;
  std::vector<Field> fields(kAllFields.begin(), kAllFields.end());
  PRODCAT_RETURN_IF_ERROR(OpenRecordWriter(path, fields, &writer));
  for (const auto& r : rows) PRODCAT_RETURN_IF_ERROR(writer->Write(r));
  return writer->Close();
}

Status PrepareFile(const fs::path& input, const fs::path& out_dir, const PrepareOptions& options,
                   PreparedSplits* out) {
  std::vector<ProductRecord> records;
  ReadStats stats;
  PRODCAT_RETURN_IF_ERROR(ReadAllRecords(input, options.read, &records, &stats));
  PreparedSplits splits;
  PRODCAT_RETURN_IF_ERROR(PrepareRecords(std::move(records), options, stats, &splits));
  splits.quality_report["input"] = input.string();
  PRODCAT_RETURN_IF_ERROR(EnsureDirectory(out_dir));
  PRODCAT_RETURN_IF_ERROR(WriteRecordsCsv(out_dir / "train.csv", splits.train));
  PRODCAT_RETURN_IF_ERROR(WriteRecordsCsv(out_dir / "val.csv", splits.val));
  PRODCAT_RETURN_IF_ERROR(WriteRecordsCsv(out_dir / "test.csv", splits.test));
  PRODCAT_RETURN_IF_ERROR(
      WriteFileAtomic(out_dir / "quality_report.json", splits.quality_report.dump(2) + "\n"));
  PRODCAT_RETURN_IF_ERROR(
      WriteFileAtomic(out_dir / "reframing.json", splits.reframing.ToJson().dump(2) + "\n"));
  *out = std::move(splits);
  return Status::Ok();
}

std::string RenderQualityTable(const nlohmann::json& r) {
  std::string s;
  s += "Data quality report\n";
  s += fmt::format("  rows in                 {:>10}\n", r.value("rows_in", 0));
  s += fmt::format("  unparseable (skipped)   {:>10}\n", r.value("rows_skipped_unparseable", 0));
  s += fmt::format("  empty title dropped     {:>10}\n", r.value("empty_title_dropped", 0));
  s += fmt::format("  empty label dropped     {:>10}\n", r.value("empty_label_dropped", 0));
  s += fmt::format("  duplicates dropped      {:>10}\n", r.value("duplicates_dropped", 0));
  s += fmt::format("  rows out                {:>10}\n", r.value("rows_out", 0));
  if (r.contains("splits")) {
    s += fmt::format("  split train/val/test    {:>10} / {} / {}\n", r["splits"].value("train", 0),
                     r["splits"].value("val", 0), r["splits"].value("test", 0));
  }
  s += fmt::format("  classes                 {:>10}\n", r.value("num_classes", 0));
  s += fmt::format("  imbalance ratio         {:>10.1f}\n", r.value("imbalance_ratio", 0.0));
  if (r.contains("completeness")) {
    s += "  completeness\n";
    for (const auto& [field, share] : r["completeness"].items()) {
      s += fmt::format("    {:<20} {:>6.1f}%\n", field, 100.0 * share.get<double>());
    }
  }
  if (r.contains("class_distribution")) {
    s += "  class distribution (train / val / test)\n";
    const auto& cd = r["class_distribution"];
    for (const auto& [label, n] : cd["train"].items()) {
      s += fmt::format("    {:<24} {:>8} {:>8} {:>8}\n", label, n.get<size_t>(),
                       cd["val"].value(label, size_t{0}), cd["test"].value(label, size_t{0}));
    }
  }
  return s;
}

}  // namespace prodcat
