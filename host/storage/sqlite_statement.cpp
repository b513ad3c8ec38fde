// Statements on SQLite: the ABI is shaped after this API, so each call maps one to one.
#include <sqlite3.h>

#include "storage/statement.hpp"

namespace gamehost::storage {

gh_status sqlite_status(int rc) noexcept {
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      return GH_ERR_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return GH_ERR_BUSY;
    default:
      return GH_ERR_FAILED;
  }
}

namespace {

class SqliteStatement final : public Statement {
 public:
  SqliteStatement(sqlite3* db, std::string_view sql) : Statement(std::string(sql)), db_(db) {
    const int rc =
        sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
    if (rc != SQLITE_OK) {
      throw StorageError(GH_ERR_FAILED,
                         std::string(sqlite3_errmsg(db)) + " in: " + std::string(sql));
    }
    if (stmt_ == nullptr) throw StorageError(GH_ERR_INVALID_ARGUMENT, "empty statement");
  }
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  void bind(std::uint32_t index, Value value) override {
    const int i = static_cast<int>(index);
    int rc = SQLITE_OK;
    if (std::holds_alternative<std::monostate>(value)) {
      rc = sqlite3_bind_null(stmt_, i);
    } else if (const auto* n = std::get_if<std::int64_t>(&value)) {
      rc = sqlite3_bind_int64(stmt_, i, *n);
    } else if (const auto* d = std::get_if<double>(&value)) {
      rc = sqlite3_bind_double(stmt_, i, *d);
    } else {
      const auto& s = std::get<std::string>(value);
      rc = sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    }
    if (rc != SQLITE_OK) {
      throw StorageError(GH_ERR_INVALID_ARGUMENT, "cannot bind parameter " + std::to_string(index) +
                                                      ": " + sqlite3_errmsg(db_));
    }
  }

  bool step() override {
    if (done_) return false;
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    done_ = true;
    if (rc == SQLITE_DONE) {
      changes_ = static_cast<std::uint64_t>(sqlite3_changes(db_));
      return false;
    }
    const std::string why = sqlite3_errmsg(db_);
    sqlite3_reset(stmt_);
    throw StorageError(sqlite_status(rc), why + " in: " + sql());
  }

  std::uint32_t column_count() const override {
    return static_cast<std::uint32_t>(sqlite3_column_count(stmt_));
  }

  gh_db_value column(std::uint32_t index) const override {
    gh_db_value v{};
    v.size = sizeof v;
    const int i = static_cast<int>(index);
    switch (sqlite3_column_type(stmt_, i)) {
      case SQLITE_INTEGER:
        v.type = GH_DB_INT;
        v.int_value = sqlite3_column_int64(stmt_, i);
        break;
      case SQLITE_FLOAT:
        v.type = GH_DB_DOUBLE;
        v.double_value = sqlite3_column_double(stmt_, i);
        break;
      case SQLITE_NULL:
        v.type = GH_DB_NULL;
        break;
      default:
        v.type = GH_DB_TEXT;
        v.text = static_cast<const char*>(sqlite3_column_blob(stmt_, i));
        v.len = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i));
        break;
    }
    return v;
  }

  std::uint64_t changes() const override { return changes_; }

  void reset() override {
    sqlite3_reset(stmt_);
    done_ = false;
    changes_ = 0;
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool done_ = false;
  std::uint64_t changes_ = 0;
};

}  // namespace

void sqlite_set_busy_timeout(sqlite3* db, std::uint32_t ms) {
  sqlite3_busy_timeout(db, static_cast<int>(ms));
}

void sqlite_execute(sqlite3* db, const std::string& sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    const std::string why = message != nullptr ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    throw StorageError(sqlite_status(rc), why + " in: " + sql);
  }
}

std::unique_ptr<Statement> prepare_sqlite(sqlite3* db, std::string_view sql) {
  return std::make_unique<SqliteStatement>(db, sql);
}

}  // namespace gamehost::storage
