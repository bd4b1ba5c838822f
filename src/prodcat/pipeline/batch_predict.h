// Batch scoring: a products file in, one prediction per row out (CSV or JSON Lines by the
// output's extension) with the top-k labels and probabilities. Streams the input in chunks and
// scores each chunk in parallel, so memory stays flat for any file size.
#pragma once

#include <filesystem>

#include "prodcat/common/status.h"
#include "prodcat/data/record_reader.h"
#include "prodcat/models/bundle.h"

namespace prodcat {

struct BatchPredictOptions {
  ReadOptions read;
  size_t top_k = 3;
  int threads = 0;
  size_t chunk_rows = 16384;
};

struct BatchPredictStats {
  size_t rows = 0;
  size_t skipped = 0;
  double seconds = 0;
};

Status PredictFile(const ModelBundle& bundle, const std::filesystem::path& input,
                   const std::filesystem::path& output, const BatchPredictOptions& options,
                   BatchPredictStats* stats);

}  // namespace prodcat
