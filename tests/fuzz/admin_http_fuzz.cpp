// libFuzzer: the admin API's request handling. The input is one HTTP request as a client
// sends it. It is read as admin::Connection reads it - Beast's request_parser with the same
// limits (8 KiB of header, 64 KiB of body), through http::read over a flat_buffer, the
// bytes arriving in reads whose sizes come from the input - the read errors answered as
// Connection::on_read answers them, and a request that reads whole goes to the real
// admin::Api::handle (admin_api.cpp: the token check, the query's percent-decoding, the
// routing, the JSON answers, /metrics), then becomes Beast's response as on_read builds it
// and is serialised. Before the Api, the console's files (admin/console.cpp's serve, with
// stand-in file contents) as Connection::on_read answers them.
//
// The Api runs on a real core::Runtime (its sessions, metrics and config) and on a stand-in
// PluginManager (defined below, in place of loader/plugin_manager.cpp): no plugin is loaded,
// and load, reload and unload refuse as the real one does for a plugin that is not loaded or
// a file that is not there - with the same messages. Checked on every request:
//   - without the right bearer token nothing but GET /healthz and GET /metrics is answered
//     other than 401, and the manager is never asked to load, reload or unload;
//   - a JSON answer is valid JSON; a status is one the API documents;
//   - Api::handle never throws (on the host it runs on a worker thread, where an exception
//     ends the process; finding 1, docs/fuzzing.md, was one).
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string>

#include "admin/admin_api.hpp"
#include "admin/console.hpp"
#include "loader/plugin_file.hpp"
#include "loader/plugin_manager.hpp"
#include "storage/database.hpp"

namespace {
int g_manager_changes = 0;  // load, reload and unload calls that reached the manager
}

// ---- The stand-in plugin manager: nothing loaded, no plugin file anywhere ----------------
namespace gamehost::plugins {

PluginManager::PluginManager(core::Runtime& runtime, router::Routes& routes)
    : runtime_(runtime), routes_(routes) {}
PluginManager::~PluginManager() = default;
void PluginManager::load(const config::PluginConfig&) {
  ++g_manager_changes;
  throw PluginRefused("file not found");
}
void PluginManager::unload(const std::string& name) {
  ++g_manager_changes;
  throw PluginRefused("plugin " + name + " is not loaded");
}
PluginManager::ReloadResult PluginManager::reload(const std::string& name, const std::string&,
                                                  const std::string&) {
  ++g_manager_changes;
  throw PluginRefused("plugin " + name + " is not loaded");
}
std::vector<std::shared_ptr<PluginInstance>> PluginManager::draining() const { return {}; }
std::vector<std::shared_ptr<PluginInstance>> PluginManager::list() const { return {}; }
std::shared_ptr<PluginInstance> PluginManager::find(const std::string&) const { return nullptr; }
void PluginManager::broadcast_session_event(gh_session_event_kind, session::SessionId,
                                            session::UserId) const {}

// What admin_api.cpp reads of a loaded plugin or of the database: never reached (no plugin
// is loaded, runtime.storage is null), only linked.
[[noreturn]] void unreachable(const char* what) {
  std::fprintf(stderr, "admin_http: the stand-in reached %s\n", what);
  std::abort();
}
PluginStats::ReloadRecord PluginStats::last_reload() const { unreachable("last_reload"); }
PluginStats::Histogram PluginStats::handler_histogram() const { unreachable("handler_histogram"); }
std::size_t PluginInstance::open_keys() const { unreachable("open_keys"); }
std::string describe_ranges(const Manifest&) { unreachable("describe_ranges"); }

}  // namespace gamehost::plugins

// The console's embedded files (console_assets.cpp is generated into the host's build tree at
// build time): stand-ins with the real names and types; console::serve is the code fuzzed.
namespace gamehost::admin::console {
const Asset kAssets[] = {{"index.html", "text/html; charset=utf-8", "<!doctype html>"},
                         {"console.js", "text/javascript; charset=utf-8", "'use strict';"},
                         {"console.css", "text/css; charset=utf-8", "body{}"},
                         {"favicon.svg", "image/svg+xml", "<svg/>"}};
const std::size_t kAssetCount = std::size(kAssets);
}  // namespace gamehost::admin::console

namespace gamehost::exec {
std::size_t SerialQueue::depth() const { gamehost::plugins::unreachable("SerialQueue::depth"); }
}  // namespace gamehost::exec
namespace gamehost::storage {
std::size_t Database::idle_connections() const { gamehost::plugins::unreachable("idle_connections"); }
std::size_t Database::leased_connections() const {
  gamehost::plugins::unreachable("leased_connections");
}
}  // namespace gamehost::storage

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

// As admin_server.cpp's Server::Impl (private there).
constexpr std::uint32_t kMaxHeaderBytes = 8 * 1024;
constexpr std::uint64_t kMaxBodyBytes = 64 * 1024;
constexpr char kToken[] = "fuzz-token";

// The client's bytes, handed over in reads of 1 to 64 bytes (sizes from the input's first
// byte) or all at once, then end of stream.
class ChunkedStream {
 public:
  ChunkedStream(const char* data, std::size_t size, std::uint8_t seed)
      : data_(data), size_(size), state_(seed), whole_(seed == 0) {}

  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers, beast::error_code& ec) {
    if (at_ == size_) {
      ec = asio::error::eof;
      return 0;
    }
    std::size_t n = size_ - at_;
    if (!whole_) {
      state_ = state_ * 1103515245u + 12345u;
      n = std::min<std::size_t>(n, 1 + (state_ >> 16) % 64);
    }
    n = asio::buffer_copy(buffers, asio::buffer(data_ + at_, n));
    at_ += n;
    ec = {};
    return n;
  }
  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers) {
    beast::error_code ec;
    const auto n = read_some(buffers, ec);
    if (ec) throw beast::system_error(ec);
    return n;
  }

 private:
  const char* data_;
  std::size_t size_;
  std::size_t at_ = 0;
  std::uint32_t state_;
  bool whole_;
};

class StringSink {
 public:
  template <class ConstBuffers>
  std::size_t write_some(const ConstBuffers& buffers, beast::error_code& ec) {
    ec = {};
    std::size_t n = 0;
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers);
         ++it) {
      const asio::const_buffer b = *it;
      out.append(static_cast<const char*>(b.data()), b.size());
      n += b.size();
    }
    return n;
  }
  template <class ConstBuffers>
  std::size_t write_some(const ConstBuffers& buffers) {
    beast::error_code ec;
    return write_some(buffers, ec);
  }
  std::string out;
};

struct World {
  World() {
    config.plugins.dir = "/nonexistent/gamehost-fuzz-plugins";
  }
  gamehost::config::Config config;
  asio::io_context io;
  gamehost::exec::WorkerPool workers{1, "fz-work-"};
  gamehost::exec::WorkerPool blocking{1, "fz-block-"};
  gamehost::core::Timers timers{io};
  gamehost::session::Registry sessions{1000, 100};
  gamehost::session::Groups groups;
  gamehost::core::EventBus events;
  gamehost::core::Calls calls;
  gamehost::core::Metrics metrics;
  gamehost::core::Runtime runtime{config, workers, blocking, timers, sessions, groups,
                                  events, calls,   metrics,  nullptr};
  gamehost::router::Routes routes;
  gamehost::plugins::PluginManager manager{runtime, routes};
  gamehost::admin::Api api{runtime, manager, kToken};
};

World& world() {
  static World* w = new World();  // never destroyed: its worker threads outlive the run
  return *w;
}

[[noreturn]] void fail(const char* what, const gamehost::admin::Request& r, int status) {
  std::fprintf(stderr, "admin_http: %s (%s, status %d)\n", what, r.method.c_str(), status);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  auto& w = world();
  ChunkedStream stream(reinterpret_cast<const char*>(data + 1), size - 1, data[0]);
  beast::flat_buffer buffer;
  http::request_parser<http::string_body> parser;
  parser.header_limit(kMaxHeaderBytes);
  parser.body_limit(kMaxBodyBytes);
  beast::error_code ec;
  http::read(stream, buffer, parser, ec);

  // Connection::on_read: a read error is answered from here (or not at all).
  if (ec == http::error::end_of_stream || ec == asio::error::connection_reset) return 0;
  if (ec) {
    if (parser.is_done()) std::abort();  // an error, yet a whole request
    return 0;
  }
  if (!parser.is_done()) std::abort();
  const auto& req = parser.get();
  // The console's files are answered first, without the token (Connection::on_read).
  if (auto page = gamehost::admin::console::serve(req.method_string(), req.target())) {
    const auto path = std::string(req.target().substr(0, req.target().find('?')));
    if (path != "/console" && path.rfind("/console/", 0) != 0) std::abort();  // not its path
    if (page->status != 200 && page->status != 404 && page->status != 405) std::abort();
    http::response<http::string_body> res{static_cast<http::status>(page->status), 11};
    res.set(http::field::content_type, page->content_type);
    for (const auto& [name, value] : gamehost::admin::console::kHeaders) res.set(name, value);
    if (!page->allow.empty()) res.set(http::field::allow, page->allow);
    res.body() = std::move(page->body);
    res.keep_alive(false);
    res.prepare_payload();
    StringSink sink;
    http::write(sink, res, ec);
    if (ec) std::abort();
    return 0;
  }
  const gamehost::admin::Request request{std::string(req.method_string()),
                                         std::string(req.target()),
                                         std::string(req[http::field::authorization])};
  const int changes_before = g_manager_changes;
  gamehost::admin::Response answer;
  try {
    answer = w.api.handle(request);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "admin_http: Api::handle threw: %s\n", e.what());
    fail("Api::handle threw", request, 0);
  }

  const auto path = request.target.substr(0, request.target.find('?'));
  const bool open_endpoint = request.method == "GET" && (path == "/healthz" || path == "/metrics");
  const bool authorised = request.authorization == std::string("Bearer ") + kToken;
  if (!authorised && !open_endpoint) {
    if (answer.status != 401) fail("answered without the token", request, answer.status);
    if (g_manager_changes != changes_before) fail("manager changed without the token", request, 401);
  }
  switch (answer.status) {
    case 200: case 400: case 401: case 404: case 409: case 500: break;
    default: fail("unexpected status", request, answer.status);
  }
  if (answer.content_type == "application/json" && !nlohmann::json::accept(answer.body))
    fail("the JSON answer is not JSON", request, answer.status);

  // The answer as Connection builds and writes it.
  http::response<http::string_body> res{static_cast<http::status>(answer.status), 11};
  res.set(http::field::content_type, answer.content_type);
  res.body() = answer.body;
  res.keep_alive(false);
  res.prepare_payload();
  StringSink sink;
  http::write(sink, res, ec);
  if (ec) fail("the answer cannot be written", request, answer.status);
  return 0;
}
