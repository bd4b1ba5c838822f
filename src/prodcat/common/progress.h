// A progress line with ETA on stderr for long loops (training rounds, file passes). Redraws in
// place on a terminal; elsewhere prints at most one line every few seconds so logs stay short.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace prodcat {

class ProgressBar {
 public:
  ProgressBar(std::string label, size_t total, bool enabled = true);
  // `detail` is shown after the bar, e.g. "val macro_f1 0.912".
  void Update(size_t done, const std::string& detail = "");
  void Finish(const std::string& detail = "");

 private:
  std::string label_;                                 // what is progressing
  size_t total_;                                      // steps at 100%; 0 means unknown
  bool enabled_;                                      // false: print nothing
  bool tty_;                                          // stderr is a terminal
  std::chrono::steady_clock::time_point start_;       // construction time
  std::chrono::steady_clock::time_point last_print_;  // throttles non-tty output
};

}  // namespace prodcat
