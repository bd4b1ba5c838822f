// SqlDb: one database connection (SQLite via SQLiteCpp, PostgreSQL via libpq) behind one small
// interface. Every statement takes its values as bound parameters; SQL text is written with `?`
// placeholders and rewritten to `$n` for PostgreSQL. A connection is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "prodcat/common/status.h"

namespace prodcat::tracking {

enum class SqlDialect { kSqlite, kPostgres };

// NULL, integer, double or text.
using SqlValue = std::variant<std::monostate, int64_t, double, std::string>;

struct SqlRow {
  std::vector<SqlValue> values;

  bool IsNull(size_t i) const { return std::holds_alternative<std::monostate>(values[i]); }
  // Conversions tolerate the other numeric type; NULL gives 0 / "".
  int64_t Int(size_t i) const;
  double Double(size_t i) const;
  std::string Text(size_t i) const;
};

class SqlDb {
 public:
  virtual ~SqlDb() = default;
  virtual SqlDialect dialect() const = 0;
  // Runs a statement; *affected (optional) receives the number of rows changed.
  virtual Status Execute(const std::string& sql, const std::vector<SqlValue>& params = {},
                         int64_t* affected = nullptr) = 0;
  virtual Status Query(const std::string& sql, const std::vector<SqlValue>& params,
                       std::vector<SqlRow>* rows) = 0;
  // Several statements without parameters (schema migrations).
  virtual Status ExecuteScript(const std::string& sql) = 0;
  // `write` takes the write lock up front (SQLite BEGIN IMMEDIATE) so two writers never
  // deadlock upgrading read locks.
  virtual Status Begin(bool write) = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
  // True when the last failure was a lock or serialization conflict worth retrying.
  virtual bool LastErrorRetryable() const = 0;
  // False once the connection is broken and must be replaced.
  virtual bool Healthy() const = 0;
};

// Opens (creating if needed) an SQLite file in WAL mode with a busy timeout.
Status OpenSqliteDb(const std::string& path, int busy_timeout_ms, std::unique_ptr<SqlDb>* db);
// Connects with a libpq connection string or URI ("postgresql://user@host:port/db").
Status OpenPostgresDb(const std::string& conninfo, std::unique_ptr<SqlDb>* db);

// "?, ?, ?" with n placeholders, for IN lists and multi-row inserts.
std::string Placeholders(size_t n);

}  // namespace prodcat::tracking
