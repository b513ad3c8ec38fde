// Internal header: the host-wide parts that plugin instances and host services reach.
#pragma once

#include <cstdint>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/calls.hpp"
#include "core/event_bus.hpp"
#include "core/metrics.hpp"
#include "core/timers.hpp"
#include "exec/worker_pool.hpp"
#include "session/registry.hpp"

namespace gamehost::storage {
class Storage;
}

namespace gamehost::core {

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
  storage::Storage* storage = nullptr;        // the database, migrations and ids
};

}  // namespace gamehost::core
