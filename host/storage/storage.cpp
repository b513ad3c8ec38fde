#include "storage/storage.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <thread>

#include "core/clock.hpp"

namespace gamehost::storage {
namespace {

DatabaseSettings settings_of(const config::Config& c) {
  DatabaseSettings s;
  s.url = parse_storage_url(c.storage.url, c.server.data_dir);
  s.pool_size = c.storage.pool_size;
  s.connection.busy_timeout_ms = c.storage.busy_timeout_ms;
  s.connection.query_timeout_ms = c.storage.query_timeout_ms;
  s.connection.connect_timeout_ms = c.storage.connect_timeout_ms;
  return s;
}

void sleep_ms(std::uint64_t ms) {
  if (ms == 0) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  } else {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }
}

}  // namespace

Storage::Storage(const config::Config& config)
    : database_(std::make_unique<Database>(settings_of(config))),
      migrator_(*database_, config.storage.migrations_dir),
      ids_(config.server.node_id, config.server.max_clock_step_back_ms, &core::now_ms, &sleep_ms,
           [](std::uint64_t back_ms, bool waited) {
             if (waited) {
               spdlog::warn(
                   "the clock is {} ms behind the newest id (a step back, or a restart within a "
                   "second): new ids wait for it to catch up",
                   back_ms);
             } else {
               spdlog::error(
                   "clock stepped back {} ms (over [server] max_clock_step_back_ms): "
                   "new ids refused until it catches up",
                   back_ms);
             }
           }),
      id_clock_(ids_, std::filesystem::path(config.server.data_dir) / "id-clock"),
      acquire_timeout_(config.storage.acquire_timeout_ms) {
  spdlog::info("storage: {} (pool of {})", database_->url().display(), config.storage.pool_size);
}

}  // namespace gamehost::storage
