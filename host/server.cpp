#include "server.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <condition_variable>
#include <csignal>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "admin/admin_api.hpp"
#include "admin/admin_server.hpp"
#include "core/open_files.hpp"
#include "core/runtime.hpp"
#include "core/thread_name.hpp"
#include "core/thread_scheduling.hpp"
#include "loader/file_watch.hpp"
#include "loader/plugin_manager.hpp"
#include "net/listener.hpp"
#include "net/static_files.hpp"
#include "router/dispatcher.hpp"
#include "router/route_table.hpp"
#include "storage/storage.hpp"
#include "version.hpp"

namespace gamehost {
namespace asio = boost::asio;

namespace {
std::size_t threads_or_cores(std::uint32_t configured) {
  if (configured != 0) return configured;
  return std::max(1u, std::thread::hardware_concurrency());
}
}  // namespace

// Members are declared in dependency order: each may refer to those above it, and they
// are destroyed bottom-up.
struct Server::Impl {
  explicit Impl(config::Config c)
      : config(std::move(c)),
        sessions(config.limits.max_connections, config.limits.max_connections_per_ip),
        groups(config.limits.max_groups_per_session),
        workers(threads_or_cores(config.server.worker_threads)),
        blocking(config.server.blocking_threads, "gh-blocking-"),
        timers(io),
        runtime{config, workers, blocking, timers,  sessions,     groups,
                events, calls,   metrics,  storage.get()},
        manager(runtime, routes),
        dispatcher(runtime, routes, manager),
        signals(io, SIGINT, SIGTERM, SIGHUP) {}

  config::Config config;
  // Before the io contexts: WebSocket connections point at it until the last one goes.
  std::unique_ptr<net::StaticFiles> web;
  core::Metrics metrics;
  session::Registry sessions;
  session::Groups groups;
  core::EventBus events;
  core::Calls calls;
  router::Routes routes;
  std::unique_ptr<storage::Storage> storage = open_storage(config);
  // One io_context per network thread (each connection stays on one); the first also runs
  // the acceptors, timers and signals.
  std::vector<std::unique_ptr<asio::io_context>> ios = make_ios(config.server.io_threads);
  asio::io_context& io = *ios.front();
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards = make_guards(ios);
  exec::WorkerPool workers;
  exec::WorkerPool blocking;
  core::Timers timers;
  core::Runtime runtime;
  plugins::PluginManager manager;
  router::Dispatcher dispatcher;
  std::unique_ptr<net::Listener> tcp;
  std::unique_ptr<net::Listener> websocket;
  std::unique_ptr<plugins::FileWatch> watch;
  std::unique_ptr<admin::Api> admin_api;
  std::unique_ptr<admin::Server> admin_server;
  asio::signal_set signals;
  std::vector<std::thread> io_threads;
  std::mutex control_mutex;
  std::condition_variable control_cv;
  bool reload_requested = false;  // guarded by control_mutex
  bool control_stop = false;      // guarded by control_mutex
  std::thread control;
  std::promise<void> stop_requested;
  std::once_flag stop_once;
  bool stopped = false;

  // Opened before any plugin: their migrations and services need it.
  static std::unique_ptr<storage::Storage> open_storage(const config::Config& c) {
    try {
      return std::make_unique<storage::Storage>(c);
    } catch (const std::exception& e) {
      throw StartupError(5, std::string("storage: ") + e.what());
    }
  }

  static std::vector<std::unique_ptr<asio::io_context>> make_ios(std::uint32_t configured) {
    std::vector<std::unique_ptr<asio::io_context>> out;
    out.reserve(threads_or_cores(configured));
    for (std::size_t i = 0; i < threads_or_cores(configured); ++i)
      out.push_back(std::make_unique<asio::io_context>(1));
    return out;
  }
  static std::vector<asio::executor_work_guard<asio::io_context::executor_type>> make_guards(
      const std::vector<std::unique_ptr<asio::io_context>>& contexts) {
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> out;
    out.reserve(contexts.size());
    for (const auto& c : contexts) out.emplace_back(c->get_executor());
    return out;
  }
  std::vector<asio::io_context*> connection_ios() const {
    std::vector<asio::io_context*> out;
    for (const auto& c : ios) out.push_back(c.get());
    return out;
  }

  void wait_for_signal() {
    signals.async_wait([this](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      if (signo == SIGHUP) {
        // Reloading blocks while messages are held: never on a network thread.
        spdlog::info("SIGHUP received: reloading plugins whose file changed");
        request_reload();
        wait_for_signal();
        return;
      }
      spdlog::info("signal {} received: shutting down", signo);
      request_stop();
    });
  }
  // SIGHUP and the file watch both end here: one reload path.
  void request_reload() {
    {
      std::lock_guard lock(control_mutex);
      reload_requested = true;
    }
    control_cv.notify_one();
  }

  // The thread that runs operator actions (reloads), off the network and worker threads.
  void control_loop() {
    std::unique_lock lock(control_mutex);
    while (true) {
      control_cv.wait(lock, [this] { return reload_requested || control_stop; });
      if (control_stop) return;
      reload_requested = false;
      lock.unlock();
      const auto n = manager.reload_changed();
      spdlog::info("reload of changed plugins: {} plugin(s) reloaded", n);
      lock.lock();
    }
  }
  void stop_control() {
    {
      std::lock_guard lock(control_mutex);
      control_stop = true;
    }
    control_cv.notify_one();
    if (control.joinable()) control.join();
  }

  void request_stop() {
    std::call_once(stop_once, [this] { stop_requested.set_value(); });
  }
  void shutdown() {
    if (stopped) return;
    stopped = true;
    watch.reset();
    stop_control();
    admin_server.reset();  // no operator action may start during shutdown
    if (tcp) tcp->stop();
    if (websocket) websocket->stop();
    // Players get a reason, not a reset connection.
    for (const auto& s : sessions.all())
      s->kick(GH_CODE_SHUTTING_DOWN, "the server is shutting down");
    for (int i = 0; i < 100 && sessions.size() != 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    manager.unload_all();
    signals.cancel();
    for (auto& g : guards) g.reset();
    for (auto& c : ios) c->stop();
    for (auto& t : io_threads) {
      if (t.joinable()) t.join();
    }
    workers.stop();
    spdlog::info("gamehost stopped");
  }
};

Server::Server(config::Config config) : impl_(std::make_unique<Impl>(std::move(config))) {}

Server::~Server() {
  impl_->shutdown();
}

void Server::start() {
  auto& m = *impl_;
  const auto io_threads = m.ios.size();
  for (std::size_t i = 0; i < m.ios.size(); ++i) {
    const bool batch = m.config.server.io_thread_scheduling == "batch";
    m.io_threads.emplace_back([ctx = m.ios[i].get(), i, batch] {
      core::name_this_thread("gh-net-" + std::to_string(i));
      if (batch && !core::use_batch_scheduling() && i == 0) {
        spdlog::warn(
            "network threads stay under normal scheduling: the kernel refused "
            "SCHED_BATCH ([server] io_thread_scheduling)");
      }
      ctx->run();
    });
  }
  m.wait_for_signal();
  m.control = std::thread([&m] {
    core::name_this_thread("gh-control");
    m.control_loop();
  });

  const auto refused = m.manager.load_configured();
  if (!refused.empty() && m.config.plugins.required) {
    throw StartupError(
        3, std::to_string(refused.size()) +
               " plugin(s) refused and [plugins] required = true; see the log lines above");
  }

  core::fit_open_file_limit(m.config.limits.max_connections);
  const net::ConnectionLimits limits{
      m.config.limits.max_frame_bytes, m.config.limits.send_queue_frames,
      m.config.limits.send_queue_bytes, m.config.limits.idle_timeout_ms, m.config.limits.login_timeout_ms,
      m.config.limits.handshake_timeout_ms,
      m.config.limits.rate_limit_per_second, m.config.limits.rate_limit_burst};
  try {
    if (!m.config.listen.tcp.empty()) {
      m.tcp = std::make_unique<net::Listener>(
          m.io, m.connection_ios(), config::parse_endpoint(m.config.listen.tcp),
          session::Transport::tcp, m.sessions, m.dispatcher, limits);
    }
    if (!m.config.listen.websocket.empty()) {
      auto ws_limits = limits;
      if (!m.config.listen.web_root.empty()) {
        m.web = std::make_unique<net::StaticFiles>(m.config.listen.web_root);
        ws_limits.web = m.web.get();
      }
      m.websocket = std::make_unique<net::Listener>(
          m.io, m.connection_ios(), config::parse_endpoint(m.config.listen.websocket),
          session::Transport::websocket, m.sessions, m.dispatcher, ws_limits);
    }
  } catch (const std::exception& e) {
    throw StartupError(4, e.what());
  }
  if (m.tcp) m.tcp->start();
  if (m.websocket) m.websocket->start();
  if (m.config.plugins.watch) {
    std::vector<std::string> files;
    for (const auto& pc : m.config.plugins.load) files.push_back(pc.file);
    m.watch = std::make_unique<plugins::FileWatch>(files, [&m] { m.request_reload(); });
  }
  if (!m.config.admin.listen.empty() && !m.config.admin.token.empty()) {
    m.admin_api = std::make_unique<admin::Api>(m.runtime, m.manager, m.config.admin.token);
    try {
      m.admin_server = std::make_unique<admin::Server>(
          config::parse_endpoint(m.config.admin.listen), *m.admin_api);
    } catch (const std::exception& e) {
      throw StartupError(4, e.what());
    }
    spdlog::info("admin API on http://{}", m.admin_server->address());
    if (!m.admin_server->on_loopback()) {
      spdlog::warn(
          "admin API listens on {}, not on loopback: anyone who reaches it and knows the "
          "token can reload and unload plugins; keep it behind a firewall",
          m.admin_server->address());
    }
  } else if (!m.config.admin.listen.empty()) {
    spdlog::warn("admin API off: [admin] token is empty (set it, or GAMEHOST_ADMIN_TOKEN)");
  }
  spdlog::info(
      "gamehost {} listening: tcp {}, websocket {} ({} io threads, {} workers, {} plugins)",
      kHostVersion, m.tcp ? m.tcp->address() : "off", m.websocket ? m.websocket->address() : "off",
      io_threads, m.workers.size(), m.manager.list().size());
}

void Server::run() {
  impl_->stop_requested.get_future().wait();
  impl_->shutdown();
}

void Server::stop() {
  impl_->request_stop();
}

std::uint16_t Server::tcp_port() const {
  return impl_->tcp ? impl_->tcp->port() : 0;
}

std::uint16_t Server::admin_port() const {
  return impl_->admin_server ? impl_->admin_server->port() : 0;
}

std::uint16_t Server::websocket_port() const {
  return impl_->websocket ? impl_->websocket->port() : 0;
}

}  // namespace gamehost
