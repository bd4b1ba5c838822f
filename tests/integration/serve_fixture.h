// Shared by the serve_*_test.cpp integration tests: trains small real bundles with the real
// `prodcat` binary (generate -> prepare -> train --model linear, ~2000 rows) and runs
// `prodcat serve` as a child process on 127.0.0.1 with a free port.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "http_client.h"
#include "process.h"

namespace prodcat::testing {

inline const std::string kServeBin = PRODCAT_BINARY;

// Trains a linear bundle on `rows` generated rows into `out` (about half a second). The seed
// changes the data, so the data fingerprint and with it the model version.
inline void TrainBundle(const std::filesystem::path& out, int seed, int rows = 2000) {
  TempDir work;
  auto g = RunProcess({kServeBin, "generate", "--rows", std::to_string(rows), "--seed",
                       std::to_string(seed), "--out", work / "products.csv"});
  ASSERT_EQ(g.exit_code, 0) << g.err;
  auto p = RunProcess(
      {kServeBin, "prepare", "--input", work / "products.csv", "--out", work / "prepared"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  auto t = RunProcess({kServeBin, "train", "--train", work / "prepared/train.csv", "--val",
                       work / "prepared/val.csv", "--out", out.string(), "--model", "linear",
                       "--set", "train.progress=false", "--set", "tracking.enabled=false"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
}

inline std::string ManifestVersion(const std::filesystem::path& bundle) {
  auto manifest = nlohmann::json::parse(Slurp(bundle / "manifest.json"));
  return manifest.value("data_fingerprint", "").substr(0, 12);
}

// Swaps the bundle directory `dir` for `replacement` with two renames, as a deploy would.
inline void ReplaceDirectory(const std::filesystem::path& dir,
                             const std::filesystem::path& replacement) {
  namespace fs = std::filesystem;
  fs::path old = dir.string() + ".old";
  fs::remove_all(old);
  fs::rename(dir, old);
  fs::rename(replacement, dir);
  fs::remove_all(old);
}

// `prodcat serve` on 127.0.0.1 with --port 0; the port comes from its "listening on" line.
class ServeProcess {
 public:
  ServeProcess(const TempDir& dir, const std::filesystem::path& model,
               const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {kServeBin,   "serve",  "--model", model.string(), "--host",
                                     "127.0.0.1", "--port", "0",       "--threads",    "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    static int n = 0;
    out_ = dir / ("serve" + std::to_string(n) + ".out");
    err_ = dir / ("serve" + std::to_string(n++) + ".err");
    pid_ = Spawn(args, out_, err_);
    std::regex listening("listening on 127\\.0\\.0\\.1:(\\d+)");
    for (int i = 0; i < 600 && port_ == 0; ++i) {  // up to 30 s (the model loads first)
      std::smatch m;
      std::string out = Slurp(out_);
      if (std::regex_search(out, m, listening)) {
        port_ = static_cast<uint16_t>(std::stoi(m[1]));
        break;
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {  // exited during startup
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~ServeProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string err() const { return Slurp(err_); }
  bool running() const { return pid_ > 0; }
  int startup_exit_code() const { return exit_code_; }
  void Signal(int sig) const {
    if (pid_ > 0) kill(pid_, sig);
  }
  // Sends `sig` (SIGTERM by default) and waits up to `timeout` for the exit; -1 on timeout
  // (the process is then killed) or death by a signal.
  int Stop(int sig = SIGTERM, std::chrono::seconds timeout = std::chrono::seconds(30)) {
    if (pid_ <= 0) return exit_code_;
    kill(pid_, sig);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (true) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        exit_code_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    return exit_code_;
  }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  int exit_code_ = -1;
  std::string out_, err_;
};

// Polls `condition` every 20 ms for up to `timeout`.
template <typename F>
bool WaitFor(F condition, std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

// The value of the first sample line "name{labels} value" (exact prefix); -1 when absent.
inline double MetricValue(const std::string& metrics, const std::string& series) {
  size_t pos = 0;
  while ((pos = metrics.find(series + " ", pos)) != std::string::npos) {
    if (pos == 0 || metrics[pos - 1] == '\n') {
      return std::stod(metrics.substr(pos + series.size() + 1));
    }
    pos += series.size();
  }
  return -1;
}

}  // namespace prodcat::testing
