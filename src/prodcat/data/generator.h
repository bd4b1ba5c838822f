// Deterministic sample data: realistic, messy product rows for demos, tests and benchmarks.
// The category is learnable from title words, brand, seller and price, but not perfectly:
// related categories share words and brands, some products are listed under a neighbouring
// category, titles carry typos and noise words, values go missing and some labels are wrong.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>

#include "prodcat/common/status.h"
#include "prodcat/data/record.h"

namespace prodcat {

struct GeneratorOptions {
  size_t rows = 10000;
  uint64_t seed = 42;
  double imbalance = 20.0;     // share of the most common class / share of the rarest (>= 1)
  double missing_rate = 0.03;  // per value of brand, price, rating, seller_id, subcategory
  double label_noise = 0.03;   // fraction of rows whose label is replaced by a wrong category
  double typo_rate = 0.05;     // per title word: swap, drop or duplicate a character
  bool descriptions = false;   // also fill `description` with a sentence
};

// Calls `sink` once per generated row, in product_id order, stopping at the first error. The
// same options always give the same rows, on every platform. The record passed to `sink` is
// reused between calls.
Status GenerateProducts(const GeneratorOptions& options,
                        const std::function<Status(const ProductRecord&)>& sink);

// Writes the generated rows with all canonical fields to `out` (.csv, .tsv or .jsonl by
// extension), atomically.
Status GenerateProductsToFile(const GeneratorOptions& options, const std::filesystem::path& out);

}  // namespace prodcat
