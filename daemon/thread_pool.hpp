// A fixed pool of worker threads for Diffie-Hellman. Completions are queued and signalled on an eventfd so the
// event loop runs them on its own thread (the responder is single-threaded; only the modexp is parallel).
#pragma once
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "ike/worker.hpp"

namespace ravpn::daemon {

class ThreadPool final : public Worker {
 public:
  explicit ThreadPool(unsigned threads);
  ~ThreadPool() override;
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void submit(std::function<void()> job, std::function<void()> done) override;
  int completion_fd() const { return event_fd_; }  // readable when completions wait
  void run_completions();                           // call on the loop thread when completion_fd is readable
  size_t queued() const;

 private:
  void run();

  int event_fd_ = -1;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::deque<std::pair<std::function<void()>, std::function<void()>>> jobs_;
  std::deque<std::function<void()>> completions_;
  std::vector<std::thread> threads_;
};

}  // namespace ravpn::daemon
