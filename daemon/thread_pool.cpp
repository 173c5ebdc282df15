#include "daemon/thread_pool.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ravpn::daemon {

ThreadPool::ThreadPool(unsigned threads) {
  event_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (event_fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
  for (unsigned i = 0; i < std::max(1u, threads); ++i) threads_.emplace_back([this] { run(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
  close(event_fd_);
}

void ThreadPool::submit(std::function<void()> job, std::function<void()> done) {
  {
    std::lock_guard lock(mutex_);
    jobs_.emplace_back(std::move(job), std::move(done));
  }
  wake_.notify_one();
}

size_t ThreadPool::queued() const {
  std::lock_guard lock(mutex_);
  return jobs_.size();
}

void ThreadPool::run() {
  for (;;) {
    std::pair<std::function<void()>, std::function<void()>> item;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      item = std::move(jobs_.front());
      jobs_.pop_front();
    }
    item.first();
    {
      std::lock_guard lock(mutex_);
      completions_.push_back(std::move(item.second));
    }
    uint64_t one = 1;
    [[maybe_unused]] auto n = write(event_fd_, &one, sizeof one);
  }
}

void ThreadPool::run_completions() {
  uint64_t count;
  [[maybe_unused]] auto n = read(event_fd_, &count, sizeof count);
  std::deque<std::function<void()>> ready;
  {
    std::lock_guard lock(mutex_);
    ready.swap(completions_);
  }
  for (auto& done : ready) done();
}

}  // namespace ravpn::daemon
