#include "prodcat/experiments/experiment_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "experiments_test_util.h"

namespace prodcat::experiments {
namespace {

using ::testing::HasSubstr;
using testing::Numbered;
using testing::ScratchDir;
using testing::TwoArmSpec;

ServedRecord Served(const std::string& request_id, const std::string& product_id,
                    const std::string& arm = "A") {
  return {request_id, "exp", arm, "user-" + request_id, product_id, "Books", 0.75, 2.5, 1000};
}

StoreOptions SlowFlushOptions() {
  StoreOptions options;
  options.flush_interval = std::chrono::hours(1);  // only explicit flushes write
  return options;
}

// Polls `condition` for up to 5 s.
template <typename F>
bool Eventually(F condition) {
  for (int i = 0; i < 500; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

TEST(ExperimentStoreTest, CreatesTheVersionedSchema) {
  ScratchDir dir;
  std::unique_ptr<ExperimentStore> store;
  ASSERT_TRUE(ExperimentStore::Open(dir.File("sub/exp.db"), {}, &store).ok());
  store.reset();
  SQLite::Database db(dir.File("sub/exp.db"));
  EXPECT_EQ(db.execAndGet("SELECT MAX(version) FROM schema_version").getInt(),
            ExperimentStore::SchemaVersion());
  EXPECT_EQ(db.execAndGet("PRAGMA journal_mode").getString(), "wal");
  for (const char* table : {"experiments", "assignments", "feedback"}) {
    EXPECT_TRUE(db.tableExists(table)) << table;
  }
}

TEST(ExperimentStoreTest, RefusesAStoreFromANewerBuild) {
  ScratchDir dir;
  {
    std::unique_ptr<ExperimentStore> store;
    ASSERT_TRUE(ExperimentStore::Open(dir.File("exp.db"), {}, &store).ok());
  }
  {
    SQLite::Database db(dir.File("exp.db"), SQLite::OPEN_READWRITE);
    db.exec("INSERT INTO schema_version (version) VALUES (99)");
  }
  std::unique_ptr<ExperimentStore> store;
  Status s = ExperimentStore::Open(dir.File("exp.db"), {}, &store);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("schema version 99 was written by a newer prodcat"));
}

TEST(ExperimentStoreTest, SavesAndReloadsExperimentsInCreationOrder) {
  ScratchDir dir;
  std::unique_ptr<ExperimentStore> store;
  ASSERT_TRUE(ExperimentStore::Open(dir.File("exp.db"), {}, &store).ok());
  ExperimentSpec second = TwoArmSpec("zeta");
  ASSERT_TRUE(store->SaveExperiment(second).ok());
  ASSERT_TRUE(store->SaveExperiment(TwoArmSpec("alpha")).ok());
  second.status = ExperimentStatus::kStopped;  // an update keeps the creation position
  ASSERT_TRUE(store->SaveExperiment(second).ok());
  std::vector<ExperimentSpec> specs;
  ASSERT_TRUE(store->LoadExperiments(&specs).ok());
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].id, "zeta");
  EXPECT_EQ(specs[0].status, ExperimentStatus::kStopped);
  EXPECT_EQ(specs[1].id, "alpha");
}

TEST(ExperimentStoreTest, CorruptSpecIsReportedAsDataLoss) {
  ScratchDir dir;
  {
    std::unique_ptr<ExperimentStore> store;
    ASSERT_TRUE(ExperimentStore::Open(dir.File("exp.db"), {}, &store).ok());
    ASSERT_TRUE(store->SaveExperiment(TwoArmSpec("e")).ok());
  }
  {
    SQLite::Database db(dir.File("exp.db"), SQLite::OPEN_READWRITE);
    db.exec("UPDATE experiments SET spec_json = '{\"id\":\"e\"}'");
  }
  std::unique_ptr<ExperimentStore> store;
  ASSERT_TRUE(ExperimentStore::Open(dir.File("exp.db"), {}, &store).ok());
  std::vector<ExperimentSpec> specs;
  Status s = store->LoadExperiments(&specs);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("experiments row 'e': experiment spec: arms: required"));
}

TEST(ExperimentStoreTest, LookupsSeeBufferedAndCommittedRows) {
  ScratchDir dir;
  std::unique_ptr<ExperimentStore> store;
  ASSERT_TRUE(ExperimentStore::Open(dir.File("exp.db"), SlowFlushOptions(), &store).ok());
  store->EnqueueServed(Served("r1", "p1"));
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(store->Stats().written_rows, 1u);
  store->EnqueueServed(Served("r2", "p1", "B"));  // newer, still buffered
  store->EnqueueFeedback({"r1", "p1", "exp", "A", "Books", true, 2000});
  EXPECT_EQ(store->Stats().pending_rows, 2u);

  std::optional<ServedRecord> found;
  ASSERT_TRUE(store->FindAssignment("r1", &found).ok());  // committed
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->product_id, "p1");
  EXPECT_EQ(found->key, "user-r1");
  EXPECT_EQ(found->predicted_category, "Books");
  EXPECT_DOUBLE_EQ(found->confidence, 0.75);
  ASSERT_TRUE(store->FindAssignment("r2", &found).ok());  // buffered
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->arm, "B");
  ASSERT_TRUE(store->FindLatestAssignmentForProduct("p1", &found).ok());
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->request_id, "r2");  // the buffer holds the newest rows
  bool labelled = false;
  ASSERT_TRUE(store->HasFeedback("r1", &labelled).ok());
  EXPECT_TRUE(labelled);

  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(store->Stats().pending_rows, 0u);
  EXPECT_EQ(store->Stats().written_rows, 3u);
  ASSERT_TRUE(store->FindLatestAssignmentForProduct("p1", &found).ok());
  EXPECT_EQ(found->request_id, "r2");
  ASSERT_TRUE(store->HasFeedback("r1", &labelled).ok());
  EXPECT_TRUE(labelled);
  ASSERT_TRUE(store->HasFeedback("r2", &labelled).ok());
  EXPECT_FALSE(labelled);
}

TEST(ExperimentStoreTest, BackgroundWriterFlushesWithinTheInterval) {
  ScratchDir dir;
  StoreOptions options;
  options.flush_interval = std::chrono::milliseconds(20);
  std::unique_ptr<ExperimentStore> store;
  ASSERT_TRUE(ExperimentStore::Open(dir.File("exp.db"), options, &store).ok());
  for (int i = 0; i < 100; ++i) store->EnqueueServed(Served(Numbered("r", i), "p"));
  EXPECT_TRUE(Eventually([&] { return store->Stats().written_rows == 100; }));
  std::optional<ServedRecord> found;
  ASSERT_TRUE(store->FindAssignment("r99", &found).ok());
  EXPECT_TRUE(found.has_value());
}

TEST(ExperimentStoreTest, FlushesEarlyWhenFlushRowsAreWaiting) {
  ScratchDir dir;
  StoreOptions options = SlowFlushOptions();
  options.flush_rows = 50;
  std::unique_ptr<ExperimentStore> store;
  ASSERT_TRUE(ExperimentStore::Open(dir.File("exp.db"), options, &store).ok());
  for (int i = 0; i < 50; ++i) store->EnqueueServed(Served(Numbered("r", i), "p"));
  EXPECT_TRUE(Eventually([&] { return store->Stats().written_rows == 50; }));
}

TEST(ExperimentStoreTest, DestructorCommitsEverything) {
  ScratchDir dir;
  {
    std::unique_ptr<ExperimentStore> store;
    ASSERT_TRUE(ExperimentStore::Open(dir.File("exp.db"), SlowFlushOptions(), &store).ok());
    for (int i = 0; i < 1000; ++i) store->EnqueueServed(Served(Numbered("r", i), "p"));
    store->EnqueueFeedback({"r1", "p", "exp", "A", "Books", true, 2000});
  }
  SQLite::Database db(dir.File("exp.db"));
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM assignments").getInt(), 1000);
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM feedback").getInt(), 1);
}

TEST(ExperimentStoreTest, LatestAssignmentForProductAndFeedbackOrder) {
  ScratchDir dir;
  std::unique_ptr<ExperimentStore> store;
  ASSERT_TRUE(ExperimentStore::Open(dir.File("exp.db"), SlowFlushOptions(), &store).ok());
  store->EnqueueServed(Served("old", "p1", "A"));
  store->EnqueueServed(Served("other", "p2", "A"));
  store->EnqueueServed(Served("new", "p1", "B"));
  for (int i = 0; i < 5; ++i) {
    store->EnqueueFeedback({Numbered("f", i), "", "exp", i % 2 ? "A" : "B", "x", i == 3, 0});
  }
  ASSERT_TRUE(store->Flush().ok());
  std::optional<ServedRecord> found;
  ASSERT_TRUE(store->FindLatestAssignmentForProduct("p1", &found).ok());
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->request_id, "new");
  ASSERT_TRUE(store->FindLatestAssignmentForProduct("p3", &found).ok());
  EXPECT_FALSE(found.has_value());
  std::vector<std::string> order;
  ASSERT_TRUE(store
                  ->ForEachFeedback([&](const FeedbackRecord& r) {
                    order.push_back(r.request_id + (r.correct ? "+" : "-"));
                  })
                  .ok());
  EXPECT_EQ(order, (std::vector<std::string>{"f0-", "f1-", "f2-", "f3+", "f4-"}));
  bool labelled = false;
  ASSERT_TRUE(store->HasFeedback("f3", &labelled).ok());
  EXPECT_TRUE(labelled);
  ASSERT_TRUE(store->HasFeedback("old", &labelled).ok());
  EXPECT_FALSE(labelled);
  std::vector<ArmTotals> totals;
  ASSERT_TRUE(store->LoadArmTotals(&totals).ok());
  ASSERT_EQ(totals.size(), 2u);
  std::sort(totals.begin(), totals.end(),
            [](const ArmTotals& a, const ArmTotals& b) { return a.arm < b.arm; });
  EXPECT_EQ(totals[0].arm, "A");
  EXPECT_EQ(totals[0].requests, 2);
  EXPECT_DOUBLE_EQ(totals[0].latency_ms_sum, 5.0);
  EXPECT_DOUBLE_EQ(totals[0].confidence_sum, 1.5);
}

TEST(ExperimentStoreTest, FailedFlushKeepsRowsAndRetries) {
  ScratchDir dir;
  StoreOptions options = SlowFlushOptions();
  options.busy_timeout_ms = 20;
  options.max_pending_rows = 10;
  std::unique_ptr<ExperimentStore> store;
  ASSERT_TRUE(ExperimentStore::Open(dir.File("exp.db"), options, &store).ok());
  for (int i = 0; i < 8; ++i) store->EnqueueServed(Served(Numbered("r", i), "p"));
  {
    // Another process holds the write lock longer than the busy timeout.
    SQLite::Database other(dir.File("exp.db"), SQLite::OPEN_READWRITE);
    other.exec("BEGIN EXCLUSIVE");
    Status s = store->Flush();
    EXPECT_FALSE(s.ok());
    EXPECT_THAT(s.message(), HasSubstr("writing 8 assignments"));
    StoreStats stats = store->Stats();
    EXPECT_EQ(stats.pending_rows, 8u);
    EXPECT_FALSE(stats.last_error.empty());
    // The buffer is bounded: beyond max_pending_rows new rows are dropped and counted.
    for (int i = 8; i < 15; ++i) store->EnqueueServed(Served(Numbered("r", i), "p"));
    EXPECT_EQ(store->Stats().pending_rows, 10u);
    EXPECT_EQ(store->Stats().dropped_rows, 5u);
    other.exec("ROLLBACK");
  }
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(store->Stats().written_rows, 10u);
  EXPECT_TRUE(store->Stats().last_error.empty());
  std::optional<ServedRecord> found;
  ASSERT_TRUE(store->FindAssignment("r0", &found).ok());  // the failed batch kept its place
  EXPECT_TRUE(found.has_value());
}

}  // namespace
}  // namespace prodcat::experiments
