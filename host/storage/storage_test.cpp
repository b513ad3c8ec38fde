// Unit tests of the storage component: URLs, placeholders, snowflake ids, migrations and
// statements against a real SQLite file (and MariaDB when GAMEHOST_TEST_MYSQL_URL is set).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "storage/database.hpp"
#include "storage/id_clock.hpp"
#include "storage/migrations.hpp"
#include "storage/snowflake.hpp"
#include "storage/statement.hpp"
#include "storage/storage_url.hpp"

namespace gamehost::storage {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/gamehost-storage-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

TEST(StorageUrl, DefaultIsSqliteFileUnderDataDir) {
  const auto url = parse_storage_url("", "/var/lib/gamehost");
  EXPECT_EQ(url.dialect, Dialect::sqlite);
  EXPECT_EQ(url.sqlite_path, "/var/lib/gamehost/gamehost.db");
  EXPECT_EQ(parse_storage_url("sqlite:game.db", "data").sqlite_path, "data/game.db");
  EXPECT_EQ(parse_storage_url("sqlite:/srv/g.db", "data").sqlite_path, "/srv/g.db");
}

TEST(StorageUrl, MysqlUrlWithEveryPart) {
  const auto url = parse_storage_url("mysql://game:p%40ss@10.0.0.5:3307/world", "data");
  EXPECT_EQ(url.dialect, Dialect::mysql);
  EXPECT_EQ(url.user, "game");
  EXPECT_EQ(url.password, "p@ss");
  EXPECT_EQ(url.host, "10.0.0.5");
  EXPECT_EQ(url.port, 3307u);
  EXPECT_EQ(url.database, "world");
  EXPECT_EQ(url.display(), "mysql://game:***@10.0.0.5:3307/world");  // never the password
  EXPECT_EQ(parse_storage_url("mysql://u@h/db", "data").port, 3306u);
}

TEST(StorageUrl, BadUrlsSayWhatIsWrong) {
  EXPECT_THROW(parse_storage_url("postgres://x@y/z", "d"), std::invalid_argument);
  EXPECT_THROW(parse_storage_url("mysql://host/db", "d"), std::invalid_argument);
  EXPECT_THROW(parse_storage_url("mysql://u:p@host", "d"), std::invalid_argument);
  EXPECT_THROW(parse_storage_url("mysql://u:p@host:99999/db", "d"), std::invalid_argument);
}

TEST(Placeholders, NumberedOutsideQuotesAndComments) {
  const auto [sql, n] =
      number_placeholders("SELECT '?', \"a?\" FROM t -- why?\nWHERE a = ? AND b = ?");
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(sql, "SELECT '?', \"a?\" FROM t -- why?\nWHERE a = :p1 AND b = :p2");
  EXPECT_TRUE(returns_rows("  select 1"));
  EXPECT_TRUE(returns_rows("WITH x AS (SELECT 1) SELECT * FROM x"));
  EXPECT_FALSE(returns_rows("UPDATE t SET a = 1"));
  EXPECT_FALSE(returns_rows("INSERT INTO t VALUES (1)"));
}

TEST(Snowflake, LayoutAndUniqueness) {
  std::uint64_t now = Snowflake::kEpochMs + 1000;
  Snowflake ids(
      42, 2000, [&] { return now; }, [&](std::uint64_t) { ++now; }, [](std::uint64_t, bool) {});
  std::set<std::uint64_t> seen;
  std::uint64_t last = 0;
  for (int i = 0; i < 10000; ++i) {  // more than 4096 in one ms: rolls to the next ms
    const auto id = ids.next().value();
    EXPECT_GT(id, last);
    last = id;
    seen.insert(id);
    EXPECT_EQ(Snowflake::node_of(id), 42u);
  }
  EXPECT_EQ(seen.size(), 10000u);
  EXPECT_GE(Snowflake::time_of(last), Snowflake::kEpochMs + 1002);
}

TEST(Snowflake, SmallStepBackWaitsLargeOneRefuses) {
  std::uint64_t now = Snowflake::kEpochMs + 100000;
  std::uint64_t slept = 0;
  std::vector<std::pair<std::uint64_t, bool>> steps;
  Snowflake ids(
      1, 500, [&] { return now; },
      [&](std::uint64_t ms) {
        slept += ms;
        now += ms;
      },
      [&](std::uint64_t back, bool waited) { steps.emplace_back(back, waited); });
  const auto first = ids.next().value();
  now -= 300;  // NTP steps the clock back 300 ms
  const auto second = ids.next().value();
  EXPECT_GT(second, first);
  EXPECT_GE(slept, 300u);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_TRUE(steps[0].second);
  now -= 5000;  // an operator sets the clock back 5 s
  EXPECT_FALSE(ids.next().has_value());
  EXPECT_FALSE(steps.back().second);
  now += 5001;
  EXPECT_GT(ids.next().value(), second);
}

// A restart resumes after the last id the previous run gave (written to the data dir), so
// a clock set back while the host was down counts as a step back.
TEST(Snowflake, RestartResumesAfterTheLastRecordedId) {
  TempDir dir;
  const auto file = dir.path() / "id-clock";
  std::uint64_t now = Snowflake::kEpochMs + 500000;
  std::vector<bool> steps;
  const auto make = [&] {
    return std::make_unique<Snowflake>(
        1, 2000, [&] { return now; },
        [&](std::uint64_t ms) { now += std::max<std::uint64_t>(ms, 1); },
        [&](std::uint64_t, bool waited) { steps.push_back(waited); });
  };
  std::uint64_t first = 0;
  {
    auto ids = make();
    IdClock clock(*ids, file);
    first = ids->next().value();
  }  // the host stops: the clock file holds the last id's time
  ASSERT_TRUE(fs::exists(file));
  {
    // A quick restart, clock unchanged: the margin is waited out, ids still grow.
    auto ids = make();
    IdClock clock(*ids, file);
    EXPECT_GT(ids->next().value(), first);
    EXPECT_EQ(steps, std::vector<bool>{true});
  }
  {
    // The clock was set back an hour while the host was down: new ids are refused.
    now -= 3'600'000;
    auto ids = make();
    IdClock clock(*ids, file);
    EXPECT_FALSE(ids->next().has_value());
    EXPECT_FALSE(steps.back());
  }
}

TEST(Migrations, SplitsStatementsAtLineEndSemicolons) {
  const auto statements = Migrator::split_statements(
      "-- accounts\nCREATE TABLE a (\n  x INTEGER -- inline\n);\n\nINSERT INTO a VALUES "
      "(1);\nSELECT 'a;b'");
  ASSERT_EQ(statements.size(), 3u);
  EXPECT_EQ(statements[0], "CREATE TABLE a (\n  x INTEGER -- inline\n)");
  EXPECT_EQ(statements[1], "INSERT INTO a VALUES (1)");
  EXPECT_EQ(statements[2], "SELECT 'a;b'\n");
}

// The same behaviour on every database the host supports.
class StorageOn : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    DatabaseSettings settings;
    if (GetParam() == "sqlite") {
      settings.url = parse_storage_url("sqlite:test.db", dir_.path().string());
    } else {
      const char* url = std::getenv("GAMEHOST_TEST_MYSQL_URL");
      if (url == nullptr || *url == '\0') {
        if (std::getenv("GAMEHOST_REQUIRE_MYSQL") != nullptr)
          FAIL() << "GAMEHOST_TEST_MYSQL_URL is not set";
        GTEST_SKIP() << "no MariaDB (scripts/test starts one and sets GAMEHOST_TEST_MYSQL_URL)";
      }
      settings.url = parse_storage_url(url, dir_.path().string());
      // A database of its own: the integration tests use the URL's one at the same time.
      {
        Database server(settings);
        server.acquire(std::chrono::seconds(5))
            ->connection()
            .execute("CREATE DATABASE IF NOT EXISTS gamehost_unit");
      }
      settings.url.database = "gamehost_unit";
    }
    settings.pool_size = 4;
    db_ = std::make_unique<Database>(settings);
    // A clean slate on a shared server.
    auto lease = db_->acquire(std::chrono::seconds(5));
    for (const auto* t : {"unit_items", "unit_bad", "gamehost_migrations"}) {
      lease->connection().execute(std::string("DROP TABLE IF EXISTS ") + t);
    }
  }
  void exec(const std::string& sql) {
    db_->acquire(std::chrono::seconds(5))->connection().execute(sql);
  }

  TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_P(StorageOn, SixtyFourBitIdsTextAndNullsRoundTrip) {
  exec(
      "CREATE TABLE unit_items (id BIGINT PRIMARY KEY, name VARCHAR(64), score DOUBLE, note "
      "VARCHAR(10))");
  auto lease = db_->acquire(std::chrono::seconds(5));
  auto& c = lease->connection();
  const std::int64_t big = (std::int64_t{1} << 62) + 12345;  // a snowflake-sized id
  auto insert = c.prepare("INSERT INTO unit_items (id, name, score, note) VALUES (?, ?, ?, ?)");
  insert->bind(1, big);
  insert->bind(2, std::string("it's \"quoted\" ?"));
  insert->bind(3, 2.5);
  insert->bind(4, Value{});
  EXPECT_FALSE(insert->step());
  EXPECT_EQ(insert->changes(), 1u);
  auto select = c.prepare(
      "SELECT id, name, score, note, COUNT(*) FROM unit_items WHERE id = ? GROUP BY id, name, "
      "score, note");
  select->bind(1, big);
  ASSERT_TRUE(select->step());
  EXPECT_EQ(select->column(0).type, GH_DB_INT);
  EXPECT_EQ(select->column(0).int_value, big);
  const auto name = select->column(1);
  EXPECT_EQ(std::string(name.text, name.len), "it's \"quoted\" ?");
  EXPECT_DOUBLE_EQ(select->column(2).double_value, 2.5);
  EXPECT_EQ(select->column(3).type, GH_DB_NULL);
  EXPECT_EQ(select->column(4).int_value, 1);
  EXPECT_FALSE(select->step());
}

TEST_P(StorageOn, DuplicateKeyIsAConstraintAndRollbackUndoes) {
  exec("CREATE TABLE unit_items (id BIGINT PRIMARY KEY, name VARCHAR(64))");
  auto lease = db_->acquire(std::chrono::seconds(5));
  auto& c = lease->connection();
  c.begin();
  auto insert = c.prepare("INSERT INTO unit_items (id, name) VALUES (?, ?)");
  insert->bind(1, std::int64_t{1});
  insert->bind(2, std::string("a"));
  insert->step();
  auto again = c.prepare("INSERT INTO unit_items (id, name) VALUES (?, ?)");
  again->bind(1, std::int64_t{1});
  again->bind(2, std::string("b"));
  try {
    again->step();
    FAIL() << "a duplicate key was accepted";
  } catch (const StorageError& e) {
    EXPECT_EQ(e.status(), GH_ERR_CONSTRAINT) << e.what();
  }
  c.rollback();
  auto count = c.prepare("SELECT COUNT(*) FROM unit_items");
  ASSERT_TRUE(count->step());
  EXPECT_EQ(count->column(0).int_value, 0);
}

TEST_P(StorageOn, ReleasedLeaseRollsBackAndPoolTimesOut) {
  exec("CREATE TABLE unit_items (id BIGINT PRIMARY KEY)");
  {
    auto lease = db_->acquire(std::chrono::seconds(5));
    lease->connection().begin();
    lease->connection().execute("INSERT INTO unit_items (id) VALUES (7)");
  }  // released mid-transaction: rolled back
  {
    auto lease = db_->acquire(std::chrono::seconds(5));
    auto count = lease->connection().prepare("SELECT COUNT(*) FROM unit_items");
    ASSERT_TRUE(count->step());
    EXPECT_EQ(count->column(0).int_value, 0);
  }
  std::vector<std::unique_ptr<Database::Lease>> all;
  all.reserve(4);
  for (int i = 0; i < 4; ++i) all.push_back(db_->acquire(std::chrono::seconds(5)));
  try {
    db_->acquire(std::chrono::milliseconds(50));
    FAIL() << "a fifth lease from a pool of four";
  } catch (const StorageError& e) {
    EXPECT_EQ(e.status(), GH_ERR_TIMEOUT);
  }
}

TEST_P(StorageOn, MigrationsApplyInOrderOnceAndRecordChecksums) {
  const auto root = dir_.path() / "migrations";
  write(root / "unit" / "0001_items.sql",
        "CREATE TABLE unit_items (id BIGINT PRIMARY KEY, name VARCHAR(64));\n");
  write(root / "unit" / "0002_seed.sql",
        "INSERT INTO unit_items (id, name) VALUES (1, 'a');\nINSERT INTO unit_items (id, name) "
        "VALUES (2, 'b');\n");
  Migrator migrator(*db_, root);
  auto status = migrator.status("unit");
  ASSERT_EQ(status.size(), 2u);
  EXPECT_EQ(status[0].state, MigrationState::State::pending);
  EXPECT_EQ(migrator.apply("unit").size(), 2u);
  EXPECT_EQ(migrator.apply("unit").size(), 0u);  // applied once
  status = migrator.status("unit");
  EXPECT_EQ(status[1].state, MigrationState::State::applied);
  EXPECT_EQ(status[1].applied_checksum.size(), 64u);

  // An applied file edited afterwards: refused, naming the file.
  write(root / "unit" / "0002_seed.sql", "INSERT INTO unit_items (id, name) VALUES (3, 'c');\n");
  EXPECT_EQ(migrator.status("unit")[1].state, MigrationState::State::changed);
  try {
    migrator.apply("unit");
    FAIL() << "a changed migration was accepted";
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("0002_seed.sql was changed"), std::string::npos)
        << e.what();
  }
}

TEST_P(StorageOn, FailingMigrationIsRolledBackAndNamesTheStatement) {
  const auto root = dir_.path() / "migrations";
  write(root / "unit" / "0001_items.sql", "CREATE TABLE unit_items (id BIGINT PRIMARY KEY);\n");
  // Data statements, so the rollback is real on MySQL too (its DDL commits implicitly).
  write(root / "unit" / "0002_bad.sql",
        "INSERT INTO unit_items (id) VALUES (1);\nINSERT INTO unit_items (id) VALUES (2);\nINSERT "
        "INTO no_such_table VALUES (3);\n");
  Migrator migrator(*db_, root);
  try {
    migrator.apply("unit");
    FAIL() << "a failing migration was accepted";
  } catch (const MigrationError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("0002_bad.sql: statement 3"), std::string::npos) << what;
    EXPECT_NE(what.find("rolled back"), std::string::npos) << what;
  }
  auto lease = db_->acquire(std::chrono::seconds(5));
  auto count = lease->connection().prepare("SELECT COUNT(*) FROM unit_items");
  ASSERT_TRUE(count->step());
  EXPECT_EQ(count->column(0).int_value, 0);  // nothing of 0002 stayed
  const auto status = migrator.status("unit");
  EXPECT_EQ(status[0].state, MigrationState::State::applied);
  EXPECT_EQ(status[1].state, MigrationState::State::pending);
}

TEST_P(StorageOn, BadlyNamedMigrationIsRefused) {
  const auto root = dir_.path() / "migrations";
  write(root / "unit" / "1_items.sql", "SELECT 1;\n");
  Migrator migrator(*db_, root);
  EXPECT_THROW(migrator.apply("unit"), MigrationError);
}

TEST_P(StorageOn, ConcurrentWritersQueueInsteadOfFailing) {
  exec("CREATE TABLE unit_items (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)");
  exec("INSERT INTO unit_items (id, n) VALUES (1, 0)");
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  std::atomic<std::int64_t> next_id{100};
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        try {
          auto lease = db_->acquire(std::chrono::seconds(10));
          auto& c = lease->connection();
          c.begin();
          auto bump = c.prepare("UPDATE unit_items SET n = n + 1 WHERE id = 1");
          bump->step();
          auto row = c.prepare("INSERT INTO unit_items (id, n) VALUES (?, 0)");
          row->bind(1, next_id.fetch_add(1));
          row->step();
          c.commit();
        } catch (const StorageError& e) {
          ADD_FAILURE() << e.what();
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto lease = db_->acquire(std::chrono::seconds(5));
  auto read = lease->connection().prepare(
      "SELECT n, (SELECT COUNT(*) FROM unit_items) FROM unit_items WHERE id = 1");
  ASSERT_TRUE(read->step());
  EXPECT_EQ(read->column(0).int_value, 100);
  EXPECT_EQ(read->column(1).int_value, 101);
}

INSTANTIATE_TEST_SUITE_P(Databases, StorageOn, ::testing::Values("sqlite", "mysql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace gamehost::storage
