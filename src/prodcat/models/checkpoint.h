// CheckpointDir: crash-safe training checkpoints in one directory.
//
// A checkpoint of round N is two files written with WriteFileAtomic, model first:
//   ckpt-00000N.<ext>   the model bytes
//   ckpt-00000N.json    the training state, plus the model file's name, size and SHA-256
// The state file is written last, so a checkpoint counts only once its state exists and the
// model file matches the recorded digest; a kill at any instant leaves either a complete
// checkpoint or one that is skipped. Pruning keeps the newest `keep_last` checkpoints plus the
// one with the lowest score, and removes everything else the directory's writers left behind.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "prodcat/common/status.h"

namespace prodcat {

struct Checkpoint {
  int round = 0;            // rounds completed when it was written
  nlohmann::json state;     // the caller's state (plus model_file, model_sha256, score)
  std::string model_bytes;  // verified against state["model_sha256"]
};

class CheckpointDir {
 public:
  // `model_extension` without the dot, e.g. "ubj".
  CheckpointDir(std::filesystem::path dir, std::string model_extension);

  // Writes the checkpoint of `round`. `score` (lower is better) decides which checkpoint
  // survives pruning as the best one. Creates the directory when needed.
  Status Write(int round, std::string_view model_bytes, nlohmann::json state, double score);

  // The newest complete, uncorrupted checkpoint, or nullopt when there is none. Checkpoints
  // that are partial or corrupt are skipped; each one skipped adds a line to *skipped.
  Status FindLatestValid(std::optional<Checkpoint>* out, std::vector<std::string>* skipped) const;

  // Keeps the newest `keep_last` (at least 1) checkpoints with round <= `current_round` and the
  // lowest-scoring one; deletes the others, checkpoints of later rounds (left by an abandoned
  // run), partial checkpoints and temporary files of interrupted writes.
  Status Prune(int keep_last, int current_round) const;

  // Deletes every checkpoint file (used when a fresh run starts in a used directory).
  Status RemoveAll() const;

  // Rounds that have a state file, ascending (complete or not).
  std::vector<int> ListRounds() const;

  std::filesystem::path ModelPath(int round) const;
  std::filesystem::path StatePath(int round) const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  // Round of a checkpoint file name ("ckpt-000040.json" -> 40), or -1 for other files.
  int RoundOf(const std::string& file_name) const;
  Status ReadChecked(int round, Checkpoint* out) const;

  std::filesystem::path dir_;    // where the checkpoints live
  std::string model_extension_;  // file extension of the model files, without the dot
};

}  // namespace prodcat
