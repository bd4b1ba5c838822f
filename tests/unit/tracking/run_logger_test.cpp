#include "prodcat/tracking/run_logger.h"

#include <gtest/gtest.h>

#include "prodcat/common/file_util.h"
#include "tracking_test_util.h"

namespace prodcat::tracking {
namespace {

using testing::ScratchDir;

TEST(RunLoggerTest, LogsParamsBufferedMetricsInputsArtifactsAndEnds) {
  ScratchDir dir;
  std::string uri = "sqlite://" + (dir.path() / "store" / "tracking.db").string();
  RunLoggerOptions options;
  options.tracking_uri = uri;
  options.experiment_name = "pricerunner";
  options.run_name = "train";
  options.flush_threshold = 10;
  std::unique_ptr<RunLogger> logger;
  ASSERT_TRUE(RunLogger::Start(options, &logger).ok());
  ASSERT_EQ(logger->run_id().size(), 32u);

  std::unique_ptr<SqlTrackingStore> store;
  ASSERT_TRUE(OpenSqlStore(uri, SqlStoreOptions{}, &store).ok());
  Experiment exp;
  ASSERT_TRUE(store->GetExperimentByName("pricerunner", &exp).ok());
  EXPECT_EQ(exp.experiment_id, logger->experiment_id());

  ASSERT_TRUE(logger->LogParams({{"model", "linear"}, {"c", "1.0"}}).ok());
  for (int step = 0; step < 5; ++step) {
    ASSERT_TRUE(logger->LogMetric("val_macro_f1", 0.5 + 0.1 * step, step).ok());
  }
  Page<Metric> history;
  ASSERT_TRUE(store->GetMetricHistory(logger->run_id(), "val_macro_f1", 0, "", &history).ok());
  EXPECT_TRUE(history.items.empty()) << "metrics are buffered until a flush";
  for (int step = 5; step < 12; ++step) {
    ASSERT_TRUE(logger->LogMetric("val_macro_f1", 0.5, step).ok());
  }
  ASSERT_TRUE(store->GetMetricHistory(logger->run_id(), "val_macro_f1", 0, "", &history).ok());
  EXPECT_EQ(history.items.size(), 10u) << "the threshold of 10 triggered one log-batch";
  ASSERT_TRUE(logger->LogInput("train.csv", "sha-of-train", "/data/train.csv", "training").ok());
  ASSERT_TRUE(testing::WriteTestFile(dir.path() / "bundle" / "manifest.json", "{}"));
  ASSERT_TRUE(logger->LogArtifact(dir.path() / "bundle", "model").ok());
  ASSERT_TRUE(logger->SetTag("eval_data_fingerprint", "fp1").ok());
  ASSERT_TRUE(logger->End(RunStatus::kFinished).ok());
  ASSERT_TRUE(logger->End(RunStatus::kFailed).ok());  // idempotent
  EXPECT_FALSE(logger->LogMetric("late", 1).ok());

  tracking::Run run;
  ASSERT_TRUE(store->GetRun(logger->run_id(), &run).ok());
  EXPECT_EQ(run.info.run_name, "train");
  EXPECT_EQ(run.info.status, RunStatus::kFinished);
  EXPECT_TRUE(run.info.end_time.has_value());
  ASSERT_TRUE(store->GetMetricHistory(logger->run_id(), "val_macro_f1", 0, "", &history).ok());
  EXPECT_EQ(history.items.size(), 12u) << "End flushed the rest";
  EXPECT_EQ(*run.FindParam("model"), "linear");
  ASSERT_NE(run.FindTag(kTagUser), nullptr);
  EXPECT_EQ(*run.FindTag(kTagUser), CurrentUser());
  EXPECT_EQ(*run.FindTag(kTagSourceName), "prodcat");
  std::error_code ec;
  std::string commit = GitCommit(std::filesystem::current_path(ec));
  if (!commit.empty()) {
    ASSERT_NE(run.FindTag(kTagGitCommit), nullptr);
    EXPECT_EQ(*run.FindTag(kTagGitCommit), commit);
  }
  ASSERT_EQ(run.inputs.size(), 1u);
  EXPECT_EQ(run.inputs[0].dataset.digest, "sha-of-train");
  std::vector<ArtifactRecord> records;
  ASSERT_TRUE(store->ListArtifactRecords(logger->run_id(), &records).ok());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_NE(records[0].path.find("/artifacts/model/manifest.json"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "store" / "artifacts" / records[0].path));
}

TEST(RunLoggerTest, UnfinishedRunIsMarkedFailed) {
  ScratchDir dir;
  std::string uri = "sqlite://" + (dir.path() / "t.db").string();
  std::string run_id;
  {
    std::unique_ptr<RunLogger> logger;
    ASSERT_TRUE(RunLogger::Start(uri, "exp", "crashy", &logger).ok());
    run_id = logger->run_id();
    ASSERT_TRUE(logger->LogMetric("loss", 1.0).ok());
  }
  std::unique_ptr<SqlTrackingStore> store;
  ASSERT_TRUE(OpenSqlStore(uri, SqlStoreOptions{}, &store).ok());
  tracking::Run run;
  ASSERT_TRUE(store->GetRun(run_id, &run).ok());
  EXPECT_EQ(run.info.status, RunStatus::kFailed);
  EXPECT_NE(run.FindMetric("loss"), nullptr);
}

TEST(StoreUriTest, ParsesSupportedForms) {
  StoreUri u;
  ASSERT_TRUE(ParseStoreUri("sqlite:///abs/path.db", &u).ok());
  EXPECT_EQ(u.kind, StoreKind::kSqlite);
  EXPECT_EQ(u.location, "/abs/path.db");
  ASSERT_TRUE(ParseStoreUri("sqlite:rel.db", &u).ok());
  EXPECT_EQ(u.location, "rel.db");
  ASSERT_TRUE(ParseStoreUri("plain/path.db", &u).ok());
  EXPECT_EQ(u.kind, StoreKind::kSqlite);
  ASSERT_TRUE(ParseStoreUri("postgresql://me@db:5432/track", &u).ok());
  EXPECT_EQ(u.kind, StoreKind::kPostgres);
  ASSERT_TRUE(ParseStoreUri("postgresql+psycopg2://me@db/track", &u).ok());
  EXPECT_EQ(u.location, "postgresql://me@db/track");
  ASSERT_TRUE(ParseStoreUri("http://127.0.0.1:5000/", &u).ok());
  EXPECT_EQ(u.kind, StoreKind::kRest);
  EXPECT_EQ(u.location, "http://127.0.0.1:5000");
  EXPECT_FALSE(ParseStoreUri("s3://bucket/x", &u).ok());
  EXPECT_FALSE(ParseStoreUri("sqlite://host/x.db", &u).ok());
  EXPECT_FALSE(ParseStoreUri("", &u).ok());
}

}  // namespace
}  // namespace prodcat::tracking
