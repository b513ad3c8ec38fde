// Internal header: one prepared statement on a leased connection - what a plugin's
// gh_stmt points at. Not thread-safe: it belongs to the plugin code path that prepared it.
#pragma once

#include <gamehost/abi.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "storage/storage_error.hpp"

struct sqlite3;

namespace soci {
class session;
}

namespace gamehost::storage {

using Value = std::variant<std::monostate, std::int64_t, double, std::string>;

class Statement {
 public:
  virtual ~Statement() = default;
  // Parameter `index` from 1. Throws StorageError(GH_ERR_INVALID_ARGUMENT) when out of range.
  virtual void bind(std::uint32_t index, Value value) = 0;
  // Runs on the first call, then moves to the next row; false when there is none.
  // Throws StorageError.
  virtual bool step() = 0;
  virtual std::uint32_t column_count() const = 0;
  // The current row's column; a text stays valid until the next step, reset or destruction.
  virtual gh_db_value column(std::uint32_t index) const = 0;
  virtual std::uint64_t changes() const = 0;
  virtual void reset() = 0;
  const std::string& sql() const noexcept { return sql_; }

 protected:
  explicit Statement(std::string sql) : sql_(std::move(sql)) {}

 private:
  std::string sql_;
};

// SQLite statements run on SQLite's own API over SOCI's connection: SOCI's dynamic rows
// map a column declared INTEGER to a 32-bit int and truncate 64-bit ids (measured).
std::unique_ptr<Statement> prepare_sqlite(sqlite3* db, std::string_view sql);
// MySQL/MariaDB statements run through SOCI; rows are read whole on the first step.
// `lost` is set when the connection turns out to be gone (the pool then reopens it).
std::unique_ptr<Statement> prepare_mysql(soci::session& session, bool& lost, std::string_view sql);

// "?" placeholders (outside quotes and comments) become ":p1", ":p2", ... for SOCI.
// Returns the rewritten text and the number of placeholders.
std::pair<std::string, std::uint32_t> number_placeholders(std::string_view sql);
// True when the statement yields rows (SELECT, WITH, SHOW, ...).
bool returns_rows(std::string_view sql);

// SOCI's SQLite connection handle (its header wraps sqlite3.h in a namespace, so this
// lives in its own file), and what the host runs on it.
::sqlite3* sqlite_handle(soci::session& session);
void sqlite_set_busy_timeout(::sqlite3* db, std::uint32_t ms);
// Runs SQL without parameters; throws StorageError.
void sqlite_execute(::sqlite3* db, const std::string& sql);

// A gh_status for an SQLite result code (SQLITE_CONSTRAINT -> GH_ERR_CONSTRAINT, ...).
gh_status sqlite_status(int rc) noexcept;
// A gh_status for a MySQL error number; sets `lost` when the connection is gone.
gh_status mysql_status(unsigned error_number, bool& lost) noexcept;

}  // namespace gamehost::storage
