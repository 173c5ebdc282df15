// The DH thread pool's two bounded queues: Proven jobs run before New ones, a full queue refuses, and every
// accepted job's completion comes back through run_completions().
#include <doctest/doctest.h>
#include <poll.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "daemon/thread_pool.hpp"

using namespace ravpn;
using ravpn::daemon::QueueLimits;
using ravpn::daemon::ThreadPool;

namespace {

// Runs completions until `n` have come back (or 5 s pass).
void drain(ThreadPool& pool, const int& completed, int n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (completed < n && std::chrono::steady_clock::now() < deadline) {
    pollfd p{pool.completion_fd(), POLLIN, 0};
    if (poll(&p, 1, 100) > 0) pool.run_completions();
  }
}

}  // namespace

TEST_CASE("thread pool: a full queue refuses, proven work runs before new work") {
  ThreadPool pool(1, QueueLimits{2, 3});
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<bool> started{false};
  std::string order;  // written by the one worker thread only, read after the drain
  int completed = 0;
  // Occupies the single worker so everything else waits in the queues.
  pool.submit([&, gate] { started = true; gate.wait(); }, [&] { ++completed; });
  while (!started) std::this_thread::yield();

  for (char c : std::string("abc"))
    CHECK(pool.try_submit([&order, c] { order += c; }, [&] { ++completed; }, JobPriority::New));
  CHECK_FALSE(pool.try_submit([] {}, [] { FAIL("a refused job's completion ran"); }, JobPriority::New));
  for (char c : std::string("XY"))
    CHECK(pool.try_submit([&order, c] { order += c; }, [&] { ++completed; }, JobPriority::Proven));
  CHECK_FALSE(pool.try_submit([] {}, [] { FAIL("a refused job's completion ran"); }, JobPriority::Proven));
  CHECK(pool.queued(JobPriority::New) == 3);
  CHECK(pool.queued(JobPriority::Proven) == 2);
  CHECK(pool.queued() == 5);

  release.set_value();
  drain(pool, completed, 6);
  CHECK(completed == 6);
  CHECK(order == "XYabc");
  CHECK(pool.queued() == 0);
  CHECK(pool.jobs_per_second() > 0);  // measured from the jobs that ran
  // Room again once the queue has drained.
  CHECK(pool.try_submit([] {}, [&] { ++completed; }, JobPriority::New));
  drain(pool, completed, 7);
  CHECK(completed == 7);
}

TEST_CASE("thread pool: new limits apply to the next submission") {
  ThreadPool pool(1, QueueLimits{1, 0});
  int completed = 0;
  CHECK_FALSE(pool.try_submit([] {}, [] {}, JobPriority::New));
  pool.set_limits(QueueLimits{1, 1});
  CHECK(pool.try_submit([] {}, [&] { ++completed; }, JobPriority::New));
  drain(pool, completed, 1);
  CHECK(completed == 1);
}
