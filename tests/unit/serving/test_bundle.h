// Builds small real model bundles for serving tests: a FeatureSpec and a liblinear classifier
// fitted on a few hand-made products of three categories, saved with ModelBundle::Save.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "prodcat/data/reframing.h"
#include "prodcat/features/feature_spec.h"
#include "prodcat/models/bundle.h"
#include "prodcat/models/classifier.h"

namespace prodcat::serving::testing {

inline std::vector<ProductRecord> TinyProducts(int copies) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> kTitles = {
      {"Electronics", {"usb c charger cable", "wireless bluetooth headphones", "hdmi cable 4k"}},
      {"Books", {"paperback novel mystery", "hardcover cookbook recipes", "children picture book"}},
      {"Garden", {"garden hose nozzle", "flower seeds mix", "pruning shears steel"}}};
  std::vector<ProductRecord> out;
  for (int c = 0; c < copies; ++c) {
    for (const auto& [label, titles] : kTitles) {
      for (const std::string& t : titles) {
        ProductRecord r;
        r.title = t + (c % 2 ? " deluxe" : " basic");
        r.category = label;
        r.price = 10.0 + c;
        out.push_back(r);
      }
    }
  }
  return out;
}

// Trains and saves a bundle at `dir`. `metadata` is merged into the manifest (e.g. "version").
inline Status BuildTinyBundle(const std::filesystem::path& dir,
                              nlohmann::json metadata = nlohmann::json::object()) {
  std::vector<ProductRecord> records = TinyProducts(6);
  FeatureSpecOptions options;
  options.tfidf_min_df = 1;
  std::unique_ptr<FeatureSpec> spec;
  PRODCAT_RETURN_IF_ERROR(FeatureSpec::Fit(records, options, &spec));
  std::vector<std::string> classes = {"Books", "Electronics", "Garden"};
  TrainSet set;
  spec->TransformTfidf(records, &set.tfidf);
  for (const ProductRecord& r : records) {
    set.labels.push_back(r.category == "Books" ? 0 : r.category == "Electronics" ? 1 : 2);
  }
  std::unique_ptr<Classifier> classifier;
  PRODCAT_RETURN_IF_ERROR(CreateClassifier("linear", nlohmann::json::object(), 3, &classifier));
  TrainContext ctx;
  ctx.num_classes = 3;
  ctx.class_names = classes;
  ctx.show_progress = false;
  ctx.threads = 1;
  ctx.spec = spec.get();
  PRODCAT_RETURN_IF_ERROR(classifier->Train(ctx, set, set));
  ModelBundle bundle(std::move(spec), std::move(classifier), classes, Reframing(),
                     std::move(metadata), nlohmann::json::object());
  return bundle.Save(dir);
}

// A fresh temporary directory removed at scope exit.
class ScratchDir {
 public:
  ScratchDir() {
    static int n = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("prodcat_serving_ut_" + std::to_string(getpid()) + "_" + std::to_string(n++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;  // exists for the object's lifetime
};

}  // namespace prodcat::serving::testing
