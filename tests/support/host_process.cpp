#include "support/host_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

extern char** environ;

namespace gamehost::testing {

std::string plugin_path(const std::string& name) {
  return std::string(GAMEHOST_PLUGIN_DIR) + "/" + name + ".so";
}
std::string test_plugin_path(const std::string& name) {
  return std::string(GAMEHOST_TEST_PLUGIN_DIR) + "/" + name + ".so";
}

namespace {
// A port free right now, for the admin API, whose address gamehostctl reads from the config
// (so it cannot be port 0 there).
std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind a loopback port for the admin API");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}
}  // namespace

std::string HostProcess::config_text(const TempDir& dir, const std::string& plugins_toml,
                                     const std::string& limits_toml,
                                     const std::string& server_toml) {
  std::ostringstream c;
  c << "[admin]\nlisten = \"127.0.0.1:" << free_port() << "\"\ntoken = \"" << kAdminToken << "\"\n";
  c << "[server]\nio_threads = 2\nworker_threads = 2\ndata_dir = \"" << dir.str() << "/data\"\n"
    << server_toml << "[listen]\ntcp = \"127.0.0.1:0\"\nwebsocket = \"127.0.0.1:0\"\n"
    << (limits_toml.empty()
            ? "[limits]\nrate_limit_per_second = 100000\nrate_limit_burst = 100000\n"
            : limits_toml)
    << "\n[log]\nlevel = \"debug\"\n"
    << plugins_toml;
  return c.str();
}

HostProcess::HostProcess(const std::string& plugins_toml, const std::string& limits_toml,
                         const std::string& server_toml)
    : dir_(std::make_unique<TempDir>()) {
  const auto config = dir_->str() + "/gamehost.toml";
  // The admin port was free when free_port() looked, but another test process may take it
  // before the host binds it: then the host exits saying "cannot listen admin API on ...";
  // try again with another port rather than fail a test for a race outside it.
  for (int attempt = 1;; ++attempt) {
    std::ofstream(config, std::ios::trunc)
        << config_text(*dir_, plugins_toml, limits_toml, server_toml);
    spawn(config);
    if (wait_ready(std::chrono::seconds(15))) return;
    const auto text = log();
    const bool port_taken = text.find("cannot listen for the admin API") != std::string::npos &&
                            text.find("in use") != std::string::npos;
    if (!port_taken || attempt == 5) {
      throw std::runtime_error("gamehost did not start; its log:\n" + text);
    }
    wait_exit(std::chrono::seconds(5));
  }
}

HostProcess HostProcess::with_config(const std::string& full_toml) {
  HostProcess p;
  p.dir_ = std::make_unique<TempDir>();
  const auto config = p.dir_->str() + "/gamehost.toml";
  std::ofstream(config) << full_toml;
  p.spawn(config);
  return p;
}

HostProcess::HostProcess(HostProcess&& o) noexcept
    : dir_(std::move(o.dir_)),
      pid_(std::exchange(o.pid_, -1)),
      tcp_port_(o.tcp_port_),
      ws_port_(o.ws_port_),
      admin_port_(o.admin_port_) {}

void HostProcess::spawn(const std::string& config_path) {
  const auto log_path = dir_->str() + "/host.log";
  const auto ready = dir_->str() + "/ready";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::string binary = GAMEHOST_BINARY;
  std::string arg_config = "--config";
  std::string arg_ready = "--ready-file";
  std::string ready_copy = ready;
  std::string config_copy = config_path;
  char* argv[] = {binary.data(),    arg_config.data(), config_copy.data(),
                  arg_ready.data(), ready_copy.data(), nullptr};
  const int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + binary);
}

bool HostProcess::wait_ready(std::chrono::milliseconds timeout) {
  const auto ready = dir_->str() + "/ready";
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(ready);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("tcp=", 0) == 0)
        tcp_port_ = static_cast<std::uint16_t>(std::stoi(line.substr(4)));
      if (line.rfind("ws=", 0) == 0)
        ws_port_ = static_cast<std::uint16_t>(std::stoi(line.substr(3)));
      if (line.rfind("admin=", 0) == 0)
        admin_port_ = static_cast<std::uint16_t>(std::stoi(line.substr(6)));
    }
    if (tcp_port_ != 0) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string HostProcess::log() const {
  std::ifstream in(dir_->str() + "/host.log");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::optional<int> HostProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (pid_ < 0) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      return -WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

std::optional<int> HostProcess::terminate() {
  if (pid_ < 0) return std::nullopt;
  ::kill(pid_, SIGTERM);
  return wait_exit(std::chrono::seconds(10));
}

HostProcess::~HostProcess() {
  if (pid_ < 0) return;
  if (!terminate()) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

}  // namespace gamehost::testing
