#include "prodcat/validation/js_distance.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace prodcat {

double JensenShannonDistance(const std::vector<double>& p, const std::vector<double>& q) {
  double p_sum = 0, q_sum = 0;
  for (double v : p) p_sum += v;
  for (double v : q) q_sum += v;
  if (p.size() != q.size() || !(p_sum > 0) || !(q_sum > 0)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  double divergence = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    double pi = p[i] / p_sum, qi = q[i] / q_sum;
    double mi = 0.5 * (pi + qi);
    // 0 * log(0 / m) is 0 by continuity.
    if (pi > 0) divergence += 0.5 * pi * std::log2(pi / mi);
    if (qi > 0) divergence += 0.5 * qi * std::log2(qi / mi);
  }
  // Rounding can leave a tiny negative divergence for identical inputs.
  return std::sqrt(std::max(0.0, std::min(1.0, divergence)));
}

double CategoricalJensenShannonDistance(const std::map<std::string, double>& p,
                                        const std::map<std::string, double>& q) {
  std::vector<double> pv, qv;
  auto pi = p.begin();
  auto qi = q.begin();
  // Merge the two sorted key sets.
  while (pi != p.end() || qi != q.end()) {
    if (qi == q.end() || (pi != p.end() && pi->first < qi->first)) {
      pv.push_back(pi->second);
      qv.push_back(0);
      ++pi;
    } else if (pi == p.end() || qi->first < pi->first) {
      pv.push_back(0);
      qv.push_back(qi->second);
      ++qi;
    } else {
      pv.push_back(pi->second);
      qv.push_back(qi->second);
      ++pi;
      ++qi;
    }
  }
  return JensenShannonDistance(pv, qv);
}

}  // namespace prodcat
