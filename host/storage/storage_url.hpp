// Internal header: where the database is, from [storage] url.
#pragma once

#include <string>

#include "storage/storage_error.hpp"

namespace gamehost::storage {

struct StorageUrl {
  Dialect dialect = Dialect::sqlite;
  std::string sqlite_path;  // SQLite: the database file
  std::string host;         // MySQL/MariaDB
  unsigned port = 3306;
  std::string user;
  std::string password;
  std::string database;
  // For logs and the admin API: the URL with the password masked.
  std::string display() const;
};

// "" (the default)           -> SQLite file <data_dir>/gamehost.db
// "sqlite:<path>"            -> SQLite file (relative paths are under data_dir)
// "mysql://user:password@host:port/db" (port optional; user and password percent-decoded)
// Throws std::invalid_argument naming what is wrong.
StorageUrl parse_storage_url(const std::string& url, const std::string& data_dir);

}  // namespace gamehost::storage
