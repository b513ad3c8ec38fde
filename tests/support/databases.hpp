// Test support: the databases the integration tests run the host on - a fresh SQLite file
// or the MariaDB server scripts/test starts (GAMEHOST_TEST_MYSQL_URL) - and direct queries
// that check what the host stored.
#pragma once

#include <cstdint>
#include <string>

namespace gamehost::testing {

// The MariaDB test server's URL, or nullptr when none is configured.
const char* mysql_url();
// Drops every table of the database at `url` (this project's tables, migrations included).
void drop_project_tables(const std::string& url);
// The first column of the first row of `sql` on the database at `url` (0 when no row).
std::int64_t query_int(const std::string& url, const std::string& sql);

}  // namespace gamehost::testing
