// Internal header: the host-wide parts that plugin instances and host services reach.
#pragma once

#include <cstdint>

#include "config/config.hpp"
#include "core/calls.hpp"
#include "core/event_bus.hpp"
#include "core/metrics.hpp"
#include "core/timers.hpp"
#include "exec/worker_pool.hpp"
#include "session/registry.hpp"

namespace gamehost::plugins {
class PluginManager;
}
namespace gamehost::storage {
class Storage;
}

namespace gamehost::core {

// Wall clock, Unix milliseconds.
std::uint64_t now_ms() noexcept;

// Owned by the server; everything here outlives every plugin instance.
struct Runtime {
  const config::Config& config;
  exec::WorkerPool& workers;
  exec::WorkerPool& blocking;  // plugins' blocking work (run_blocking), never plugin queues
  Timers& timers;
  session::Registry& sessions;
  session::Groups& groups;
  EventBus& events;
  Calls& calls;
  Metrics& metrics;
  plugins::PluginManager* plugins = nullptr;  // set once the manager exists
  storage::Storage* storage = nullptr;        // the database, migrations and ids
};

}  // namespace gamehost::core
