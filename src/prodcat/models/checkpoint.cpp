#include "prodcat/models/checkpoint.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <system_error>
#include <utility>

#include "prodcat/common/file_util.h"
#include "prodcat/common/sha256.h"

namespace prodcat {
namespace fs = std::filesystem;

namespace {
constexpr char kPrefix[] = "ckpt-";
constexpr int kCheckpointFormat = 1;
}  // namespace

CheckpointDir::CheckpointDir(fs::path dir, std::string model_extension)
    : dir_(std::move(dir)), model_extension_(std::move(model_extension)) {}

fs::path CheckpointDir::ModelPath(int round) const {
  return dir_ / fmt::format("{}{:06d}.{}", kPrefix, round, model_extension_);
}

fs::path CheckpointDir::StatePath(int round) const {
  return dir_ / fmt::format("{}{:06d}.json", kPrefix, round);
}

int CheckpointDir::RoundOf(const std::string& name) const {
  std::string_view rest(name);
  if (!rest.starts_with(kPrefix)) return -1;
  rest.remove_prefix(sizeof(kPrefix) - 1);
  size_t digits = 0;
  while (digits < rest.size() && digits < 9 && rest[digits] >= '0' && rest[digits] <= '9') {
    ++digits;
  }
  if (digits == 0) return -1;
  std::string_view suffix = rest.substr(digits);
  if (suffix != ".json" && suffix != "." + model_extension_) return -1;
  return std::stoi(std::string(rest.substr(0, digits)));
}

Status CheckpointDir::Write(int round, std::string_view model_bytes, nlohmann::json state,
                            double score) {
  PRODCAT_RETURN_IF_ERROR(EnsureDirectory(dir_));
  fs::path model_path = ModelPath(round);
  PRODCAT_RETURN_IF_ERROR(WriteFileAtomic(model_path, model_bytes));
  state["checkpoint_format"] = kCheckpointFormat;
  state["round"] = round;
  state["score"] = std::isfinite(score) ? nlohmann::json(score) : nlohmann::json(nullptr);
  state["model_file"] = model_path.filename().string();
  state["model_size"] = model_bytes.size();
  state["model_sha256"] = Sha256Hex(model_bytes);
  // The state goes last: until it exists, the model file above belongs to no checkpoint.
  return WriteFileAtomic(StatePath(round), state.dump(1));
}

Status CheckpointDir::ReadChecked(int round, Checkpoint* out) const {
  fs::path state_path = StatePath(round);
  std::string text;
  PRODCAT_RETURN_IF_ERROR(ReadFile(state_path, &text));
  nlohmann::json state = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (state.is_discarded() || !state.is_object()) {
    return Status::DataLoss(state_path.string() + ": not a JSON object (truncated?)");
  }
  auto field = [&](const char* key) -> const nlohmann::json* {
    auto it = state.find(key);
    return it == state.end() ? nullptr : &*it;
  };
  const nlohmann::json* format = field("checkpoint_format");
  const nlohmann::json* recorded_round = field("round");
  const nlohmann::json* digest = field("model_sha256");
  const nlohmann::json* size = field("model_size");
  if (format == nullptr || *format != kCheckpointFormat || recorded_round == nullptr ||
      *recorded_round != round || digest == nullptr || !digest->is_string() || size == nullptr ||
      !size->is_number_unsigned()) {
    return Status::DataLoss(state_path.string() +
                            ": missing or unexpected checkpoint_format, round, model_size or "
                            "model_sha256");
  }
  fs::path model_path = ModelPath(round);
  std::string bytes;
  PRODCAT_RETURN_IF_ERROR(ReadFile(model_path, &bytes));
  if (bytes.size() != size->get<uint64_t>()) {
    return Status::DataLoss(model_path.string() + ": " + std::to_string(bytes.size()) +
                            " bytes, the checkpoint state records " + size->dump());
  }
  if (Sha256Hex(bytes) != digest->get<std::string>()) {
    return Status::DataLoss(model_path.string() + ": SHA-256 differs from the checkpoint state");
  }
  out->round = round;
  out->state = std::move(state);
  out->model_bytes = std::move(bytes);
  return Status::Ok();
}

std::vector<int> CheckpointDir::ListRounds() const {
  std::set<int> rounds;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(".json") && RoundOf(name) >= 0) rounds.insert(RoundOf(name));
  }
  return {rounds.begin(), rounds.end()};
}

Status CheckpointDir::FindLatestValid(std::optional<Checkpoint>* out,
                                      std::vector<std::string>* skipped) const {
  out->reset();
  std::vector<int> rounds = ListRounds();
  for (auto it = rounds.rbegin(); it != rounds.rend(); ++it) {
    Checkpoint checkpoint;
    Status status = ReadChecked(*it, &checkpoint);
    if (status.ok()) {
      *out = std::move(checkpoint);
      return Status::Ok();
    }
    if (skipped != nullptr) {
      skipped->push_back("skipping checkpoint of round " + std::to_string(*it) + ": " +
                         status.message());
    }
  }
  return Status::Ok();
}

Status CheckpointDir::Prune(int keep_last, int current_round) const {
  keep_last = std::max(keep_last, 1);
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    if (entry.path().filename().string().starts_with(kPrefix)) files.push_back(entry.path());
  }
  if (ec) return Status::IoError("cannot list '" + dir_.string() + "': " + ec.message());

  // Candidates: rounds up to the current one whose state parses and whose model file exists
  // (digests are checked only when resuming; here a cheap plausibility check suffices).
  std::map<int, double> score_of;
  for (int round : ListRounds()) {
    if (round > current_round || !fs::exists(ModelPath(round), ec)) continue;
    std::string text;
    if (!ReadFile(StatePath(round), &text).ok()) continue;
    nlohmann::json state = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (state.is_discarded() || !state.is_object()) continue;
    auto score = state.find("score");
    score_of[round] = score != state.end() && score->is_number()
                          ? score->get<double>()
                          : std::numeric_limits<double>::infinity();
  }
  std::set<int> keep;
  int kept_recent = 0;
  for (auto it = score_of.rbegin(); it != score_of.rend() && kept_recent < keep_last;
       ++it, ++kept_recent) {
    keep.insert(it->first);
  }
  auto best = std::min_element(score_of.begin(), score_of.end(),
                               [](const auto& a, const auto& b) { return a.second < b.second; });
  if (best != score_of.end()) keep.insert(best->first);

  for (const fs::path& file : files) {
    int round = RoundOf(file.filename().string());
    // Other names with the prefix are temporaries of interrupted WriteFileAtomic calls.
    if (round >= 0 && keep.count(round) > 0) continue;
    fs::remove(file, ec);
    if (ec) return Status::IoError("cannot remove '" + file.string() + "': " + ec.message());
  }
  return Status::Ok();
}

Status CheckpointDir::RemoveAll() const {
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    if (entry.path().filename().string().starts_with(kPrefix)) files.push_back(entry.path());
  }
  for (const fs::path& file : files) {
    fs::remove(file, ec);
    if (ec) return Status::IoError("cannot remove '" + file.string() + "': " + ec.message());
  }
  return Status::Ok();
}

}  // namespace prodcat
