// TrainingProgress: a family's progress line, drawn by its own ProgressBar or, when the training
// context asks for it (candidates training side by side share one line), handed to
// TrainContext::on_progress. Not thread-safe: one training updates it from one thread at a time.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include "prodcat/common/progress.h"
#include "prodcat/models/classifier.h"

namespace prodcat {

class TrainingProgress {
 public:
  TrainingProgress(const TrainContext& ctx, std::string label, size_t total)
      : callback_(ctx.on_progress),
        total_(total),
        bar_(std::move(label), total, ctx.show_progress && !ctx.on_progress) {}

  void Update(size_t done, const std::string& detail = "") {
    if (callback_) {
      callback_(done, total_, detail);
    } else {
      bar_.Update(done, detail);
    }
  }
  void Finish(const std::string& detail = "") {
    if (callback_) {
      callback_(total_, total_, detail);
    } else {
      bar_.Finish(detail);
    }
  }

 private:
  ProgressCallback callback_;  // empty: bar_ draws
  size_t total_;               // steps at 100%
  ProgressBar bar_;            // disabled when callback_ is set or progress is off
};

}  // namespace prodcat
