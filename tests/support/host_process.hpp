// Test support: the real gamehost binary, started on free loopback ports with a temp data
// directory, stopped (SIGTERM, then SIGKILL) when the object goes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "support/temp_dir.hpp"

namespace gamehost::testing {

class HostProcess {
 public:
  // `plugins_toml` is the [plugins] part of the config (and any per-plugin tables);
  // `limits_toml` replaces the default [limits] table when not empty. Waits until the host
  // is listening; throws with the host's log when it does not get there. `server_toml`
  // adds keys to the [server] table.
  HostProcess(const std::string& plugins_toml, const std::string& limits_toml = "",
              const std::string& server_toml = "");
  // Starts with a complete config text and does not wait: for tests of failed starts.
  static HostProcess with_config(const std::string& full_toml);
  ~HostProcess();
  HostProcess(HostProcess&&) noexcept;
  HostProcess(const HostProcess&) = delete;
  HostProcess& operator=(const HostProcess&) = delete;

  std::uint16_t tcp_port() const { return tcp_port_; }
  std::uint16_t ws_port() const { return ws_port_; }
  pid_t pid() const { return pid_; }
  const TempDir& dir() const { return *dir_; }
  std::string log() const;
  // Waits for the process to end; its exit code, or nullopt on timeout (-signal if killed).
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  // SIGTERM and wait: the exit code of a clean shutdown.
  std::optional<int> terminate();

  // The default config used by the first constructor, for tests that want to edit it.
  static std::string config_text(const TempDir& dir, const std::string& plugins_toml,
                                 const std::string& limits_toml,
                                 const std::string& server_toml = "");
  // The admin API's port and the config file (for gamehostctl --config).
  std::uint16_t admin_port() const { return admin_port_; }
  std::string config_path() const { return dir_->str() + "/gamehost.toml"; }
  static constexpr const char* kAdminToken = "test-admin-token";

 private:
  HostProcess() = default;
  void spawn(const std::string& config_path);
  bool wait_ready(std::chrono::milliseconds timeout);

  std::unique_ptr<TempDir> dir_;
  pid_t pid_ = -1;
  std::uint16_t tcp_port_ = 0;
  std::uint16_t ws_port_ = 0;
  std::uint16_t admin_port_ = 0;
};

// Where the build put plugins: shipped ones and test-only ones.
std::string plugin_path(const std::string& name);
std::string test_plugin_path(const std::string& name);

}  // namespace gamehost::testing
