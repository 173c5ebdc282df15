// Where expensive work (Diffie-Hellman) runs. The event loop must not stall while one client's modexp runs, so the
// daemon hands jobs to a thread pool and gets `done` back on the loop thread; tests run both inline.
#pragma once
#include <functional>

namespace ravpn {

class Worker {
 public:
  virtual ~Worker() = default;
  // `job` may run on another thread and must touch only what it owns; `done` runs later on the caller's thread.
  virtual void submit(std::function<void()> job, std::function<void()> done) = 0;
};

class InlineWorker final : public Worker {
 public:
  void submit(std::function<void()> job, std::function<void()> done) override {
    job();
    done();
  }
};

}  // namespace ravpn
