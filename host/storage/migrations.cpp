#include "storage/migrations.hpp"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

namespace gamehost::storage {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw MigrationError("cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string sha256_hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

std::string first_line(const std::string& statement) {
  auto line = statement.substr(0, statement.find('\n'));
  return line.size() > 120 ? line.substr(0, 117) + "..." : line;
}

// Serialises migrations of several hosts sharing one MySQL database.
class MysqlMigrationLock {
 public:
  explicit MysqlMigrationLock(Connection& c) : c_(c.dialect() == Dialect::mysql ? &c : nullptr) {
    if (c_ == nullptr) return;
    auto st = c_->prepare("SELECT GET_LOCK('gamehost_migrations', 60)");
    if (!st->step() || st->column(0).int_value != 1) {
      throw MigrationError("another host holds the migration lock for over 60 s");
    }
  }
  ~MysqlMigrationLock() {
    if (c_ == nullptr) return;
    try {
      auto st = c_->prepare("SELECT RELEASE_LOCK('gamehost_migrations')");
      st->step();
    } catch (...) {
    }
  }
  MysqlMigrationLock(const MysqlMigrationLock&) = delete;
  MysqlMigrationLock& operator=(const MysqlMigrationLock&) = delete;

 private:
  Connection* c_;
};

}  // namespace

const char* to_string(MigrationState::State state) noexcept {
  switch (state) {
    case MigrationState::State::applied:
      return "applied";
    case MigrationState::State::pending:
      return "pending";
    case MigrationState::State::changed:
      return "CHANGED";
    case MigrationState::State::missing:
      return "missing";
  }
  return "?";
}

Migrator::Migrator(Database& db, std::filesystem::path root) : db_(db), root_(std::move(root)) {}

std::vector<std::string> Migrator::split_statements(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    auto trimmed = line;
    trimmed.erase(trimmed.find_last_not_of(" \t\r") + 1);
    const auto start = trimmed.find_first_not_of(" \t");
    if (start == std::string::npos || trimmed.compare(start, 2, "--") == 0) continue;
    current += trimmed + "\n";
    if (trimmed.back() == ';') {
      current.erase(current.find_last_of(';'));
      out.push_back(current);
      current.clear();
    }
  }
  if (current.find_first_not_of(" \t\n") != std::string::npos) out.push_back(current);
  return out;
}

std::vector<MigrationFile> Migrator::files(const std::string& plugin) const {
  const auto dir = root_ / plugin;
  std::vector<MigrationFile> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  static const std::regex kName(R"(^([0-9]{4})_[A-Za-z0-9_]+\.sql$)");
  std::map<std::uint32_t, MigrationFile> by_version;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    if (name.ends_with(".mysql.sql") || name == "README.md") continue;
    std::smatch m;
    if (!std::regex_match(name, m, kName)) {
      throw MigrationError((dir / name).string() +
                           ": a migration is named NNNN_name.sql (NNNN: 4 digits)");
    }
    MigrationFile file;
    file.version = static_cast<std::uint32_t>(std::stoul(m[1].str()));
    file.name = name;
    file.path = entry.path();
    if (db_.dialect() == Dialect::mysql) {
      auto variant = entry.path();
      variant.replace_extension(".mysql.sql");
      if (std::filesystem::exists(variant, ec)) file.path = variant;
    }
    file.checksum = sha256_hex(read_file(file.path));
    const auto [it, fresh] = by_version.emplace(file.version, file);
    if (!fresh) {
      throw MigrationError(dir.string() + ": two migrations with version " + m[1].str() + ": " +
                           it->second.name + " and " + name);
    }
  }
  for (auto& [version, file] : by_version) out.push_back(std::move(file));
  return out;
}

void Migrator::ensure_table(Connection& c) {
  c.execute(
      "CREATE TABLE IF NOT EXISTS gamehost_migrations ("
      " plugin VARCHAR(64) NOT NULL, version INTEGER NOT NULL, name VARCHAR(200) NOT NULL,"
      " checksum CHAR(64) NOT NULL, applied_at_ms BIGINT NOT NULL, PRIMARY KEY (plugin, version))");
}

std::vector<MigrationState> Migrator::status(const std::string& plugin) {
  auto lease = db_.acquire(std::chrono::seconds(30));
  return status_on(lease->connection(), plugin);
}

std::vector<MigrationState> Migrator::status_on(Connection& c, const std::string& plugin) {
  ensure_table(c);
  std::map<std::uint32_t, MigrationState> states;
  for (auto& f : files(plugin)) {
    const auto version = f.version;
    states[version] = MigrationState{std::move(f), MigrationState::State::pending};
  }
  auto st = c.prepare(
      "SELECT version, name, checksum, applied_at_ms FROM gamehost_migrations WHERE plugin = ?");
  st->bind(1, plugin);
  while (st->step()) {
    const auto version = static_cast<std::uint32_t>(st->column(0).int_value);
    const auto text = [&](std::uint32_t i) {
      const auto v = st->column(i);
      return std::string(v.text, v.len);
    };
    auto& s = states[version];
    s.applied_checksum = text(2);
    s.applied_at_ms = static_cast<std::uint64_t>(st->column(3).int_value);
    if (s.file.name.empty()) {
      s.file.version = version;
      s.file.name = text(1);
      s.state = MigrationState::State::missing;
    } else {
      s.state = s.file.checksum == s.applied_checksum ? MigrationState::State::applied
                                                      : MigrationState::State::changed;
    }
  }
  std::vector<MigrationState> out;
  out.reserve(states.size());
  for (auto& [version, s] : states) out.push_back(std::move(s));
  return out;
}

std::vector<MigrationFile> Migrator::apply(const std::string& plugin) {
  auto lease = db_.acquire(std::chrono::seconds(30));
  auto& c = lease->connection();
  ensure_table(c);
  MysqlMigrationLock lock(c);
  std::vector<MigrationFile> applied;
  for (const auto& s : status_on(c, plugin)) {
    const auto where =
        s.file.path.empty() ? (root_ / plugin / s.file.name).string() : s.file.path.string();
    if (s.state == MigrationState::State::changed) {
      throw MigrationError(where + " was changed after it was applied (recorded checksum " +
                           s.applied_checksum.substr(0, 12) + ", file now " +
                           s.file.checksum.substr(0, 12) +
                           "): restore it and put the change in a new migration");
    }
    if (s.state == MigrationState::State::missing) {
      spdlog::warn("migration {} of plugin {} is recorded as applied but its file is gone",
                   s.file.name, plugin);
    }
    if (s.state != MigrationState::State::pending) continue;
    const auto statements = split_statements(read_file(s.file.path));
    c.begin();
    std::size_t n = 0;
    try {
      for (const auto& statement : statements) {
        ++n;
        c.execute(statement);
      }
      auto record = c.prepare(
          "INSERT INTO gamehost_migrations (plugin, version, name, checksum, applied_at_ms) VALUES "
          "(?, ?, ?, ?, ?)");
      record->bind(1, plugin);
      record->bind(2, std::int64_t{s.file.version});
      record->bind(3, s.file.name);
      record->bind(4, s.file.checksum);
      record->bind(5, static_cast<std::int64_t>(now_ms()));
      record->step();
      c.commit();
    } catch (const StorageError& e) {
      try {
        c.rollback();
      } catch (...) {
      }
      throw MigrationError(s.file.path.string() + ": statement " + std::to_string(n) + " (" +
                           first_line(n <= statements.size() ? statements[n - 1] : std::string()) +
                           ") failed: " + e.what() + "; rolled back");
    }
    spdlog::info("migration {} of plugin {} applied ({} statements)", s.file.name, plugin,
                 statements.size());
    applied.push_back(s.file);
  }
  return applied;
}

}  // namespace gamehost::storage
