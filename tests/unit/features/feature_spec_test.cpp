// Fit/Transform of the tfidf and text views, and the whole-matrix helpers.
#include "prodcat/features/feature_spec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "test_records.h"

namespace prodcat {
namespace {

using testing::MakeRecord;
using testing::TfidfColumn;
using testing::ValueAt;

// Ten rows: "common" everywhere, "rare" in two rows, one singleton "solo<letter>" per row.
// No row contains 'q', 'z', '7' or '9', so keys built from them are unseen.
std::vector<ProductRecord> Corpus() {
  std::vector<ProductRecord> rows;
  for (int i = 0; i < 10; ++i) {
    std::string title = "Common Widget";
    if (i < 2) title += " rare";
    title += " solo" + std::string(1, static_cast<char>('a' + i));
    rows.push_back(MakeRecord(title, i % 2 == 0 ? "Acme" : ""));
  }
  return rows;
}

FeatureSpecOptions SmallOptions() {
  FeatureSpecOptions o;
  o.hash_bits = 18;
  o.tabular_min_count = 1;
  return o;
}

std::unique_ptr<FeatureSpec> FitOrDie(const std::vector<ProductRecord>& rows,
                                      const FeatureSpecOptions& o) {
  std::unique_ptr<FeatureSpec> spec;
  Status s = FeatureSpec::Fit(rows, o, &spec);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return spec;
}

SparseVector Tfidf(const FeatureSpec& spec, const ProductRecord& r) {
  FeatureVector fv;
  spec.Transform(r, kViewTfidf, &fv);
  return fv.tfidf;
}

void ExpectSortedUnique(const SparseVector& v, size_t dim) {
  ASSERT_EQ(v.indices.size(), v.values.size());
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_LT(v.indices[i], dim);
    if (i > 0) {
      EXPECT_LT(v.indices[i - 1], v.indices[i]);
    }
  }
}

TEST(FeatureSpecTfidfTest, IdfFollowsSmoothFormulaAndRareTermsWeighMore) {
  auto spec = FitOrDie(Corpus(), SmallOptions());
  const long common = TfidfColumn(*spec, "title:word:common");
  const long rare = TfidfColumn(*spec, "title:word:rare");
  ASSERT_GE(common, 0);
  ASSERT_GE(rare, 0);
  SparseVector v = Tfidf(*spec, MakeRecord("common rare"));
  const float w_common = ValueAt(v, common), w_rare = ValueAt(v, rare);
  ASSERT_GT(w_common, 0);
  EXPECT_GT(w_rare, w_common);
  // Both have tf 1: the ratio is idf(rare) / idf(common) = (ln(11/3) + 1) / (ln(11/11) + 1).
  EXPECT_NEAR(w_rare / w_common, std::log(11.0 / 3.0) + 1.0, 1e-5);
}

TEST(FeatureSpecTfidfTest, SublinearTfIsOnePlusLog) {
  FeatureSpecOptions o = SmallOptions();
  const double idf_ratio = std::log(11.0 / 3.0) + 1.0;
  for (bool sublinear : {true, false}) {
    o.sublinear_tf = sublinear;
    auto spec = FitOrDie(Corpus(), o);
    SparseVector v = Tfidf(*spec, MakeRecord("common rare rare"));
    const double ratio = ValueAt(v, TfidfColumn(*spec, "title:word:rare")) /
                         ValueAt(v, TfidfColumn(*spec, "title:word:common"));
    EXPECT_NEAR(ratio, (sublinear ? 1.0 + std::log(2.0) : 2.0) * idf_ratio, 1e-5);
  }
}

TEST(FeatureSpecTfidfTest, RowsAreL2NormalizedSortedAndUnique) {
  auto rows = Corpus();
  auto spec = FitOrDie(rows, SmallOptions());
  rows.push_back(MakeRecord("common common widget widget rare acme"));
  for (const ProductRecord& r : rows) {
    SparseVector v = Tfidf(*spec, r);
    ASSERT_FALSE(v.indices.empty());
    ExpectSortedUnique(v, spec->tfidf_dim());
    double norm2 = 0;
    for (float x : v.values) {
      EXPECT_GT(x, 0);
      norm2 += static_cast<double>(x) * x;
    }
    EXPECT_NEAR(norm2, 1.0, 1e-5) << r.title;
  }
}

TEST(FeatureSpecTfidfTest, MinDfPrunesRareBuckets) {
  FeatureSpecOptions o = SmallOptions();
  o.tfidf_min_df = 1;
  auto loose = FitOrDie(Corpus(), o);
  o.tfidf_min_df = 2;
  auto strict = FitOrDie(Corpus(), o);
  EXPECT_GE(TfidfColumn(*loose, "title:word:soloa"), 0);
  EXPECT_EQ(TfidfColumn(*strict, "title:word:soloa"), -1);
  EXPECT_GE(TfidfColumn(*strict, "title:word:rare"), 0);  // df 2 survives min_df 2
  EXPECT_LT(strict->tfidf_dim(), loose->tfidf_dim());
}

TEST(FeatureSpecTfidfTest, UnseenTokensAreIgnored) {
  auto spec = FitOrDie(Corpus(), SmallOptions());
  EXPECT_TRUE(Tfidf(*spec, MakeRecord("qqzz 7799")).indices.empty());
  SparseVector with_unseen = Tfidf(*spec, MakeRecord("common qqzz"));
  SparseVector plain = Tfidf(*spec, MakeRecord("common"));
  EXPECT_EQ(with_unseen.indices, plain.indices);
  EXPECT_EQ(with_unseen.values, plain.values);
}

TEST(FeatureSpecTfidfTest, BrandTokensHaveTheirOwnNamespace) {
  auto spec = FitOrDie(Corpus(), SmallOptions());
  const long brand = TfidfColumn(*spec, "brand:acme");
  ASSERT_GE(brand, 0);
  EXPECT_TRUE(testing::Contains(Tfidf(*spec, MakeRecord("widget", "ACME")), brand));
  EXPECT_FALSE(testing::Contains(Tfidf(*spec, MakeRecord("acme widget")), brand));
  EXPECT_GE(TfidfColumn(*spec, "title:word:common widget"), 0);  // word bigram
  EXPECT_GE(TfidfColumn(*spec, "title:char: wid"), 0);           // char_wb gram
}

TEST(FeatureSpecTfidfTest, DescriptionOnlyWhenEnabled) {
  auto rows = Corpus();
  for (auto& r : rows) r.description = "Durable steel";
  FeatureSpecOptions o = SmallOptions();
  auto with = FitOrDie(rows, o);
  const long durable = TfidfColumn(*with, "desc:word:durable");
  ASSERT_GE(durable, 0);
  ProductRecord r = MakeRecord("widget");
  r.description = "durable";
  EXPECT_TRUE(testing::Contains(Tfidf(*with, r), durable));
  o.use_description = false;
  auto without = FitOrDie(rows, o);
  for (size_t c = 0; c < without->tfidf_dim(); ++c) {
    EXPECT_NE(without->TfidfFeatureName(static_cast<uint32_t>(c)).rfind("desc:", 0), 0u);
  }
}

TEST(FeatureSpecTextTest, TextViewIsNormalizedTokens) {
  ProductRecord r = MakeRecord("Apple  iPhone 8, 64GB!", "Apple");
  r.description = "Great\tphone.";
  FeatureSpecOptions o = SmallOptions();
  auto spec = FitOrDie(Corpus(), o);
  FeatureVector fv;
  spec->Transform(r, kViewText, &fv);
  EXPECT_EQ(fv.text, "apple iphone 8 64gb apple great phone");
  o.use_description = false;
  auto no_desc = FitOrDie(Corpus(), o);
  no_desc->Transform(r, kViewText, &fv);
  EXPECT_EQ(fv.text, "apple iphone 8 64gb apple");
  no_desc->Transform(MakeRecord("!!!"), kViewText, &fv);
  EXPECT_EQ(fv.text, "");
}

TEST(FeatureSpecTest, FitRejectsEmptyTrainingSetAndBadOptions) {
  std::unique_ptr<FeatureSpec> spec;
  EXPECT_EQ(FeatureSpec::Fit({}, SmallOptions(), &spec).code(), StatusCode::kInvalidArgument);
  FeatureSpecOptions bad = SmallOptions();
  bad.hash_bits = 3;
  EXPECT_EQ(FeatureSpec::Fit(Corpus(), bad, &spec).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(spec, nullptr);
}

// Enough rows to make the helpers use several threads.
std::vector<ProductRecord> ManyRecords() {
  std::vector<ProductRecord> rows;
  const char* words[] = {"usb", "cable", "phone", "case", "lamp", "shirt", "steel", "mug"};
  for (int i = 0; i < 1200; ++i) {
    std::string title =
        std::string(words[i % 8]) + " " + words[(i / 8) % 8] + " " + std::to_string(i % 37) + "gb";
    ProductRecord r = MakeRecord(title, i % 3 ? "Brand" + std::to_string(i % 5) : "",
                                 i % 4 ? std::optional<double>(i % 97) : std::nullopt);
    r.seller_id = std::to_string(i % 11);
    rows.push_back(r);
  }
  return rows;
}

TEST(FeatureSpecTest, MatrixHelpersMatchRowTransformsInOrder) {
  auto rows = ManyRecords();
  auto spec = FitOrDie(rows, SmallOptions());
  CsrMatrix tfidf, tabular;
  std::vector<std::string> text;
  spec->TransformTfidf(rows, &tfidf);
  spec->TransformTabular(rows, &tabular);
  spec->TransformText(rows, &text);
  ASSERT_EQ(tfidf.rows(), rows.size());
  ASSERT_EQ(tabular.rows(), rows.size());
  ASSERT_EQ(text.size(), rows.size());
  EXPECT_EQ(tfidf.num_cols, spec->tfidf_dim());
  EXPECT_EQ(tabular.num_cols, spec->tabular_dim());
  FeatureVector fv;
  for (size_t i = 0; i < rows.size(); ++i) {
    spec->Transform(rows[i], kViewText | kViewTfidf | kViewTabular, &fv);
    ASSERT_EQ(text[i], fv.text);
    const auto t0 = static_cast<std::ptrdiff_t>(tfidf.indptr[i]);
    const auto t1 = static_cast<std::ptrdiff_t>(tfidf.indptr[i + 1]);
    ASSERT_EQ(std::vector<uint32_t>(tfidf.indices.begin() + t0, tfidf.indices.begin() + t1),
              fv.tfidf.indices);
    ASSERT_EQ(std::vector<float>(tfidf.values.begin() + t0, tfidf.values.begin() + t1),
              fv.tfidf.values);
    const auto b0 = static_cast<std::ptrdiff_t>(tabular.indptr[i]);
    const auto b1 = static_cast<std::ptrdiff_t>(tabular.indptr[i + 1]);
    ASSERT_EQ(std::vector<float>(tabular.values.begin() + b0, tabular.values.begin() + b1),
              fv.tabular.values);
  }
}

TEST(FeatureSpecTest, ConcurrentTransformsAgreeWithSequentialOnes) {
  auto rows = ManyRecords();
  auto spec = FitOrDie(rows, SmallOptions());
  const unsigned all = kViewText | kViewTfidf | kViewTabular;
  std::vector<FeatureVector> expected(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) spec->Transform(rows[i], all, &expected[i]);
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      FeatureVector fv;
      for (size_t k = 0; k < rows.size(); ++k) {
        const size_t i = (k * 7 + static_cast<size_t>(t) * 13) % rows.size();
        spec->Transform(rows[i], all, &fv);
        mismatches[t] += fv.text != expected[i].text ||
                         fv.tfidf.indices != expected[i].tfidf.indices ||
                         fv.tfidf.values != expected[i].tfidf.values ||
                         fv.tabular.values != expected[i].tabular.values;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

TEST(FeatureSpecTest, FitIsDeterministic) {
  auto rows = ManyRecords();
  auto a = FitOrDie(rows, SmallOptions());
  auto b = FitOrDie(rows, SmallOptions());
  ASSERT_EQ(a->tfidf_dim(), b->tfidf_dim());
  ASSERT_EQ(a->tabular_dim(), b->tabular_dim());
  for (uint32_t c = 0; c < a->tfidf_dim(); ++c) {
    ASSERT_EQ(a->TfidfFeatureName(c), b->TfidfFeatureName(c));
  }
  for (uint32_t c = 0; c < a->tabular_dim(); ++c) {
    ASSERT_EQ(a->TabularFeatureName(c), b->TabularFeatureName(c));
  }
  EXPECT_EQ(a->Summary(), b->Summary());
}

TEST(FeatureSpecTest, FirstSeenKeyNamesEachColumn) {
  auto spec = FitOrDie(ManyRecords(), SmallOptions());
  for (uint32_t c = 0; c < spec->tfidf_dim(); ++c) {
    ASSERT_FALSE(spec->TfidfFeatureName(c).empty()) << c;
  }
  EXPECT_EQ(spec->TfidfFeatureName(static_cast<uint32_t>(spec->tfidf_dim())), "");
  EXPECT_GE(TfidfColumn(*spec, "title:word:usb cable"), 0);
}

}  // namespace
}  // namespace prodcat
