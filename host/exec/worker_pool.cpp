#include "exec/worker_pool.hpp"

#include "core/thread_name.hpp"

#include <boost/asio/defer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace gamehost::exec {
namespace {
thread_local const void* t_current_pool = nullptr;
}

struct WorkerPool::Impl {
  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard{
      io.get_executor()};
  std::vector<std::thread> threads;
};

WorkerPool::WorkerPool(std::size_t threads) : impl_(std::make_unique<Impl>()) {
  for (std::size_t i = 0; i < threads; ++i) {
    impl_->threads.emplace_back([this, i] {
      core::name_this_thread("gh-worker-" + std::to_string(i));
      t_current_pool = this;
      impl_->io.run();
    });
  }
}

WorkerPool::~WorkerPool() {
  stop();
}

void WorkerPool::post(std::function<void()> job) {
  boost::asio::post(impl_->io, std::move(job));
}

void WorkerPool::post_continuation(std::function<void()> job) {
  if (on_worker_thread()) {
    boost::asio::defer(impl_->io, std::move(job));
  } else {
    post(std::move(job));
  }
}

std::size_t WorkerPool::size() const noexcept {
  return impl_->threads.size();
}

bool WorkerPool::on_worker_thread() const noexcept {
  return t_current_pool == this;
}

void WorkerPool::stop() noexcept {
  impl_->guard.reset();
  impl_->io.stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->threads.clear();
}

}  // namespace gamehost::exec
