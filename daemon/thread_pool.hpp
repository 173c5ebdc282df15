// A fixed pool of worker threads for Diffie-Hellman. Completions are queued and signalled on an eventfd so the
// event loop runs them on its own thread (the responder is single-threaded; only the modexp is parallel).
// Two bounded queues (ike/worker.hpp JobPriority): a worker takes Proven jobs before New ones, and try_submit()
// refuses a job whose queue is full, so a flood of first messages neither grows memory nor delays peers that got
// further.
#pragma once
#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

#include "ike/worker.hpp"

namespace ravpn::daemon {

struct QueueLimits {
  size_t proven = std::numeric_limits<size_t>::max();
  size_t fresh = std::numeric_limits<size_t>::max();  // JobPriority::New
};

class ThreadPool final : public Worker {
 public:
  // `nice`: how much lower than the caller's the worker threads' priority is (0: the same).
  explicit ThreadPool(unsigned threads, QueueLimits limits = {}, int nice = 0);
  ~ThreadPool() override;
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void submit(std::function<void()> job, std::function<void()> done) override;
  bool try_submit(std::function<void()> job, std::function<void()> done, JobPriority priority) override;
  size_t queued(JobPriority priority) const override;
  double jobs_per_second() const override;
  int completion_fd() const { return event_fd_; }  // readable when completions wait
  void run_completions();                           // call on the loop thread when completion_fd is readable
  size_t queued() const;                            // both classes
  void set_limits(QueueLimits limits);              // a reload; jobs already queued stay
  unsigned threads() const { return unsigned(threads_.size()); }

 private:
  using Item = std::pair<std::function<void()>, std::function<void()>>;
  void run();
  std::deque<Item>& queue(JobPriority p) { return p == JobPriority::Proven ? proven_ : fresh_; }

  int event_fd_ = -1;
  int nice_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  QueueLimits limits_;
  double average_job_seconds_ = 0;  // moving average of the jobs' wall time
  std::deque<Item> proven_, fresh_;
  std::deque<std::function<void()>> completions_;
  std::vector<std::thread> threads_;
};

}  // namespace ravpn::daemon
