// Driver for tests/xauth/test_freeradius.sh: the real RADIUS backend against a FreeRADIUS the script started on
// 127.0.0.1, a port this driver holds open without answering (SILENT_PORT) and one where nothing listens
// (CLOSED_PORT). Jobs run on their own threads and `done` comes back on the main thread, as on the daemon's AAA pool.
// Prints one line per check and never a password or a key; exits 1 if a check failed.
//   radius_check ALIVE_PORT SILENT_PORT CLOSED_PORT
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include "ike/worker.hpp"
#include "xauth/backend.hpp"
#include "xauth/radius_backend.hpp"

using namespace ravpn;
using namespace ravpn::xauth;
using Clock = std::chrono::steady_clock;

namespace {

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

const std::thread::id main_thread = std::this_thread::get_id();
int failures = 0;

void report(bool ok, const std::string& what, const std::string& detail) {
  std::printf("%s - %s: %s\n", ok ? "ok" : "FAIL", what.c_str(), detail.c_str());
  std::fflush(stdout);
  if (!ok) ++failures;
}

const char* name(Verdict v) {
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

Credentials creds(const std::string& user, const std::string& password) {
  Credentials c;
  c.user = user;
  c.password.assign(password.begin(), password.end());
  c.peer = *Ipv4::parse("198.51.100.7");
  return c;
}

struct Outcome {
  Result result;
  double seconds = 0;
};

// Authenticates and waits for `done` on this thread.
std::optional<Outcome> ask(Backend& backend, ThreadWorker& worker, const Credentials& c) {
  std::optional<Result> result;
  bool on_main = true;
  auto start = Clock::now();
  backend.authenticate(c, [&](Result r) {
    on_main = std::this_thread::get_id() == main_thread;
    result = std::move(r);
  });
  if (!worker.wait([&] { return result.has_value(); }, std::chrono::seconds(30))) return std::nullopt;
  if (!on_main) report(false, "done on the loop thread", "done ran on a worker thread");
  return Outcome{*result, std::chrono::duration<double>(Clock::now() - start).count()};
}

void expect(Backend& backend, ThreadWorker& worker, const std::string& what, const Credentials& c, Verdict want,
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

RadiusServer server(uint16_t port, const std::string& key, unsigned timeout, unsigned retransmits) {
  RadiusServer s;
  s.address = *Ipv4::parse("127.0.0.1");
  s.port = port;
  s.key = key;
  s.timeout_seconds = timeout;
  s.retransmits = retransmits;
  return s;
}

std::unique_ptr<Backend> backend(ThreadWorker& worker, std::vector<RadiusServer> servers) {
  RadiusSettings settings;
  settings.name = "test";
  settings.servers = std::move(servers);
  return make_radius_backend(std::move(settings), worker);
}

}  // namespace

// A UDP socket on 127.0.0.1:port that never answers: a server that is down behind a firewall dropping packets.
int black_hole(uint16_t port) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    std::perror("bind the silent port");
    std::exit(2);
  }
  return fd;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: radius_check ALIVE_PORT SILENT_PORT CLOSED_PORT\n");
    return 2;
  }
  const auto alive = uint16_t(std::atoi(argv[1])), dead = uint16_t(std::atoi(argv[2])),
             closed = uint16_t(std::atoi(argv[3]));
  const int silent_fd = black_hole(dead);
  ThreadWorker worker;

  auto one = backend(worker, {server(alive, "secretkey", 2, 1)});
  report(true, "backend", one->describe());
  expect(*one, worker, "john with the right password", creds("john", "doe"), Verdict::Accept,
         "accepted by RADIUS server 127.0.0.1");
  expect(*one, worker, "john with a wrong password", creds("john", "Wr0ng-Pa55"), Verdict::Reject,
         "rejected by RADIUS server 127.0.0.1");
  expect(*one, worker, "an unknown user", creds("nobody", "doe"), Verdict::Reject, "rejected by RADIUS server");
  expect(*one, worker, "jane, password with a blank and a colon", creds("jane", "jane S3cret:with colon"),
         Verdict::Accept);

  // 1 s timeout, 1 retransmission: two tries, about 2 s.
  auto down = backend(worker, {server(dead, "secretkey", 1, 1)});
  expect(*down, worker, "a server that never answers", creds("john", "doe"), Verdict::Unavailable,
         "timed out (2 tries of 1 s)", 1.8, 4.5);
  auto refused = backend(worker, {server(closed, "secretkey", 1, 1)});
  expect(*refused, worker, "nothing listening", creds("john", "doe"), Verdict::Unavailable,
         "nothing listens there (ICMP port unreachable)", 0, 0.9);

  auto failover = backend(worker, {server(dead, "secretkey", 1, 0), server(alive, "secretkey", 2, 1)});
  expect(*failover, worker, "first server dead, second alive", creds("john", "doe"), Verdict::Accept,
         "accepted by RADIUS server 127.0.0.1", 0.9, 4);
  expect(*failover, worker, "first server dead, second rejects", creds("john", "Wr0ng-Pa55"), Verdict::Reject,
         "rejected by RADIUS server", 0.9, 4);
  auto failover_closed = backend(worker, {server(closed, "secretkey", 1, 3), server(alive, "secretkey", 2, 1)});
  expect(*failover_closed, worker, "first server closed, second alive", creds("john", "doe"), Verdict::Accept,
         "accepted by RADIUS server 127.0.0.1", 0, 0.9);

  // FreeRADIUS drops a request whose Message-Authenticator was made with another key: no answer at all.
  auto wrong_key = backend(worker, {server(alive, "not-the-key", 1, 0)});
  expect(*wrong_key, worker, "a wrong shared secret", creds("john", "doe"), Verdict::Unavailable, "timed out");

  // Eight at once, each on its own thread with its own socket.
  {
    std::vector<std::optional<Result>> results(8);
    for (size_t i = 0; i < results.size(); ++i)
      one->authenticate(creds("john", i % 2 ? "Wr0ng-Pa55" : "doe"), [&results, i](Result r) { results[i] = r; });
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

  // Through the configuration, as the daemon builds it.
  {
    config::Config pix;
    pix.dialect = config::Dialect::Pix;
    config::AaaServer tag;
    tag.tag = "AuthInbound";
    tag.protocol = "radius";
    pix.aaa_servers.push_back(tag);
    config::AaaServer host = tag;
    host.host = *Ipv4::parse("127.0.0.1");
    host.key = "secretkey";
    host.timeout_seconds = 2;
    host.auth_port = alive;  // PIX `aaa-server radius-authport`
    pix.aaa_servers.push_back(host);
    auto choice = make_backend(pix, "AuthInbound", &worker);
    report(choice.backend != nullptr, "PIX aaa-server AuthInbound",
           choice.backend ? choice.backend->describe() : choice.problem);
    if (choice.backend)
      expect(*choice.backend, worker, "PIX tag: john", creds("john", "doe"), Verdict::Accept);

    // IOS `aaa authentication login userauthen group radius local` with the server down: local answers (4 tries of
    // 1 s first, Cisco's 3 retransmissions; at once when nothing listens).
    config::Config ios;
    ios.dialect = config::Dialect::Ios;
    ios.aaa_new_model = true;
    ios.users["john"].name = "john";
    ios.users["john"].password = "local-Pa55";
    ios.aaa_authentication_login["userauthen"] = config::AaaList{"userauthen", {"radius", "local"}, {}};
    config::AaaServer radius = host;
    radius.tag = "radius";
    radius.auth_port = dead;
    radius.timeout_seconds = 1;
    ios.aaa_servers.push_back(radius);
    auto list = make_backend(ios, "userauthen", &worker);
    report(list.backend != nullptr, "IOS group radius local", list.backend ? list.backend->describe() : list.problem);
    if (list.backend) {
      expect(*list.backend, worker, "RADIUS down, local user", creds("john", "local-Pa55"), Verdict::Accept,
             "local password", 3.5, 8);
      expect(*list.backend, worker, "RADIUS down, local rejects", creds("john", "doe"), Verdict::Reject,
             "bad password", 3.5, 8);
    }
    ios.aaa_servers.back().auth_port = closed;
    auto closed_list = make_backend(ios, "userauthen", &worker);
    if (closed_list.backend)
      expect(*closed_list.backend, worker, "RADIUS port closed, local user", creds("john", "local-Pa55"),
             Verdict::Accept, "local password", 0, 0.9);
    // RADIUS answers: its reject is final, local is not asked (john's local password would have matched).
    ios.aaa_servers.back().auth_port = alive;
    auto up_list = make_backend(ios, "userauthen", &worker);
    if (up_list.backend) {
      expect(*up_list.backend, worker, "RADIUS up, rejects the local password", creds("john", "local-Pa55"),
             Verdict::Reject, "rejected by RADIUS server 127.0.0.1");
      expect(*up_list.backend, worker, "RADIUS up, accepts", creds("john", "doe"), Verdict::Accept,
             "accepted by RADIUS server 127.0.0.1");
    }
  }
  close(silent_fd);

  std::printf("%s: %d check(s) failed\n", failures ? "FAIL" : "PASS", failures);
  return failures ? 1 : 0;
}
