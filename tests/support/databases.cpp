#include "support/databases.hpp"

#include <chrono>
#include <cstdlib>
#include <vector>

#include "storage/database.hpp"

namespace gamehost::testing {

using namespace std::chrono_literals;

const char* mysql_url() {
  const char* url = std::getenv("GAMEHOST_TEST_MYSQL_URL");
  return url != nullptr && *url != '\0' ? url : nullptr;
}

void drop_project_tables(const std::string& url) {
  storage::DatabaseSettings settings;
  settings.url = storage::parse_storage_url(url, "/tmp");
  settings.pool_size = 1;
  storage::Database db(settings);
  auto lease = db.acquire(5s);
  auto& c = lease->connection();
  std::vector<std::string> tables;
  {
    auto list = c.prepare(
        settings.url.dialect == storage::Dialect::mysql
            ? "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
            : "SELECT name FROM sqlite_master WHERE type = 'table'");
    while (list->step()) {
      const auto v = list->column(0);
      tables.emplace_back(v.text, v.len);
    }
  }
  for (const auto& t : tables) c.execute("DROP TABLE IF EXISTS " + t);
}

std::int64_t query_int(const std::string& url, const std::string& sql) {
  storage::DatabaseSettings settings;
  settings.url = storage::parse_storage_url(url, "/tmp");
  settings.pool_size = 1;
  storage::Database db(settings);
  auto lease = db.acquire(5s);
  auto st = lease->connection().prepare(sql);
  if (!st->step()) return 0;
  const auto v = st->column(0);
  if (v.type == GH_DB_INT) return v.int_value;
  if (v.type == GH_DB_DOUBLE) return static_cast<std::int64_t>(v.double_value);
  if (v.type == GH_DB_TEXT) return std::stoll(std::string(v.text, v.len));
  return 0;
}

}  // namespace gamehost::testing
