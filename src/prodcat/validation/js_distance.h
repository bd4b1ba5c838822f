// Jensen-Shannon distance between two categorical distributions, used by the
// column_distribution_to_match_reference expectation (label drift).
//
// JS divergence JSD(P, Q) = 1/2 KL(P || M) + 1/2 KL(Q || M) with M = (P + Q) / 2, computed with
// base-2 logarithms so that it lies in [0, 1]; the JS distance is sqrt(JSD), also in [0, 1]
// (0: identical distributions, 1: disjoint supports). It is symmetric and finite even when a
// category is absent from one side, unlike KL divergence.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace prodcat {

// `p` and `q` are non-negative weights over the same categories (same length), each with a
// positive sum; both are normalized here. Returns NaN when either sum is not positive.
double JensenShannonDistance(const std::vector<double>& p, const std::vector<double>& q);

// The same over named categories: a category missing from one map has weight 0 there.
double CategoricalJensenShannonDistance(const std::map<std::string, double>& p,
                                        const std::map<std::string, double>& q);

}  // namespace prodcat
