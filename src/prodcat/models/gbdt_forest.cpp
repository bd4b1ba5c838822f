#include "prodcat/models/gbdt_forest.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

namespace prodcat {
namespace {

constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();

// XGBoost stores model parameters as strings ("5E-1", "10").
Status ParamNumber(const nlohmann::json& object, const char* key, double* out) {
  auto it = object.find(key);
  if (it == object.end()) {
    return Status::DataLoss(std::string("model parameter '") + key + "' missing");
  }
  if (it->is_number()) {
    *out = it->get<double>();
    return Status::Ok();
  }
  if (!it->is_string()) {
    return Status::DataLoss(std::string("model parameter '") + key + "' malformed");
  }
  const std::string& text = it->get_ref<const std::string&>();
  char* end = nullptr;
  *out = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0') {
    return Status::DataLoss(std::string("model parameter '") + key + "' is not a number: " + text);
  }
  return Status::Ok();
}

// A numeric array of a tree ("left_children", ...), checked for the tree's node count.
Status TreeArray(const nlohmann::json& tree, const char* key, size_t expected_size,
                 const nlohmann::json** out) {
  auto it = tree.find(key);
  if (it == tree.end() || !it->is_array() || it->size() != expected_size) {
    return Status::DataLoss(std::string("tree array '") + key + "' missing or of the wrong size");
  }
  *out = &*it;
  return Status::Ok();
}

double AsNumber(const nlohmann::json& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  return v.is_number() ? v.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

Status GbdtForest::FromModelBytes(std::string_view bytes, GbdtForest* out) {
  nlohmann::json model;
  bool is_text_json = !bytes.empty() && bytes.front() == '{' && bytes.size() > 1 && bytes[1] == '"';
  if (is_text_json) {
    model = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  } else {
    model = nlohmann::json::from_ubjson(bytes, /*strict=*/true, /*allow_exceptions=*/false);
  }
  if (model.is_discarded()) return Status::DataLoss("not a valid XGBoost model document");
  return FromModelJson(model, out);
}

Status GbdtForest::FromModelJson(const nlohmann::json& model, GbdtForest* out) {
  try {
    const nlohmann::json& learner = model.at("learner");
    const nlohmann::json& objective = learner.at("objective").at("name");
    if (objective != "multi:softprob") {
      return Status::DataLoss("expected a multi:softprob model, got objective " + objective.dump());
    }
    const nlohmann::json& booster = learner.at("gradient_booster");
    if (booster.at("name") != "gbtree") {
      return Status::DataLoss("expected a gbtree booster, got " + booster.at("name").dump());
    }
    GbdtForest forest;
    double base_score = 0, num_class = 0, num_feature = 0;
    const nlohmann::json& model_param = learner.at("learner_model_param");
    PRODCAT_RETURN_IF_ERROR(ParamNumber(model_param, "base_score", &base_score));
    PRODCAT_RETURN_IF_ERROR(ParamNumber(model_param, "num_class", &num_class));
    PRODCAT_RETURN_IF_ERROR(ParamNumber(model_param, "num_feature", &num_feature));
    if (num_class < 2 || num_class > 1e6 || num_feature < 0 || num_feature > 4e9) {
      return Status::DataLoss("implausible model shape: num_class " + std::to_string(num_class) +
                              ", num_feature " + std::to_string(num_feature));
    }
    forest.base_score_ = static_cast<float>(base_score);
    forest.num_classes_ = static_cast<int>(num_class);
    forest.num_features_ = static_cast<size_t>(num_feature);

    const nlohmann::json& trees = booster.at("model").at("trees");
    const nlohmann::json& tree_info = booster.at("model").at("tree_info");
    if (!trees.is_array() || !tree_info.is_array() || trees.size() != tree_info.size()) {
      return Status::DataLoss("model trees and tree_info disagree");
    }
    for (size_t t = 0; t < trees.size(); ++t) {
      const nlohmann::json& tree = trees[t];
      double group = AsNumber(tree_info[t]);
      if (!(group >= 0 && group < num_class)) {
        return Status::DataLoss("tree " + std::to_string(t) + " has an invalid class group");
      }
      const nlohmann::json& left_children = tree.at("left_children");
      if (!left_children.is_array() || left_children.empty()) {
        return Status::DataLoss("tree " + std::to_string(t) + " has no nodes");
      }
      size_t n = left_children.size();
      const nlohmann::json *right_children, *split_indices, *split_conditions, *default_left;
      PRODCAT_RETURN_IF_ERROR(TreeArray(tree, "right_children", n, &right_children));
      PRODCAT_RETURN_IF_ERROR(TreeArray(tree, "split_indices", n, &split_indices));
      PRODCAT_RETURN_IF_ERROR(TreeArray(tree, "split_conditions", n, &split_conditions));
      PRODCAT_RETURN_IF_ERROR(TreeArray(tree, "default_left", n, &default_left));
      if (auto it = tree.find("split_type"); it != tree.end() && it->is_array()) {
        for (const auto& type : *it) {
          if (AsNumber(type) != 0) return Status::DataLoss("categorical splits are not supported");
        }
      }

      // Breadth-first renumbering puts the two children of a split next to each other.
      uint32_t root = static_cast<uint32_t>(forest.nodes_.size());
      std::vector<int64_t> queue = {0};  // original ids, in new order
      std::vector<char> seen(n, 0);
      seen[0] = 1;
      for (size_t head = 0; head < queue.size(); ++head) {
        int64_t id = queue[head];
        double left = AsNumber(left_children[id]);
        double right = AsNumber((*right_children)[id]);
        Node node{};
        node.value = static_cast<float>(AsNumber((*split_conditions)[id]));
        if (left == -1) {
          node.feature = -1;
        } else {
          double feature = AsNumber((*split_indices)[id]);
          bool valid = left >= 0 && left < n && right >= 0 && right < n && feature >= 0 &&
                       feature < num_feature && !seen[static_cast<size_t>(left)] &&
                       !seen[static_cast<size_t>(right)] && left != right;
          if (!valid) {
            return Status::DataLoss("tree " + std::to_string(t) + " node " + std::to_string(id) +
                                    " has invalid children or split feature");
          }
          node.feature = static_cast<int32_t>(feature);
          node.default_left = AsNumber((*default_left)[id]) != 0;
          node.left = root + static_cast<uint32_t>(queue.size());
          seen[static_cast<size_t>(left)] = seen[static_cast<size_t>(right)] = 1;
          queue.push_back(static_cast<int64_t>(left));
          queue.push_back(static_cast<int64_t>(right));
        }
        forest.nodes_.push_back(node);
      }
      forest.tree_roots_.push_back(root);
      forest.tree_class_.push_back(static_cast<int32_t>(group));
    }
    *out = std::move(forest);
    return Status::Ok();
  } catch (const nlohmann::json::exception& e) {
    return Status::DataLoss(std::string("malformed XGBoost model: ") + e.what());
  }
}

float GbdtForest::TreeValue(uint32_t index, const float* features) const {
  const Node* node = &nodes_[index];
  while (node->feature >= 0) {
    float value = features[node->feature];
    bool go_left = std::isnan(value) ? node->default_left : value < node->value;
    node = &nodes_[node->left + (go_left ? 0 : 1)];
  }
  return node->value;
}

void GbdtForest::PredictProba(const SparseVector& x, float* probs) const {
  // Dense view of the row, all missing except x's entries; restored to all-missing afterwards
  // so each call costs O(nonzeros) rather than O(num_features).
  thread_local std::vector<float> scratch;
  if (scratch.size() < num_features_) scratch.resize(num_features_, kMissing);
  for (size_t i = 0; i < x.indices.size(); ++i) {
    if (x.indices[i] < num_features_) scratch[x.indices[i]] = x.values[i];
  }
  for (int k = 0; k < num_classes_; ++k) probs[k] = base_score_;
  for (size_t t = 0; t < tree_roots_.size(); ++t) {
    probs[tree_class_[t]] += TreeValue(tree_roots_[t], scratch.data());
  }
  for (uint32_t index : x.indices) {
    if (index < num_features_) scratch[index] = kMissing;
  }
  // XGBoost's softmax: float max, float exps, double sum, division by the float sum.
  float max_margin = probs[0];
  for (int k = 1; k < num_classes_; ++k) max_margin = std::fmax(probs[k], max_margin);
  double sum = 0;
  for (int k = 0; k < num_classes_; ++k) {
    probs[k] = std::exp(probs[k] - max_margin);
    sum += probs[k];
  }
  for (int k = 0; k < num_classes_; ++k) probs[k] /= static_cast<float>(sum);
}

}  // namespace prodcat
