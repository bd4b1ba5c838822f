// GbdtForest: an immutable, flattened copy of a trained XGBoost multi:softprob model for scoring
// one row at a time.
//
// Why not XGBoost's own predictor: its in-place single-row path (XGBoosterPredictFromCSR) fills a
// dense feature vector of num_features floats per call, so with ~20k one-hot columns a single row
// costs ~100 us before the first tree is visited (measured with libxgboost 1.7.4). Here a row
// costs O(nonzeros + trees x depth): the trees are renumbered breadth-first into one array of
// 16-byte nodes whose children are adjacent, and a thread-local scratch vector is cleared
// entry by entry. The arithmetic follows XGBoost's CPU predictor step for step (float margins
// starting at base_score, trees added in model order, XGBoost's softmax), so the probabilities are
// bit-identical to XGBoost's; tests check that against XGBoosterPredictFromDMatrix.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/features/sparse.h"

namespace prodcat {

class GbdtForest {
 public:
  // Parses XGBoost's saved model (UBJSON as written by XGBoosterSaveModelToBuffer, or JSON).
  // Only gbtree multi:softprob models with numerical splits are accepted.
  static Status FromModelBytes(std::string_view bytes, GbdtForest* out);
  static Status FromModelJson(const nlohmann::json& model, GbdtForest* out);

  // Writes num_classes() probabilities. Thread-safe; indices >= num_features() are ignored.
  void PredictProba(const SparseVector& x, float* probs) const;

  int num_classes() const { return num_classes_; }
  size_t num_features() const { return num_features_; }
  size_t num_trees() const { return tree_roots_.size(); }
  size_t num_nodes() const { return nodes_.size(); }

 private:
  struct Node {
    float value;        // split threshold, or the leaf value when feature < 0
    int32_t feature;    // split column; -1 marks a leaf
    uint32_t left;      // index of the left child; the right child is left + 1
    bool default_left;  // a row missing `feature` goes left
  };
  float TreeValue(uint32_t root, const float* features) const;

  std::vector<Node> nodes_;           // all trees, each renumbered breadth-first
  std::vector<uint32_t> tree_roots_;  // node index of each tree's root, in model order
  std::vector<int32_t> tree_class_;   // class (output group) each tree adds to
  float base_score_ = 0.5f;           // initial margin of every class
  int num_classes_ = 0;               // >= 2 once loaded
  size_t num_features_ = 0;           // columns the model was trained on
};

}  // namespace prodcat
