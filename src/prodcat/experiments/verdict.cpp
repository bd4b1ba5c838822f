#include "prodcat/experiments/verdict.h"

#include <algorithm>

namespace prodcat::experiments {

const char* VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kKeepRunning: return "keep_running";
    case Verdict::kBBetter: return "b_better";
    case Verdict::kBWorse: return "b_worse";
    case Verdict::kNoDifference: return "no_difference";
  }
  return "keep_running";
}

Verdict DecideComparison(const SequentialResult& result, double min_detectable_effect) {
  if (!result.started) return Verdict::kKeepRunning;
  if (result.lower > 0) return Verdict::kBBetter;
  if (result.upper < 0) return Verdict::kBWorse;
  if (result.lower >= -min_detectable_effect && result.upper <= min_detectable_effect) {
    return Verdict::kNoDifference;
  }
  return Verdict::kKeepRunning;
}

Verdict CombineVerdicts(std::span<const Verdict> verdicts) {
  auto any = [&](Verdict v) {
    return std::find(verdicts.begin(), verdicts.end(), v) != verdicts.end();
  };
  if (verdicts.empty()) return Verdict::kKeepRunning;
  if (any(Verdict::kBBetter)) return Verdict::kBBetter;
  if (any(Verdict::kKeepRunning)) return Verdict::kKeepRunning;
  if (std::all_of(verdicts.begin(), verdicts.end(),
                  [](Verdict v) { return v == Verdict::kBWorse; })) {
    return Verdict::kBWorse;
  }
  return Verdict::kNoDifference;
}

}  // namespace prodcat::experiments
