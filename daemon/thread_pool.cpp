#include "daemon/thread_pool.hpp"

#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace ravpn::daemon {

ThreadPool::ThreadPool(unsigned threads, QueueLimits limits, int nice) : nice_(nice), limits_(limits) {
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
    proven_.emplace_back(std::move(job), std::move(done));
  }
  wake_.notify_one();
}

bool ThreadPool::try_submit(std::function<void()> job, std::function<void()> done, JobPriority priority) {
  {
    std::lock_guard lock(mutex_);
    auto& q = queue(priority);
    if (q.size() >= (priority == JobPriority::Proven ? limits_.proven : limits_.fresh)) return false;
    q.emplace_back(std::move(job), std::move(done));
  }
  wake_.notify_one();
  return true;
}

size_t ThreadPool::queued(JobPriority priority) const {
  std::lock_guard lock(mutex_);
  return priority == JobPriority::Proven ? proven_.size() : fresh_.size();
}

double ThreadPool::jobs_per_second() const {
  std::lock_guard lock(mutex_);
  return average_job_seconds_ > 0 ? double(threads_.size()) / average_job_seconds_ : 0;
}

size_t ThreadPool::queued() const {
  std::lock_guard lock(mutex_);
  return proven_.size() + fresh_.size();
}

void ThreadPool::set_limits(QueueLimits limits) {
  std::lock_guard lock(mutex_);
  limits_ = limits;
}

void ThreadPool::run() {
  // Below the event loop: under a flood the loop must keep reading (and cheaply dropping) datagrams and answering
  // peers that got further, or the kernel drops their packets with the flood's; DH jobs wait their turn anyway.
  // Linux nice values are per thread.
  if (nice_ > 0) setpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid)), getpriority(PRIO_PROCESS, 0) + nice_);
  for (;;) {
    Item item;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !proven_.empty() || !fresh_.empty(); });
      if (stopping_) return;
      auto& q = proven_.empty() ? fresh_ : proven_;  // work for peers that got further goes first
      item = std::move(q.front());
      q.pop_front();
    }
    const auto started = std::chrono::steady_clock::now();
    item.first();
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    {
      std::lock_guard lock(mutex_);
      completions_.push_back(std::move(item.second));
      average_job_seconds_ = average_job_seconds_ == 0 ? took : average_job_seconds_ + (took - average_job_seconds_) / 16;
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
