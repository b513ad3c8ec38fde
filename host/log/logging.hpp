// Internal header: the host's logs (spdlog): one logger for the host, one per plugin, all
// writing to the same sinks (console and/or file) with their own levels.
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>

#include "config/config.hpp"

namespace gamehost::logging {

// Sets up the sinks and the "host" logger (spdlog's default). Call once at start; until
// then everything logs to stderr.
void init(const config::LogConfig& config);

// The logger of plugin `name` ("plugin:<name>"); level "" means the [log] level.
std::shared_ptr<spdlog::logger> plugin_logger(const std::string& name, const std::string& level);

spdlog::level::level_enum parse_level(const std::string& level);

}  // namespace gamehost::logging
