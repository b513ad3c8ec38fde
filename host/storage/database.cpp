#include "storage/database.hpp"

#include <spdlog/spdlog.h>

namespace gamehost::storage {

Database::Database(DatabaseSettings settings) : settings_(std::move(settings)) {
  if (settings_.pool_size == 0) settings_.pool_size = 1;
  idle_.push_back(
      std::make_unique<Connection>(settings_.url, settings_.connection, &sqlite_writer_));
  open_ = 1;
}

Database::~Database() = default;

Database::Lease::Lease(Database& db, std::unique_ptr<Connection> connection) noexcept
    : db_(db), connection_(std::move(connection)) {}

Database::Lease::~Lease() {
  try {
    connection_->rollback();
  } catch (const std::exception& e) {
    spdlog::warn("storage: rollback on release failed ({}); dropping the connection", e.what());
    connection_.reset();
  }
  db_.give_back(std::move(connection_));
}

std::unique_ptr<Database::Lease> Database::acquire(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (idle_.empty() && open_ >= settings_.pool_size) {
    if (freed_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= settings_.pool_size) {
      throw StorageError(GH_ERR_TIMEOUT,
                         "no database connection free within " + std::to_string(timeout.count()) +
                             " ms (storage.pool_size = " + std::to_string(settings_.pool_size) +
                             ")");
    }
  }
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    return std::make_unique<Lease>(*this, std::move(connection));
  }
  // Open a new one outside the lock: connecting to a remote server can take a while.
  ++open_;
  lock.unlock();
  try {
    return std::make_unique<Lease>(
        *this, std::make_unique<Connection>(settings_.url, settings_.connection, &sqlite_writer_));
  } catch (...) {
    lock.lock();
    --open_;
    freed_.notify_one();
    throw;
  }
}

void Database::give_back(std::unique_ptr<Connection> connection) noexcept {
  std::lock_guard lock(mutex_);
  if (connection && !connection->lost()) {
    idle_.push_back(std::move(connection));
  } else {
    --open_;  // gone: the next acquire opens a fresh one
  }
  freed_.notify_one();
}

std::size_t Database::idle_connections() const {
  std::lock_guard lock(mutex_);
  return idle_.size();
}

std::size_t Database::leased_connections() const {
  std::lock_guard lock(mutex_);
  return open_ - idle_.size();
}

}  // namespace gamehost::storage
