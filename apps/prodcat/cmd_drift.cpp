// prodcat drift: the server's drift computations, offline, on a whole products file.
//   --reference MODEL_DIR (or models:/ URI): the bundle's reference_profile.json and FeatureSpec;
//               when the bundle loads, the current file is also scored for prediction and
//               confidence drift
//   --reference FILE: a FeatureSpec is fitted on the file and its profile built like training
//               does (no prediction drift then)
// Exit 0 whatever the drift (the table and report say it), 3 with --fail-on-drift on dataset
// drift, 1 or 2 (like every command) on errors.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "prodcat/common/file_util.h"
#include "prodcat/features/feature_spec.h"
#include "prodcat/features/reference_profile.h"
#include "prodcat/models/bundle.h"
#include "prodcat/monitoring/drift_reference.h"
#include "prodcat/monitoring/drift_report.h"

namespace prodcat::cli {
namespace {

using monitoring::DriftOptions;
using monitoring::DriftReference;

constexpr int kExitDatasetDrift = 3;
constexpr char kDriftPrefix[] = "drift.";

// What the current file is compared with.
struct DriftBaseline {
  nlohmann::json profile;                 // reference_profile.json (+ drift_bins for a FILE)
  std::unique_ptr<FeatureSpec> own_spec;  // fitted here (FILE) or loaded alone (unusable model)
  std::unique_ptr<ModelBundle> bundle;    // set when the model loaded: scores the current rows
  std::string description;                // for the table header
  const FeatureSpec& spec() const { return bundle ? bundle->spec() : *own_spec; }
};

bool LooksLikeModel(const std::string& reference) {
  return reference.starts_with("models:/") || reference.starts_with("runs:/") ||
         std::filesystem::is_directory(reference);
}

Status LoadModelBaseline(const Config& config, const std::string& reference, DriftBaseline* b) {
  std::string dir;
  PRODCAT_RETURN_IF_ERROR(ResolveModel(config, reference, &dir));
  Status loaded = ModelBundle::Load(dir, &b->bundle);
  if (loaded.ok()) {
    b->profile = b->bundle->reference_profile();
    if (b->profile.empty()) {
      return Status::NotFound(dir +
                              ": the bundle has no reference_profile.json (trained by an older "
                              "prodcat?); use --reference TRAINING_FILE instead");
    }
    b->description = dir + " (model " + b->bundle->classifier().family() + ")";
    return Status::Ok();
  }
  // The model cannot score (e.g. a family this build lacks) but its profile still describes the
  // training inputs: compare inputs only.
  b->bundle.reset();
  const std::filesystem::path profile_path = std::filesystem::path(dir) / "reference_profile.json";
  if (!std::filesystem::exists(profile_path)) {
    return Status::NotFound(dir + ": no reference_profile.json (and the bundle does not load: " +
                            loaded.message() + ")");
  }
  std::string text;
  PRODCAT_RETURN_IF_ERROR(ReadFile(profile_path, &text));
  b->profile = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!b->profile.is_object()) {
    return Status::InvalidArgument(profile_path.string() + ": not a JSON object");
  }
  PRODCAT_RETURN_IF_ERROR(
      FeatureSpec::Load(std::filesystem::path(dir) / "features", &b->own_spec).WithContext(dir));
  spdlog::warn("drift: {} does not load as a model ({}); prediction drift is skipped", dir,
               loaded.message());
  b->description = dir + " (reference profile only)";
  return Status::Ok();
}

Status FileBaseline(const Config& config, const ReadOptions& read, const std::string& path,
                    DriftBaseline* b) {
  std::vector<ProductRecord> rows;
  PRODCAT_RETURN_IF_ERROR(ReadAllRecords(path, read, &rows));
  if (rows.empty()) return Status::InvalidArgument(path + ": no rows to build a reference from");
  FeatureSpecOptions features;
  PRODCAT_RETURN_IF_ERROR(
      FeatureSpecOptions::FromJson(config.section("features"), &features).WithContext("features"));
  PRODCAT_RETURN_IF_ERROR(FeatureSpec::Fit(rows, features, &b->own_spec).WithContext(path));
  b->profile = BuildReferenceProfile(rows, *b->own_spec);
  // The rows are at hand, so the numeric bins get exact reference counts.
  PRODCAT_RETURN_IF_ERROR(monitoring::AddDriftBins(rows, *b->own_spec, &b->profile));
  b->description = path + " (" + std::to_string(rows.size()) + " rows)";
  return Status::Ok();
}

// Streams the current file into counters (and raw values while the window is small).
Status ObserveFile(const DriftReference& reference, const DriftBaseline& baseline,
                   const std::string& path, const ReadOptions& read, const DriftOptions& options,
                   monitoring::DriftCounts* counts, monitoring::NumericSamples* samples) {
  std::unique_ptr<RecordReader> reader;
  PRODCAT_RETURN_IF_ERROR(OpenRecordReader(path, read, &reader));
  const bool score = baseline.bundle != nullptr && reference.predictions().has_value();
  samples->assign(reference.numeric().size(), {});
  ProductRecord record;
  monitoring::Observation obs;
  std::vector<float> probs;
  bool has_record = true;
  while (true) {
    PRODCAT_RETURN_IF_ERROR(reader->Next(&record, &has_record));
    if (!has_record) break;
    reference.Extract(record, &obs);
    obs.predicted_class = -1;
    if (score) {
      baseline.bundle->PredictProba(record, &probs);
      const auto best = std::max_element(probs.begin(), probs.end());
      if (best != probs.end()) {
        obs.predicted_class = static_cast<int>(best - probs.begin());
        obs.confidence = *best;
      }
    }
    if (counts->observations < options.ks_max_window) {
      for (size_t f = 0; f < obs.numeric_values.size(); ++f) {
        if (!std::isnan(obs.numeric_values[f])) (*samples)[f].push_back(obs.numeric_values[f]);
      }
    }
    reference.Count(obs, +1, counts);
  }
  if (reader->stats().rows_skipped > 0) {
    spdlog::warn("drift: {} bad rows skipped in {}", reader->stats().rows_skipped, path);
  }
  if (counts->observations == 0) return Status::InvalidArgument(path + ": no rows to compare");
  return Status::Ok();
}

std::string Number(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || !j.at(key).is_number() || !std::isfinite(j.at(key).get<double>())) {
    return "-";
  }
  char text[32];
  std::snprintf(text, sizeof(text), "%.4g", j.at(key).get<double>());
  return text;
}

void PrintTable(const nlohmann::json& report, const std::string& reference_text,
                const std::string& current) {
  const nlohmann::json& w = report["windows"]["file"];
  std::printf("drift: %s (%zu rows) against %s\n", current.c_str(), w["observations"].get<size_t>(),
              reference_text.c_str());
  std::printf("%-24s %-12s %10s %10s %10s  %s\n", "feature", "metric", "value", "current",
              "reference", "status");
  auto row = [](const std::string& feature, const std::string& metric, const std::string& value,
                const std::string& current, const std::string& reference, const nlohmann::json& j) {
    std::printf("%-24s %-12s %10s %10s %10s  %s\n", feature.c_str(), metric.c_str(), value.c_str(),
                current.c_str(), reference.c_str(), j.value("status", "").c_str());
  };
  for (const auto& [name, j] : w["numeric"].items()) {
    const bool ks = j.value("decided_by", "") == "ks";
    row(name, ks ? "ks_p_value" : "psi", Number(j, ks ? "ks_p_value" : "psi"), Number(j, "mean"),
        Number(j, "reference_mean"), j);
  }
  for (const auto& [name, j] : w["categorical"].items()) {
    row(name, "js_distance", Number(j, "js_distance"), Number(j, "other_share"),
        Number(j, "reference_other_share"), j);
  }
  const nlohmann::json& t = w["title_tokens"];
  row("title_tokens", "js_distance", Number(t, "js_distance"), Number(t, "other_share"),
      Number(t, "reference_other_share"), t);
  row("title_tokens", "oov_rate", Number(t, "oov_increase"), Number(t, "oov_rate"),
      Number(t, "reference_oov_rate"), t);
  if (w.contains("predictions")) {
    const nlohmann::json& p = w["predictions"];
    row("predictions", "psi", Number(p, "psi"), "-", "-", p);
    const nlohmann::json& c = w["confidence"];
    row("confidence", "mean_drop", Number(c, "drop"), Number(c, "current_mean"),
        Number(c, "reference_mean"), c);
  }
  std::printf(
      "(current/reference: mean for numeric features, share of 'other' values or "
      "tokens, OOV rate, mean confidence)\n");
  const size_t drifted = w["drifted_features"].size();
  std::printf("dataset drift: %s (%zu of %zu features at alert, %.0f%%); status: %s\n",
              w["dataset_drift"].get<bool>() ? "yes" : "no", drifted,
              w["features_evaluated"].get<size_t>(), 100 * w["drifted_feature_share"].get<double>(),
              w["status"].get<std::string>().c_str());
}

}  // namespace

void RegisterDrift(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "drift",
      "Compare a products file with a model's reference profile (or a reference data file): "
      "PSI, KS, JS distance, OOV rate, prediction and confidence drift");
  struct Args {
    CommonOptions common;
    std::string reference, current, out;
    bool fail_on_drift = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--reference", a->reference,
                  "Model bundle directory or models:/ URI (its reference_profile.json), or a "
                  "products file (.csv, .tsv, .jsonl, .avro) to build the reference from")
      ->required();
  cmd->add_option("--current", a->current, "Products file to check (.csv, .tsv, .jsonl, .avro)")
      ->required();
  cmd->add_option("--out", a->out, "Write the report JSON here");
  cmd->add_flag("--fail-on-drift", a->fail_on_drift, "Exit with code 3 on dataset drift");
  AddConfigOptions(cmd, &a->common);
  AddDataOptions(cmd, &a->common);
  cmd->footer(
      "Drift settings: --set drift.KEY=VALUE, e.g. --set drift.psi_alert=0.25 (keys: see "
      "docs/drift.md). Other --set keys go to the configuration as usual.");
  cmd->callback([a] {
    // --set drift.* configures the detector; everything else is the usual configuration.
    CommonOptions common = a->common;
    common.overrides.clear();
    std::vector<std::string> drift_overrides;
    for (const std::string& o : a->common.overrides) {
      if (o.starts_with(kDriftPrefix)) {
        drift_overrides.push_back(o.substr(sizeof(kDriftPrefix) - 1));
      } else {
        common.overrides.push_back(o);
      }
    }
    DriftOptions options;
    Status s = options.SetAll(drift_overrides).WithContext("--set drift.*");
    Config config;
    if (s.ok()) s = LoadConfig(common, &config);
    ReadOptions read;
    if (s.ok()) s = ReadOptionsFromConfig(config, &read);
    if (s.ok() && !std::filesystem::exists(a->current)) {
      s = Status::NotFound("--current: no such file: " + a->current);
    }
    DriftBaseline baseline;
    if (s.ok()) {
      if (LooksLikeModel(a->reference)) {
        s = LoadModelBaseline(config, a->reference, &baseline);
      } else if (std::filesystem::exists(a->reference)) {
        s = FileBaseline(config, read, a->reference, &baseline);
      } else {
        s = Status::NotFound("--reference: no such model directory or file: " + a->reference);
      }
    }
    std::unique_ptr<DriftReference> reference;
    if (s.ok()) {
      s = DriftReference::Create(baseline.profile, baseline.spec(), options, &reference)
              .WithContext(a->reference);
    }
    monitoring::DriftCounts counts;
    monitoring::NumericSamples samples;
    if (s.ok()) {
      counts = reference->EmptyCounts();
      s = ObserveFile(*reference, baseline, a->current, read, options, &counts, &samples);
    }
    nlohmann::json report;
    if (s.ok()) {
      nlohmann::json window =
          monitoring::ComputeWindowReport(*reference, counts, &samples, options);
      window["window"] = {{"kind", "file"}, {"path", a->current}};
      report = {{"status", window["status"]},
                {"dataset_drift", window["dataset_drift"]},
                {"reference", {{"source", a->reference}, {"row_count", reference->row_count()}}},
                {"current", a->current},
                {"windows", {{"file", std::move(window)}}},
                {"options", options.ToJson()}};
      if (!a->out.empty()) s = WriteFileAtomic(a->out, report.dump(2) + "\n");
    }
    if (!s.ok()) {
      ExitCode() = Fail(s);
      return;
    }
    PrintTable(report, baseline.description, a->current);
    if (!a->out.empty()) std::printf("report: %s\n", a->out.c_str());
    if (a->fail_on_drift && report["dataset_drift"].get<bool>()) ExitCode() = kExitDatasetDrift;
  });
}

}  // namespace prodcat::cli
