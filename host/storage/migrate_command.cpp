#include "storage/migrate_command.hpp"

#include <ctime>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "storage/storage.hpp"

namespace gamehost::storage {
namespace {

std::string utc(std::uint64_t ms) {
  if (ms == 0) return "-";
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%SZ", &tm);
  return text;
}

}  // namespace

int run_migrate_command(const config::Config& config, const MigrateOptions& options,
                        std::ostream& out, std::ostream& err) {
  std::unique_ptr<Storage> storage;
  try {
    storage = std::make_unique<Storage>(config);
  } catch (const std::exception& e) {
    err << "gamehost migrate: cannot open the database: " << e.what() << "\n";
    return 5;
  }
  out << "database: " << storage->database().url().display() << "\n";
  bool bad = false;
  for (const auto& plugin : config.plugins.load) {
    try {
      const auto states = storage->migrator().status(plugin.name);
      if (states.empty()) continue;
      if (options.status_only || options.dry_run) {
        for (const auto& s : states) {
          const bool pending = s.state == MigrationState::State::pending;
          out << std::left << std::setw(12) << plugin.name << std::setw(40) << s.file.name
              << std::setw(12) << (options.dry_run && pending ? "would apply" : to_string(s.state))
              << " " << utc(s.applied_at_ms) << "\n";
          if (s.state == MigrationState::State::changed) bad = true;
          if (options.dry_run && pending) {
            std::ifstream in(s.file.path);
            std::stringstream text;
            text << in.rdbuf();
            for (const auto& statement : Migrator::split_statements(text.str())) {
              // The first line of each statement; "..." when it goes on.
              const auto end = statement.find('\n');
              const bool more = end != std::string::npos &&
                                statement.find_first_not_of(" \t\n", end) != std::string::npos;
              out << "    " << statement.substr(0, end) << (more ? " ..." : "") << "\n";
            }
          }
        }
        continue;
      }
      for (const auto& f : storage->migrator().apply(plugin.name)) {
        out << "applied " << plugin.name << "/" << f.name << "\n";
      }
    } catch (const std::exception& e) {
      err << "gamehost migrate: " << plugin.name << ": " << e.what() << "\n";
      bad = true;
    }
  }
  return bad ? 6 : 0;
}

}  // namespace gamehost::storage
