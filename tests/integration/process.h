// Test helper: run a real binary as a child process, capture its output, enforce a timeout.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace prodcat::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal or timed out
  std::string out;
  std::string err;
};

inline std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Starts `args` (args[0] is the program) with stdout/stderr redirected to files; returns the pid.
inline pid_t Spawn(const std::vector<std::string>& args, const std::filesystem::path& out_file,
                   const std::filesystem::path& err_file) {
  pid_t pid = fork();
  if (pid == 0) {
    int o = open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(o, 1);
    dup2(e, 2);
    int devnull = open("/dev/null", O_RDONLY);
    // Tracking goes to a store of this test process, never into the working directory.
    std::string store = "sqlite:///tmp/prodcat_it_tracking_" + std::to_string(getppid()) + ".db";
    setenv("PRODCAT_TRACKING_URI", store.c_str(), /*overwrite=*/0);
    dup2(devnull, 0);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

inline ProcessResult RunProcess(const std::vector<std::string>& args, int timeout_seconds = 300) {
  static int counter = 0;
  auto base = std::filesystem::temp_directory_path() /
              ("prodcat_proc_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
  auto out_file = base.string() + ".out", err_file = base.string() + ".err";
  pid_t pid = Spawn(args, out_file, err_file);
  ProcessResult r;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  int status = 0;
  while (true) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) {
      r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      r.exit_code = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  r.out = Slurp(out_file);
  r.err = Slurp(err_file);
  std::filesystem::remove(out_file);
  std::filesystem::remove(err_file);
  return r;
}

// Same as RunProcess; call it qualified (prodcat::testing::Run) inside TEST bodies, where an
// unqualified Run names testing::Test::Run.
inline ProcessResult Run(const std::vector<std::string>& args, int timeout_seconds = 300) {
  return RunProcess(args, timeout_seconds);
}

// A fresh temporary directory removed at scope exit.
class TempDir {
 public:
  TempDir() {
    static int n = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("prodcat_it_" + std::to_string(getpid()) + "_" + std::to_string(n++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;  // exists for the object's lifetime
};

}  // namespace prodcat::testing
