#include "config/config.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>

namespace gamehost::config {
namespace {

// Fills `out` with "file:line:col" for every value under `table` (dotted keys from prefix).
void record_origins(const toml::table& table, const std::string& prefix, const std::string& file,
                    std::map<std::string, std::string>& out) {
  for (const auto& [key, node] : table) {
    const auto path =
        prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    if (const auto* sub = node.as_table()) {
      record_origins(*sub, path, file, out);
      continue;
    }
    const auto& src = node.source();
    std::string where = src.path ? *src.path : file;
    if (src.begin.line != 0) {
      where += ":" + std::to_string(src.begin.line) + ":" + std::to_string(src.begin.column);
    }
    out[path] = std::move(where);
  }
}

const std::set<std::string> kLogLevels = {"trace", "debug", "info", "warn", "error", "off"};
const std::set<std::string> kCapabilities = {"bind_user"};

// Reads one TOML table, remembering which keys were used, so that anything left over
// (a typo) is refused with its line.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string path, std::string name)
      : table_(table), path_(std::move(path)), name_(std::move(name)) {}

  [[noreturn]] void fail(const toml::node* node, std::string_view key,
                         const std::string& why) const {
    fail_at(node != nullptr ? node->source() : table_.source(), key, why);
  }
  [[noreturn]] void fail_at(const toml::source_region& src, std::string_view key,
                            const std::string& why) const {
    std::ostringstream out;
    out << path_;
    if (src.begin.line != 0) out << ':' << src.begin.line << ':' << src.begin.column;
    out << ": " << (name_.empty() ? "" : "[" + name_ + "] ") << key << ": " << why;
    throw ConfigError(out.str());
  }

  const toml::node* get(std::string_view key) {
    used_.insert(std::string(key));
    return table_.get(key);
  }

  void read(std::string_view key, std::string& out) {
    if (const auto* n = get(key)) {
      if (!n->is_string()) fail(n, key, "must be a string");
      out = n->as_string()->get();
    }
  }
  void read(std::string_view key, bool& out) {
    if (const auto* n = get(key)) {
      if (!n->is_boolean()) fail(n, key, "must be true or false");
      out = n->as_boolean()->get();
    }
  }
  void read(std::string_view key, std::uint32_t& out, std::int64_t min, std::int64_t max) {
    if (const auto* n = get(key)) {
      if (!n->is_integer()) fail(n, key, "must be an integer");
      const auto v = n->as_integer()->get();
      if (v < min || v > max) {
        fail(n, key,
             "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                 std::to_string(v));
      }
      out = static_cast<std::uint32_t>(v);
    }
  }
  void read_one_of(std::string_view key, std::string& out, const std::set<std::string>& allowed) {
    read(key, out);
    if (!out.empty() && !allowed.contains(out)) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail(get(key), key, "'" + out + "' is not one of: " + list);
    }
  }
  const toml::table* subtable(std::string_view key) {
    const auto* n = get(key);
    if (n == nullptr) return nullptr;
    if (!n->is_table()) fail(n, key, "must be a table");
    return n->as_table();
  }

  // Refuses keys nobody read: they are typos or belong to another version.
  void reject_unknown() const {
    for (const auto& [key, node] : table_) {
      if (!used_.contains(std::string(key.str()))) fail_at(key.source(), key.str(), "unknown key");
    }
  }
  const std::string& path() const { return path_; }

 private:
  const toml::table& table_;
  std::string path_;
  std::string name_;
  std::set<std::string> used_;
};

void read_server(TableReader& top, ServerConfig& s) {
  const auto* t = top.subtable("server");
  if (t == nullptr) return;
  TableReader r(*t, top.path(), "server");
  r.read("io_threads", s.io_threads, 0, 256);
  r.read("worker_threads", s.worker_threads, 0, 256);
  r.read("blocking_threads", s.blocking_threads, 1, 1024);
  r.read_one_of("io_thread_scheduling", s.io_thread_scheduling, {"batch", "normal"});
  if (s.io_thread_scheduling.empty()) {
    r.fail(r.get("io_thread_scheduling"), "io_thread_scheduling", "must be batch or normal");
  }
  r.read("data_dir", s.data_dir);
  if (s.data_dir.empty()) r.fail(r.get("data_dir"), "data_dir", "must not be empty");
  r.read_one_of("mode", s.mode, {"development", "production"});
  if (s.mode.empty()) r.fail(r.get("mode"), "mode", "must be development or production");
  r.read("node_id", s.node_id, 0, 1023);
  r.read("max_clock_step_back_ms", s.max_clock_step_back_ms, 0, 3'600'000);
  r.reject_unknown();
}

void read_storage(TableReader& top, StorageConfig& s) {
  if (const auto* t = top.subtable("storage")) {
    TableReader r(*t, top.path(), "storage");
    r.read("url", s.url);
    r.read("migrations_dir", s.migrations_dir);
    r.read("pool_size", s.pool_size, 1, 1024);
    r.read("acquire_timeout_ms", s.acquire_timeout_ms, 1, 600'000);
    r.read("busy_timeout_ms", s.busy_timeout_ms, 0, 600'000);
    r.read("query_timeout_ms", s.query_timeout_ms, 1000, 3'600'000);
    r.read("connect_timeout_ms", s.connect_timeout_ms, 1000, 600'000);
    if (!s.url.empty() && !s.url.starts_with("sqlite:") && !s.url.starts_with("mysql://")) {
      r.fail(r.get("url"), "url", "must be sqlite:<file> or mysql://user:password@host:port/db");
    }
    r.reject_unknown();
  }
  // Keeps the database password out of the config file when the operator wants to.
  if (const char* env = std::getenv("GAMEHOST_STORAGE_URL"); env != nullptr && *env != '\0')
    s.url = env;
}

void read_listen(TableReader& top, ListenConfig& l) {
  const auto* t = top.subtable("listen");
  if (t == nullptr) return;
  TableReader r(*t, top.path(), "listen");
  for (auto [key, value] : {std::pair{"tcp", &l.tcp}, std::pair{"websocket", &l.websocket}}) {
    r.read(key, *value);
    if (value->empty()) continue;
    try {
      parse_endpoint(*value);
    } catch (const std::invalid_argument& e) {
      r.fail(r.get(key), key, e.what());
    }
  }
  if (l.tcp.empty() && l.websocket.empty()) {
    r.fail(nullptr, "tcp", "at least one of tcp and websocket must be set");
  }
  r.read("web_root", l.web_root);
  if (!l.web_root.empty()) {
    std::error_code ec;
    if (l.websocket.empty()) {
      r.fail(r.get("web_root"), "web_root", "needs the websocket listener (it serves the files)");
    } else if (!std::filesystem::is_directory(l.web_root, ec)) {
      r.fail(r.get("web_root"), "web_root", "\"" + l.web_root + "\" is not a directory");
    }
  }
  r.reject_unknown();
}

void read_limits(TableReader& top, LimitsConfig& l) {
  const auto* t = top.subtable("limits");
  if (t == nullptr) return;
  TableReader r(*t, top.path(), "limits");
  r.read("max_frame_bytes", l.max_frame_bytes, 16, std::int64_t{16} * 1024 * 1024);
  r.read("max_connections", l.max_connections, 1, 1'000'000);
  r.read("max_connections_per_ip", l.max_connections_per_ip, 1, 1'000'000);
  r.read("idle_timeout_ms", l.idle_timeout_ms, 1000, 3'600'000);
  r.read("login_timeout_ms", l.login_timeout_ms, 0, 3'600'000);
  r.read("handshake_timeout_ms", l.handshake_timeout_ms, 100, 60'000);
  r.read("max_groups_per_session", l.max_groups_per_session, 1, 100'000);
  r.read("heartbeat_interval_ms", l.heartbeat_interval_ms, 100, 3'600'000);
  r.read("send_queue_frames", l.send_queue_frames, 8, 1'000'000);
  r.read("send_queue_bytes", l.send_queue_bytes, 65'536, 1'073'741'824);
  r.read("rate_limit_per_second", l.rate_limit_per_second, 1, 10'000'000);
  r.read("rate_limit_burst", l.rate_limit_burst, 1, 10'000'000);
  if (l.heartbeat_interval_ms >= l.idle_timeout_ms) {
    r.fail(nullptr, "heartbeat_interval_ms",
           "heartbeat_interval_ms (" + std::to_string(l.heartbeat_interval_ms) +
               ", default 15000) must be shorter than idle_timeout_ms (" +
               std::to_string(l.idle_timeout_ms) + ", default 60000), or idle clients are dropped");
  }
  r.reject_unknown();
}

// The token config/gamehost.toml ships with: fine on a laptop, refused in production.
constexpr std::string_view kShippedAdminToken = "dev-admin-token";

void read_admin(TableReader& top, AdminConfig& a, const ServerConfig& server) {
  const auto refuse_shipped_token = [&server, &a](TableReader& r) {
    if (server.mode == "production" && a.token == kShippedAdminToken) {
      r.fail(r.get("token"), "token",
             "the shipped development token is refused with [server] mode = \"production\": set "
             "a secret (or GAMEHOST_ADMIN_TOKEN)");
    }
  };
  if (const auto* t = top.subtable("admin")) {
    TableReader r(*t, top.path(), "admin");
    r.read("listen", a.listen);
    if (!a.listen.empty()) {
      try {
        parse_endpoint(a.listen);
      } catch (const std::invalid_argument& e) {
        r.fail(r.get("listen"), "listen", e.what());
      }
    }
    r.read("token", a.token);
    r.reject_unknown();
    if (const char* env = std::getenv("GAMEHOST_ADMIN_TOKEN"); env != nullptr && *env != '\0')
      a.token = env;
    refuse_shipped_token(r);
    return;
  }
  if (const char* env = std::getenv("GAMEHOST_ADMIN_TOKEN"); env != nullptr && *env != '\0')
    a.token = env;
  refuse_shipped_token(top);
}

void read_log(TableReader& top, LogConfig& l) {
  const auto* t = top.subtable("log");
  if (t == nullptr) return;
  TableReader r(*t, top.path(), "log");
  r.read_one_of("level", l.level, kLogLevels);
  if (l.level.empty()) r.fail(r.get("level"), "level", "must not be empty");
  r.read("file", l.file);
  r.read("console", l.console);
  r.reject_unknown();
}

void read_plugins(TableReader& top, PluginsConfig& p) {
  const auto* t = top.subtable("plugins");
  if (t == nullptr) return;
  TableReader r(*t, top.path(), "plugins");
  r.read("dir", p.dir);
  r.read("required", p.required);
  r.read("keyed_lanes", p.keyed_lanes, 0, 4096);
  r.read("watch", p.watch);
  const auto* load = r.get("load");
  if (load != nullptr) {
    if (!load->is_array()) r.fail(load, "load", "must be an array of plugin names");
    for (const auto& item : *load->as_array()) {
      if (!item.is_string()) r.fail(&item, "load", "must be an array of plugin names");
      PluginConfig pc;
      pc.name = item.as_string()->get();
      const bool duplicate = std::any_of(p.load.begin(), p.load.end(),
                                         [&](const PluginConfig& x) { return x.name == pc.name; });
      if (duplicate) r.fail(&item, "load", "plugin '" + pc.name + "' is listed twice");
      p.load.push_back(std::move(pc));
    }
  }
  for (auto& pc : p.load) {
    pc.file = (std::filesystem::path(p.dir) / (pc.name + ".so")).string();
    const auto* own = r.subtable(pc.name);
    if (own == nullptr) continue;
    TableReader pr(*own, top.path(), "plugins." + pc.name);
    pr.read("file", pc.file);
    pr.read_one_of("log_level", pc.log_level, kLogLevels);
    pr.read("queue_capacity", pc.queue_capacity, 1, 10'000'000);
    pr.read("queue_bytes", pc.queue_bytes, 65'536, 2'147'483'647);
    pr.read_one_of("reload_strategy", pc.reload_strategy, {"handover", "drain"});
    if (const auto* caps = pr.get("capabilities")) {
      if (!caps->is_array()) pr.fail(caps, "capabilities", "must be an array of strings");
      for (const auto& c : *caps->as_array()) {
        if (!c.is_string() || !kCapabilities.contains(c.as_string()->get())) {
          pr.fail(&c, "capabilities", "unknown capability (known: bind_user)");
        }
        pc.capabilities.push_back(c.as_string()->get());
      }
    }
    if (const auto* settings = pr.subtable("settings")) {
      pc.settings = *settings;
      record_origins(*settings, "", top.path(), pc.setting_origins);
    }
    pr.reject_unknown();
  }
  // A table for a plugin that is not loaded is almost always a typo in its name.
  for (const auto& [key, node] : *t) {
    const auto k = std::string(key.str());
    if (k == "dir" || k == "required" || k == "load" || k == "keyed_lanes" || k == "watch")
      continue;
    if (!node.is_table()) r.fail_at(key.source(), k, "unknown key");
    const bool listed = std::any_of(p.load.begin(), p.load.end(),
                                    [&](const PluginConfig& x) { return x.name == k; });
    if (!listed) r.fail_at(key.source(), k, "settings for a plugin that is not in plugins.load");
  }
}

Config read(const toml::table& root, const std::string& path) {
  Config c;
  c.path = path;
  TableReader top(root, path, "");
  read_server(top, c.server);
  read_listen(top, c.listen);
  read_limits(top, c.limits);
  read_admin(top, c.admin, c.server);
  read_log(top, c.log);
  read_storage(top, c.storage);
  read_plugins(top, c.plugins);
  top.reject_unknown();
  return c;
}

}  // namespace

Config load_text(std::string_view text, const std::string& path) {
  try {
    return read(toml::parse(text, path), path);
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << path << ':' << e.source().begin.line << ':' << e.source().begin.column << ": "
        << e.description();
    throw ConfigError(out.str());
  }
}

Config load_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw ConfigError(path + ": no such file");
  try {
    return read(toml::parse_file(path), path);
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << path;
    if (e.source().begin.line != 0)
      out << ':' << e.source().begin.line << ':' << e.source().begin.column;
    out << ": " << e.description();
    throw ConfigError(out.str());
  }
}

Endpoint parse_endpoint(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw std::invalid_argument("'" + text + "' is not host:port");
  }
  auto host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const auto port_text = text.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      !std::all_of(port_text.begin(), port_text.end(),
                   [](char ch) { return ch >= '0' && ch <= '9'; })) {
    throw std::invalid_argument("'" + text + "' has no valid port");
  }
  const auto port = std::stoul(port_text);
  if (port > 65535) throw std::invalid_argument("'" + text + "': port over 65535");
  in6_addr any{};
  if (inet_pton(AF_INET, host.c_str(), &any) != 1 && inet_pton(AF_INET6, host.c_str(), &any) != 1) {
    throw std::invalid_argument("'" + host +
                                "' is not an IP address (use 0.0.0.0, 127.0.0.1, :: ...)");
  }
  return {host, static_cast<std::uint16_t>(port)};
}

}  // namespace gamehost::config
