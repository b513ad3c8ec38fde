// Test support: the host's plugin machinery in-process, without sockets - a runtime, a
// plugin manager, and sessions that record what they are sent.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "core/runtime.hpp"
#include "loader/plugin_manager.hpp"
#include "router/route_table.hpp"
#include "session/session.hpp"
#include "storage/storage.hpp"
#include "support/temp_dir.hpp"

namespace gamehost::testing {

// A session that keeps every frame it is sent. Thread-safe.
class RecordingSession final : public session::Session {
 public:
  struct Frame {
    std::uint32_t msg_id;
    std::string payload;
  };

  explicit RecordingSession(session::SessionId id)
      : Session(id, session::Transport::tcp, "127.0.0.1", 40000, 0) {}

  void send(std::uint32_t msg_id, session::Payload payload) override {
    std::lock_guard lock(mutex_);
    frames_.push_back({msg_id, *payload});
    cv_.notify_all();
  }
  void kick(std::uint32_t code, const std::string&) override {
    std::lock_guard lock(mutex_);
    kicked_ = code;
    cv_.notify_all();
  }
  void close() override {}
  bool is_open() const noexcept override { return true; }

  // Waits for the next frame not yet taken; nullopt after `timeout`.
  std::optional<Frame> next(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, timeout, [this] { return taken_ < frames_.size(); }))
      return std::nullopt;
    return frames_[taken_++];
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Frame> frames_;
  std::size_t taken_ = 0;
  std::optional<std::uint32_t> kicked_;
};

// Everything a plugin can reach, minus the network. One per test.
class InProcessHost {
 public:
  explicit InProcessHost(const std::string& data_dir)
      : config_(make_config(data_dir)),
        storage_(config_),
        sessions_(1000, 1000),
        workers_(2),
        blocking_(2, "gh-blocking-"),
        timers_(io_),
        runtime_{config_, workers_, blocking_, timers_, sessions_, groups_,
                 events_, calls_,   metrics_,  &storage_},
        manager_(std::make_unique<plugins::PluginManager>(runtime_, routes_)) {
    io_thread_ = std::thread([this] { io_.run(); });
  }
  ~InProcessHost() {
    manager_.reset();
    guard_.reset();
    io_.stop();
    io_thread_.join();
    workers_.stop();
    blocking_.stop();
  }

  config::Config& config() { return config_; }
  plugins::PluginManager& plugins() { return *manager_; }
  router::Routes& routes() { return routes_; }
  core::Metrics& metrics() { return metrics_; }

  core::Runtime& runtime() { return runtime_; }
  void add_session(const std::shared_ptr<session::Session>& s) { sessions_.add(s); }

  std::shared_ptr<RecordingSession> connect(session::UserId user = 0) {
    auto s = std::make_shared<RecordingSession>(sessions_.next_id());
    s->set_user(user);
    sessions_.add(s);
    return s;
  }

  static config::PluginConfig plugin(const std::string& name, const std::string& file) {
    config::PluginConfig pc;
    pc.name = name;
    pc.file = file;
    return pc;
  }

 private:
  static config::Config make_config(const std::string& data_dir) {
    config::Config c;
    c.server.data_dir = data_dir;
    return c;
  }

  config::Config config_;
  storage::Storage storage_;
  core::Metrics metrics_;
  session::Registry sessions_;
  session::Groups groups_;
  core::EventBus events_;
  core::Calls calls_;
  router::Routes routes_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_{
      io_.get_executor()};
  exec::WorkerPool workers_;
  exec::WorkerPool blocking_;
  core::Timers timers_;
  core::Runtime runtime_;
  std::unique_ptr<plugins::PluginManager> manager_;
  std::thread io_thread_;
};

}  // namespace gamehost::testing
