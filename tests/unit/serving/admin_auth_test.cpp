#include "prodcat/serving/admin_auth.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "test_bundle.h"

namespace prodcat::serving {
namespace {

TEST(AdminAuthTest, BearerCheck) {
  std::string good = "Bearer s3cret";
  std::string lower = "bearer   s3cret ";
  std::string wrong = "Bearer s3cre";
  std::string longer = "Bearer s3crets";
  std::string basic = "Basic s3cret";
  EXPECT_TRUE(IsAuthorizedBearer(&good, "s3cret"));
  EXPECT_TRUE(IsAuthorizedBearer(&lower, "s3cret"));
  EXPECT_FALSE(IsAuthorizedBearer(&wrong, "s3cret"));
  EXPECT_FALSE(IsAuthorizedBearer(&longer, "s3cret"));
  EXPECT_FALSE(IsAuthorizedBearer(&basic, "s3cret"));
  EXPECT_FALSE(IsAuthorizedBearer(nullptr, "s3cret"));
  std::string empty_token = "Bearer ";
  EXPECT_FALSE(IsAuthorizedBearer(&empty_token, ""));  // no token configured: never authorized
}

TEST(AdminAuthTest, TokenFromFileOrEnvironment) {
  testing::ScratchDir dir;
  auto file = dir.path() / "token";
  std::ofstream(file) << "  file-token\n";
  std::string token;
  ASSERT_TRUE(LoadAdminToken(file.string(), "PRODCAT_TEST_ADMIN_TOKEN", &token).ok());
  EXPECT_EQ(token, "file-token");

  setenv("PRODCAT_TEST_ADMIN_TOKEN", "env-token", 1);
  ASSERT_TRUE(LoadAdminToken("", "PRODCAT_TEST_ADMIN_TOKEN", &token).ok());
  EXPECT_EQ(token, "env-token");
  unsetenv("PRODCAT_TEST_ADMIN_TOKEN");
  ASSERT_TRUE(LoadAdminToken("", "PRODCAT_TEST_ADMIN_TOKEN", &token).ok());
  EXPECT_TRUE(token.empty());

  std::ofstream(dir.path() / "blank") << "  \n";
  EXPECT_FALSE(LoadAdminToken((dir.path() / "blank").string(), "X", &token).ok());
  EXPECT_FALSE(LoadAdminToken((dir.path() / "missing").string(), "X", &token).ok());
}

}  // namespace
}  // namespace prodcat::serving
