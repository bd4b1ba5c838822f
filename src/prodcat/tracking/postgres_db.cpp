// PostgreSQL connection over libpq: statements are prepared once per connection (named by a
// counter) and executed with text parameters; `?` placeholders become `$1, $2, ...`.
#include <libpq-fe.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "prodcat/tracking/sql_db.h"

namespace prodcat::tracking {
namespace {

// Type OIDs from PostgreSQL's pg_type catalog (stable across versions).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

// Rewrites `?` outside quoted strings and identifiers into `$n`.
std::string ToDollarPlaceholders(const std::string& sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$' + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

std::string DoubleText(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", d);
  return buf;
}

class PostgresDb : public SqlDb {
 public:
  explicit PostgresDb(PGconn* conn) : conn_(conn) {}
  ~PostgresDb() override { PQfinish(conn_); }

  SqlDialect dialect() const override { return SqlDialect::kPostgres; }

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
    retryable_ = false;
    PGresult* res = PQexec(conn_, sql.c_str());
    Status s = Check(res, sql);
    PQclear(res);
    return s;
  }

  Status Begin(bool /*write*/) override { return ExecuteScript("BEGIN"); }
  Status Commit() override { return ExecuteScript("COMMIT"); }
  Status Rollback() override {
    if (PQtransactionStatus(conn_) == PQTRANS_IDLE) return Status::Ok();
    return ExecuteScript("ROLLBACK");
  }
  bool LastErrorRetryable() const override { return retryable_; }
  bool Healthy() const override { return PQstatus(conn_) == CONNECTION_OK; }

 private:
  Status Run(const std::string& sql, const std::vector<SqlValue>& params, std::vector<SqlRow>* rows,
             int64_t* affected) {
    retryable_ = false;
    std::string name;
    PRODCAT_RETURN_IF_ERROR(Prepare(sql, &name));
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      const SqlValue& v = params[i];
      if (const auto* x = std::get_if<int64_t>(&v)) {
        texts[i] = std::to_string(*x);
      } else if (const auto* d = std::get_if<double>(&v)) {
        texts[i] = DoubleText(*d);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        values[i] = s->c_str();
        continue;
      } else {
        continue;  // NULL
      }
      values[i] = texts[i].c_str();
    }
    PGresult* res = PQexecPrepared(conn_, name.c_str(), static_cast<int>(params.size()),
                                   values.data(), nullptr, nullptr, 0);
    Status s = Check(res, sql);
    if (s.ok() && rows) ReadRows(res, rows);
    if (s.ok() && affected) {
      const char* n = PQcmdTuples(res);
      *affected = (n && *n) ? std::strtoll(n, nullptr, 10) : 0;
    }
    PQclear(res);
    return s;
  }

  Status Prepare(const std::string& sql, std::string* name) {
    auto it = prepared_.find(sql);
    if (it != prepared_.end()) {
      *name = it->second;
      return Status::Ok();
    }
    std::string stmt_name = "prodcat_" + std::to_string(prepared_.size() + 1);
    std::string text = ToDollarPlaceholders(sql);
    PGresult* res = PQprepare(conn_, stmt_name.c_str(), text.c_str(), 0, nullptr);
    Status s = Check(res, sql);
    PQclear(res);
    if (!s.ok()) return s;
    prepared_.emplace(sql, stmt_name);
    *name = stmt_name;
    return Status::Ok();
  }

  static void ReadRows(PGresult* res, std::vector<SqlRow>* rows) {
    int nrows = PQntuples(res);
    int ncols = PQnfields(res);
    rows->reserve(static_cast<size_t>(nrows));
    for (int r = 0; r < nrows; ++r) {
      SqlRow row;
      row.values.reserve(static_cast<size_t>(ncols));
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(res, r, c)) {
          row.values.emplace_back(std::monostate{});
          continue;
        }
        const char* text = PQgetvalue(res, r, c);
        switch (PQftype(res, c)) {
          case kInt2Oid:
          case kInt4Oid:
          case kInt8Oid: row.values.emplace_back(int64_t{std::strtoll(text, nullptr, 10)}); break;
          case kBoolOid: row.values.emplace_back(int64_t{text[0] == 't' ? 1 : 0}); break;
          case kFloat4Oid:
          case kFloat8Oid:
          case kNumericOid: row.values.emplace_back(std::strtod(text, nullptr)); break;
          default: row.values.emplace_back(std::string(text, PQgetlength(res, r, c))); break;
        }
      }
      rows->push_back(std::move(row));
    }
  }

  Status Check(PGresult* res, const std::string& sql) {
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::Ok();
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string sqlstate = state ? state : "";
    // 40001 serialization failure, 40P01 deadlock, 55P03 lock not available.
    retryable_ = sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03";
    std::string text = sql.size() > 120 ? sql.substr(0, 120) + "..." : sql;
    std::string message = res ? PQresultErrorMessage(res) : PQerrorMessage(conn_);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    // 23505 unique violation: the caller's "already exists", not a database failure.
    StatusCode code = sqlstate == "23505" ? StatusCode::kAlreadyExists : StatusCode::kInternal;
    return Status(code, "postgresql [" + sqlstate + "]: " + message + " (in: " + text + ")");
  }

  PGconn* conn_;  // owned; open until destruction
  // SQL text -> prepared statement name on this connection.
  std::map<std::string, std::string> prepared_;
  bool retryable_ = false;  // the last failure was a serialization failure or deadlock
};

}  // namespace

Status OpenPostgresDb(const std::string& conninfo, std::unique_ptr<SqlDb>* db) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (!conn || PQstatus(conn) != CONNECTION_OK) {
    std::string message = conn ? PQerrorMessage(conn) : "out of memory";
    while (!message.empty() && message.back() == '\n') message.pop_back();
    if (conn) PQfinish(conn);
    return Status::IoError("cannot connect to PostgreSQL: " + message);
  }
  PGresult* res = PQexec(conn, "SET client_min_messages = warning");
  PQclear(res);
  *db = std::make_unique<PostgresDb>(conn);
  return Status::Ok();
}

}  // namespace prodcat::tracking
