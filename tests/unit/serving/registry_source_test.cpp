#include "prodcat/serving/registry_source.h"

#include <gtest/gtest.h>

#include "prodcat/registry/model_registration.h"
#include "prodcat/serving/model_manager.h"
#include "prodcat/tracking/tracking_client.h"
#include "test_bundle.h"

namespace prodcat::serving {
namespace {

namespace fs = std::filesystem;

TEST(RegistrySourceTest, FollowsAnAlias) {
  testing::ScratchDir dir;
  const std::string store = "sqlite://" + (dir.path() / "tracking.db").string();
  ASSERT_TRUE(testing::BuildTinyBundle(dir.path() / "b1").ok());
  ASSERT_TRUE(testing::BuildTinyBundle(dir.path() / "b2").ok());
  std::unique_ptr<tracking::TrackingClient> client;
  ASSERT_TRUE(tracking::TrackingClient::Open(store, &client).ok());
  tracking::ModelVersion v1, v2;
  ASSERT_TRUE(
      registry::RegisterModelVersion(*client, "shop", "", (dir.path() / "b1").string(), {}, &v1)
          .ok());
  ASSERT_TRUE(
      registry::RegisterModelVersion(*client, "shop", "", (dir.path() / "b2").string(), {}, &v2)
          .ok());
  ASSERT_TRUE(client->store().SetRegisteredModelAlias("shop", "champion", v1.version).ok());

  auto source = std::make_unique<RegistrySource>("models:/shop@champion", store, "");
  std::string revision;
  ASSERT_TRUE(source->CurrentRevision(&revision).ok());
  EXPECT_EQ(revision, "shop/" + std::to_string(v1.version));
  ModelManager manager(std::move(source));
  ASSERT_TRUE(manager.LoadInitial().ok());
  EXPECT_EQ(manager.current()->name, "shop");
  EXPECT_EQ(manager.current()->version, std::to_string(v1.version));
  EXPECT_EQ(manager.Reload(ReloadTrigger::kPoll).outcome, ReloadResult::Outcome::kUnchanged);

  // Moving the alias is the change a poll notices.
  ASSERT_TRUE(client->store().SetRegisteredModelAlias("shop", "champion", v2.version).ok());
  ReloadResult r = manager.Reload(ReloadTrigger::kPoll);
  EXPECT_EQ(r.outcome, ReloadResult::Outcome::kReloaded) << r.status.message();
  EXPECT_EQ(manager.current()->version, std::to_string(v2.version));

  RegistrySource missing("models:/shop@nobody", store, "");
  EXPECT_FALSE(missing.CurrentRevision(&revision).ok());
  RegistrySource named("models:/shop/latest", store, "catalog");
  std::shared_ptr<const ServedModel> model;
  ASSERT_TRUE(named.Load(&model).ok());
  EXPECT_EQ(model->name, "catalog");
  EXPECT_EQ(model->version, std::to_string(v2.version));
}

}  // namespace
}  // namespace prodcat::serving
