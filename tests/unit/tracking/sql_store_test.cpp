// SQL-specific store behaviour on SQLite and PostgreSQL: many processes logging at once, schema
// migrations from an old store, and artifacts with recorded digests (also through REST).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "prodcat/common/file_util.h"
#include "prodcat/common/sha256.h"
#include "prodcat/tracking/migrations.h"
#include "prodcat/tracking/tracking_client.h"
#include "tracking_test_util.h"

namespace prodcat::tracking {
namespace {

using testing::OpenStoreUnderTest;
using testing::ScratchDir;
using testing::StoreUnderTest;

class SqlStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    PRODCAT_REQUIRE_POSTGRES(GetParam());
    uri_ = testing::FreshSqlUri(GetParam(), dir_);
    ASSERT_FALSE(uri_.empty());
  }
  ScratchDir dir_;
  std::string uri_;
};

// Each child opens its own store, waits for the go signal, then logs 1000 metrics (50 one by
// one, 950 in batches of 50) and a param. Exit code 0 means every call succeeded.
int LogFromChild(const std::string& uri, const std::string& experiment_id, int worker, int go_fd) {
  std::unique_ptr<SqlTrackingStore> store;
  if (!OpenSqlStore(uri, SqlStoreOptions{}, &store).ok()) return 2;
  CreateRunRequest request;
  request.experiment_id = experiment_id;
  request.run_name = "worker-" + std::to_string(worker);
  tracking::Run run;
  if (!store->CreateRun(request, &run).ok()) return 3;
  char go;
  if (read(go_fd, &go, 1) != 1) return 4;
  const std::string& id = run.info.run_id;
  int64_t step = 0;
  for (; step < 50; ++step) {
    if (!store->LogMetric(id, {"m", static_cast<double>(step), 1000 + step, step}).ok()) return 5;
  }
  while (step < 1000) {
    std::vector<Metric> batch;
    for (int k = 0; k < 50; ++k, ++step) {
      batch.push_back({"m", static_cast<double>(step), 1000 + step, step});
    }
    Status s = store->LogBatch(id, batch, {}, {});
    if (!s.ok()) {
      std::fprintf(stderr, "worker %d: %s\n", worker, s.ToString().c_str());
      return 6;
    }
  }
  if (!store->LogParam(id, "worker", std::to_string(worker)).ok()) return 7;
  return 0;
}

TEST_P(SqlStoreTest, EightProcessesLoggingAtOnceLoseNothing) {
  std::unique_ptr<SqlTrackingStore> store;
  ASSERT_TRUE(OpenSqlStore(uri_, SqlStoreOptions{}, &store).ok());
  std::string exp;
  ASSERT_TRUE(store->CreateExperiment("concurrency", "", {}, &exp).ok());
  constexpr int kWorkers = 8;
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  std::vector<pid_t> pids;
  for (int w = 0; w < kWorkers; ++w) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(go[1]);
      _exit(LogFromChild(uri_, exp, w, go[0]));
    }
    pids.push_back(pid);
  }
  close(go[0]);
  ASSERT_EQ(write(go[1], std::string(kWorkers, 'g').data(), kWorkers), kWorkers);
  close(go[1]);
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "a worker failed";
  }

  RunSearch q;
  q.experiment_ids = {exp};
  Page<tracking::Run> runs;
  ASSERT_TRUE(store->SearchRuns(q, &runs).ok());
  ASSERT_EQ(runs.items.size(), static_cast<size_t>(kWorkers));
  std::set<std::string> workers;
  for (const tracking::Run& r : runs.items) {
    Page<Metric> history;
    ASSERT_TRUE(store->GetMetricHistory(r.info.run_id, "m", 0, "", &history).ok());
    EXPECT_EQ(history.items.size(), 1000u) << r.info.run_name;
    ASSERT_NE(r.FindMetric("m"), nullptr);
    EXPECT_EQ(r.FindMetric("m")->step, 999);
    ASSERT_NE(r.FindParam("worker"), nullptr);
    workers.insert(*r.FindParam("worker"));
  }
  EXPECT_EQ(workers.size(), static_cast<size_t>(kWorkers));
  int64_t total = 0;
  ASSERT_TRUE(store
                  ->Transact(false,
                             [&](SqlDb& db) -> Status {
                               std::vector<SqlRow> rows;
                               PRODCAT_RETURN_IF_ERROR(db.Query(
                                   "SELECT COUNT(*) FROM metrics m JOIN runs r ON r.run_uuid = "
                                   "m.run_uuid WHERE r.experiment_id = ?",
                                   {int64_t{std::stoll(exp)}}, &rows));
                               total = rows.at(0).Int(0);
                               return Status::Ok();
                             })
                  .ok());
  EXPECT_EQ(total, 1000 * kWorkers);
}

TEST_P(SqlStoreTest, StoreWrittenWithOnlyMigrationOneOpensInCurrentVersion) {
  SqlStoreOptions old;
  old.migrate_to_version = 1;
  std::unique_ptr<SqlTrackingStore> v1;
  ASSERT_TRUE(OpenSqlStore(uri_, old, &v1).ok());
  auto version_of = [](SqlTrackingStore& s) {
    int version = -1;
    EXPECT_TRUE(
        s.Transact(false, [&](SqlDb& db) { return CurrentSchemaVersion(db, &version); }).ok());
    return version;
  };
  EXPECT_EQ(version_of(*v1), 1);
  std::string exp;
  ASSERT_TRUE(v1->CreateExperiment("legacy", "", {{"era", "v1"}}, &exp).ok());
  const std::string run_id = "0123456789abcdef0123456789abcdef";
  // What an older prodcat wrote: only the migration-1 tables exist.
  Status wrote = v1->Transact(true, [&](SqlDb& db) -> Status {
    PRODCAT_RETURN_IF_ERROR(db.Execute(
        "INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, "
        "lifecycle_stage, artifact_uri) VALUES (?, ?, 'old-run', 'ana', 'FINISHED', 1000, "
        "'active', 'mlflow-artifacts:/x')",
        {run_id, int64_t{std::stoll(exp)}}));
    PRODCAT_RETURN_IF_ERROR(db.Execute(
        "INSERT INTO params (run_uuid, key, value) VALUES (?, 'model', 'linear')", {run_id}));
    PRODCAT_RETURN_IF_ERROR(db.Execute(
        "INSERT INTO metrics (run_uuid, key, value, timestamp_ms, step, is_nan) VALUES (?, "
        "'macro_f1', 0.9, 5, 0, 0)",
        {run_id}));
    return db.Execute(
        "INSERT INTO latest_metrics (run_uuid, key, value, timestamp_ms, step, is_nan) VALUES "
        "(?, 'macro_f1', 0.9, 5, 0, 0)",
        {run_id});
  });
  ASSERT_TRUE(wrote.ok()) << wrote.ToString();
  Status no_registry = v1->Transact(false, [](SqlDb& db) {
    std::vector<SqlRow> rows;
    return db.Query("SELECT COUNT(*) FROM registered_models", {}, &rows);
  });
  EXPECT_FALSE(no_registry.ok());
  v1.reset();

  std::unique_ptr<SqlTrackingStore> current;
  ASSERT_TRUE(OpenSqlStore(uri_, SqlStoreOptions{}, &current).ok());
  EXPECT_EQ(version_of(*current), LatestSchemaVersion());
  tracking::Run run;
  ASSERT_TRUE(current->GetRun(run_id, &run).ok());
  EXPECT_EQ(run.info.run_name, "old-run");
  EXPECT_EQ(run.info.status, RunStatus::kFinished);
  ASSERT_NE(run.FindParam("model"), nullptr);
  ASSERT_NE(run.FindMetric("macro_f1"), nullptr);
  EXPECT_DOUBLE_EQ(run.FindMetric("macro_f1")->value, 0.9);
  Experiment e;
  ASSERT_TRUE(current->GetExperimentByName("legacy", &e).ok());
  ASSERT_EQ(e.tags.size(), 1u);
  // Features from later migrations work on the upgraded store.
  DatasetInput input;
  input.dataset = {"d", "digest", "local", "/d", "", ""};
  EXPECT_TRUE(current->LogInputs(run_id, {input}).ok());
  RegisteredModel model;
  EXPECT_TRUE(current->CreateRegisteredModel("m", {}, "", &model).ok());
  // Reopening applies nothing twice.
  current.reset();
  ASSERT_TRUE(OpenSqlStore(uri_, SqlStoreOptions{}, &current).ok());
  EXPECT_EQ(version_of(*current), LatestSchemaVersion());
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlStoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

class ArtifactLoggingTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ArtifactLoggingTest, LoggedFilesAreListedDownloadedAndDigestsRecorded) {
  PRODCAT_REQUIRE_POSTGRES(GetParam());
  ScratchDir dir;
  StoreUnderTest sut;
  OpenStoreUnderTest(GetParam(), dir, &sut);
  std::string client_uri =
      GetParam() == "rest" ? "http://127.0.0.1:" + std::to_string(sut.server->port()) : sut.uri;
  std::unique_ptr<TrackingClient> client;
  ASSERT_TRUE(TrackingClient::Open(client_uri, &client).ok());
  EXPECT_EQ(client->remote(), GetParam() == "rest");
  tracking::Run run;
  ASSERT_TRUE(client->store().CreateRun(CreateRunRequest{}, &run).ok());

  std::filesystem::path bundle = dir.path() / "bundle";
  ASSERT_TRUE(testing::WriteTestFile(bundle / "manifest.json", "{\"family\":\"linear\"}"));
  ASSERT_TRUE(
      testing::WriteTestFile(bundle / "model" / "weights.bin", std::string("\x00\x01\x02", 3)));
  ASSERT_TRUE(client->LogArtifacts(run.info.run_id, bundle, "model").ok());
  EXPECT_EQ(client->LogArtifacts(run.info.run_id, bundle, "../escape").code(),
            StatusCode::kInvalidArgument);

  std::vector<FileInfo> files;
  ASSERT_TRUE(client->ListArtifacts(run.info.run_id, "model", &files).ok());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "model/manifest.json");
  EXPECT_FALSE(files[0].is_dir);
  EXPECT_EQ(files[0].file_size, 19);
  EXPECT_EQ(files[1].path, "model/model");
  EXPECT_TRUE(files[1].is_dir);

  std::filesystem::path local;
  ASSERT_TRUE(
      client
          ->LocalArtifactDir("runs:/" + run.info.run_id + "/model", dir.path() / "download", &local)
          .ok());
  std::string bytes;
  ASSERT_TRUE(ReadFile(local / "model" / "weights.bin", &bytes).ok());
  EXPECT_EQ(bytes, std::string("\x00\x01\x02", 3));

  std::vector<ArtifactRecord> records;
  ASSERT_TRUE(client->store().ListArtifactRecords(run.info.run_id, &records).ok());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].sha256, Sha256Hex("{\"family\":\"linear\"}"));
  EXPECT_EQ(records[1].sha256, Sha256Hex(std::string("\x00\x01\x02", 3)));
  EXPECT_EQ(records[1].size, 3);
}

INSTANTIATE_TEST_SUITE_P(Backends, ArtifactLoggingTest,
                         ::testing::Values("sqlite", "postgres", "rest"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace prodcat::tracking
