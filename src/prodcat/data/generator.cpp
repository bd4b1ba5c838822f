#include "prodcat/data/generator.h"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "prodcat/data/deterministic_random.h"
#include "prodcat/data/generator_vocabulary.h"
#include "prodcat/data/record_reader.h"

namespace prodcat {
namespace {

constexpr size_t kNumSellers = 800;
// Share of rows whose product noun comes from a related category (the same kind of product
// listed under a neighbouring category): the main source of honest confusion.
constexpr double kCrossoverRate = 0.08;
// Share of attributes drawn from a related category instead of the row's own.
constexpr double kBorrowedAttributeRate = 0.2;
// Share of titles that name the brand.
constexpr double kBrandInTitleRate = 0.75;
// Share of a category's rows sold by one of its specialist sellers (the rest: any seller).
constexpr double kSpecialistSellerRate = 0.75;

bool IsValidRate(double r) {
  return r >= 0 && r <= 1;
}

// How a title is capitalised.
enum class Casing { kAsIs, kTitle, kUpper };

// Precomputed samplers and the reusable buffers of one generation run.
class ProductGenerator {
 public:
  explicit ProductGenerator(const GeneratorOptions& options)
      : options_(options), categories_(GeneratorCategories()), random_(options.seed) {
    size_t n = categories_.size();
    // Geometric priors: share_k ∝ ratio^k with ratio^(n-1) = 1 / imbalance.
    double ratio = std::pow(options.imbalance, -1.0 / static_cast<double>(n - 1));
    std::vector<double> priors(n);
    for (size_t k = 0; k < n; ++k) priors[k] = std::pow(ratio, static_cast<double>(k));
    category_sampler_ = DiscreteSampler(priors);

    for (const CategoryVocabulary& c : categories_) {
      brand_samplers_.push_back(DiscreteSampler::Zipf(c.brands.size(), 1.1));
      std::vector<size_t> related;
      for (std::string_view name : c.related) {
        for (size_t k = 0; k < n; ++k) {
          if (categories_[k].name == name) related.push_back(k);
        }
      }
      related_.push_back(std::move(related));
    }
    // Each seller specialises in one category, drawn by the priors; popularity is Zipf.
    sellers_of_category_.resize(n);
    for (size_t s = 0; s < kNumSellers; ++s) {
      sellers_of_category_[category_sampler_.Sample(&random_)].push_back(s);
    }
    for (const auto& sellers : sellers_of_category_) {
      category_seller_samplers_.push_back(
          DiscreteSampler::Zipf(std::max<size_t>(sellers.size(), 1), 1.0));
    }
    global_seller_sampler_ = DiscreteSampler::Zipf(kNumSellers, 1.0);
  }

  void Generate(size_t index, ProductRecord* r) {
    r->product_id = "P";
    AppendPadded(index + 1, 7, &r->product_id);
    size_t category = category_sampler_.Sample(&random_);
    const CategoryVocabulary& vocab = categories_[category];
    const auto& related = related_[category];

    const SubcategoryVocabulary& subcategory = Pick(vocab.subcategories);
    size_t noun_category = category;
    if (!related.empty() && random_.Bernoulli(kCrossoverRate)) noun_category = Pick(related);
    std::string_view noun = noun_category == category
                                ? Pick(subcategory.nouns)
                                : Pick(Pick(categories_[noun_category].subcategories).nouns);
    std::string_view brand = vocab.brands[brand_samplers_[category].Sample(&random_)];

    size_t num_attributes = 1 + random_.Below(3);
    attributes_.clear();
    for (size_t i = 0; i < num_attributes; ++i) {
      size_t source = category;
      if (!related.empty() && random_.Bernoulli(kBorrowedAttributeRate)) source = Pick(related);
      attributes_.push_back(Pick(categories_[source].attributes));
    }
    size_t num_noise = random_.Below(3);
    noise_.clear();
    for (size_t i = 0; i < num_noise; ++i) noise_.push_back(Pick(GeneratorNoiseWords()));

    BuildTitle(brand, noun, random_.Bernoulli(kBrandInTitleRate), &r->title);

    r->brand.assign(brand);
    double brand_style = random_.Uniform();  // inconsistent spelling of the brand field
    if (brand_style < 0.03) {
      for (char& ch : r->brand) ch = Lower(ch);
    } else if (brand_style < 0.05) {
      for (char& ch : r->brand) ch = Upper(ch);
    }
    r->subcategory.assign(subcategory.name);
    r->seller_id = "S";
    AppendPadded(PickSeller(category) + 1, 4, &r->seller_id);

    double price = std::exp(vocab.price_log_mean + vocab.price_log_sd * random_.Normal());
    price = random_.Bernoulli(0.4) ? std::floor(price) + 0.99 : std::round(price * 100) / 100;
    r->price = std::max(price, 0.99);
    double rating = std::clamp(4.1 + 0.6 * random_.Normal(), 1.0, 5.0);
    r->rating = std::round(rating * 10) / 10;
    r->reviews_count = std::max(0.0, std::floor(std::exp(2.5 + 1.6 * random_.Normal())) - 1);

    if (options_.descriptions) {
      BuildDescription(vocab, brand, noun, &r->description);
    } else {
      r->description.clear();
    }

    if (random_.Bernoulli(options_.missing_rate)) r->brand.clear();
    if (random_.Bernoulli(options_.missing_rate)) r->price.reset();
    if (random_.Bernoulli(options_.missing_rate)) r->rating.reset();
    if (random_.Bernoulli(options_.missing_rate)) r->seller_id.clear();
    if (random_.Bernoulli(options_.missing_rate)) r->subcategory.clear();

    size_t label = category;
    if (random_.Bernoulli(options_.label_noise)) {
      label = (category + 1 + random_.Below(categories_.size() - 1)) % categories_.size();
    }
    r->category.assign(categories_[label].name);
    r->group.clear();
    r->source_line = 0;
  }

 private:
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[random_.Below(items.size())];
  }

  static char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
  static char Upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

  static void AppendPadded(size_t value, size_t width, std::string* out) {
    std::string digits = std::to_string(value);
    if (digits.size() < width) out->append(width - digits.size(), '0');
    out->append(digits);
  }

  size_t PickSeller(size_t category) {
    const auto& specialists = sellers_of_category_[category];
    if (!specialists.empty() && random_.Bernoulli(kSpecialistSellerRate)) {
      return specialists[category_seller_samplers_[category].Sample(&random_)];
    }
    return global_seller_sampler_.Sample(&random_);
  }

  // Brand, attributes, noun and noise words in one of several orders, with separators.
  void BuildTitle(std::string_view brand, std::string_view noun, bool with_brand,
                  std::string* title) {
    title->clear();
    double style = random_.Uniform();
    casing_ = style < 0.4 ? Casing::kAsIs : style < 0.97 ? Casing::kTitle : Casing::kUpper;
    std::string_view first_attribute = attributes_[0];
    switch (random_.Below(5)) {
      case 0:  // Voltix wireless earbuds bluetooth 5.3 black
        if (with_brand) AppendPhrase(brand, title);
        AppendPhrase(first_attribute, title);
        AppendPhrase(noun, title);
        AppendRest(1, title);
        break;
      case 1:  // wireless earbuds by Voltix | 2024 new
        AppendPhrase(first_attribute, title);
        AppendPhrase(noun, title);
        if (with_brand) {
          AppendPhrase("by", title);
          AppendPhrase(brand, title);
        }
        AppendAttributes(1, title);
        if (!noise_.empty()) AppendSeparator(" | ", title);
        AppendNoise(title);
        break;
      case 2:  // earbuds - wireless, bluetooth 5.3 (Voltix)
        AppendPhrase(noun, title);
        AppendSeparator(" - ", title);
        AppendAttributes(0, title);
        AppendNoise(title);
        if (with_brand) {
          AppendSeparator(" (", title);
          AppendPhrase(brand, title);
          title->push_back(')');
        }
        break;
      case 3:  // NEW Voltix earbuds wireless
        AppendNoise(title);
        if (with_brand) AppendPhrase(brand, title);
        AppendPhrase(noun, title);
        AppendAttributes(0, title);
        break;
      default:  // Voltix earbuds, wireless bluetooth 5.3 black
        if (with_brand) AppendPhrase(brand, title);
        AppendPhrase(noun, title);
        AppendSeparator(", ", title);
        AppendRest(0, title);
        break;
    }
  }

  void AppendAttributes(size_t from, std::string* title) {
    for (size_t i = from; i < attributes_.size(); ++i) AppendPhrase(attributes_[i], title);
  }
  void AppendNoise(std::string* title) {
    for (std::string_view w : noise_) AppendPhrase(w, title);
  }
  void AppendRest(size_t from_attribute, std::string* title) {
    AppendAttributes(from_attribute, title);
    AppendNoise(title);
  }

  static void AppendSeparator(std::string_view separator, std::string* title) {
    while (!title->empty() && title->back() == ' ') title->pop_back();
    if (!title->empty()) title->append(separator);
  }

  // Appends each word of `phrase` with typos and casing applied.
  void AppendPhrase(std::string_view phrase, std::string* title) {
    while (!phrase.empty()) {
      size_t space = phrase.find(' ');
      std::string_view word = phrase.substr(0, space);
      phrase = space == std::string_view::npos ? std::string_view() : phrase.substr(space + 1);
      if (!title->empty() && title->back() != ' ' && title->back() != '(') title->push_back(' ');
      size_t start = title->size();
      title->append(word);
      if (word.size() >= 4 && random_.Bernoulli(options_.typo_rate)) ApplyTypo(start, title);
      bool shout = casing_ == Casing::kUpper || random_.Bernoulli(0.03);
      for (size_t i = start; i < title->size(); ++i) {
        char& c = (*title)[i];
        if (shout) {
          c = Upper(c);
        } else if (casing_ == Casing::kTitle && i == start) {
          c = Upper(c);
        }
      }
    }
  }

  // Swaps two neighbouring characters, drops one or doubles one in the word at [start, end).
  void ApplyTypo(size_t start, std::string* title) {
    size_t length = title->size() - start;
    size_t at = start + random_.Below(length - 1);
    switch (random_.Below(3)) {
      case 0: std::swap((*title)[at], (*title)[at + 1]); break;
      case 1: title->erase(at, 1); break;
      default: title->insert(at, 1, (*title)[at]); break;
    }
  }

  void BuildDescription(const CategoryVocabulary& vocab, std::string_view brand,
                        std::string_view noun, std::string* description) {
    description->clear();
    description->append("A ");
    description->append(Pick(vocab.attributes));
    description->push_back(' ');
    description->append(noun);
    description->append(" from ");
    description->append(brand);
    description->append(", ");
    description->append(Pick(vocab.attributes));
    description->append(" and ");
    description->append(Pick(GeneratorNoiseWords()));
    description->append(". Great for ");
    description->append(Pick(vocab.uses));
    description->push_back('.');
  }

  const GeneratorOptions options_;                         // validated by the caller
  const std::vector<CategoryVocabulary>& categories_;      // the 12 categories
  DeterministicRandom random_;                             // every draw comes from here
  DiscreteSampler category_sampler_;                       // geometric class priors
  std::vector<DiscreteSampler> brand_samplers_;            // per category, Zipf over brands
  std::vector<std::vector<size_t>> related_;               // per category, related indices
  std::vector<std::vector<size_t>> sellers_of_category_;   // per category, its specialists
  std::vector<DiscreteSampler> category_seller_samplers_;  // per category, Zipf over those
  DiscreteSampler global_seller_sampler_;                  // Zipf over all sellers
  std::vector<std::string_view> attributes_;               // current row's attributes
  std::vector<std::string_view> noise_;                    // current row's noise words
  Casing casing_ = Casing::kAsIs;                          // current title's casing
};

Status ValidateOptions(const GeneratorOptions& options) {
  if (!(options.imbalance >= 1) || !std::isfinite(options.imbalance)) {
    return Status::InvalidArgument("generator: imbalance must be a finite number >= 1, got " +
                                   std::to_string(options.imbalance));
  }
  if (!IsValidRate(options.missing_rate) || !IsValidRate(options.label_noise) ||
      !IsValidRate(options.typo_rate)) {
    return Status::InvalidArgument(
        "generator: missing_rate, label_noise and typo_rate must be in [0, 1]");
  }
  return Status::Ok();
}

}  // namespace

Status GenerateProducts(const GeneratorOptions& options,
                        const std::function<Status(const ProductRecord&)>& sink) {
  PRODCAT_RETURN_IF_ERROR(ValidateOptions(options));
  ProductGenerator generator(options);
  ProductRecord record;
  for (size_t i = 0; i < options.rows; ++i) {
    generator.Generate(i, &record);
    PRODCAT_RETURN_IF_ERROR(sink(record));
  }
  return Status::Ok();
}

Status GenerateProductsToFile(const GeneratorOptions& options, const std::filesystem::path& out) {
  PRODCAT_RETURN_IF_ERROR(ValidateOptions(options));
  std::unique_ptr<RecordWriter> writer;
  PRODCAT_RETURN_IF_ERROR(
      OpenRecordWriter(out, std::vector<Field>(kAllFields.begin(), kAllFields.end()), &writer));
  PRODCAT_RETURN_IF_ERROR(
      GenerateProducts(options, [&writer](const ProductRecord& r) { return writer->Write(r); }));
  return writer->Close();
}

}  // namespace prodcat
