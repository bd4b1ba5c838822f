#include "prodcat/tracking/artifact_store.h"

#include <gtest/gtest.h>

#include "prodcat/common/file_util.h"
#include "prodcat/common/sha256.h"
#include "tracking_test_util.h"

namespace prodcat::tracking {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

TEST(ArtifactStoreTest, PutGetListDelete) {
  ScratchDir dir;
  LocalArtifactStore store(dir.path() / "root");
  std::string sha;
  ASSERT_TRUE(store.Put("0/run/artifacts/model/a.txt", "hello", &sha).ok());
  EXPECT_EQ(sha, Sha256Hex("hello"));
  ASSERT_TRUE(store.Put("0/run/artifacts/model/sub/b.txt", "bb", nullptr).ok());
  std::string bytes;
  ASSERT_TRUE(store.Get("0/run/artifacts/model/a.txt", &bytes).ok());
  EXPECT_EQ(bytes, "hello");
  EXPECT_EQ(store.Get("0/run/artifacts/model/zzz", &bytes).code(), StatusCode::kNotFound);
  std::vector<FileInfo> files;
  ASSERT_TRUE(store.List("0/run/artifacts/model", &files).ok());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "a.txt");
  EXPECT_EQ(files[0].file_size, 5);
  EXPECT_EQ(files[1].path, "sub");
  EXPECT_TRUE(files[1].is_dir);
  ASSERT_TRUE(store.List("does/not/exist", &files).ok());
  EXPECT_TRUE(files.empty());
  ASSERT_TRUE(store.Delete("0/run/artifacts/model/sub").ok());
  ASSERT_TRUE(store.List("0/run/artifacts/model", &files).ok());
  EXPECT_EQ(files.size(), 1u);
}

TEST(ArtifactStoreTest, RefusesPathsOutsideTheRoot) {
  ScratchDir dir;
  LocalArtifactStore store(dir.path() / "root");
  std::string bytes;
  for (const char* bad :
       {"../outside.txt", "a/../../outside.txt", "/etc/passwd", "a/..", "..", "a\\..\\b"}) {
    EXPECT_EQ(store.Put(bad, "x", nullptr).code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(store.Get(bad, &bytes).code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(store.Put(std::string("a\0b", 3), "x", nullptr).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(dir.path() / "outside.txt"));

  // A symlink inside the root that points outside is not followed, for reads or writes.
  ASSERT_TRUE(testing::WriteTestFile(dir.path() / "secret" / "key.txt", "s3cret"));
  fs::create_directories(dir.path() / "root");
  fs::create_symlink(dir.path() / "secret", dir.path() / "root" / "link");
  EXPECT_EQ(store.Get("link/key.txt", &bytes).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store.Put("link/new.txt", "x", nullptr).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store.Put("link/deeper/new.txt", "x", nullptr).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(dir.path() / "secret" / "new.txt"));
  EXPECT_FALSE(fs::exists(dir.path() / "secret" / "deeper"));
  std::vector<FileInfo> files;
  ASSERT_TRUE(store.List("", &files).ok());
  for (const FileInfo& f : files) EXPECT_NE(f.path, "link");
  EXPECT_EQ(store.List("link", &files).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace prodcat::tracking
