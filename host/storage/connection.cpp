#include "storage/connection.hpp"

#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <filesystem>

namespace gamehost::storage {
namespace {

// A value in SOCI's connection string, quoted so spaces and quotes survive.
std::string quoted(const std::string& value) {
  std::string out = "'";
  for (const char c : value) {
    if (c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

unsigned seconds_at_least_one(std::uint32_t ms) {
  return std::max(1u, (ms + 999) / 1000);
}

}  // namespace

Connection::Connection(const StorageUrl& url, const ConnectionSettings& settings,
                       WriteTurn* sqlite_writer)
    : dialect_(url.dialect),
      busy_timeout_(settings.busy_timeout_ms),
      sqlite_writer_(url.dialect == Dialect::sqlite ? sqlite_writer : nullptr) {
  try {
    if (dialect_ == Dialect::sqlite) {
      const auto parent = std::filesystem::path(url.sqlite_path).parent_path();
      if (!parent.empty()) std::filesystem::create_directories(parent);
      // SOCI's SQLite backend takes db=<path> as it is (quotes would be part of the name).
      if (url.sqlite_path.find_first_of(" '\"") != std::string::npos) {
        throw StorageError(GH_ERR_INVALID_ARGUMENT,
                           "the SQLite path must not contain spaces or quotes");
      }
      session_ = std::make_unique<soci::session>(*soci::factory_sqlite3(), "db=" + url.sqlite_path);
      sqlite_ = sqlite_handle(*session_);
      sqlite_set_busy_timeout(sqlite_, settings.busy_timeout_ms);
      // WAL: readers never wait for the writer. synchronous=FULL: a committed coin change
      // survives power loss, not only a crash of the process.
      execute("PRAGMA journal_mode=WAL");
      execute("PRAGMA synchronous=FULL");
      execute("PRAGMA foreign_keys=ON");
    } else {
      const std::string connect =
          "db=" + quoted(url.database) + " user=" + quoted(url.user) +
          " password=" + quoted(url.password) + " host=" + quoted(url.host) +
          " port=" + std::to_string(url.port) + " charset=utf8mb4" +
          " connect_timeout=" + std::to_string(seconds_at_least_one(settings.connect_timeout_ms)) +
          " read_timeout=" + std::to_string(seconds_at_least_one(settings.query_timeout_ms)) +
          " write_timeout=" + std::to_string(seconds_at_least_one(settings.query_timeout_ms));
      session_ = std::make_unique<soci::session>(*soci::factory_mysql(), connect);
      execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
    }
  } catch (const StorageError& e) {
    throw StorageError(GH_ERR_FAILED, "cannot open " + url.display() + ": " + e.what());
  } catch (const std::exception& e) {
    throw StorageError(GH_ERR_FAILED, "cannot open " + url.display() + ": " + e.what());
  }
}

Connection::~Connection() {
  // A connection dropped inside a transaction (lost, or its lease gone) must not keep the
  // other writers waiting for a turn it can no longer give back.
  release_write_turn();
}

void Connection::execute(const std::string& sql) {
  if (dialect_ == Dialect::sqlite) {
    sqlite_execute(sqlite_, sql);
    return;
  }
  try {
    *session_ << sql;
  } catch (const soci::mysql_soci_error& e) {
    bool lost = false;
    const auto status = mysql_status(e.err_num_, lost);
    if (lost) lost_ = true;
    throw StorageError(status, e.get_error_message() + " in: " + sql);
  } catch (const soci::soci_error& e) {
    throw StorageError(GH_ERR_FAILED, e.get_error_message() + " in: " + sql);
  }
}

void Connection::begin() {
  if (in_transaction_) {
    throw StorageError(GH_ERR_INVALID_ARGUMENT, "a transaction is already open on this lease");
  }
  if (sqlite_writer_ != nullptr) {
    if (!sqlite_writer_->try_take_for(busy_timeout_)) {
      throw StorageError(GH_ERR_BUSY, "no write turn within storage.busy_timeout_ms (" +
                                          std::to_string(busy_timeout_.count()) + " ms)");
    }
    holds_write_turn_ = true;
  }
  try {
    execute(dialect_ == Dialect::sqlite ? "BEGIN IMMEDIATE" : "START TRANSACTION");
  } catch (...) {
    release_write_turn();
    throw;
  }
  in_transaction_ = true;
}

void Connection::commit() {
  if (!in_transaction_) {
    throw StorageError(GH_ERR_INVALID_ARGUMENT, "no transaction is open on this lease");
  }
  try {
    execute("COMMIT");
  } catch (...) {
    // SQLite keeps the transaction open after a busy COMMIT; end it so the lease is clean.
    try {
      rollback();
    } catch (...) {
    }
    throw;
  }
  in_transaction_ = false;
  release_write_turn();
}

void Connection::rollback() {
  if (!in_transaction_) return;
  in_transaction_ = false;
  try {
    execute("ROLLBACK");
  } catch (...) {
    release_write_turn();
    throw;
  }
  release_write_turn();
}

void Connection::release_write_turn() noexcept {
  if (!holds_write_turn_) return;
  holds_write_turn_ = false;
  sqlite_writer_->give_back();
}

std::unique_ptr<Statement> Connection::prepare(std::string_view sql) {
  if (dialect_ == Dialect::sqlite) return prepare_sqlite(sqlite_, sql);
  return prepare_mysql(*session_, lost_, sql);
}

}  // namespace gamehost::storage
