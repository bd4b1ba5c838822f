#include "prodcat/data/generator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "data_test_util.h"
#include "prodcat/data/fingerprint.h"
#include "prodcat/data/generator_vocabulary.h"

namespace prodcat {
namespace {

using testing::ReadOk;
using testing::ScratchDir;

std::vector<ProductRecord> Generate(const GeneratorOptions& options) {
  std::vector<ProductRecord> records;
  Status s = GenerateProducts(options, [&records](const ProductRecord& r) {
    records.push_back(r);
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return records;
}

GeneratorOptions Rows(size_t n, uint64_t seed = 42) {
  GeneratorOptions options;
  options.rows = n;
  options.seed = seed;
  return options;
}

// 50k rows are shared by the statistical tests (generation takes a fraction of a second).
const std::vector<ProductRecord>& Large() {
  static const std::vector<ProductRecord> records = Generate(Rows(50000));
  return records;
}

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::string current;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '\'') {
      current += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!current.empty()) {
      words.push_back(current);
      current.clear();
    }
  }
  if (!current.empty()) words.push_back(current);
  return words;
}

TEST(GeneratorTest, SameSeedSameRowsDifferentSeedDifferentRows) {
  auto a = Generate(Rows(2000, 7));
  auto b = Generate(Rows(2000, 7));
  auto c = Generate(Rows(2000, 8));
  ASSERT_EQ(a.size(), 2000u);
  EXPECT_EQ(FingerprintRecords(a), FingerprintRecords(b));
  EXPECT_NE(FingerprintRecords(a), FingerprintRecords(c));
  EXPECT_EQ(a[0].title, b[0].title);
  // A prefix of a larger run is the smaller run.
  auto longer = Generate(Rows(2500, 7));
  longer.resize(2000);
  EXPECT_EQ(FingerprintRecords(longer), FingerprintRecords(a));
}

TEST(GeneratorTest, TwelveCategoriesWithGeometricImbalance) {
  GeneratorOptions options = Rows(50000);
  options.label_noise = 0;  // measure the priors themselves
  std::map<std::string, size_t> counts;
  for (const auto& r : Generate(options)) ++counts[r.category];
  ASSERT_EQ(counts.size(), 12u);
  std::set<std::string> expected = {
      "Electronics", "Clothing",   "Home & Kitchen", "Sports & Outdoors", "Books", "Toys & Games",
      "Beauty",      "Automotive", "Garden",         "Pet Supplies",      "Baby",  "Office"};
  for (const auto& [name, n] : counts) EXPECT_TRUE(expected.count(name)) << name;
  auto [min_it, max_it] =
      std::minmax_element(counts.begin(), counts.end(),
                          [](const auto& x, const auto& y) { return x.second < y.second; });
  double ratio = static_cast<double>(max_it->second) / static_cast<double>(min_it->second);
  EXPECT_GT(ratio, 16.0);
  EXPECT_LT(ratio, 25.0);
  EXPECT_EQ(max_it->first, "Electronics");
  EXPECT_EQ(min_it->first, "Office");

  options.imbalance = 1.0;
  counts.clear();
  for (const auto& r : Generate(options)) ++counts[r.category];
  for (const auto& [name, n] : counts) EXPECT_NEAR(n, 50000 / 12.0, 400) << name;
}

TEST(GeneratorTest, MissingRateIsAboutThreePercentPerField) {
  const auto& records = Large();
  std::map<std::string, size_t> missing;
  for (const auto& r : records) {
    missing["brand"] += r.brand.empty();
    missing["price"] += !r.price.has_value();
    missing["rating"] += !r.rating.has_value();
    missing["seller_id"] += r.seller_id.empty();
    missing["subcategory"] += r.subcategory.empty();
    EXPECT_FALSE(r.title.empty());
    EXPECT_FALSE(r.category.empty());
    EXPECT_TRUE(r.reviews_count.has_value());
  }
  for (const auto& [field, n] : missing) {
    double rate = static_cast<double>(n) / static_cast<double>(records.size());
    EXPECT_NEAR(rate, 0.03, 0.006) << field;
  }
}

// A label is visibly wrong when the row's subcategory does not exist in the labelled category.
double SubcategoryMismatchRate(const std::vector<ProductRecord>& records) {
  std::map<std::string, std::set<std::string>> subcategories;
  for (const auto& c : GeneratorCategories()) {
    for (const auto& s : c.subcategories) subcategories[std::string(c.name)].emplace(s.name);
  }
  size_t checked = 0, mismatched = 0;
  for (const auto& r : records) {
    if (r.subcategory.empty()) continue;
    ++checked;
    mismatched += subcategories[r.category].count(r.subcategory) == 0;
  }
  return static_cast<double>(mismatched) / static_cast<double>(checked);
}

TEST(GeneratorTest, LabelNoiseIsPresentAndControllable) {
  double noisy = SubcategoryMismatchRate(Large());
  EXPECT_GT(noisy, 0.015);
  EXPECT_LT(noisy, 0.04);
  GeneratorOptions clean = Rows(20000);
  clean.label_noise = 0;
  EXPECT_EQ(SubcategoryMismatchRate(Generate(clean)), 0.0);
}

TEST(GeneratorTest, EveryCategoryHasDistinctiveWordsAndRelatedOnesOverlap) {
  std::map<std::string, std::map<std::string, size_t>> by_word;  // word -> category -> count
  std::map<std::string, size_t> word_total;
  for (const auto& r : Large()) {
    std::set<std::string> seen;
    for (const auto& w : Words(r.title)) {
      if (!seen.insert(w).second) continue;
      ++by_word[w][r.category];
      ++word_total[w];
    }
  }
  for (const auto& c : GeneratorCategories()) {
    std::string category(c.name);
    size_t strong_words = 0;
    for (const auto& [word, per_category] : by_word) {
      auto it = per_category.find(category);
      if (it == per_category.end() || it->second < 20) continue;
      if (static_cast<double>(it->second) / static_cast<double>(word_total[word]) > 0.85) {
        ++strong_words;
      }
    }
    EXPECT_GE(strong_words, 4u) << category;
  }
  // "lantern" is sold in three related categories; no category owns it.
  const auto& lantern = by_word["lantern"];
  EXPECT_GE(lantern.size(), 3u);
  size_t top = 0;
  for (const auto& [category, n] : lantern) top = std::max(top, n);
  EXPECT_LT(static_cast<double>(top) / static_cast<double>(word_total["lantern"]), 0.8);
}

TEST(GeneratorTest, TitlesAreMessy) {
  size_t all_caps_words = 0, title_case_titles = 0, lower_titles = 0, typo_words = 0;
  std::set<std::string> vocabulary;
  for (const auto& c : GeneratorCategories()) {
    for (auto b : c.brands) {
      for (const auto& w : Words(std::string(b))) vocabulary.insert(w);
    }
    for (auto a : c.attributes) {
      for (const auto& w : Words(std::string(a))) vocabulary.insert(w);
    }
    for (const auto& s : c.subcategories) {
      for (auto n : s.nouns) {
        for (const auto& w : Words(std::string(n))) vocabulary.insert(w);
      }
    }
  }
  for (auto n : GeneratorNoiseWords()) {
    for (const auto& w : Words(std::string(n))) vocabulary.insert(w);
  }
  vocabulary.insert("by");
  const auto& records = Large();
  for (size_t i = 0; i < 5000; ++i) {
    const std::string& t = records[i].title;
    bool has_lower = std::any_of(t.begin(), t.end(), [](char c) { return std::islower(c); });
    if (has_lower && std::isupper(static_cast<unsigned char>(t[0]))) ++title_case_titles;
    if (std::all_of(t.begin(), t.end(), [](char c) { return !std::isupper(c); })) ++lower_titles;
    std::string word;
    for (size_t k = 0; k <= t.size(); ++k) {
      if (k < t.size() && t[k] != ' ') {
        word += t[k];
        continue;
      }
      if (word.size() >= 4 &&
          std::all_of(word.begin(), word.end(),
                      [](char c) { return !std::islower(static_cast<unsigned char>(c)); }) &&
          std::any_of(word.begin(), word.end(), [](char c) { return std::isupper(c); })) {
        ++all_caps_words;
      }
      word.clear();
    }
    for (const auto& w : Words(t)) typo_words += vocabulary.count(w) == 0;
  }
  EXPECT_GT(all_caps_words, 200u);
  EXPECT_GT(title_case_titles, 1500u);
  EXPECT_GT(lower_titles, 250u);
  EXPECT_GT(typo_words, 1000u);  // ~5% of ~40k words
  EXPECT_LT(typo_words, 4000u);
}

TEST(GeneratorTest, FieldFormatsAndDistributions) {
  const auto& records = Large();
  std::set<std::string> ids;
  std::map<std::string, std::vector<double>> prices;
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    ids.insert(r.product_id);
    if (i == 0) {
      EXPECT_EQ(r.product_id, "P0000001");
    }
    if (!r.seller_id.empty()) {
      ASSERT_EQ(r.seller_id.size(), 5u);
      EXPECT_EQ(r.seller_id[0], 'S');
    }
    if (r.rating) {
      EXPECT_GE(*r.rating, 1.0);
      EXPECT_LE(*r.rating, 5.0);
      EXPECT_NEAR(*r.rating * 10, std::round(*r.rating * 10), 1e-6);
    }
    ASSERT_TRUE(r.reviews_count);
    EXPECT_GE(*r.reviews_count, 0);
    EXPECT_EQ(*r.reviews_count, std::floor(*r.reviews_count));
    if (r.price) {
      EXPECT_GT(*r.price, 0);
      prices[r.category].push_back(*r.price);
    }
    EXPECT_TRUE(r.description.empty());
  }
  EXPECT_EQ(ids.size(), records.size());
  auto median = [](std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  EXPECT_LT(median(prices["Books"]) * 3, median(prices["Electronics"]));
  EXPECT_LT(median(prices["Books"]) * 2, median(prices["Automotive"]));
  double max_reviews = 0;
  for (const auto& r : records) max_reviews = std::max(max_reviews, *r.reviews_count);
  EXPECT_GT(max_reviews, 1000);  // heavy tail
}

TEST(GeneratorTest, SellersSpecialiseAndBrandsAreZipf) {
  std::map<std::string, std::map<std::string, size_t>> seller_categories;
  std::map<std::string, std::map<std::string, size_t>> brand_counts;
  for (const auto& r : Large()) {
    if (!r.seller_id.empty()) ++seller_categories[r.seller_id][r.category];
    if (!r.brand.empty()) ++brand_counts[r.category][r.brand];
  }
  size_t busy = 0, specialised = 0;
  for (const auto& [seller, per_category] : seller_categories) {
    size_t total = 0, top = 0;
    for (const auto& [c, n] : per_category) {
      total += n;
      top = std::max(top, n);
    }
    if (total < 100) continue;
    ++busy;
    specialised += static_cast<double>(top) / static_cast<double>(total) > 0.5;
  }
  EXPECT_GT(busy, 20u);
  EXPECT_GT(specialised * 10, busy * 7);
  const auto& electronics = brand_counts["Electronics"];
  size_t top = 0, total = 0;
  for (const auto& [b, n] : electronics) {
    top = std::max(top, n);
    total += n;
  }
  EXPECT_GT(static_cast<double>(top) / static_cast<double>(total), 0.2);
}

TEST(GeneratorTest, DescriptionsWhenAsked) {
  GeneratorOptions options = Rows(200);
  options.descriptions = true;
  for (const auto& r : Generate(options)) {
    EXPECT_FALSE(r.description.empty());
    EXPECT_EQ(r.description.back(), '.');
  }
}

TEST(GeneratorTest, ToFileWritesWhatGenerateProducesInBothFormats) {
  ScratchDir dir;
  GeneratorOptions options = Rows(3000, 5);
  options.descriptions = true;
  auto expected = Generate(options);
  for (const char* name : {"gen.csv", "gen.jsonl"}) {
    ASSERT_TRUE(GenerateProductsToFile(options, dir.Path(name)).ok());
    std::vector<ProductRecord> back = ReadOk(dir.Path(name));
    EXPECT_EQ(FingerprintRecords(back), FingerprintRecords(expected)) << name;
  }
}

TEST(GeneratorTest, RejectsInvalidOptions) {
  GeneratorOptions options;
  options.imbalance = 0.5;
  auto sink = [](const ProductRecord&) { return Status::Ok(); };
  EXPECT_EQ(GenerateProducts(options, sink).code(), StatusCode::kInvalidArgument);
  options = GeneratorOptions();
  options.missing_rate = 1.5;
  EXPECT_EQ(GenerateProducts(options, sink).code(), StatusCode::kInvalidArgument);
}

TEST(GeneratorTest, SinkErrorStopsGeneration) {
  size_t calls = 0;
  Status s = GenerateProducts(Rows(100), [&calls](const ProductRecord&) {
    return ++calls == 3 ? Status::Internal("stop") : Status::Ok();
  });
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_EQ(calls, 3u);
}

}  // namespace
}  // namespace prodcat
