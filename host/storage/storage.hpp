// Internal header: everything storage the host offers plugins - the database pool, the
// migrations, and snowflake ids - built from the config. Thread-safe.
#pragma once

#include <chrono>
#include <memory>

#include "config/config.hpp"
#include "storage/database.hpp"
#include "storage/id_clock.hpp"
#include "storage/migrations.hpp"
#include "storage/snowflake.hpp"

namespace gamehost::storage {

class Storage {
 public:
  // Opens the database (SQLite file created on first start). Throws StorageError when it
  // cannot, std::invalid_argument for a bad URL.
  explicit Storage(const config::Config& config);

  Database& database() noexcept { return *database_; }
  Migrator& migrator() noexcept { return migrator_; }
  Snowflake& ids() noexcept { return ids_; }
  std::chrono::milliseconds acquire_timeout() const noexcept { return acquire_timeout_; }

 private:
  std::unique_ptr<Database> database_;
  Migrator migrator_;
  Snowflake ids_;
  IdClock id_clock_;  // after ids_: it reads them until it is gone
  std::chrono::milliseconds acquire_timeout_;
};

}  // namespace gamehost::storage
