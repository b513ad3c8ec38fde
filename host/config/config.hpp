// Internal header: the host's configuration, loaded from TOML and validated up front.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace gamehost::config {

// A config the host refuses to start with. what() names the file, line and key.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ServerConfig {
  std::uint32_t io_threads = 0;      // 0 = one per core
  std::uint32_t worker_threads = 0;  // 0 = one per core
  // Threads that run plugins' blocking work (run_blocking: queries, password hashes).
  std::uint32_t blocking_threads = 8;
  // "batch": network threads run under SCHED_BATCH (no wake-up preemption); "normal": not.
  std::string io_thread_scheduling = "batch";
  std::string data_dir = "data";
  std::string mode = "development";             // "production": plugins refuse unsafe settings
  std::uint32_t node_id = 1;                    // 0..1023: the node part of snowflake ids
  std::uint32_t max_clock_step_back_ms = 2000;  // ids wait out a smaller clock step back
};

struct StorageConfig {
  std::string url;  // "" = SQLite file <data_dir>/gamehost.db; GAMEHOST_STORAGE_URL overrides
  std::string migrations_dir = "migrations";
  std::uint32_t pool_size = 8;
  std::uint32_t acquire_timeout_ms = 2000;
  std::uint32_t busy_timeout_ms = 5000;
  std::uint32_t query_timeout_ms = 10000;
  std::uint32_t connect_timeout_ms = 5000;
};

struct ListenConfig {
  std::string tcp = "0.0.0.0:7000";        // "" disables
  std::string websocket = "0.0.0.0:7001";  // "" disables
  std::string web_root;  // static files a browser gets on the WebSocket port; "" = none
};

struct LimitsConfig {
  std::uint32_t max_frame_bytes = 64 * 1024;
  std::uint32_t max_connections = 10000;
  std::uint32_t max_connections_per_ip = 64;
  std::uint32_t idle_timeout_ms = 60000;
  std::uint32_t login_timeout_ms = 30000;  // 0 = sessions may stay anonymous
  std::uint32_t handshake_timeout_ms = 5000;  // WebSocket upgrade must complete within this
  std::uint32_t max_groups_per_session = 64;
  std::uint32_t heartbeat_interval_ms = 15000;
  std::uint32_t send_queue_frames = 1024;
  std::uint32_t send_queue_bytes = 32U << 20;  // payload bytes a session's send queue holds
  std::uint32_t rate_limit_per_second = 200;
  std::uint32_t rate_limit_burst = 400;
};

struct AdminConfig {
  std::string listen = "127.0.0.1:7080";  // "" disables the admin API
  std::string token;  // bearer token; GAMEHOST_ADMIN_TOKEN overrides; empty disables
};

struct LogConfig {
  std::string level = "info";
  std::string file;  // "" = console only
  bool console = true;
};

struct PluginConfig {
  std::string name;
  std::string file;       // resolved path of the .so
  std::string log_level;  // "" = [log] level
  std::vector<std::string> capabilities;
  std::uint32_t queue_capacity = 10000;
  std::uint32_t queue_bytes = 64U << 20;  // client payload bytes its queue may hold
  std::string reload_strategy = "handover";  // default for reloads: "handover" or "drain"
  toml::table settings;                      // the plugin's own [plugins.<name>.settings]
  // Where each setting was written, by dotted key ("gamehost.toml:12:1"): copying a toml
  // table drops its source positions, so they are kept here while the original is at hand.
  std::map<std::string, std::string> setting_origins;
};

struct PluginsConfig {
  std::string dir = "plugins";
  bool required = true;
  std::uint32_t keyed_lanes = 0;  // 0 = 4 per worker thread
  bool watch = false;             // reload a plugin when its file is replaced (inotify)
  std::vector<PluginConfig> load;
};

struct Config {
  std::string path;
  ServerConfig server;
  ListenConfig listen;
  LimitsConfig limits;
  AdminConfig admin;
  LogConfig log;
  StorageConfig storage;
  PluginsConfig plugins;
};

// Reads and validates the file; throws ConfigError naming file, line and key.
Config load_file(const std::string& path);
// The same for TOML text (for tests); `path` is only used in messages.
Config load_text(std::string_view text, const std::string& path);

// Splits "host:port" (port 0 = any free port); throws std::invalid_argument.
struct Endpoint {
  std::string host;
  std::uint16_t port;
};
Endpoint parse_endpoint(const std::string& text);

}  // namespace gamehost::config
