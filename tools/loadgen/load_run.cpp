#include "load_run.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include "card_bot.hpp"
#include "load_client.hpp"
#include "proc_stats.hpp"

namespace gamehost::loadgen {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// Slightly longer than a client's own setup timeout, so clients report their own failures
// (card bots log in and match first: a minute).
constexpr auto kSetupWait = std::chrono::seconds(7);
constexpr auto kCardSetupWait = std::chrono::seconds(62);
// Time for connections to close politely after the window before the workers are stopped.
constexpr auto kCloseGrace = std::chrono::seconds(3);
// Lets every worker receive the start signal before the first request goes out.
constexpr auto kStartDelay = std::chrono::milliseconds(100);
constexpr auto kPoll = std::chrono::milliseconds(10);

// One thread with its own io_context: clients on it never share state with other threads.
struct Worker {
  asio::io_context io{1};  // concurrency hint 1: single-threaded, Asio can skip locking
  asio::executor_work_guard<asio::io_context::executor_type> keep_running{io.get_executor()};
  RunStats stats;
  std::vector<std::shared_ptr<RunClient>> clients;
  std::atomic<bool> finished{false};
  std::thread thread;
};

tcp::endpoint resolve(const Options& options) {
  asio::io_context io;
  tcp::resolver resolver(io);
  boost::system::error_code ec;
  const auto results = resolver.resolve(options.host, std::to_string(options.port), ec);
  if (ec || results.empty()) {
    throw RunError("cannot resolve " + options.host + ": " + ec.message());
  }
  return results.begin()->endpoint();
}

template <typename Fn>
void on_every_client(std::vector<std::unique_ptr<Worker>>& workers, Fn fn) {
  for (auto& worker : workers) {
    asio::post(worker->io, [&worker = *worker, fn] {
      for (auto& client : worker.clients) fn(*client);
    });
  }
}

// Unique per process, so two load generators against one server never share a group.
std::string group_name(int group_index) {
  return "loadgen-" + std::to_string(getpid()) + "-" + std::to_string(group_index);
}

}  // namespace

RunResult run_load(const Options& options) {
  const tcp::endpoint endpoint = resolve(options);
  SetupProgress progress;

  std::vector<std::unique_ptr<Worker>> workers;
  workers.reserve(static_cast<std::size_t>(options.threads));
  for (int i = 0; i < options.threads; ++i) workers.push_back(std::make_unique<Worker>());
  std::shared_ptr<ShoutGroup> group;
  for (int i = 0; i < options.connections; ++i) {
    LoadClient::Identity identity{static_cast<std::uint32_t>(i), std::string(), nullptr};
    std::size_t worker_index = static_cast<std::size_t>(i % options.threads);
    if (options.scenario == Scenario::kShout) {
      // A group's members share a worker, so ShoutGroup needs no locks.
      const int group_index = i / options.group_size;
      if (i % options.group_size == 0) group = std::make_shared<ShoutGroup>();
      identity.group = group_name(group_index);
      identity.shout_group = group;
      worker_index = static_cast<std::size_t>(group_index % options.threads);
    }
    Worker& worker = *workers[worker_index];
    if (options.scenario == Scenario::kCard) {
      worker.clients.push_back(std::make_shared<CardBot>(worker.io, options, endpoint,
                                                         identity.index, worker.stats, progress));
      continue;
    }
    worker.clients.push_back(std::make_shared<LoadClient>(
        worker.io, options, endpoint, std::move(identity), worker.stats, progress));
  }
  for (auto& worker : workers) {
    for (auto& client : worker->clients) client->launch();
    worker->thread = std::thread([&w = *worker] {
      w.io.run();
      w.finished = true;
    });
  }

  // 1. Wait until every connection is set up or has given up.
  const auto setup_deadline =
      Clock::now() + (options.scenario == Scenario::kCard ? kCardSetupWait : kSetupWait);
  while (progress.ready + progress.failed < options.connections && Clock::now() < setup_deadline) {
    std::this_thread::sleep_for(kPoll);
  }

  RunResult result;
  result.connections_ready = progress.ready;
  if (result.connections_ready > 0) {
    // 2. Start everyone together; warm up; measure.
    RunWindow window;
    window.load_start = Clock::now() + kStartDelay;
    window.measure_start = window.load_start + std::chrono::duration_cast<Clock::duration>(
                                                   std::chrono::duration<double>(options.warmup_s));
    window.measure_end =
        window.measure_start + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(options.duration_s));
    on_every_client(workers, [window](RunClient& c) { c.start(window); });

    std::this_thread::sleep_until(window.measure_start);
    const auto server_before =
        options.server_pid > 0 ? read_cpu_ticks(options.server_pid) : std::nullopt;
    const auto self_before = read_cpu_ticks(0);
    const auto measured_from = Clock::now();

    std::this_thread::sleep_until(window.measure_end);
    const auto server_after =
        options.server_pid > 0 ? read_cpu_ticks(options.server_pid) : std::nullopt;
    const auto self_after = read_cpu_ticks(0);
    result.measured_seconds = std::chrono::duration<double>(Clock::now() - measured_from).count();
    if (server_before && server_after) {
      result.server_cpu_percent =
          cpu_percent(*server_before, *server_after, result.measured_seconds);
    }
    if (self_before && self_after) {
      result.loadgen_cpu_percent = cpu_percent(*self_before, *self_after, result.measured_seconds);
    }
    if (options.server_pid > 0) result.server_rss_kib = read_rss_kib(options.server_pid);
  }

  // 3. Stop: clients close themselves at the window's end; this also covers the ones that
  //    never got going. Then give polite closes a moment before pulling the plug.
  on_every_client(workers, [](RunClient& c) { c.stop(); });
  for (auto& worker : workers) worker->keep_running.reset();
  const auto close_deadline = Clock::now() + kCloseGrace;
  for (auto& worker : workers) {
    while (!worker->finished && Clock::now() < close_deadline) std::this_thread::sleep_for(kPoll);
  }
  for (auto& worker : workers) {
    worker->io.stop();
    worker->thread.join();
    result.stats.merge(worker->stats);
  }
  // Clients must go before their io_context: destroy them while it still exists.
  for (auto& worker : workers) worker->clients.clear();
  return result;
}

}  // namespace gamehost::loadgen
