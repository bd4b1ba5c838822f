// RowErrorPolicy: what a bad row does under ReadOptions::on_error - fail the read, or be counted
// in ReadStats and skipped with its message kept as a sample.
#pragma once

#include "prodcat/common/status.h"
#include "prodcat/data/record_reader.h"

namespace prodcat {

class RowErrorPolicy {
 public:
  RowErrorPolicy(const ReadOptions& options, ReadStats* stats)
      : skip_(options.on_error == OnError::kSkip),
        max_samples_(options.max_error_samples),
        stats_(stats) {}

  // Returns Ok when the row is skipped (and counted), else `error` to fail the read with.
  Status Handle(Status error) {
    if (!skip_) return error;
    ++stats_->rows_skipped;
    if (stats_->error_samples.size() < max_samples_) {
      stats_->error_samples.push_back(error.message());
    }
    return Status::Ok();
  }

 private:
  bool skip_;           // OnError::kSkip
  size_t max_samples_;  // cap on stats_->error_samples
  ReadStats* stats_;    // owned by the reader; outlives this policy
};

}  // namespace prodcat
