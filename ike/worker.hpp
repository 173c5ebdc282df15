// Where expensive work (Diffie-Hellman) runs. The event loop must not stall while one client's modexp runs, so the
// daemon hands jobs to a thread pool and gets `done` back on the loop thread; tests run both inline.
#pragma once
#include <cstddef>
#include <functional>

namespace ravpn {

// Admission classes of the DH queue (ike/admission.hpp). Proven: the peer showed it receives at its address or
// holds the key (main mode message 3 echoes our cookie, quick mode runs under an ISAKMP SA); runs first. New: an
// aggressive mode first message from an address nobody vouched for; refused when the queue is deep (strongSwan's
// job-load check, WireGuard's under-load mode).
enum class JobPriority { Proven, New };

class Worker {
 public:
  virtual ~Worker() = default;
  // `job` may run on another thread and must touch only what it owns; `done` runs later on the caller's thread.
  // Always accepted (the AAA pool; its work is bounded by the sessions waiting for it).
  virtual void submit(std::function<void()> job, std::function<void()> done) = 0;
  // The bounded form: false when the queue of `priority` is full, and then neither function runs.
  virtual bool try_submit(std::function<void()> job, std::function<void()> done, JobPriority priority) {
    (void)priority;
    submit(std::move(job), std::move(done));
    return true;
  }
  // Jobs waiting (not yet running) of one class: the load the responder's admission checks read.
  virtual size_t queued(JobPriority priority) const {
    (void)priority;
    return 0;
  }
  // Jobs the workers finish per second as measured (wall time, so a machine busy with other work shows); 0 when
  // not known. Admission sizes the queue it accepts by it.
  virtual double jobs_per_second() const { return 0; }
};

class InlineWorker final : public Worker {
 public:
  void submit(std::function<void()> job, std::function<void()> done) override {
    job();
    done();
  }
};

}  // namespace ravpn
