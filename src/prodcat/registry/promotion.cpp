#include "prodcat/registry/promotion.h"

#include <cstdio>
#include <vector>

namespace prodcat::registry {
using tracking::ModelVersion;
using tracking::TrackingStore;

namespace {

std::string Format(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

std::string Short(const std::string& fingerprint) {
  return fingerprint.size() > 16 ? fingerprint.substr(0, 16) + "..." : fingerprint;
}

// What the gate needs to know about one version.
struct Evidence {
  std::optional<double> metric;
  std::string fingerprint;
};

Status Gather(TrackingStore& store, const ModelVersion& v, const std::string& metric,
              Evidence* out) {
  if (const std::string* fp = v.FindTag(kEvalFingerprintKey)) out->fingerprint = *fp;
  if (v.run_id.empty()) return Status::Ok();
  tracking::Run run;
  Status s = store.GetRun(v.run_id, &run);
  if (s.code() == StatusCode::kNotFound) return Status::Ok();  // the run was purged
  PRODCAT_RETURN_IF_ERROR(s);
  if (const tracking::Metric* m = run.FindMetric(metric)) out->metric = m->value;
  if (out->fingerprint.empty()) {
    if (const std::string* fp = run.FindTag(kEvalFingerprintKey)) {
      out->fingerprint = *fp;
    } else if (const std::string* p = run.FindParam(kEvalFingerprintKey)) {
      out->fingerprint = *p;
    }
  }
  return Status::Ok();
}

std::string Describe(const std::string& name, int64_t version) {
  return name + " version " + std::to_string(version);
}

}  // namespace

bool LowerIsBetter(const std::string& metric) {
  for (const char* word : {"loss", "error", "rmse", "mse", "mae", "ece", "perplexity"}) {
    if (metric.find(word) != std::string::npos) return true;
  }
  return false;
}

Status EvaluatePromotion(TrackingStore& store, const PromotionRequest& request,
                         PromotionDecision* decision) {
  *decision = PromotionDecision();
  tracking::ModelStage stage;
  PRODCAT_RETURN_IF_ERROR(tracking::ParseModelStage(request.stage, &stage));
  ModelVersion candidate;
  PRODCAT_RETURN_IF_ERROR(store.GetModelVersion(request.name, request.version, &candidate));
  if (stage != tracking::ModelStage::kProduction) {
    decision->allowed = true;
    decision->reason = std::string("only promotions to Production are gated; moving to ") +
                       tracking::ModelStageName(stage);
    return Status::Ok();
  }
  std::vector<ModelVersion> current;
  PRODCAT_RETURN_IF_ERROR(store.GetLatestVersions(request.name, {"Production"}, &current));
  const ModelVersion* incumbent = nullptr;
  for (const ModelVersion& v : current) {
    if (v.version != request.version) incumbent = &v;
  }
  if (!incumbent) {
    decision->allowed = true;
    decision->reason = "no other version of " + request.name + " is in Production";
    return Status::Ok();
  }
  decision->gated = true;
  decision->incumbent_version = incumbent->version;
  Evidence mine, theirs;
  PRODCAT_RETURN_IF_ERROR(Gather(store, candidate, request.metric, &mine));
  PRODCAT_RETURN_IF_ERROR(Gather(store, *incumbent, request.metric, &theirs));
  decision->candidate_value = mine.metric;
  decision->incumbent_value = theirs.metric;
  std::string cand = Describe(request.name, request.version);
  std::string inc = "Production " + Describe(request.name, incumbent->version);
  if (!mine.metric || !theirs.metric) {
    decision->reason = "cannot compare '" + request.metric + "': " + (!mine.metric ? cand : inc) +
                       " has no logged " + request.metric +
                       " metric (its run must log it during evaluation)";
    return Status::Ok();
  }
  if (mine.fingerprint.empty() || theirs.fingerprint.empty()) {
    decision->reason = "cannot tell whether both versions were evaluated on the same data: " +
                       (mine.fingerprint.empty() ? cand : inc) + " has no " + kEvalFingerprintKey +
                       " tag or param";
    return Status::Ok();
  }
  if (mine.fingerprint != theirs.fingerprint) {
    decision->reason = "the evaluation data differ: " + cand + " was evaluated on " +
                       Short(mine.fingerprint) + ", " + inc + " on " + Short(theirs.fingerprint) +
                       ", so their " + request.metric + " values (" + Format(*mine.metric) +
                       " vs " + Format(*theirs.metric) + ") are not comparable";
    return Status::Ok();
  }
  bool higher = request.higher_is_better.value_or(!LowerIsBetter(request.metric));
  bool worse = higher ? *mine.metric < *theirs.metric : *mine.metric > *theirs.metric;
  std::string comparison = request.metric + " " + Format(*mine.metric) + " for " + cand + " vs " +
                           Format(*theirs.metric) + " for " + inc +
                           " on the same evaluation data (" + Short(mine.fingerprint) + ", " +
                           (higher ? "higher" : "lower") + " is better)";
  decision->allowed = !worse;
  decision->reason = (worse ? "candidate is worse: " : "candidate is not worse: ") + comparison;
  return Status::Ok();
}

Status PromoteModelVersion(TrackingStore& store, const PromotionRequest& request,
                           PromotionDecision* decision, ModelVersion* result) {
  PRODCAT_RETURN_IF_ERROR(EvaluatePromotion(store, request, decision));
  if (!decision->allowed) {
    if (!request.force) {
      return Status::FailedPrecondition(
          "refusing to promote " + request.name + " version " + std::to_string(request.version) +
          " to " + request.stage + ": " + decision->reason + ". Use --force to promote anyway.");
    }
    decision->forced = true;
  }
  tracking::TransitionRequest t;
  t.name = request.name;
  t.version = request.version;
  t.stage = request.stage;
  tracking::ModelStage stage;
  PRODCAT_RETURN_IF_ERROR(tracking::ParseModelStage(request.stage, &stage));
  t.archive_existing_versions =
      request.archive_existing &&
      (stage == tracking::ModelStage::kProduction || stage == tracking::ModelStage::kStaging);
  t.user = request.user;
  // Ungated moves need no explanation in the audit trail; gate verdicts do.
  if (decision->gated) {
    t.comment = (decision->forced ? "forced past the promotion gate: " : "") + decision->reason;
  }
  return store.TransitionModelVersionStage(t, result);
}

}  // namespace prodcat::registry
