#include "prodcat/features/engineered_features.h"

#include <utf8proc.h>

#include <algorithm>
#include <cmath>

namespace prodcat {
namespace {

// Sorted so membership is a binary search.
constexpr std::string_view kUnits[] = {
    "ah", "cc",   "cl", "cm",  "ct",  "db", "dl", "ft",  "g",  "gal", "gb",  "gbps", "ghz", "hz",
    "in", "inch", "kb", "kg",  "khz", "km", "kw", "kwh", "l",  "lb",  "lbs", "ltr",  "m",   "mah",
    "mb", "mbps", "mg", "mhz", "ml",  "mm", "mp", "oz",  "px", "rpm", "tb",  "v",    "w",   "wh",
};
constexpr std::string_view kPackWords[] = {
    "bundle", "bundles", "kit", "multipack", "pack", "packs",
    "pair",   "pairs",   "pcs", "pieces",    "set",  "sets",
};
// Allowed after a count: "3-pack", "12pcs", "2pk", "4-piece", "6ct".
constexpr std::string_view kCountedPackWords[] = {
    "count", "ct", "pack", "pairs", "pc", "pcs", "piece", "pieces", "pk", "set",
};
constexpr std::string_view kSizeWords[] = {
    "2xl",   "3xl",   "4xl", "5xl", "large", "medium", "petite", "size",
    "sizes", "small", "xl",  "xs",  "xxl",   "xxs",    "xxxl",
};

template <size_t N>
bool Contains(const std::string_view (&sorted)[N], std::string_view word) {
  return std::binary_search(std::begin(sorted), std::end(sorted), word);
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsAsciiLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Length of the numeric prefix: a digit, then digits and '.', ',', '/' joiners, ending on a digit.
size_t NumericPrefix(std::string_view token) {
  size_t end = 0;
  for (size_t i = 0; i < token.size(); ++i) {
    char c = token[i];
    if (IsDigit(c)) {
      end = i + 1;
    } else if (!(i > 0 && (c == '.' || c == ',' || c == '/'))) {
      break;
    }
  }
  return end;
}

bool IsOrdinal(std::string_view token) {
  size_t digits = NumericPrefix(token);
  if (digits == 0) return false;
  std::string_view rest = token.substr(digits);
  return rest == "st" || rest == "nd" || rest == "rd" || rest == "th";
}

}  // namespace

std::optional<double> FiniteValue(const std::optional<double>& v) {
  if (v.has_value() && std::isfinite(*v)) return v;
  return std::nullopt;
}

double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

NumericStats FitNumericStats(const std::vector<ProductRecord>& train, int price_bins) {
  std::vector<double> prices, ratings, reviews;
  for (const ProductRecord& r : train) {
    if (auto v = FiniteValue(r.price)) prices.push_back(*v);
    if (auto v = FiniteValue(r.rating)) ratings.push_back(*v);
    if (auto v = FiniteValue(r.reviews_count)) reviews.push_back(*v);
  }
  std::sort(prices.begin(), prices.end());
  std::sort(ratings.begin(), ratings.end());
  std::sort(reviews.begin(), reviews.end());
  NumericStats stats;
  stats.price_median = Quantile(prices, 0.5);
  stats.rating_median = Quantile(ratings, 0.5);
  stats.reviews_count_median = Quantile(reviews, 0.5);
  for (int k = 1; k < price_bins; ++k) {
    stats.price_bin_edges.push_back(Quantile(prices, static_cast<double>(k) / price_bins));
  }
  return stats;
}

int PriceBin(double price, const std::vector<double>& edges) {
  return static_cast<int>(std::upper_bound(edges.begin(), edges.end(), price) - edges.begin());
}

double UpperCaseRatio(std::string_view raw) {
  size_t letters = 0, upper = 0;
  size_t i = 0;
  while (i < raw.size()) {
    auto c = static_cast<unsigned char>(raw[i]);
    if (c < 0x80) {
      if (c >= 'A' && c <= 'Z') {
        ++letters;
        ++upper;
      } else if (c >= 'a' && c <= 'z') {
        ++letters;
      }
      ++i;
      continue;
    }
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(raw.data() + i),
                                          static_cast<utf8proc_ssize_t>(raw.size() - i), &cp);
    if (n <= 0) {  // malformed byte: not a letter
      ++i;
      continue;
    }
    i += static_cast<size_t>(n);
    switch (utf8proc_category(cp)) {
      case UTF8PROC_CATEGORY_LU:
      case UTF8PROC_CATEGORY_LT:
        ++letters;
        ++upper;
        break;
      case UTF8PROC_CATEGORY_LL:
      case UTF8PROC_CATEGORY_LM:
      case UTF8PROC_CATEGORY_LO: ++letters; break;
      default: break;
    }
  }
  return letters == 0 ? 0.0 : static_cast<double>(upper) / static_cast<double>(letters);
}

bool IsUnitWord(std::string_view token) {
  return Contains(kUnits, token);
}

bool IsNumber(std::string_view token) {
  return !token.empty() && NumericPrefix(token) == token.size();
}

bool IsNumberWithUnit(std::string_view token) {
  size_t digits = NumericPrefix(token);
  if (digits == 0 || digits == token.size()) return false;
  std::string_view unit = token.substr(digits);
  if (unit.front() == '-') unit.remove_prefix(1);  // "10-inch"
  return IsUnitWord(unit);
}

bool IsPackOrSetToken(std::string_view token) {
  if (Contains(kPackWords, token) || token.ends_with("pack")) return true;
  size_t digits = NumericPrefix(token);
  if (digits == 0) {
    // "x2", "x12": a multiplier written before the count.
    return token.size() >= 2 && token[0] == 'x' && IsNumber(token.substr(1));
  }
  std::string_view rest = token.substr(digits);
  if (rest == "x") return true;  // "2x"
  if (!rest.empty() && rest.front() == '-') rest.remove_prefix(1);
  return Contains(kCountedPackWords, rest);
}

bool IsSizeToken(std::string_view token) {
  return Contains(kSizeWords, token);
}

bool IsModelCode(std::string_view token) {
  if (token.size() < 3) return false;
  bool letter = false, digit = false;
  for (char c : token) {
    letter |= IsAsciiLetter(c);
    digit |= IsDigit(c);
  }
  return letter && digit && !IsNumberWithUnit(token) && !IsOrdinal(token) &&
         !IsPackOrSetToken(token);
}

void ComputeEngineeredFeatures(const ProductRecord& record, const AnalyzedRecord& a,
                               const NumericStats& stats, float* out) {
  const std::optional<double> price = FiniteValue(record.price);
  const std::optional<double> rating = FiniteValue(record.rating);
  const std::optional<double> reviews = FiniteValue(record.reviews_count);
  const double price_value = price.value_or(stats.price_median);
  const double reviews_value = reviews.value_or(stats.reviews_count_median);

  out[kFeatPrice] = static_cast<float>(price_value);
  out[kFeatLogPrice] = static_cast<float>(std::log1p(std::max(price_value, 0.0)));
  out[kFeatPriceMissing] = price ? 0.0f : 1.0f;
  out[kFeatPriceRange] = static_cast<float>(PriceBin(price_value, stats.price_bin_edges));
  out[kFeatRating] = static_cast<float>(rating.value_or(stats.rating_median));
  out[kFeatRatingMissing] = rating ? 0.0f : 1.0f;
  out[kFeatReviewsCount] = static_cast<float>(reviews_value);
  out[kFeatLogReviewsCount] = static_cast<float>(std::log1p(std::max(reviews_value, 0.0)));
  out[kFeatReviewsMissing] = reviews ? 0.0f : 1.0f;

  out[kFeatTitleLength] = static_cast<float>(a.title_chars);
  out[kFeatTitleWordCount] = static_cast<float>(a.title_tokens);
  out[kFeatTitleDigitCount] = static_cast<float>(a.title_digits);
  out[kFeatTitleUpperRatio] = static_cast<float>(UpperCaseRatio(record.title));
  out[kFeatTitleAvgWordLength] = a.title_tokens == 0
                                     ? 0.0f
                                     : static_cast<float>(static_cast<double>(a.title_token_chars) /
                                                          static_cast<double>(a.title_tokens));
  out[kFeatBrandMissing] = a.brand_value.empty() ? 1.0f : 0.0f;
  out[kFeatSellerMissing] = a.seller_value.empty() ? 1.0f : 0.0f;
  out[kFeatSubcategoryMissing] = a.subcategory_value.empty() ? 1.0f : 0.0f;
  out[kFeatHasDescription] = a.description_tokens > 0 ? 1.0f : 0.0f;
  out[kFeatDescriptionWordCount] = static_cast<float>(a.description_tokens);
  // Both strings are padded (" sony "), so a substring match is a whole-token match.
  out[kFeatBrandInTitle] =
      a.brand.size() > 1 && a.title.find(a.brand) != std::string::npos ? 1.0f : 0.0f;

  bool unit = false, pack = false, size = false, model = false, previous_is_number = false;
  ForEachPaddedToken(a.title, [&](std::string_view token, std::string_view) {
    // A detached unit must be unambiguous: "2 in 1" and "5 g network" are not quantities.
    unit |= IsNumberWithUnit(token) ||
            (previous_is_number && token.size() >= 2 && token != "in" && IsUnitWord(token));
    pack |= IsPackOrSetToken(token);
    size |= IsSizeToken(token);
    model |= IsModelCode(token);
    previous_is_number = IsNumber(token);
  });
  out[kFeatHasNumberWithUnit] = unit ? 1.0f : 0.0f;
  out[kFeatHasPackOrSet] = pack ? 1.0f : 0.0f;
  out[kFeatHasSizeToken] = size ? 1.0f : 0.0f;
  out[kFeatHasModelCode] = model ? 1.0f : 0.0f;
}

}  // namespace prodcat
