// The word lists behind the sample data generator: per-category product nouns (grouped by
// subcategory), attributes, brands, price levels and uses, plus noise words shared by all
// categories. Related categories deliberately share some nouns, attributes and brands so that
// the classification task has realistic, irreducible confusion.
#pragma once

#include <string_view>
#include <vector>

namespace prodcat {

struct SubcategoryVocabulary {
  std::string_view name;                // e.g. "Audio"
  std::vector<std::string_view> nouns;  // product kinds, possibly multi-word ("phone case")
};

struct CategoryVocabulary {
  std::string_view name;                             // the label, e.g. "Home & Kitchen"
  std::vector<SubcategoryVocabulary> subcategories;  // 3-6 per category
  std::vector<std::string_view> attributes;          // adjectives and specs
  std::vector<std::string_view> brands;              // most popular first (Zipf rank order)
  std::vector<std::string_view> uses;                // "for ..." phrases for descriptions
  std::vector<std::string_view> related;             // names of easily confused categories
  double price_log_mean;                             // mean of log(price)
  double price_log_sd;                               // standard deviation of log(price)
};

// The 12 categories, most common first.
const std::vector<CategoryVocabulary>& GeneratorCategories();
// Words that appear in titles of every category (marketing, colours, sizes, years).
const std::vector<std::string_view>& GeneratorNoiseWords();

}  // namespace prodcat
