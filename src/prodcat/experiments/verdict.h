// The decision an experiment's dashboard shows, derived from the always-valid confidence
// sequence for p_B - p_A (see statistics.h). Rules, per treatment arm B against the control A:
//
//   keep_running   the test has not started (an arm has < min_feedback_per_arm feedbacks), or
//                  the sequence still covers 0 and is wider than +/- min_detectable_effect
//   b_better       the sequence lies above 0 (B's accuracy is higher; at level alpha)
//   b_worse        the sequence lies below 0
//   no_difference  the sequence covers 0 and lies inside [-mde, +mde]: any difference is smaller
//                  than the smallest one worth acting on
//
// Significance is checked first, so a real but tiny difference reads b_better / b_worse.
#pragma once

#include <span>

#include "prodcat/experiments/statistics.h"

namespace prodcat::experiments {

enum class Verdict { kKeepRunning, kBBetter, kBWorse, kNoDifference };

// "keep_running", "b_better", "b_worse", "no_difference".
const char* VerdictName(Verdict verdict);

Verdict DecideComparison(const SequentialResult& result, double min_detectable_effect);

// The experiment's verdict over its treatment-vs-control comparisons (one for two arms, then
// simply that comparison's verdict). With several treatments: b_better if any treatment is
// better; else keep_running while any comparison is undecided; else b_worse if every treatment
// is worse; else no_difference (no treatment beats the control).
Verdict CombineVerdicts(std::span<const Verdict> verdicts);

}  // namespace prodcat::experiments
