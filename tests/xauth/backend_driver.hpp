// What tests/xauth/radius_check.cpp and tacacs_check.cpp share: a worker that runs each job on its own thread and
// `done` on the main thread (as the daemon's AAA pool does), and one line of output per check.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "ike/worker.hpp"
#include "xauth/backend.hpp"

namespace ravpn::xauth::check {

using Clock = std::chrono::steady_clock;

// One thread per job; completions queue up for the main thread, which runs them in wait().
class ThreadWorker final : public Worker {
 public:
  ~ThreadWorker() override {
    for (auto& t : threads_) t.join();
  }
  void submit(std::function<void()> job, std::function<void()> done) override {
    threads_.emplace_back([this, job = std::move(job), done = std::move(done)]() mutable {
      job();
      std::lock_guard lock(mutex_);
      ready_.push_back(std::move(done));
      wake_.notify_all();
    });
  }
  // Runs completions on the calling thread until `finished` holds; false after `limit`.
  bool wait(const std::function<bool()>& finished, std::chrono::seconds limit) {
    auto deadline = Clock::now() + limit;
    while (!finished()) {
      std::deque<std::function<void()>> batch;
      {
        std::unique_lock lock(mutex_);
        if (!wake_.wait_until(lock, deadline, [this] { return !ready_.empty(); })) return false;
        batch.swap(ready_);
      }
      for (auto& done : batch) done();
    }
    return true;
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> ready_;
  std::vector<std::thread> threads_;
};

inline const std::thread::id main_thread = std::this_thread::get_id();
inline int failures = 0;

inline void report(bool ok, const std::string& what, const std::string& detail) {
  std::printf("%s - %s: %s\n", ok ? "ok" : "FAIL", what.c_str(), detail.c_str());
  std::fflush(stdout);
  if (!ok) ++failures;
}

inline const char* name(Verdict v) {
  switch (v) {
    case Verdict::Accept:
      return "Accept";
    case Verdict::Reject:
      return "Reject";
    case Verdict::Unavailable:
      return "Unavailable";
  }
  return "?";
}

inline Credentials creds(const std::string& user, const std::string& password) {
  Credentials c;
  c.user = user;
  c.password.assign(password.begin(), password.end());
  c.peer = *Ipv4::parse("198.51.100.7");
  return c;
}

struct Timed {
  Result result;
  double seconds = 0;
};

// Authenticates and waits for `done` on this thread.
inline std::optional<Timed> ask(Backend& backend, ThreadWorker& worker, const Credentials& c) {
  std::optional<Result> result;
  bool on_main = true;
  auto start = Clock::now();
  backend.authenticate(c, [&](Result r) {
    on_main = std::this_thread::get_id() == main_thread;
    result = std::move(r);
  });
  if (!worker.wait([&] { return result.has_value(); }, std::chrono::seconds(30))) return std::nullopt;
  if (!on_main) report(false, "done on the loop thread", "done ran on a worker thread");
  return Timed{*result, std::chrono::duration<double>(Clock::now() - start).count()};
}

inline void expect(Backend& backend, ThreadWorker& worker, const std::string& what, const Credentials& c, Verdict want,
            const std::string& reason_has = "", double min_seconds = 0, double max_seconds = 15) {
  auto got = ask(backend, worker, c);
  if (!got) {
    report(false, what, "no answer within 30 s");
    return;
  }
  bool ok = got->result.verdict == want && got->result.reason.find(reason_has) != std::string::npos &&
            got->seconds >= min_seconds && got->seconds <= max_seconds;
  report(ok, what, fmt::format("{} ({}) after {:.1f} s", name(got->result.verdict), got->result.reason, got->seconds));
}

// Eight authentications at once, alternately `good` (must be accepted) and `bad` (must be rejected).
inline void expect_eight_at_once(Backend& backend, ThreadWorker& worker, const Credentials& good,
                                 const Credentials& bad) {
  std::vector<std::optional<Result>> results(8);
  for (size_t i = 0; i < results.size(); ++i)
    backend.authenticate(i % 2 ? bad : good, [&results, i](Result r) { results[i] = r; });
  bool all = worker.wait(
      [&] {
        for (auto& r : results)
          if (!r) return false;
        return true;
      },
      std::chrono::seconds(30));
  bool ok = all;
  for (size_t i = 0; ok && i < results.size(); ++i)
    ok = results[i]->verdict == (i % 2 ? Verdict::Reject : Verdict::Accept);
  report(ok, "eight requests at once", ok ? "4 accepted, 4 rejected" : "wrong or missing verdicts");
}

}  // namespace ravpn::xauth::check
