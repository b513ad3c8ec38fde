// Internal header: one open database connection (a SOCI session), as the pool hands it out.
// Not thread-safe: one lease uses it at a time.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "storage/statement.hpp"
#include "storage/storage_url.hpp"
#include "storage/write_turn.hpp"

namespace gamehost::storage {

struct ConnectionSettings {
  std::uint32_t busy_timeout_ms = 5000;    // SQLite: how long a writer waits for the lock
  std::uint32_t query_timeout_ms = 10000;  // MySQL: read/write timeout of one statement
  std::uint32_t connect_timeout_ms = 5000;
};

class Connection {
 public:
  // Opens the database; throws StorageError(GH_ERR_FAILED) saying why it cannot.
  // `sqlite_writer` (SQLite only) is shared by the connections of one pool: see begin().
  Connection(const StorageUrl& url, const ConnectionSettings& settings,
             WriteTurn* sqlite_writer = nullptr);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Dialect dialect() const noexcept { return dialect_; }
  // Transactions: BEGIN IMMEDIATE on SQLite (the write lock at once, so two writers queue
  // instead of failing on a lock upgrade), START TRANSACTION on MySQL. SQLite writers of this
  // process queue on `sqlite_writer` first: a waiter wakes the moment the lock frees, where
  // SQLite's busy handler sleeps in steps of up to 100 ms (measured: p99 68 ms at 16
  // concurrent coin transfers). Each wait is bounded by busy_timeout_ms.
  void begin();
  void commit();
  void rollback();
  bool in_transaction() const noexcept { return in_transaction_; }

  std::unique_ptr<Statement> prepare(std::string_view sql);
  // One statement without parameters (migrations, bookkeeping). Throws StorageError.
  void execute(const std::string& sql);
  // True once a statement found the connection gone: the pool reopens it.
  bool lost() const noexcept { return lost_; }

 private:
  Dialect dialect_;
  std::unique_ptr<soci::session> session_;
  ::sqlite3* sqlite_ = nullptr;  // SOCI's SQLite connection, for statements
  bool in_transaction_ = false;
  bool lost_ = false;
  std::chrono::milliseconds busy_timeout_;
  // Gives the write turn back, if this connection holds it.
  void release_write_turn() noexcept;

  WriteTurn* sqlite_writer_;
  bool holds_write_turn_ = false;  // from begin() to commit/rollback
};

}  // namespace gamehost::storage
