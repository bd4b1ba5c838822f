#include "prodcat/features/feature_options.h"

#include <cstdint>
#include <string>

#include "prodcat/features/record_analysis.h"

namespace prodcat {
namespace {

Status CheckRange(const char* key, int value, int lo, int hi) {
  if (value < lo || value > hi) {
    return Status::InvalidArgument("feature option '" + std::string(key) + "' must be in [" +
                                   std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
                                   std::to_string(value));
  }
  return Status::Ok();
}

const char* JsonTypeName(const nlohmann::json& v) {
  return v.type_name();
}

Status ReadInt(const std::string& key, const nlohmann::json& v, int* out) {
  if (!v.is_number_integer()) {
    return Status::InvalidArgument("feature option '" + key + "' must be an integer, got " +
                                   JsonTypeName(v) + " " + v.dump());
  }
  const auto wide = v.get<int64_t>();
  if (wide < INT32_MIN || wide > INT32_MAX) {
    return Status::InvalidArgument("feature option '" + key +
                                   "' is out of the integer range: " + v.dump());
  }
  *out = static_cast<int>(wide);
  return Status::Ok();
}

Status ReadBool(const std::string& key, const nlohmann::json& v, bool* out) {
  if (!v.is_boolean()) {
    return Status::InvalidArgument("feature option '" + key + "' must be a boolean, got " +
                                   JsonTypeName(v) + " " + v.dump());
  }
  *out = v.get<bool>();
  return Status::Ok();
}

}  // namespace

Status ValidateFeatureSpecOptions(const FeatureSpecOptions& o) {
  PRODCAT_RETURN_IF_ERROR(CheckRange("hash_bits", o.hash_bits, kMinHashBits, kMaxHashBits));
  PRODCAT_RETURN_IF_ERROR(CheckRange("word_ngram_max", o.word_ngram_max, 1, kMaxWordNgram));
  PRODCAT_RETURN_IF_ERROR(CheckRange("char_ngram_min", o.char_ngram_min, 1, 16));
  PRODCAT_RETURN_IF_ERROR(CheckRange("char_ngram_max", o.char_ngram_max, o.char_ngram_min, 16));
  PRODCAT_RETURN_IF_ERROR(CheckRange("tfidf_min_df", o.tfidf_min_df, 1, INT32_MAX));
  PRODCAT_RETURN_IF_ERROR(CheckRange("tabular_min_count", o.tabular_min_count, 1, INT32_MAX));
  PRODCAT_RETURN_IF_ERROR(CheckRange("price_bins", o.price_bins, 1, 1000));
  return Status::Ok();
}

nlohmann::json FeatureSpecOptions::ToJson() const {
  return nlohmann::json{
      {"hash_bits", hash_bits},
      {"word_ngram_max", word_ngram_max},
      {"char_ngram_min", char_ngram_min},
      {"char_ngram_max", char_ngram_max},
      {"tfidf_min_df", tfidf_min_df},
      {"sublinear_tf", sublinear_tf},
      {"use_description", use_description},
      {"tabular_min_count", tabular_min_count},
      {"price_bins", price_bins},
      {"tabular_title_words", tabular_title_words},
  };
}

// Missing keys keep their defaults, so a config names only what it changes.
Status FeatureSpecOptions::FromJson(const nlohmann::json& j, FeatureSpecOptions* out) {
  if (!j.is_object()) {
    return Status::InvalidArgument(std::string("feature options must be a JSON object, got ") +
                                   j.type_name());
  }
  FeatureSpecOptions o;
  for (const auto& [key, value] : j.items()) {
    if (key == "hash_bits") {
      PRODCAT_RETURN_IF_ERROR(ReadInt(key, value, &o.hash_bits));
    } else if (key == "word_ngram_max") {
      PRODCAT_RETURN_IF_ERROR(ReadInt(key, value, &o.word_ngram_max));
    } else if (key == "char_ngram_min") {
      PRODCAT_RETURN_IF_ERROR(ReadInt(key, value, &o.char_ngram_min));
    } else if (key == "char_ngram_max") {
      PRODCAT_RETURN_IF_ERROR(ReadInt(key, value, &o.char_ngram_max));
    } else if (key == "tfidf_min_df") {
      PRODCAT_RETURN_IF_ERROR(ReadInt(key, value, &o.tfidf_min_df));
    } else if (key == "sublinear_tf") {
      PRODCAT_RETURN_IF_ERROR(ReadBool(key, value, &o.sublinear_tf));
    } else if (key == "use_description") {
      PRODCAT_RETURN_IF_ERROR(ReadBool(key, value, &o.use_description));
    } else if (key == "tabular_min_count") {
      PRODCAT_RETURN_IF_ERROR(ReadInt(key, value, &o.tabular_min_count));
    } else if (key == "price_bins") {
      PRODCAT_RETURN_IF_ERROR(ReadInt(key, value, &o.price_bins));
    } else if (key == "tabular_title_words") {
      PRODCAT_RETURN_IF_ERROR(ReadBool(key, value, &o.tabular_title_words));
    } else {
      return Status::InvalidArgument("unknown feature option '" + key +
                                     "' (known: hash_bits, word_ngram_max, char_ngram_min, "
                                     "char_ngram_max, tfidf_min_df, sublinear_tf, use_description, "
                                     "tabular_min_count, price_bins, tabular_title_words)");
    }
  }
  PRODCAT_RETURN_IF_ERROR(ValidateFeatureSpecOptions(o));
  *out = o;
  return Status::Ok();
}

}  // namespace prodcat
