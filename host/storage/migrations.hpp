// Internal header: each plugin's schema migrations, migrations/<plugin>/NNNN_name.sql
// (with NNNN_name.mysql.sql beside it where MySQL/MariaDB needs other SQL). Applied in
// order, each in a transaction, before the plugin is created; recorded in
// gamehost_migrations (plugin, version, name, checksum, applied_at_ms). An applied file
// that has changed since refuses the plugin. Thread-safe for different plugins.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "storage/database.hpp"

namespace gamehost::storage {

// A migration the host refuses: a changed applied file, a failing statement (rolled
// back), a badly named file. what() names the file and, for a failing one, the statement.
class MigrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MigrationFile {
  std::uint32_t version = 0;   // NNNN
  std::string name;            // the file name of the generic variant: 0001_accounts.sql
  std::filesystem::path path;  // the variant for this database
  std::string checksum;        // SHA-256 of that file, hex
};

struct MigrationState {
  MigrationFile file;
  enum class State { applied, pending, changed, missing } state = State::pending;
  std::uint64_t applied_at_ms = 0;
  std::string applied_checksum;
};
const char* to_string(MigrationState::State state) noexcept;

class Migrator {
 public:
  Migrator(Database& db, std::filesystem::path root);

  // The plugin's files in version order, the variant for this database chosen.
  // Throws MigrationError for a badly named file or two files with one version.
  std::vector<MigrationFile> files(const std::string& plugin) const;
  // What is applied, pending, changed (applied, file differs) or missing (applied, no file).
  std::vector<MigrationState> status(const std::string& plugin);
  // Applies what is pending, each file in its own transaction; returns what it applied.
  // Throws MigrationError (nothing of the failing file stays applied on SQLite; on MySQL
  // DDL commits implicitly - see docs/operations.md).
  std::vector<MigrationFile> apply(const std::string& plugin);

  // A file's statements: split at ';' ending a line; '--' comment lines dropped.
  static std::vector<std::string> split_statements(const std::string& text);

 private:
  void ensure_table(Connection& connection);
  std::vector<MigrationState> status_on(Connection& connection, const std::string& plugin);

  Database& db_;
  std::filesystem::path root_;
};

}  // namespace gamehost::storage
