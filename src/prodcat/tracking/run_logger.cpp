#include "prodcat/tracking/run_logger.h"

#include <fcntl.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace prodcat::tracking {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Runs argv (no shell) with `dir` as working directory and returns its trimmed stdout, or ""
// when it fails.
std::string CaptureOutput(const std::vector<std::string>& args, const std::filesystem::path& dir) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return "";
  pid_t pid = fork();
  if (pid < 0) {
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return "";
  }
  if (pid == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, STDERR_FILENO);
    if (!dir.empty() && chdir(dir.c_str()) != 0) _exit(127);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  std::string out;
  std::array<char, 256> buf;
  ssize_t n;
  while ((n = read(pipe_fds[0], buf.data(), buf.size())) > 0) out.append(buf.data(), n);
  close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "";
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' ')) {
    out.pop_back();
  }
  return out;
}

}  // namespace

std::string GitCommit(const std::filesystem::path& dir) {
  std::string commit = CaptureOutput({"git", "rev-parse", "HEAD"}, dir);
  bool hex =
      commit.size() >= 40 && commit.find_first_not_of("0123456789abcdef") == std::string::npos;
  return hex ? commit : "";
}

std::string CurrentUser() {
  const char* user = std::getenv("USER");
  if (user && *user) return user;
  if (const passwd* pw = getpwuid(getuid())) return pw->pw_name;
  return "unknown";
}

Status RunLogger::Start(const std::string& tracking_uri, const std::string& experiment_name,
                        const std::string& run_name, std::unique_ptr<RunLogger>* logger) {
  RunLoggerOptions options;
  options.tracking_uri = tracking_uri;
  options.experiment_name = experiment_name.empty() ? kDefaultExperimentName : experiment_name;
  options.run_name = run_name;
  return Start(options, logger);
}

Status RunLogger::Start(const RunLoggerOptions& options, std::unique_ptr<RunLogger>* logger) {
  std::unique_ptr<RunLogger> r(new RunLogger());
  r->flush_threshold_ = options.flush_threshold > 0 ? options.flush_threshold : 1;
  PRODCAT_RETURN_IF_ERROR(TrackingClient::Open(options.tracking_uri, &r->client_));
  TrackingStore& store = r->client_->store();
  std::string name =
      options.experiment_name.empty() ? kDefaultExperimentName : options.experiment_name;
  Experiment experiment;
  Status s = store.GetExperimentByName(name, &experiment);
  if (s.code() == StatusCode::kNotFound) {
    std::string id;
    s = store.CreateExperiment(name, "", {}, &id);
    // Another process may have created it meanwhile.
    if (s.code() == StatusCode::kAlreadyExists || s.ok()) {
      s = store.GetExperimentByName(name, &experiment);
    }
  }
  PRODCAT_RETURN_IF_ERROR(s.WithContext("experiment '" + name + "'"));
  if (experiment.lifecycle_stage != kLifecycleActive) {
    return Status::FailedPrecondition("experiment '" + name +
                                      "' is deleted; restore it or choose another name");
  }
  CreateRunRequest request;
  request.experiment_id = experiment.experiment_id;
  request.run_name = options.run_name;
  request.user_id = options.user.empty() ? CurrentUser() : options.user;
  request.start_time = NowMs();
  request.tags = options.tags;
  request.tags.push_back({kTagUser, request.user_id});
  request.tags.push_back(
      {kTagSourceName, options.source_name.empty() ? "prodcat" : options.source_name});
  request.tags.push_back({kTagSourceType, "LOCAL"});
  std::error_code ec;
  std::string commit = GitCommit(std::filesystem::current_path(ec));
  if (!commit.empty()) request.tags.push_back({kTagGitCommit, commit});
  Run run;
  PRODCAT_RETURN_IF_ERROR(store.CreateRun(request, &run));
  r->run_id_ = run.info.run_id;
  r->experiment_id_ = run.info.experiment_id;
  r->artifact_uri_ = run.info.artifact_uri;
  *logger = std::move(r);
  return Status::Ok();
}

RunLogger::~RunLogger() {
  if (!client_ || run_id_.empty()) return;
  bool ended;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ended = ended_;
  }
  if (!ended) {
    Status s = End(RunStatus::kFailed);
    if (!s.ok()) spdlog::warn("could not end run {}: {}", run_id_, s.message());
  }
}

Status RunLogger::LogParam(const std::string& key, const std::string& value) {
  return client_->store().LogParam(run_id_, key, value);
}

Status RunLogger::LogParams(const std::map<std::string, std::string>& params) {
  std::vector<KeyValue> batch;
  for (const auto& [key, value] : params) {
    batch.push_back({key, value});
    if (batch.size() == kMaxParamsPerBatch) {
      PRODCAT_RETURN_IF_ERROR(client_->store().LogBatch(run_id_, {}, batch, {}));
      batch.clear();
    }
  }
  if (batch.empty()) return Status::Ok();
  return client_->store().LogBatch(run_id_, {}, batch, {});
}

Status RunLogger::LogMetric(const std::string& key, double value, int64_t step,
                            int64_t timestamp_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (ended_) return Status::FailedPrecondition("run " + run_id_ + " has ended");
  pending_.push_back({key, value, timestamp_ms ? timestamp_ms : NowMs(), step});
  if (pending_.size() >= flush_threshold_) return FlushLocked();
  return Status::Ok();
}

Status RunLogger::LogMetrics(const std::map<std::string, double>& metrics, int64_t step) {
  for (const auto& [key, value] : metrics) PRODCAT_RETURN_IF_ERROR(LogMetric(key, value, step));
  return Status::Ok();
}

Status RunLogger::SetTag(const std::string& key, const std::string& value) {
  return client_->store().SetTag(run_id_, key, value);
}

Status RunLogger::LogInput(const std::string& name, const std::string& digest,
                           const std::string& source, const std::string& context,
                           const std::string& schema, const std::string& profile) {
  DatasetInput input;
  input.dataset = {name, digest, "local", source, schema, profile};
  if (!context.empty()) input.tags.push_back({kInputTagContext, context});
  return client_->store().LogInputs(run_id_, {input});
}

Status RunLogger::LogArtifact(const std::filesystem::path& local,
                              const std::string& artifact_path) {
  return client_->LogArtifacts(run_id_, local, artifact_path);
}

Status RunLogger::FlushLocked() {
  size_t begin = 0;
  while (begin < pending_.size()) {
    size_t end = std::min(pending_.size(), begin + kMaxMetricsPerBatch);
    std::vector<Metric> batch(pending_.begin() + static_cast<std::ptrdiff_t>(begin),
                              pending_.begin() + static_cast<std::ptrdiff_t>(end));
    Status s = client_->store().LogBatch(run_id_, batch, {}, {});
    if (!s.ok()) {
      pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(begin));
      return s;
    }
    begin = end;
  }
  pending_.clear();
  return Status::Ok();
}

Status RunLogger::Flush() {
  std::lock_guard<std::mutex> lock(mutex_);
  return FlushLocked();
}

Status RunLogger::End(RunStatus status) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (ended_) return Status::Ok();
  Status flushed = FlushLocked();
  RunInfo info;
  Status s = client_->store().UpdateRun(run_id_, status, NowMs(), std::nullopt, &info);
  ended_ = true;
  return flushed.ok() ? s : flushed;
}

}  // namespace prodcat::tracking
