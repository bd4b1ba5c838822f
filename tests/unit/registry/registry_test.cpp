#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "prodcat/common/file_util.h"
#include "prodcat/registry/model_registration.h"
#include "prodcat/registry/model_uri.h"
#include "prodcat/registry/promotion.h"
#include "prodcat/tracking/rest_store.h"
#include "prodcat/tracking/sql_store.h"
#include "prodcat/tracking/store_uri.h"
#include "prodcat/tracking/tracking_client.h"
#include "prodcat/tracking/tracking_server.h"

namespace prodcat::registry {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using tracking::ModelVersion;
using tracking::TrackingClient;

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int n = 0;
    dir_ = fs::temp_directory_path() /
           ("prodcat_registry_" + std::to_string(getpid()) + "_" + std::to_string(n++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    uri_ = "sqlite://" + (dir_ / "store" / "tracking.db").string();
    ASSERT_TRUE(TrackingClient::Open(uri_, &client_).ok());
    setenv("PRODCAT_MODEL_CACHE", (dir_ / "cache").c_str(), 1);
  }
  void TearDown() override {
    client_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string MakeBundle(const std::string& name, const std::string& marker) {
    fs::path bundle = dir_ / name;
    fs::create_directories(bundle / "model");
    EXPECT_TRUE(WriteFileAtomic(bundle / "manifest.json", "{\"marker\":\"" + marker + "\"}").ok());
    EXPECT_TRUE(WriteFileAtomic(bundle / "model" / "w.bin", marker).ok());
    return bundle.string();
  }

  // A finished evaluation run that logged macro_f1 and the evaluation data fingerprint.
  std::string EvaluatedRun(double macro_f1, const std::string& fingerprint) {
    tracking::CreateRunRequest r;
    tracking::Run run;
    EXPECT_TRUE(client_->store().CreateRun(r, &run).ok());
    std::vector<tracking::KeyValue> tags;
    if (!fingerprint.empty()) tags.push_back({kEvalFingerprintKey, fingerprint});
    EXPECT_TRUE(
        client_->store().LogBatch(run.info.run_id, {{"macro_f1", macro_f1, 1, 0}}, {}, tags).ok());
    return run.info.run_id;
  }

  ModelVersion Register(const std::string& run_id, const std::string& marker) {
    ModelVersion v;
    Status s = RegisterModelVersion(*client_, "catalog", run_id, MakeBundle("b-" + marker, marker),
                                    RegistrationOptions{}, &v);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return v;
  }

  fs::path dir_;
  std::string uri_;
  std::unique_ptr<TrackingClient> client_;
};

TEST_F(RegistryTest, RegisterCopiesTheBundleIntoTheRunAndUrisResolveToIt) {
  std::string run_id = EvaluatedRun(0.9, "fp");
  ModelVersion v1 = Register(run_id, "one");
  EXPECT_EQ(v1.version, 1);
  EXPECT_EQ(v1.run_id, run_id);
  EXPECT_THAT(v1.source, HasSubstr("mlflow-artifacts:/0/" + run_id + "/artifacts/model"));
  ASSERT_NE(v1.FindTag("prodcat.bundle.manifest_sha256"), nullptr);
  ModelVersion v2 = Register(run_id, "two");
  EXPECT_EQ(v2.version, 2);

  // The registry keeps its own copy: deleting the original bundle does not matter.
  fs::remove_all(dir_ / "b-one");
  std::string local;
  ASSERT_TRUE(ResolveModelUri("models:/catalog/1", uri_, &local).ok());
  std::string bytes;
  ASSERT_TRUE(ReadFile(fs::path(local) / "model" / "w.bin", &bytes).ok());
  EXPECT_EQ(bytes, "one");

  ASSERT_TRUE(client_->store().SetRegisteredModelAlias("catalog", "champion", 2).ok());
  ASSERT_TRUE(ResolveModelUri("models:/catalog@champion", uri_, &local).ok());
  ASSERT_TRUE(ReadFile(fs::path(local) / "model" / "w.bin", &bytes).ok());
  EXPECT_EQ(bytes, "two");
  ASSERT_TRUE(ResolveModelUri("models:/catalog/latest", uri_, &local).ok());
  ASSERT_TRUE(ReadFile(fs::path(local) / "model" / "w.bin", &bytes).ok());
  EXPECT_EQ(bytes, "two");

  tracking::TransitionRequest t{"catalog", 1, "Production", false, "ana", ""};
  ModelVersion moved;
  ASSERT_TRUE(client_->store().TransitionModelVersionStage(t, &moved).ok());
  ASSERT_TRUE(ResolveModelUri("models:/catalog/Production", uri_, &local).ok());
  ASSERT_TRUE(ReadFile(fs::path(local) / "model" / "w.bin", &bytes).ok());
  EXPECT_EQ(bytes, "one");
  ASSERT_TRUE(ResolveModelUri("runs:/" + run_id + "/model", uri_, &local).ok());

  EXPECT_EQ(ResolveModelUri("models:/catalog/Staging", uri_, &local).code(), StatusCode::kNotFound);
  EXPECT_EQ(ResolveModelUri("models:/catalog/7", uri_, &local).code(), StatusCode::kNotFound);
  EXPECT_EQ(ResolveModelUri("models:/nope/1", uri_, &local).code(), StatusCode::kNotFound);
  EXPECT_EQ(ResolveModelUri("models:/catalog", uri_, &local).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveModelUri("models:/catalog/Shipping", uri_, &local).code(),
            StatusCode::kInvalidArgument);

  // Plain directories pass through untouched.
  std::string plain = MakeBundle("plain", "p");
  ASSERT_TRUE(ResolveModelUri(plain, uri_, &local).ok());
  EXPECT_EQ(local, plain);
  EXPECT_EQ(ResolveModelUri((dir_ / "missing").string(), uri_, &local).code(),
            StatusCode::kNotFound);
}

TEST_F(RegistryTest, ResolvingThroughATrackingServerDownloadsIntoTheCache) {
  std::string run_id = EvaluatedRun(0.9, "fp");
  Register(run_id, "remote");
  std::unique_ptr<tracking::SqlTrackingStore> sql;
  ASSERT_TRUE(tracking::OpenSqlStore(uri_, tracking::SqlStoreOptions{}, &sql).ok());
  std::string root = sql->artifact_root();
  std::shared_ptr<tracking::TrackingStore> shared(sql.get(), [](tracking::TrackingStore*) {});
  tracking::TrackingServerOptions options;
  options.port = 0;
  tracking::TrackingServer server(shared, root, options);
  ASSERT_TRUE(server.Start().ok());
  std::string http = "http://127.0.0.1:" + std::to_string(server.port());
  std::string local;
  Status s = ResolveModelUri("models:/catalog/1", http, &local);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_THAT(local, HasSubstr((dir_ / "cache").string()));
  std::string bytes;
  ASSERT_TRUE(ReadFile(fs::path(local) / "model" / "w.bin", &bytes).ok());
  EXPECT_EQ(bytes, "remote");
  server.Shutdown(std::chrono::milliseconds(1000));
}

TEST_F(RegistryTest, PromotionGateComparesTheMetricOnTheSameEvaluationData) {
  ModelVersion v1 = Register(EvaluatedRun(0.80, "fp-A"), "v1");
  PromotionRequest request;
  request.name = "catalog";
  request.version = 1;
  request.user = "ana";
  PromotionDecision decision;
  ModelVersion result;
  ASSERT_TRUE(PromoteModelVersion(client_->store(), request, &decision, &result).ok());
  EXPECT_FALSE(decision.gated);
  EXPECT_EQ(result.current_stage, "Production");

  // Worse on the same data: refused, with both values, the metric and both versions.
  Register(EvaluatedRun(0.75, "fp-A"), "v2");
  request.version = 2;
  Status refused = PromoteModelVersion(client_->store(), request, &decision, &result);
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("worse"));
  EXPECT_THAT(refused.message(), HasSubstr("macro_f1 0.75"));
  EXPECT_THAT(refused.message(), HasSubstr("0.8"));
  EXPECT_THAT(refused.message(), HasSubstr("version 2"));
  EXPECT_THAT(refused.message(), HasSubstr("version 1"));
  EXPECT_TRUE(decision.gated);
  EXPECT_EQ(decision.incumbent_version, 1);
  ASSERT_TRUE(client_->store().GetModelVersion("catalog", 2, &result).ok());
  EXPECT_EQ(result.current_stage, "None");

  // Different evaluation data: refused even though the number is higher.
  Register(EvaluatedRun(0.95, "fp-B"), "v3");
  request.version = 3;
  refused = PromoteModelVersion(client_->store(), request, &decision, &result);
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("evaluation data differ"));
  EXPECT_THAT(refused.message(), HasSubstr("fp-B"));
  EXPECT_THAT(refused.message(), HasSubstr("fp-A"));

  // No fingerprint at all: refused.
  Register(EvaluatedRun(0.99, ""), "v4");
  request.version = 4;
  refused = PromoteModelVersion(client_->store(), request, &decision, &result);
  EXPECT_THAT(refused.message(), HasSubstr("eval_data_fingerprint"));

  // Better on the same data: promoted, the old one archived, the audit says who and why.
  Register(EvaluatedRun(0.85, "fp-A"), "v5");
  request.version = 5;
  ASSERT_TRUE(PromoteModelVersion(client_->store(), request, &decision, &result).ok());
  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(result.current_stage, "Production");
  ASSERT_TRUE(client_->store().GetModelVersion("catalog", 1, &result).ok());
  EXPECT_EQ(result.current_stage, "Archived");

  // Forcing records that the gate was overridden.
  request.version = 2;
  request.force = true;
  request.user = "bob";
  ASSERT_TRUE(PromoteModelVersion(client_->store(), request, &decision, &result).ok());
  EXPECT_TRUE(decision.forced);
  std::vector<tracking::StageTransition> audit;
  ASSERT_TRUE(client_->store().ListStageTransitions("catalog", 2, &audit).ok());
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].user, "bob");
  EXPECT_THAT(audit[0].comment, HasSubstr("forced"));

  // Loss-like metrics: lower is better.
  EXPECT_TRUE(LowerIsBetter("log_loss"));
  EXPECT_FALSE(LowerIsBetter("macro_f1"));
  // Other stages are not gated.
  request = PromotionRequest();
  request.name = "catalog";
  request.version = 4;
  request.stage = "Staging";
  ASSERT_TRUE(PromoteModelVersion(client_->store(), request, &decision, &result).ok());
  EXPECT_FALSE(decision.gated);
}

TEST(ModelUriTest, Parses) {
  ModelUri u;
  ASSERT_TRUE(ParseModelUri("models:/catalog/3", &u).ok());
  EXPECT_EQ(u.name, "catalog");
  EXPECT_EQ(u.version, 3);
  ASSERT_TRUE(ParseModelUri("models:/catalog/production", &u).ok());
  EXPECT_EQ(u.stage, "Production");
  ASSERT_TRUE(ParseModelUri("models:/catalog@champion", &u).ok());
  EXPECT_EQ(u.alias, "champion");
  EXPECT_FALSE(ParseModelUri("models:/catalog", &u).ok());
  EXPECT_FALSE(ParseModelUri("models:/catalog/1/extra", &u).ok());
  EXPECT_FALSE(ParseModelUri("models:/@x", &u).ok());
  EXPECT_FALSE(ParseModelUri("models:/catalog/0", &u).ok());
}

}  // namespace
}  // namespace prodcat::registry
