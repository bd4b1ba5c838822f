#include "prodcat/serving/model_manager.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "prodcat/common/sha256.h"
#include "test_bundle.h"

namespace prodcat::serving {
namespace {

namespace fs = std::filesystem;
using testing::BuildTinyBundle;
using testing::ScratchDir;

ProductRecord Record(const std::string& title) {
  ProductRecord r;
  r.title = title;
  return r;
}

// Replaces `dir` by a freshly trained bundle with manifest version `version`.
void Republish(const fs::path& dir, const std::string& version) {
  ASSERT_TRUE(BuildTinyBundle(dir, {{"version", version}}).ok());
}

void CorruptAFile(const fs::path& dir) {
  for (const auto& entry : fs::recursive_directory_iterator(dir / "model")) {
    if (entry.is_regular_file()) {
      std::ofstream(entry.path(), std::ios::app) << "garbage";
      return;
    }
  }
  FAIL() << "no model file to corrupt";
}

TEST(ModelVersionTest, ManifestVersionThenFingerprintThenManifestHash) {
  EXPECT_EQ(ModelVersion({{"version", "2024.1"}, {"data_fingerprint", "abcdef0123456789"}}, "ff"),
            "2024.1");
  EXPECT_EQ(ModelVersion({{"version", 7}}, "ff"), "7");
  EXPECT_EQ(ModelVersion({{"data_fingerprint", "abcdef0123456789"}}, "ff"), "abcdef012345");
  EXPECT_EQ(ModelVersion(nlohmann::json::object(), "0123456789abcdef0123"), "0123456789ab");
}

TEST(DirectorySourceTest, LoadsAndNamesTheModel) {
  ScratchDir dir;
  fs::path bundle = dir.path() / "my-model";
  ASSERT_TRUE(BuildTinyBundle(bundle, {{"data_fingerprint", "feedfacecafe0001"}}).ok());
  DirectorySource source(bundle, "");
  std::shared_ptr<const ServedModel> model;
  ASSERT_TRUE(source.Load(&model).ok());
  EXPECT_EQ(model->name, "my-model");
  EXPECT_EQ(model->version, "feedfacecafe");
  EXPECT_EQ(model->family, "linear");
  EXPECT_EQ(model->bundle->class_names().size(), 3u);
  std::string revision;
  ASSERT_TRUE(source.CurrentRevision(&revision).ok());
  EXPECT_EQ(model->revision, revision);
  EXPECT_EQ(model->bundle->PredictTopK(Record("usb c charger cable"), 1)[0].label, "Electronics");

  DirectorySource named(bundle.string() + "/", "catalog");
  ASSERT_TRUE(named.Load(&model).ok());
  EXPECT_EQ(model->name, "catalog");
}

TEST(DirectorySourceTest, RevisionFollowsTheManifest) {
  ScratchDir dir;
  fs::path bundle = dir.path() / "m";
  Republish(bundle, "1");
  DirectorySource source(bundle, "");
  std::string r1, r2, r3;
  ASSERT_TRUE(source.CurrentRevision(&r1).ok());
  ASSERT_TRUE(source.CurrentRevision(&r2).ok());
  EXPECT_EQ(r1, r2);
  Republish(bundle, "2");
  ASSERT_TRUE(source.CurrentRevision(&r3).ok());
  EXPECT_NE(r1, r3);
  fs::remove_all(bundle);
  EXPECT_FALSE(source.CurrentRevision(&r3).ok());
}

TEST(OpenModelSourceTest, DirectoriesAndRegistryUris) {
  ScratchDir dir;
  std::unique_ptr<ModelSource> source;
  ASSERT_TRUE(OpenModelSource("models:/catalog@production", "", "", &source).ok());
  EXPECT_EQ(source->Describe(), "registry models:/catalog@production");
  EXPECT_EQ(OpenModelSource("models:/catalog", "", "", &source).code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(OpenModelSource("/no/such/dir/anywhere", "", "", &source).ok());
  ASSERT_TRUE(OpenModelSource(dir.path().string(), "", "", &source).ok());
  EXPECT_EQ(source->Describe(), "directory " + dir.path().string());
}

struct Recorder {
  std::vector<std::pair<ReloadTrigger, ReloadResult>> calls;
  ModelManager::Observer observer() {
    return [this](ReloadTrigger t, const ReloadResult& r) { calls.emplace_back(t, r); };
  }
};

TEST(ModelManagerTest, SwapsInAChangedBundleAndKeepsTheOldOneAliveForHolders) {
  ScratchDir dir;
  fs::path bundle = dir.path() / "m";
  Republish(bundle, "v1");
  Recorder recorder;
  ModelManager manager(std::make_unique<DirectorySource>(bundle, ""), recorder.observer());
  EXPECT_EQ(manager.current(), nullptr);
  ASSERT_TRUE(manager.LoadInitial().ok());
  std::shared_ptr<const ServedModel> in_flight = manager.current();
  EXPECT_EQ(in_flight->version, "v1");

  ReloadResult same = manager.Reload(ReloadTrigger::kAdmin);
  EXPECT_EQ(same.outcome, ReloadResult::Outcome::kUnchanged);
  EXPECT_TRUE(recorder.calls.empty());

  Republish(bundle, "v2");
  ReloadResult swapped = manager.Reload(ReloadTrigger::kAdmin);
  EXPECT_EQ(swapped.outcome, ReloadResult::Outcome::kReloaded) << swapped.status.message();
  EXPECT_EQ(swapped.previous_version, "v1");
  EXPECT_EQ(swapped.version, "v2");
  EXPECT_EQ(manager.current()->version, "v2");
  ASSERT_EQ(recorder.calls.size(), 1u);
  // A request that started on v1 finishes on v1: its model is still whole.
  EXPECT_EQ(in_flight->version, "v1");
  EXPECT_EQ(in_flight->bundle->PredictTopK(Record("garden hose nozzle"), 1)[0].label, "Garden");

  ReloadResult forced = manager.Reload(ReloadTrigger::kAdmin, /*force=*/true);
  EXPECT_EQ(forced.outcome, ReloadResult::Outcome::kReloaded);
  EXPECT_NE(manager.current(), nullptr);
}

TEST(ModelManagerTest, RejectsACorruptBundleAndKeepsServing) {
  ScratchDir dir;
  fs::path bundle = dir.path() / "m";
  Republish(bundle, "good");
  Recorder recorder;
  ModelManager manager(std::make_unique<DirectorySource>(bundle, ""), recorder.observer());
  ASSERT_TRUE(manager.LoadInitial().ok());

  Republish(bundle, "bad");
  CorruptAFile(bundle);
  ReloadResult r = manager.Reload(ReloadTrigger::kPoll);
  EXPECT_EQ(r.outcome, ReloadResult::Outcome::kFailed);
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss) << r.status.message();
  EXPECT_NE(r.status.message().find("checksum"), std::string::npos) << r.status.message();
  EXPECT_EQ(manager.current()->version, "good");
  ASSERT_EQ(recorder.calls.size(), 1u);

  // Polling does not retry (and re-count) the same rejected bundle; an explicit reload does.
  EXPECT_EQ(manager.Reload(ReloadTrigger::kPoll).outcome, ReloadResult::Outcome::kUnchanged);
  EXPECT_EQ(recorder.calls.size(), 1u);
  EXPECT_EQ(manager.Reload(ReloadTrigger::kAdmin).outcome, ReloadResult::Outcome::kFailed);
  EXPECT_EQ(recorder.calls.size(), 2u);

  Republish(bundle, "fixed");
  EXPECT_EQ(manager.Reload(ReloadTrigger::kPoll).outcome, ReloadResult::Outcome::kReloaded);
  EXPECT_EQ(manager.current()->version, "fixed");
}

TEST(ModelManagerTest, MissingDirectoryIsQuietForPollsButFailsExplicitReloads) {
  ScratchDir dir;
  fs::path bundle = dir.path() / "m";
  Republish(bundle, "1");
  ModelManager manager(std::make_unique<DirectorySource>(bundle, ""));
  ASSERT_TRUE(manager.LoadInitial().ok());
  fs::remove_all(bundle);
  EXPECT_EQ(manager.Reload(ReloadTrigger::kPoll).outcome, ReloadResult::Outcome::kUnchanged);
  EXPECT_EQ(manager.Reload(ReloadTrigger::kSignal).outcome, ReloadResult::Outcome::kFailed);
  EXPECT_EQ(manager.current()->version, "1");
}

TEST(ModelManagerTest, InitialLoadFailureServesNothing) {
  ScratchDir dir;
  fs::path bundle = dir.path() / "m";
  Republish(bundle, "1");
  CorruptAFile(bundle);
  ModelManager manager(std::make_unique<DirectorySource>(bundle, ""));
  EXPECT_FALSE(manager.LoadInitial().ok());
  EXPECT_EQ(manager.current(), nullptr);
}

TEST(ModelManagerTest, BackgroundPollingAndRequestedReloads) {
  ScratchDir dir;
  fs::path bundle = dir.path() / "m";
  Republish(bundle, "1");
  {
    ModelManager polling(std::make_unique<DirectorySource>(bundle, ""));
    ASSERT_TRUE(polling.LoadInitial().ok());
    polling.Start(std::chrono::milliseconds(20));
    Republish(bundle, "2");
    for (int i = 0; i < 500 && polling.current()->version != "2"; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(polling.current()->version, "2");
    polling.Stop();
  }
  ModelManager on_demand(std::make_unique<DirectorySource>(bundle, ""));
  ASSERT_TRUE(on_demand.LoadInitial().ok());
  on_demand.Start(std::chrono::milliseconds(0));  // no polling
  Republish(bundle, "3");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(on_demand.current()->version, "2");  // nobody asked
  on_demand.RequestReload();
  for (int i = 0; i < 500 && on_demand.current()->version != "3"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(on_demand.current()->version, "3");
  on_demand.Stop();
  on_demand.Stop();  // idempotent
}

TEST(ModelManagerTest, ReadersNeverSeeAHalfSwappedModel) {
  ScratchDir dir;
  fs::path a = dir.path() / "a";
  fs::path b = dir.path() / "b";
  Republish(a, "A");
  Republish(b, "B");
  std::shared_ptr<const ServedModel> model_a, model_b;
  ASSERT_TRUE(DirectorySource(a, "").Load(&model_a).ok());
  ASSERT_TRUE(DirectorySource(b, "").Load(&model_b).ok());
  ModelManager manager(std::make_unique<DirectorySource>(a, ""));
  manager.Install(model_a);
  std::atomic<bool> stop{false};
  std::atomic<int> predictions{0}, bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        std::shared_ptr<const ServedModel> m = manager.current();
        auto top = m->bundle->PredictTopK(Record("hardcover cookbook recipes"), 3);
        if (top.size() != 3 || (m->version != "A" && m->version != "B")) ++bad;
        ++predictions;
      }
    });
  }
  for (int i = 0; i < 2000; ++i) {
    manager.Install(i % 2 ? model_a : model_b);
  }
  // Let the readers run a while after the swaps too.
  while (predictions.load() < 1000) std::this_thread::yield();
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace prodcat::serving
