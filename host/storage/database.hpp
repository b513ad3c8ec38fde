// Internal header: the host's database - a bounded pool of connections that plugins lease
// through the storage services. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "storage/connection.hpp"
#include "storage/storage_url.hpp"

namespace gamehost::storage {

struct DatabaseSettings {
  StorageUrl url;
  std::uint32_t pool_size = 8;
  ConnectionSettings connection;
};

class Database {
 public:
  // Opens the first connection at once, so a wrong URL or a database that is down is
  // reported at start. Throws StorageError.
  explicit Database(DatabaseSettings settings);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Dialect dialect() const noexcept { return settings_.url.dialect; }
  const StorageUrl& url() const noexcept { return settings_.url; }

  // A connection for one code path; back to the pool when the lease goes (an open
  // transaction is rolled back first, a lost connection is dropped and reopened later).
  class Lease {
   public:
    Lease(Database& db, std::unique_ptr<Connection> connection) noexcept;
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Connection& connection() noexcept { return *connection_; }

   private:
    Database& db_;
    std::unique_ptr<Connection> connection_;
  };

  // Waits up to `timeout` for a free connection: StorageError(GH_ERR_TIMEOUT) when none
  // frees up, StorageError(GH_ERR_FAILED) when the database cannot be reached.
  std::unique_ptr<Lease> acquire(std::chrono::milliseconds timeout);

  std::size_t idle_connections() const;
  std::size_t leased_connections() const;

 private:
  void give_back(std::unique_ptr<Connection> connection) noexcept;

  DatabaseSettings settings_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  WriteTurn sqlite_writer_;  // SQLite: one write transaction at a time (Connection::begin)
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mutex_
  std::size_t open_ = 0;  // connections in existence, idle or leased; guarded by mutex_
};

}  // namespace gamehost::storage
