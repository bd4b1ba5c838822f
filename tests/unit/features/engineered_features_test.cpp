// The tabular view: engineered dense block, fitted statistics, one-hot columns.
#include "prodcat/features/engineered_features.h"

#include <gtest/gtest.h>

#include <cmath>

#include "prodcat/features/feature_spec.h"
#include "test_records.h"

namespace prodcat {
namespace {

using testing::MakeRecord;
using testing::TabularColumn;

FeatureSpecOptions Options(int price_bins = 4, int min_count = 1) {
  FeatureSpecOptions o;
  o.hash_bits = 16;
  o.price_bins = price_bins;
  o.tabular_min_count = min_count;
  return o;
}

std::unique_ptr<FeatureSpec> FitOrDie(const std::vector<ProductRecord>& rows,
                                      const FeatureSpecOptions& o) {
  std::unique_ptr<FeatureSpec> spec;
  Status s = FeatureSpec::Fit(rows, o, &spec);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return spec;
}

// The dense block of `r`, indexed by EngineeredFeature.
std::vector<float> Dense(const FeatureSpec& spec, const ProductRecord& r) {
  FeatureVector fv;
  spec.Transform(r, kViewTabular, &fv);
  EXPECT_GE(fv.tabular.size(), spec.num_engineered());
  for (size_t i = 0; i < spec.num_engineered(); ++i) EXPECT_EQ(fv.tabular.indices[i], i);
  return {fv.tabular.values.begin(),
          fv.tabular.values.begin() + static_cast<std::ptrdiff_t>(spec.num_engineered())};
}

std::vector<ProductRecord> PricedRows() {
  // Prices 1..4 and 100 plus two missing: median of {1, 2, 3, 4, 100} is 3.
  std::vector<ProductRecord> rows;
  for (double p : {1.0, 2.0, 3.0, 4.0, 100.0}) rows.push_back(MakeRecord("thing", "", p));
  rows.push_back(MakeRecord("thing"));
  rows.push_back(MakeRecord("thing", "", std::nan("")));  // not finite counts as missing
  rows[0].rating = 4.0;
  rows[1].rating = 5.0;
  rows[0].reviews_count = 10;
  rows[1].reviews_count = 30;
  rows[2].reviews_count = 50;
  return rows;
}

TEST(EngineeredFeaturesTest, HasNamedDenseBlockFirst) {
  auto spec = FitOrDie(PricedRows(), Options());
  ASSERT_GE(spec->num_engineered(), 19u);
  EXPECT_EQ(spec->num_engineered(), static_cast<size_t>(kNumEngineeredFeatures));
  for (size_t i = 0; i < spec->num_engineered(); ++i) {
    EXPECT_EQ(spec->TabularFeatureName(static_cast<uint32_t>(i)), kEngineeredFeatureNames[i]);
  }
  EXPECT_EQ(spec->TabularFeatureName(kFeatLogPrice), "log_price");
}

TEST(EngineeredFeaturesTest, MissingNumbersTakeTrainingMedians) {
  auto spec = FitOrDie(PricedRows(), Options());
  const auto summary = spec->Summary();
  EXPECT_DOUBLE_EQ(summary["imputation"]["price"].get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(summary["imputation"]["rating"].get<double>(), 4.5);
  EXPECT_DOUBLE_EQ(summary["imputation"]["reviews_count"].get<double>(), 30.0);

  auto missing = Dense(*spec, MakeRecord("thing"));
  EXPECT_FLOAT_EQ(missing[kFeatPrice], 3.0f);
  EXPECT_FLOAT_EQ(missing[kFeatLogPrice], static_cast<float>(std::log1p(3.0)));
  EXPECT_EQ(missing[kFeatPriceMissing], 1.0f);
  EXPECT_FLOAT_EQ(missing[kFeatRating], 4.5f);
  EXPECT_EQ(missing[kFeatRatingMissing], 1.0f);
  EXPECT_FLOAT_EQ(missing[kFeatReviewsCount], 30.0f);
  EXPECT_FLOAT_EQ(missing[kFeatLogReviewsCount], static_cast<float>(std::log1p(30.0)));
  EXPECT_EQ(missing[kFeatReviewsMissing], 1.0f);

  ProductRecord present = MakeRecord("thing", "", 7.5);
  present.rating = 1.0;
  present.reviews_count = 0;
  auto p = Dense(*spec, present);
  EXPECT_FLOAT_EQ(p[kFeatPrice], 7.5f);
  EXPECT_EQ(p[kFeatPriceMissing], 0.0f);
  EXPECT_FLOAT_EQ(p[kFeatRating], 1.0f);
  EXPECT_EQ(p[kFeatRatingMissing], 0.0f);
  EXPECT_EQ(p[kFeatReviewsCount], 0.0f);
  EXPECT_EQ(p[kFeatReviewsMissing], 0.0f);
}

TEST(EngineeredFeaturesTest, PriceBinsAreTrainingQuantiles) {
  std::vector<ProductRecord> rows;
  for (int p = 1; p <= 100; ++p) rows.push_back(MakeRecord("item", "", p));
  auto spec = FitOrDie(rows, Options(/*price_bins=*/4));
  // numpy.quantile(range(1, 101), [0.25, 0.5, 0.75]) = 25.75, 50.5, 75.25
  const auto edges = spec->Summary()["price_bin_edges"].get<std::vector<double>>();
  ASSERT_EQ(edges.size(), 3u);
  EXPECT_DOUBLE_EQ(edges[0], 25.75);
  EXPECT_DOUBLE_EQ(edges[1], 50.5);
  EXPECT_DOUBLE_EQ(edges[2], 75.25);
  EXPECT_EQ(Dense(*spec, MakeRecord("x", "", 10))[kFeatPriceRange], 0.0f);
  EXPECT_EQ(Dense(*spec, MakeRecord("x", "", 60))[kFeatPriceRange], 2.0f);
  EXPECT_EQ(Dense(*spec, MakeRecord("x", "", 1e6))[kFeatPriceRange], 3.0f);
  // A missing price falls in the bin of the imputed median (50.5).
  EXPECT_EQ(Dense(*spec, MakeRecord("x"))[kFeatPriceRange], 2.0f);
}

TEST(EngineeredFeaturesTest, StatisticsAreNeverRecomputedAtTransform) {
  auto spec = FitOrDie(PricedRows(), Options());
  const ProductRecord fixed = MakeRecord("Fixed Thing", "", std::nullopt);
  FeatureVector before;
  spec->Transform(fixed, kViewTabular | kViewTfidf, &before);
  const auto summary_before = spec->Summary();

  std::vector<ProductRecord> batch;
  for (int i = 0; i < 50; ++i) batch.push_back(MakeRecord("pricey thing", "", 1e6 + i));
  batch.push_back(fixed);
  CsrMatrix m;
  spec->TransformTabular(batch, &m);
  const size_t row = batch.size() - 1;
  std::vector<float> in_batch(m.values.begin() + static_cast<std::ptrdiff_t>(m.indptr[row]),
                              m.values.begin() + static_cast<std::ptrdiff_t>(m.indptr[row + 1]));
  EXPECT_EQ(in_batch, before.tabular.values);
  EXPECT_FLOAT_EQ(before.tabular.values[kFeatPrice], 3.0f);  // still the training median

  FeatureVector after;
  spec->Transform(fixed, kViewTabular | kViewTfidf, &after);
  EXPECT_EQ(after.tabular.values, before.tabular.values);
  EXPECT_EQ(after.tfidf.values, before.tfidf.values);
  EXPECT_EQ(spec->Summary(), summary_before);
}

TEST(EngineeredFeaturesTest, TitleStatistics) {
  auto spec = FitOrDie(PricedRows(), Options());
  auto d = Dense(*spec, MakeRecord("USB-C  Cable 2m"));
  EXPECT_EQ(d[kFeatTitleLength], 14.0f);  // "usb-c cable 2m"
  EXPECT_EQ(d[kFeatTitleWordCount], 3.0f);
  EXPECT_EQ(d[kFeatTitleDigitCount], 1.0f);
  EXPECT_FLOAT_EQ(d[kFeatTitleAvgWordLength], 4.0f);  // (5 + 5 + 2) / 3
  EXPECT_FLOAT_EQ(d[kFeatTitleUpperRatio], 0.5f);     // U S B C C of 10 letters
  auto empty = Dense(*spec, MakeRecord(""));
  EXPECT_EQ(empty[kFeatTitleWordCount], 0.0f);
  EXPECT_EQ(empty[kFeatTitleAvgWordLength], 0.0f);
  EXPECT_EQ(empty[kFeatTitleUpperRatio], 0.0f);
}

TEST(EngineeredFeaturesTest, UpperCaseRatioUsesRawTitle) {
  EXPECT_DOUBLE_EQ(UpperCaseRatio("ABCd"), 0.75);
  EXPECT_DOUBLE_EQ(UpperCaseRatio("ÄBc 123"), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(UpperCaseRatio("123 !!"), 0.0);
  EXPECT_DOUBLE_EQ(UpperCaseRatio("Ａｂ"), 0.5);  // full-width letters count too
}

TEST(EngineeredFeaturesTest, MissingIndicatorsAndDescription) {
  auto spec = FitOrDie(PricedRows(), Options());
  ProductRecord full = MakeRecord("Sony WH-1000XM4 headphones", "Sony", 300);
  full.seller_id = "s1";
  full.subcategory = "Audio";
  full.description = "Noise cancelling, 30 hours.";
  auto f = Dense(*spec, full);
  EXPECT_EQ(f[kFeatBrandMissing], 0.0f);
  EXPECT_EQ(f[kFeatSellerMissing], 0.0f);
  EXPECT_EQ(f[kFeatSubcategoryMissing], 0.0f);
  EXPECT_EQ(f[kFeatHasDescription], 1.0f);
  EXPECT_EQ(f[kFeatDescriptionWordCount], 4.0f);
  EXPECT_EQ(f[kFeatBrandInTitle], 1.0f);
  EXPECT_EQ(f[kFeatHasModelCode], 1.0f);

  ProductRecord bare = MakeRecord("headphones", "  ");
  bare.seller_id = "\t";
  auto b = Dense(*spec, bare);
  EXPECT_EQ(b[kFeatBrandMissing], 1.0f);  // whitespace-only is missing
  EXPECT_EQ(b[kFeatSellerMissing], 1.0f);
  EXPECT_EQ(b[kFeatSubcategoryMissing], 1.0f);
  EXPECT_EQ(b[kFeatHasDescription], 0.0f);
  EXPECT_EQ(b[kFeatBrandInTitle], 0.0f);
}

TEST(EngineeredFeaturesTest, BrandInTitleMatchesWholeTokens) {
  auto spec = FitOrDie(PricedRows(), Options());
  EXPECT_EQ(
      Dense(*spec, MakeRecord("WD Western Digital 2TB", "Western Digital"))[kFeatBrandInTitle],
      1.0f);
  EXPECT_EQ(Dense(*spec, MakeRecord("Sonya summer dress", "Sony"))[kFeatBrandInTitle], 0.0f);
}

TEST(EngineeredFeaturesTest, KeywordPredicates) {
  for (const char* t : {"64gb", "2.5kg", "10-inch", "500ml", "10cm", "12mp"}) {
    EXPECT_TRUE(IsNumberWithUnit(t)) << t;
  }
  for (const char* t : {"64", "gb", "iphone8", "3rd"}) EXPECT_FALSE(IsNumberWithUnit(t)) << t;
  for (const char* t : {"3-pack", "12pcs", "2x", "x4", "set", "multipack", "bundle"}) {
    EXPECT_TRUE(IsPackOrSetToken(t)) << t;
  }
  for (const char* t : {"package", "x", "sets5", "pc"}) EXPECT_FALSE(IsPackOrSetToken(t)) << t;
  for (const char* t : {"xl", "xxl", "small", "size"}) EXPECT_TRUE(IsSizeToken(t)) << t;
  EXPECT_FALSE(IsSizeToken("smallest"));
  for (const char* t : {"mq8n2b/a", "wh-1000xm4", "a52"}) EXPECT_TRUE(IsModelCode(t)) << t;
  for (const char* t : {"64gb", "3rd", "2x", "ab", "1234", "cable"}) {
    EXPECT_FALSE(IsModelCode(t)) << t;
  }
}

TEST(EngineeredFeaturesTest, KeywordFlagsOnRecords) {
  auto spec = FitOrDie(PricedRows(), Options());
  auto unit = Dense(*spec, MakeRecord("Shampoo 500 ml"));
  EXPECT_EQ(unit[kFeatHasNumberWithUnit], 1.0f);
  EXPECT_EQ(Dense(*spec, MakeRecord("2 in 1 charger"))[kFeatHasNumberWithUnit], 0.0f);
  EXPECT_EQ(Dense(*spec, MakeRecord("Socks 3-Pack"))[kFeatHasPackOrSet], 1.0f);
  EXPECT_EQ(Dense(*spec, MakeRecord("T-shirt XL"))[kFeatHasSizeToken], 1.0f);
  auto plain = Dense(*spec, MakeRecord("wooden chair"));
  EXPECT_EQ(plain[kFeatHasNumberWithUnit], 0.0f);
  EXPECT_EQ(plain[kFeatHasPackOrSet], 0.0f);
  EXPECT_EQ(plain[kFeatHasSizeToken], 0.0f);
  EXPECT_EQ(plain[kFeatHasModelCode], 0.0f);
}

TEST(EngineeredFeaturesTest, OneHotColumnsNeedMinimumCount) {
  std::vector<ProductRecord> rows;
  for (int i = 0; i < 5; ++i) {
    ProductRecord r = MakeRecord("kettle", "Acme", 10);
    r.seller_id = "seller-1";
    rows.push_back(r);
  }
  rows.push_back(MakeRecord("kettle", "RareCo", 10));
  auto spec = FitOrDie(rows, Options(/*price_bins=*/2, /*min_count=*/3));
  const long acme = TabularColumn(*spec, "brand=acme");
  ASSERT_GE(acme, static_cast<long>(spec->num_engineered()));
  EXPECT_EQ(TabularColumn(*spec, "brand=rareco"), -1);
  EXPECT_GE(TabularColumn(*spec, "seller=seller-1"), 0);
  EXPECT_GE(TabularColumn(*spec, "word=kettle"), 0);
  // Every price is 10, so both edges are 10 and a price of 10 lands in bin 1.
  EXPECT_GE(TabularColumn(*spec, "brand_x_price_range=acme|1"), 0);

  FeatureVector fv;
  spec->Transform(MakeRecord("Kettle", "ACME", 10), kViewTabular, &fv);
  EXPECT_EQ(testing::ValueAt(fv.tabular, acme), 1.0f);
  for (size_t i = 1; i < fv.tabular.size(); ++i) {
    EXPECT_LT(fv.tabular.indices[i - 1], fv.tabular.indices[i]);
  }
  for (size_t i = spec->num_engineered(); i < fv.tabular.size(); ++i) {
    EXPECT_EQ(fv.tabular.values[i], 1.0f);
    EXPECT_LT(fv.tabular.indices[i], spec->tabular_dim());
  }
  spec->Transform(MakeRecord("kettle", "RareCo", 10), kViewTabular, &fv);
  EXPECT_FALSE(testing::Contains(fv.tabular, acme));

  FeatureSpecOptions no_words = Options(2, 3);
  no_words.tabular_title_words = false;
  EXPECT_EQ(TabularColumn(*FitOrDie(rows, no_words), "word=kettle"), -1);
}

TEST(EngineeredFeaturesTest, QuantileInterpolatesLikeNumpy) {
  EXPECT_DOUBLE_EQ(Quantile({1, 2, 3, 4}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(Quantile({1, 2, 3, 4}, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(Quantile({1, 2, 3, 4}, 1.0), 4.0);
  EXPECT_DOUBLE_EQ(Quantile({10}, 0.3), 10.0);
  EXPECT_DOUBLE_EQ(Quantile({}, 0.5), 0.0);
}

}  // namespace
}  // namespace prodcat
