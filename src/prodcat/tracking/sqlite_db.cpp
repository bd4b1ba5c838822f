// SQLite connection: WAL journal (readers never block the writer), a busy timeout so concurrent
// processes wait for the write lock instead of failing, and a cache of prepared statements.
#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "prodcat/tracking/sql_db.h"

namespace prodcat::tracking {
namespace {

bool IsLockError(int code) {
  int primary = code & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

class SqliteDb : public SqlDb {
 public:
  explicit SqliteDb(std::unique_ptr<SQLite::Database> db) : db_(std::move(db)) {}

  SqlDialect dialect() const override { return SqlDialect::kSqlite; }

  Status Execute(const std::string& sql, const std::vector<SqlValue>& params,
                 int64_t* affected) override {
    return Run(sql, params, nullptr, affected);
  }

  Status Query(const std::string& sql, const std::vector<SqlValue>& params,
               std::vector<SqlRow>* rows) override {
    rows->clear();
    return Run(sql, params, rows, nullptr);
  }

  Status ExecuteScript(const std::string& sql) override {
    try {
      db_->exec(sql);
      return Status::Ok();
    } catch (const SQLite::Exception& e) {
      return Fail(e, sql);
    }
  }

  Status Begin(bool write) override {
    return ExecuteScript(write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
  }
  Status Commit() override { return ExecuteScript("COMMIT"); }
  Status Rollback() override {
    if (sqlite3_get_autocommit(db_->getHandle())) return Status::Ok();  // nothing open
    return ExecuteScript("ROLLBACK");
  }
  bool LastErrorRetryable() const override { return retryable_; }
  bool Healthy() const override { return true; }

 private:
  Status Run(const std::string& sql, const std::vector<SqlValue>& params, std::vector<SqlRow>* rows,
             int64_t* affected) {
    retryable_ = false;
    try {
      SQLite::Statement& stmt = Prepare(sql);
      for (size_t i = 0; i < params.size(); ++i) {
        int index = static_cast<int>(i + 1);
        const SqlValue& v = params[i];
        if (const auto* x = std::get_if<int64_t>(&v)) {
          stmt.bind(index, *x);
        } else if (const auto* d = std::get_if<double>(&v)) {
          stmt.bind(index, *d);
        } else if (const auto* s = std::get_if<std::string>(&v)) {
          stmt.bindNoCopy(index, *s);  // `params` outlives the step loop below
        } else {
          stmt.bind(index);
        }
      }
      while (stmt.executeStep()) {
        if (!rows) continue;
        SqlRow row;
        int n = stmt.getColumnCount();
        row.values.reserve(static_cast<size_t>(n));
        for (int c = 0; c < n; ++c) {
          SQLite::Column col = stmt.getColumn(c);
          switch (col.getType()) {
            case SQLITE_INTEGER: row.values.emplace_back(col.getInt64()); break;
            case SQLITE_FLOAT: row.values.emplace_back(col.getDouble()); break;
            case SQLITE_NULL: row.values.emplace_back(std::monostate{}); break;
            default: row.values.emplace_back(col.getString()); break;
          }
        }
        rows->push_back(std::move(row));
      }
      if (affected) *affected = db_->getChanges();
      stmt.reset();
      stmt.clearBindings();
      return Status::Ok();
    } catch (const SQLite::Exception& e) {
      auto it = statements_.find(sql);
      if (it != statements_.end()) {
        try {
          it->second->reset();
        } catch (const SQLite::Exception&) {
          statements_.erase(it);  // unusable; prepared again next time
        }
      }
      return Fail(e, sql);
    }
  }

  SQLite::Statement& Prepare(const std::string& sql) {
    auto it = statements_.find(sql);
    if (it != statements_.end()) return *it->second;
    auto stmt = std::make_unique<SQLite::Statement>(*db_, sql);
    return *statements_.emplace(sql, std::move(stmt)).first->second;
  }

  Status Fail(const SQLite::Exception& e, const std::string& sql) {
    retryable_ = IsLockError(e.getErrorCode()) || IsLockError(e.getExtendedErrorCode());
    std::string text = sql.size() > 120 ? sql.substr(0, 120) + "..." : sql;
    int extended = e.getExtendedErrorCode();
    // Unique violations are the caller's "already exists", not a database failure.
    StatusCode code =
        extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY
            ? StatusCode::kAlreadyExists
            : StatusCode::kInternal;
    return Status(code, std::string("sqlite: ") + e.what() + " (in: " + text + ")");
  }

  std::unique_ptr<SQLite::Database> db_;  // never null
  // Prepared statements by SQL text; reset after each use.
  std::map<std::string, std::unique_ptr<SQLite::Statement>> statements_;
  bool retryable_ = false;  // the last failure was SQLITE_BUSY / SQLITE_LOCKED
};

}  // namespace

Status OpenSqliteDb(const std::string& path, int busy_timeout_ms, std::unique_ptr<SqlDb>* db) {
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) {
    return Status::IoError("cannot create directory '" + parent.string() +
                           "' for the SQLite store: " + ec.message());
  }
  try {
    auto handle = std::make_unique<SQLite::Database>(
        path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX, busy_timeout_ms);
    // WAL lets readers run beside one writer; NORMAL sync is durable at checkpoints and safe
    // against corruption; foreign keys give cascades on model rename/delete.
    handle->exec("PRAGMA journal_mode = WAL");
    handle->exec("PRAGMA synchronous = NORMAL");
    handle->exec("PRAGMA foreign_keys = ON");
    // MLflow's LIKE is case-sensitive (ILIKE is not); SQLite's LIKE is not by default.
    handle->exec("PRAGMA case_sensitive_like = ON");
    *db = std::make_unique<SqliteDb>(std::move(handle));
    return Status::Ok();
  } catch (const SQLite::Exception& e) {
    return Status::IoError("cannot open SQLite store '" + path + "': " + e.what());
  }
}

}  // namespace prodcat::tracking
