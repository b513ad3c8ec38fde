#include "admin/admin_api.hpp"

#include <gamehost/abi.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "loader/plugin_file.hpp"
#include "loader/plugin_manager.hpp"
#include "storage/storage.hpp"
#include "version.hpp"

namespace gamehost::admin {
namespace {

using nlohmann::json;

// Texts that are not UTF-8 (a plugin name from the URL, say) are sent with U+FFFD in place
// of the bad bytes rather than making the answer throw.
Response json_response(int status, const json& body) {
  return {status, "application/json", body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n"};
}
Response error(int status, const std::string& text) {
  return json_response(status, {{"error", text}});
}

// Constant time in the length of the expected token, so timing tells nothing about it.
bool token_matches(const std::string& given, const std::string& expected) {
  const std::string prefix = "Bearer ";
  if (given.size() != prefix.size() + expected.size() ||
      given.compare(0, prefix.size(), prefix) != 0) {
    return false;
  }
  unsigned char diff = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    diff |= static_cast<unsigned char>(given[prefix.size() + i] ^ expected[i]);
  }
  return diff == 0;
}

// A query string's value that is not valid percent-encoding ("%zz", "%4" at the end).
class BadQuery : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The percent-decoded value of `key` in the query ("" when absent); throws BadQuery.
std::string query_value(const std::string& query, const std::string& key) {
  std::istringstream in(query);
  std::string pair;
  while (std::getline(in, pair, '&')) {
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) != key || eq == std::string::npos) continue;
    std::string value;
    const auto raw = pair.substr(eq + 1);
    for (std::size_t i = 0; i < raw.size(); ++i) {  // percent-decoding, for file paths
      if (raw[i] != '%') {
        value.push_back(raw[i] == '+' ? ' ' : raw[i]);
        continue;
      }
      const int hi = i + 1 < raw.size() ? hex_digit(raw[i + 1]) : -1;
      const int lo = i + 2 < raw.size() ? hex_digit(raw[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        throw BadQuery("bad percent-encoding in query parameter '" + key + "'");
      }
      value.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    }
    return value;
  }
  return {};
}

json plugin_json(const plugins::PluginInstance& p) {
  const auto r = p.stats().last_reload();
  json last = nullptr;
  if (r.attempted) {
    last = {{"ok", r.ok}, {"detail", r.detail}, {"pause_us", r.pause_us}, {"at_ms", r.at_ms}};
  }
  return {{"name", p.name()},
          {"version", p.version()},
          {"state", p.stopped() ? "stopped" : "running"},
          {"file", p.file()},
          {"ids", plugins::describe_ranges(p.manifest())},
          {"loaded_at_ms", p.loaded_at_ms()},
          {"reloads", p.reloads()},
          {"queue_depth", p.queue_depth()},
          {"messages", p.stats().messages_handled()},
          {"failures", p.stats().handler_failures()},
          {"open_keys", p.open_keys()},  // rooms, games, matches: what it declared with key_open
          {"last_reload", last}};
}

// The metric label of a host error code, from abi.h's one list of them.
const char* code_name(std::uint32_t code) {
  switch (code) {
#define GAMEHOST_DETAIL_CODE_NAME(NAME, name, value, text) \
  case GH_CODE_##NAME:                                     \
    return #name;
    GAMEHOST_HOST_ERROR_CODES(GAMEHOST_DETAIL_CODE_NAME)
#undef GAMEHOST_DETAIL_CODE_NAME
    default:
      return "plugin_defined";
  }
}

}  // namespace

Api::Api(core::Runtime& runtime, plugins::PluginManager& plugins, std::string token)
    : runtime_(runtime),
      plugins_(plugins),
      token_(std::move(token)),
      started_at_ms_(core::now_ms()) {}

Response Api::handle(const Request& request) {
  const auto q = request.target.find('?');
  const auto path = request.target.substr(0, q);
  const auto query = q == std::string::npos ? std::string() : request.target.substr(q + 1);
  // Health and metrics are for probes and scrapers on the same host: no token.
  if (path == "/healthz" && request.method == "GET") {
    return json_response(200, {{"status", "ok"}, {"plugins", plugins_.list().size()}});
  }
  if (path == "/metrics" && request.method == "GET")
    return {200, "text/plain; version=0.0.4", metrics()};
  if (!token_matches(request.authorization, token_)) {
    return error(401, "missing or wrong bearer token (see [admin] token in the config)");
  }
  try {
    return route(request, path, query);
  } catch (const BadQuery& e) {
    return error(400, e.what());
  } catch (const plugins::PluginRefused& e) {
    return error(409, e.what());
  } catch (const std::exception& e) {
    return error(500, e.what());
  }
}

Response Api::route(const Request& request, const std::string& path, const std::string& query) {
  const bool get = request.method == "GET";
  const bool post = request.method == "POST";
  if (path == "/v1/status" && get) {
    return json_response(200, {{"version", kHostVersion},
                               {"uptime_s", (core::now_ms() - started_at_ms_) / 1000},
                               {"sessions", runtime_.sessions.size()},
                               {"plugins", plugins_.list().size()}});
  }
  if (path == "/v1/sessions" && get)
    return json_response(200, {{"count", runtime_.sessions.size()}});
  if (path == "/v1/plugins" && get) {
    json list = json::array();
    for (const auto& p : plugins_.list()) list.push_back(plugin_json(*p));
    for (const auto& p : plugins_.draining()) {
      auto j = plugin_json(*p);
      j["state"] = "draining";
      j["open_keys"] = p->open_keys();
      list.push_back(j);
    }
    return json_response(200, list);
  }
  const std::string prefix = "/v1/plugins/";
  if (path.rfind(prefix, 0) == 0 && post) {
    const auto rest = path.substr(prefix.size());
    const auto slash = rest.find('/');
    if (slash == std::string::npos) return error(404, "no such endpoint: " + path);
    const auto name = rest.substr(0, slash);
    const auto action = rest.substr(slash + 1);
    const auto file = query_value(query, "file");
    if (action == "reload") {
      const auto strategy = query_value(query, "strategy");
      if (!strategy.empty() && strategy != "handover" && strategy != "drain") {
        return error(400, "unknown strategy '" + strategy + "' (handover or drain)");
      }
      const auto r = plugins_.reload(name, file, strategy);
      return json_response(
          200, {{"plugin", name}, {"from", r.from}, {"to", r.to}, {"pause_us", r.pause.count()}});
    }
    if (action == "unload") {
      plugins_.unload(name);
      return json_response(200, {{"plugin", name}, {"unloaded", true}});
    }
    if (action == "load") {
      config::PluginConfig pc;
      for (const auto& configured : runtime_.config.plugins.load) {
        if (configured.name == name) pc = configured;
      }
      if (pc.name.empty()) {
        pc.name = name;
        pc.file = runtime_.config.plugins.dir + "/" + name + ".so";
      }
      if (!file.empty()) pc.file = file;
      plugins_.load(pc);
      return json_response(200, plugin_json(*plugins_.find(name)));
    }
  }
  return error(404, "no such endpoint: " + request.method + " " + path);
}

std::string Api::metrics() const {
  std::ostringstream out;
  const auto& m = runtime_.metrics;
  out << "# HELP gamehost_sessions Client sessions open now.\n# TYPE gamehost_sessions gauge\n"
      << "gamehost_sessions " << runtime_.sessions.size() << "\n"
      << "# HELP gamehost_connections_total Connections opened and closed.\n# TYPE "
         "gamehost_connections_total counter\n"
      << "gamehost_connections_total{event=\"opened\"} " << m.connections_opened.load() << "\n"
      << "gamehost_connections_total{event=\"closed\"} " << m.connections_closed.load() << "\n"
      << "# HELP gamehost_frames_in_total Frames received from clients.\n# TYPE "
         "gamehost_frames_in_total counter\n"
      << "gamehost_frames_in_total " << m.frames_in.load() << "\n"
      << "# HELP gamehost_errors_total Error replies and kicks, by code.\n# TYPE "
         "gamehost_errors_total counter\n";
  for (std::uint32_t code = 0; code < core::Metrics::kCodes; ++code) {
    const auto n = m.errors(code);
    if (n == 0 && (code == 0 || code > GH_CODE_STORAGE_UNAVAILABLE)) continue;
    out << "gamehost_errors_total{code=\"" << code << "\",name=\"" << code_name(code) << "\"} " << n
        << "\n";
  }
  out << "# HELP gamehost_plugin_info The build each plugin runs.\n# TYPE gamehost_plugin_info "
         "gauge\n";
  const auto list = plugins_.list();
  for (const auto& p : list) {
    out << "gamehost_plugin_info{plugin=\"" << p->name() << "\",version=\"" << p->version()
        << "\"} 1\n";
  }
  auto per_plugin = [&out, &list](const char* metric, const char* type, const char* help,
                                  auto value) {
    out << "# HELP " << metric << " " << help << "\n# TYPE " << metric << " " << type << "\n";
    for (const auto& p : list)
      out << metric << "{plugin=\"" << p->name() << "\"} " << value(*p) << "\n";
  };
  per_plugin("gamehost_plugin_messages_total", "counter", "Client messages handled.",
             [](const plugins::PluginInstance& p) { return p.stats().messages_handled(); });
  per_plugin("gamehost_plugin_messages_out_total", "counter", "Frames the plugin sent to clients.",
             [](const plugins::PluginInstance& p) { return p.stats().messages_out(); });
  per_plugin("gamehost_plugin_failures_total", "counter", "Handlers that failed unexpectedly.",
             [](const plugins::PluginInstance& p) { return p.stats().handler_failures(); });
  per_plugin("gamehost_plugin_queue_depth", "gauge", "Messages waiting in the plugin's queue.",
             [](const plugins::PluginInstance& p) { return p.queue_depth(); });
  per_plugin("gamehost_plugin_events_dropped_total", "counter",
             "Events the plugin did not get because its queue was full.",
             [](const plugins::PluginInstance& p) { return p.stats().events_dropped(); });
  per_plugin("gamehost_plugin_queue_bytes", "gauge",
             "Client payload bytes waiting in the plugin's queue.",
             [](const plugins::PluginInstance& p) { return p.queued_bytes(); });
  per_plugin("gamehost_plugin_reloads_total", "counter", "Successful live reloads.",
             [](const plugins::PluginInstance& p) { return p.reloads(); });
  per_plugin("gamehost_plugin_last_reload_pause_seconds", "gauge",
             "How long messages were held during the last successful reload.",
             [](const plugins::PluginInstance& p) {
               const auto r = p.stats().last_reload();
               return r.ok ? static_cast<double>(r.pause_us) / 1e6 : 0.0;
             });
  per_plugin("gamehost_plugin_db_statements_total", "counter",
             "Database statements the plugin ran.",
             [](const plugins::PluginInstance& p) { return p.stats().db().statements.load(); });
  per_plugin("gamehost_plugin_db_failures_total", "counter",
             "Storage calls that failed (constraint violations included).",
             [](const plugins::PluginInstance& p) { return p.stats().db().failures.load(); });
  per_plugin("gamehost_plugin_db_seconds_total", "counter", "Time the plugin's statements took.",
             [](const plugins::PluginInstance& p) {
               return static_cast<double>(p.stats().db().nanoseconds.load()) / 1e9;
             });
  if (runtime_.storage != nullptr) {
    auto& db = runtime_.storage->database();
    out << "# HELP gamehost_db_connections Database connections by state.\n# TYPE "
           "gamehost_db_connections gauge\n"
        << "gamehost_db_connections{state=\"idle\"} " << db.idle_connections() << "\n"
        << "gamehost_db_connections{state=\"leased\"} " << db.leased_connections() << "\n";
  }
  out << "# HELP gamehost_plugin_handler_seconds Time in message handlers.\n"
      << "# TYPE gamehost_plugin_handler_seconds histogram\n";
  for (const auto& p : list) {
    const auto buckets = p->stats().handler_histogram();
    const auto& bounds = plugins::PluginStats::kHandlerBucketsSeconds;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      out << "gamehost_plugin_handler_seconds_bucket{plugin=\"" << p->name() << "\",le=\""
          << bounds[i] << "\"} " << buckets[i] << "\n";
    }
    out << "gamehost_plugin_handler_seconds_bucket{plugin=\"" << p->name() << "\",le=\"+Inf\"} "
        << buckets.back() << "\n"
        << "gamehost_plugin_handler_seconds_sum{plugin=\"" << p->name() << "\"} "
        << p->stats().handler_seconds_total() << "\n"
        << "gamehost_plugin_handler_seconds_count{plugin=\"" << p->name() << "\"} "
        << buckets.back() << "\n";
  }
  return out.str();
}

}  // namespace gamehost::admin
