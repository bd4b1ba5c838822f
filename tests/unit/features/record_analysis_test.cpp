// AnalyzeRecordCached: reusing one analysis per thread must give exactly what a fresh analysis
// gives, whatever was analyzed before on the thread.
#include "prodcat/features/record_analysis.h"

#include <gtest/gtest.h>

#include <thread>

#include "prodcat/features/feature_spec.h"
#include "test_records.h"

namespace prodcat {
namespace {

using testing::MakeRecord;

void ExpectSameAnalysis(const AnalyzedRecord& got, const AnalyzedRecord& want,
                        bool compare_description) {
  EXPECT_EQ(got.title, want.title);
  EXPECT_EQ(got.brand, want.brand);
  EXPECT_EQ(got.brand_value, want.brand_value);
  EXPECT_EQ(got.seller_value, want.seller_value);
  EXPECT_EQ(got.subcategory_value, want.subcategory_value);
  EXPECT_EQ(got.title_tokens, want.title_tokens);
  EXPECT_EQ(got.title_chars, want.title_chars);
  EXPECT_EQ(got.title_digits, want.title_digits);
  EXPECT_EQ(got.title_token_chars, want.title_token_chars);
  EXPECT_EQ(got.description_tokens, want.description_tokens);
  if (compare_description) EXPECT_EQ(got.description, want.description);
}

AnalyzedRecord Fresh(const ProductRecord& r, bool keep) {
  AnalyzedRecord a;
  AnalyzeRecord(r, keep, &a);
  return a;
}

TEST(AnalyzeRecordCachedTest, SameAsAFreshAnalysisAcrossChangesAndModes) {
  ProductRecord r = MakeRecord("Ultra HD TV 55\" Smart", "Sony");
  r.seller_id = "S-1";
  r.subcategory = "TVs";
  r.description = "A large television with HDR";

  ExpectSameAnalysis(AnalyzeRecordCached(r, false), Fresh(r, false), true);
  // The same record again, now with description tokens: completed, not stale.
  ExpectSameAnalysis(AnalyzeRecordCached(r, true), Fresh(r, true), true);
  // Without them again: everything but the (unread) description tokens matches.
  ExpectSameAnalysis(AnalyzeRecordCached(r, false), Fresh(r, false), false);

  // Any analyzed field changing gives a new analysis.
  for (int field = 0; field < 5; ++field) {
    ProductRecord changed = r;
    switch (field) {
      case 0: changed.title += " 2024"; break;
      case 1: changed.brand = "Samsung"; break;
      case 2: changed.seller_id = "S-2"; break;
      case 3: changed.subcategory = "Monitors"; break;
      case 4: changed.description = "Small"; break;
    }
    for (bool keep : {false, true}) {
      (void)AnalyzeRecordCached(r, true);  // the cache holds r
      ExpectSameAnalysis(AnalyzeRecordCached(changed, keep), Fresh(changed, keep), true);
    }
  }
}

TEST(AnalyzeRecordCachedTest, TransformDoesNotDependOnWhatTheThreadDidBefore) {
  std::vector<ProductRecord> rows = {MakeRecord("usb c cable 2m", "anker", 9.99),
                                     MakeRecord("hdmi cable 4k", "belkin", 14.5),
                                     MakeRecord("dog food 10kg", "purina", 30)};
  rows[0].description = "braided nylon";
  FeatureSpecOptions o;
  o.hash_bits = 14;
  std::unique_ptr<FeatureSpec> spec;
  ASSERT_TRUE(FeatureSpec::Fit(rows, o, &spec).ok());

  for (const ProductRecord& r : rows) {
    FeatureVector cold;  // a fresh thread: nothing cached
    std::thread([&] { spec->Transform(r, kViewText | kViewTfidf | kViewTabular, &cold); }).join();
    // Here the tabular view (no description tokens) analyzes first, then the others reuse it.
    FeatureVector tabular, rest;
    spec->Transform(r, kViewTabular, &tabular);
    spec->Transform(r, kViewText | kViewTfidf, &rest);
    EXPECT_EQ(rest.text, cold.text);
    EXPECT_EQ(rest.tfidf.indices, cold.tfidf.indices);
    EXPECT_EQ(rest.tfidf.values, cold.tfidf.values);
    EXPECT_EQ(tabular.tabular.indices, cold.tabular.indices);
    EXPECT_EQ(tabular.tabular.values, cold.tabular.values);
  }
}

}  // namespace
}  // namespace prodcat
