#include "prodcat/common/progress.h"

#include <unistd.h>

#include <cstdio>

namespace prodcat {

ProgressBar::ProgressBar(std::string label, size_t total, bool enabled)
    : label_(std::move(label)),
      total_(total),
      enabled_(enabled),
      tty_(::isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

void ProgressBar::Update(size_t done, const std::string& detail) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (!tty_ && now - last_print_ < std::chrono::seconds(5) && done < total_) return;
  if (tty_ && now - last_print_ < std::chrono::milliseconds(100) && done < total_) return;
  last_print_ = now;
  double elapsed = std::chrono::duration<double>(now - start_).count();
  double frac = total_ ? static_cast<double>(done) / static_cast<double>(total_) : 0.0;
  double eta = frac > 0 ? elapsed * (1 - frac) / frac : 0.0;
  const int width = 24;
  int filled = static_cast<int>(frac * width);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(width, '.');
  std::fprintf(stderr, "%s%s [%s] %zu/%zu %.0fs elapsed, ETA %.0fs %s%s", tty_ ? "\r" : "",
               label_.c_str(), bar.c_str(), done, total_, elapsed, eta, detail.c_str(),
               tty_ ? "\033[K" : "\n");
  std::fflush(stderr);
}

void ProgressBar::Finish(const std::string& detail) {
  if (!enabled_) return;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(stderr, "%s%s done in %.1fs %s%s\n", tty_ ? "\r" : "", label_.c_str(), elapsed,
               detail.c_str(), tty_ ? "\033[K" : "");
}

}  // namespace prodcat
