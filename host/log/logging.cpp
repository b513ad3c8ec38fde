#include "log/logging.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <vector>

namespace gamehost::logging {
namespace {

struct State {
  std::mutex mutex;
  std::vector<spdlog::sink_ptr> sinks;
  spdlog::level::level_enum level = spdlog::level::info;
};

State& state() {
  static State s;
  return s;
}

constexpr const char* kPattern = "%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%n] %v";

std::vector<spdlog::sink_ptr> sinks_locked(State& s) {
  if (s.sinks.empty()) {
    s.sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    s.sinks.back()->set_pattern(kPattern);
  }
  return s.sinks;
}

}  // namespace

spdlog::level::level_enum parse_level(const std::string& level) {
  if (level.empty()) return state().level;
  return spdlog::level::from_str(level);
}

void init(const config::LogConfig& config) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.sinks.clear();
  if (config.console) s.sinks.push_back(std::make_shared<spdlog::sinks::stdout_color_sink_mt>());
  if (!config.file.empty()) {
    const auto parent = std::filesystem::path(config.file).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    s.sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(config.file));
  }
  if (s.sinks.empty()) {
    s.sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  }
  for (auto& sink : s.sinks) sink->set_pattern(kPattern);
  s.level = spdlog::level::from_str(config.level);
  auto host = std::make_shared<spdlog::logger>("host", s.sinks.begin(), s.sinks.end());
  host->set_level(s.level);
  host->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(host);
  // Lines below warn are flushed at least every second: a log read through a pipe (journald)
  // or tailed from a file is never minutes behind. Plugin loggers share these sinks.
  spdlog::flush_every(std::chrono::seconds(1));
}

std::shared_ptr<spdlog::logger> plugin_logger(const std::string& name, const std::string& level) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  const auto sinks = sinks_locked(s);
  auto logger = std::make_shared<spdlog::logger>("plugin:" + name, sinks.begin(), sinks.end());
  logger->set_level(level.empty() ? s.level : spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::warn);
  return logger;
}

}  // namespace gamehost::logging
