// gamehost: the host process. See docs/configuration.md for the config file and
// docs/operations.md (when present) for running it.
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "config/config.hpp"
#include "log/logging.hpp"
#include "server.hpp"
#include "storage/migrate_command.hpp"
#include "version.hpp"

namespace {

// Exit codes, documented in docs/configuration.md.
constexpr int kExitConfig = 2;

// Written once the listeners are bound, so scripts and tests know the ports (even port 0).
void write_ready_file(const std::string& path, const gamehost::Server& server) {
  const auto tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "tcp=" << server.tcp_port() << "\nws=" << server.websocket_port()
        << "\nadmin=" << server.admin_port() << "\npid=" << ::getpid() << "\n";
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gamehost - a game server host whose game features are plugins"};
  std::string config_path = "config/gamehost.toml";
  std::string ready_file;
  bool check_only = false;
  app.add_option("-c,--config", config_path, "config file (TOML)")->capture_default_str();
  app.add_option("--ready-file", ready_file, "write the bound ports here once listening");
  app.add_flag("--check-config", check_only, "validate the config file and exit");
  app.set_version_flag("--version", std::string("gamehost ") + gamehost::kHostVersion);
  auto* migrate =
      app.add_subcommand("migrate", "show or apply the configured plugins' migrations, then exit");
  gamehost::storage::MigrateOptions migrate_options;
  migrate->add_flag("--status", migrate_options.status_only,
                    "list applied, pending and changed migrations");
  migrate->add_flag("--dry-run", migrate_options.dry_run,
                    "show what would be applied, apply nothing");
  CLI11_PARSE(app, argc, argv);

  gamehost::config::Config config;
  try {
    config = gamehost::config::load_file(config_path);
  } catch (const gamehost::config::ConfigError& e) {
    std::cerr << "gamehost: invalid config: " << e.what() << "\n";
    return kExitConfig;
  }
  if (check_only) {
    std::cout << config_path << ": ok\n";
    return 0;
  }
  if (migrate->parsed())
    return gamehost::storage::run_migrate_command(config, migrate_options, std::cout, std::cerr);

  try {
    gamehost::logging::init(config.log);
  } catch (const std::exception& e) {
    std::cerr << "gamehost: cannot set up logging: " << e.what() << "\n";
    return kExitConfig;
  }

  try {
    std::filesystem::create_directories(config.server.data_dir);
    gamehost::Server server(config);
    server.start();
    if (!ready_file.empty()) write_ready_file(ready_file, server);
    server.run();
  } catch (const gamehost::StartupError& e) {
    spdlog::critical("cannot start: {}", e.what());
    spdlog::shutdown();
    return e.exit_code();
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
    spdlog::shutdown();
    return 1;
  }
  spdlog::shutdown();
  return 0;
}
