// Shared fixtures for the tracking tests: scratch directories and one store per backend
// (SQLite file, PostgreSQL database on the test cluster, REST over an in-process server).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>

#include "postgres_cluster.h"
#include "prodcat/common/file_util.h"
#include "prodcat/tracking/rest_store.h"
#include "prodcat/tracking/sql_store.h"
#include "prodcat/tracking/store_uri.h"
#include "prodcat/tracking/tracking_server.h"
#include "scratch_dir.h"

namespace prodcat::tracking::testing {

using prodcat::testing::ScratchDir;

// Writes a file, creating its directories.
inline bool WriteTestFile(const std::filesystem::path& path, const std::string& bytes) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  return WriteFileAtomic(path, bytes).ok();
}

// Opens a fresh SQL store URI for `backend` ("sqlite" or "postgres"). Skips (locally) or fails
// (CI=true) when PostgreSQL is not installed.
inline std::string FreshSqlUri(const std::string& backend, const ScratchDir& dir) {
  if (backend == "sqlite") return "sqlite://" + (dir.path() / "tracking.db").string();
  auto& cluster = prodcat::testing::PostgresCluster::Shared();
  if (!cluster.ok()) return "";
  std::string error;
  std::string uri = cluster.NewDatabase("prodcat_test", &error);
  EXPECT_FALSE(uri.empty()) << error;
  return uri;
}

#define PRODCAT_REQUIRE_POSTGRES(backend)                                               \
  do {                                                                                  \
    if ((backend) == "postgres" && !prodcat::testing::PostgresCluster::Shared().ok()) { \
      if (prodcat::testing::PostgresCluster::RequiredByCi()) {                          \
        FAIL() << "PostgreSQL is required in CI: "                                      \
               << prodcat::testing::PostgresCluster::Shared().error();                  \
      }                                                                                 \
      GTEST_SKIP() << "PostgreSQL not available: "                                      \
                   << prodcat::testing::PostgresCluster::Shared().error();              \
    }                                                                                   \
  } while (0)

// One store under test plus whatever keeps it alive.
struct StoreUnderTest {
  std::unique_ptr<SqlTrackingStore> sql;      // the backing SQL store
  std::shared_ptr<TrackingStore> shared_sql;  // for the server
  std::unique_ptr<TrackingServer> server;     // REST backend only
  std::unique_ptr<RestTrackingStore> rest;    // REST backend only
  std::string uri;                            // the SQL URI
  TrackingStore* store = nullptr;             // what the test talks to

  ~StoreUnderTest() {
    rest.reset();
    if (server) server->Shutdown(std::chrono::milliseconds(1000));
  }
};

// backend: "sqlite", "postgres" or "rest" (REST client -> in-process server -> SQLite).
inline void OpenStoreUnderTest(const std::string& backend, const ScratchDir& dir,
                               StoreUnderTest* out) {
  std::string sql_backend = backend == "rest" ? "sqlite" : backend;
  out->uri = FreshSqlUri(sql_backend, dir);
  ASSERT_FALSE(out->uri.empty());
  SqlStoreOptions options;
  options.artifact_root = (dir.path() / "artifacts").string();
  Status s = OpenSqlStore(out->uri, options, &out->sql);
  ASSERT_TRUE(s.ok()) << s.ToString();
  out->store = out->sql.get();
  if (backend != "rest") return;
  // The server shares ownership through a non-owning shared_ptr; `sql` outlives it.
  out->shared_sql = std::shared_ptr<TrackingStore>(out->sql.get(), [](TrackingStore*) {});
  TrackingServerOptions server_options;
  server_options.port = 0;
  server_options.worker_threads = 2;
  out->server =
      std::make_unique<TrackingServer>(out->shared_sql, dir.path() / "artifacts", server_options);
  s = out->server->Start();
  ASSERT_TRUE(s.ok()) << s.ToString();
  s = RestTrackingStore::Open("http://127.0.0.1:" + std::to_string(out->server->port()),
                              &out->rest);
  ASSERT_TRUE(s.ok()) << s.ToString();
  out->store = out->rest.get();
}

}  // namespace prodcat::tracking::testing
