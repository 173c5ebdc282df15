#include "runner.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <stdexcept>
#include <thread>
#include <utility>

namespace ravpn::loadgen {

std::string expand(const std::string& pattern, size_t n) {
  std::string s = pattern;
  for (auto at = s.find("{}"); at != std::string::npos; at = s.find("{}", at)) s.replace(at, 2, std::to_string(n));
  return s;
}

std::string check(RunOptions& o) {
  if (o.clients == 0) return "--clients must be at least 1";
  if (o.concurrency == 0) o.concurrency = 1;
  if (o.threads == 0) o.threads = 1;
  o.concurrency = std::min(o.concurrency, o.clients);
  if (o.addresses == 0) o.addresses = o.spec.hold ? o.clients : o.concurrency;
  if (o.spec.hold && o.addresses < o.clients) return "--hold needs one source address per client";
  if (o.threads > o.addresses) o.threads = o.addresses;
  if (o.first_source.value == 0) return "--source is required";
  if (uint64_t(o.first_source.value) + o.addresses > 0xffffffffu) return "--addresses runs past 255.255.255.255";
  if (o.rto <= 0 || o.retries < 0) return "--rto must be positive and --retries not negative";
  if (!crypto::dh_group_supported(o.spec.dh_group)) return "unsupported --dh group";
  return "";
}

namespace {

struct Progress {
  std::atomic<size_t> started{0}, completed{0}, failed{0}, retransmits{0}, active{0};
};

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

sockaddr_in sockaddr_of(Ipv4 a, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(a.value);
  return sa;
}

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// One thread's loop: the clients t, t+T, ... and the address slots t, t+T, ...
class Loop {
 public:
  Loop(const RunOptions& o, size_t index, Progress& progress)
      : o_(o), index_(index), progress_(progress), epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (epoll_.get() < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
    const size_t t = o.threads;
    clients_ = o.clients / t + (index < o.clients % t ? 1 : 0);
    concurrency_ = std::max<size_t>(1, o.concurrency / t + (index < o.concurrency % t ? 1 : 0));
    rate_ = o.rate / double(t);
    for (size_t s = index; s < o.addresses; s += t) free_.push_back(s);
    responder_ = sockaddr_of(o.spec.responder.address, o.spec.responder.port);
  }

  void run() {
    const auto begin = Clock::now();
    auto next_start = begin;
    while (true) {
      auto now = Clock::now();
      if (o_.max_seconds > 0 && seconds_between(begin, now) > o_.max_seconds) {
        while (!active_.empty()) finish(active_.begin()->first, "time limit of the run", now);
        break;
      }
      while (started_ < clients_ && active_.size() < concurrency_ && !free_.empty() &&
             (rate_ <= 0 || now >= next_start)) {
        start_one(now);
        if (rate_ > 0) next_start = std::max(next_start + std::chrono::duration_cast<Clock::duration>(
                                                              std::chrono::duration<double>(1.0 / rate_)),
                                             now - std::chrono::seconds(1));
      }
      expire(now);
      release_lingering(now);
      if (started_ == clients_ && active_.empty() && lingering_.empty()) break;
      wait(now, next_start);
    }
    if (o_.spec.hold && !held_.empty()) release_held();
  }

  Tally tally;
  Clock::time_point first_start{}, last_finish{};

 private:
  struct Active {
    std::unique_ptr<Handshake> handshake;
    Clock::time_point deadline;
    double rto = 1;
    int tries = 0;
  };

  int socket_for(size_t slot) {
    auto it = sockets_.find(slot);
    if (it != sockets_.end()) return it->second.get();
    Fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    const Ipv4 address{uint32_t(o_.first_source.value + slot)};
    auto sa = sockaddr_of(address, o_.source_port);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
      throw std::runtime_error("bind " + address.str() + ":" + std::to_string(o_.source_port) + ": " +
                               std::strerror(errno) + " (is the address on an interface of this namespace?)");
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = slot;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd.get(), &ev) != 0)
      throw std::runtime_error(std::string("epoll_ctl: ") + std::strerror(errno));
    const int raw = fd.get();
    sockets_.emplace(slot, std::move(fd));
    return raw;
  }

  void send(size_t slot, const std::vector<Bytes>& datagrams) {
    const int fd = socket_for(slot);
    for (const auto& d : datagrams)
      ::sendto(fd, d.data(), d.size(), 0, reinterpret_cast<const sockaddr*>(&responder_), sizeof responder_);
  }

  void start_one(Clock::time_point now) {
    const size_t slot = free_.front();
    free_.pop_front();
    const size_t number = started_++ * o_.threads + index_;
    HandshakeSpec spec = o_.spec;
    spec.hold = true;
    spec.self = ike::Endpoint{Ipv4{uint32_t(o_.first_source.value + slot)}, o_.source_port};
    spec.user = expand(o_.user, slot);
    spec.password = expand(o_.password, slot);
    Active a;
    a.handshake = std::make_unique<Handshake>(std::move(spec), o_.seed * 0x9e3779b97f4a7c15ull + number + 1);
    a.rto = o_.rto;
    a.deadline = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(a.rto));
    if (tally.started++ == 0) first_start = now;
    ++progress_.started;
    ++progress_.active;
    send(slot, a.handshake->start(now));
    active_.emplace(slot, std::move(a));
  }

  void finish(size_t slot, std::string timeout_reason, Clock::time_point now) {
    auto it = active_.find(slot);
    Handshake& h = *it->second.handshake;
    if (!timeout_reason.empty()) h.fail(std::move(timeout_reason));
    tally.add(h);
    last_finish = now;
    --progress_.active;
    if (h.state() == Handshake::State::Established) {
      ++progress_.completed;
    } else {
      ++progress_.failed;
    }
    if (o_.spec.hold && h.state() == Handshake::State::Established) {
      held_.emplace(slot, std::move(it->second.handshake));
    } else if (h.state() == Handshake::State::Established) {
      lingering_.push_back({now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.linger)),
                            slot, std::move(it->second.handshake)});
    } else {
      free_.push_back(slot);
    }
    active_.erase(it);
  }

  void expire(Clock::time_point now) {
    std::vector<size_t> timed_out;
    for (auto& [slot, a] : active_) {
      if (now < a.deadline) continue;
      if (a.tries >= o_.retries) {
        timed_out.push_back(slot);
        continue;
      }
      ++a.tries;
      ++tally.retransmits;
      ++progress_.retransmits;
      a.rto *= 2;
      a.deadline = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(a.rto));
      send(slot, a.handshake->last_sent());
    }
    for (size_t slot : timed_out) {
      const auto state = active_.at(slot).handshake->state();
      finish(slot, std::string(phase_name(size_t(state))) + ": no answer (timeout)", now);
    }
  }

  // Tunnels past their linger time: deletes sent, the address free again (lingering_ is in time order).
  void release_lingering(Clock::time_point now) {
    while (!lingering_.empty() && lingering_.front().until <= now) {
      send(lingering_.front().slot, lingering_.front().handshake->deletes());
      free_.push_back(lingering_.front().slot);
      lingering_.pop_front();
    }
  }

  void wait(Clock::time_point now, Clock::time_point next_start) {
    auto until = now + std::chrono::milliseconds(100);
    if (!lingering_.empty()) until = std::min(until, lingering_.front().until);
    for (const auto& [slot, a] : active_) until = std::min(until, a.deadline);
    if (started_ < clients_ && active_.size() < concurrency_ && !free_.empty() && rate_ > 0)
      until = std::min(until, next_start);
    const int ms = int(std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count()));
    epoll_event events[64];
    const int n = ::epoll_wait(epoll_.get(), events, 64, ms);
    for (int i = 0; i < n; ++i) drain(size_t(events[i].data.u64));
  }

  void drain(size_t slot) {
    const int fd = sockets_.at(slot).get();
    uint8_t buffer[65536];
    while (true) {
      sockaddr_in from{};
      socklen_t len = sizeof from;
      const ssize_t n = ::recvfrom(fd, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n < 0) return;  // EAGAIN: drained
      if (from.sin_addr.s_addr != responder_.sin_addr.s_addr || from.sin_port != responder_.sin_port) continue;
      auto it = active_.find(slot);
      if (it == active_.end()) continue;  // a late datagram for a finished client
      Active& a = it->second;
      const auto now = Clock::now();
      const auto before = a.handshake->state();
      auto out = a.handshake->receive(ByteView(buffer, size_t(n)), now);
      if (!out.empty()) send(slot, out);
      if (!out.empty() || a.handshake->state() != before) {
        a.tries = 0;
        a.rto = o_.rto;
        a.deadline = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(a.rto));
      }
      if (a.handshake->finished()) finish(slot, "", now);
    }
  }

  void release_held() {
    const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(o_.hold_seconds));
    while (Clock::now() < until) {
      epoll_event events[64];
      const int n = ::epoll_wait(epoll_.get(), events, 64, 100);
      for (int i = 0; i < n; ++i) drain(size_t(events[i].data.u64));  // nothing is active: read and drop
    }
    // At the start rate when one is set: ten thousand clients do not all hang up in the same millisecond.
    auto next = Clock::now();
    for (auto& [slot, h] : held_) {
      if (rate_ > 0) {
        std::this_thread::sleep_until(next);
        next += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate_));
      }
      send(slot, h->deletes());
    }
  }

  const RunOptions& o_;
  size_t index_;
  Progress& progress_;
  Fd epoll_;
  size_t clients_ = 0, concurrency_ = 1, started_ = 0;
  double rate_ = 0;
  sockaddr_in responder_{};
  std::deque<size_t> free_;
  std::map<size_t, Fd> sockets_;
  std::map<size_t, Active> active_;
  std::map<size_t, std::unique_ptr<Handshake>> held_;
  struct Lingering {
    Clock::time_point until;
    size_t slot;
    std::unique_ptr<Handshake> handshake;
  };
  std::deque<Lingering> lingering_;
};

void raise_file_limit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &r);
  }
}

}  // namespace

Tally run(const RunOptions& o, RunInfo& info) {
  raise_file_limit();
  Progress progress;
  std::vector<std::unique_ptr<Loop>> loops;
  for (size_t t = 0; t < o.threads; ++t) loops.push_back(std::make_unique<Loop>(o, t, progress));
  std::atomic<size_t> running{o.threads};
  std::vector<std::string> errors(o.threads);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < o.threads; ++t)
    threads.emplace_back([&, t] {
      try {
        loops[t]->run();
      } catch (const std::exception& e) {
        errors[t] = e.what();
      }
      --running;
    });
  const auto begin = Clock::now();
  auto next_line = begin + std::chrono::seconds(1);
  size_t last_completed = 0;
  while (running > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const auto now = Clock::now();
    if (!o.progress || now < next_line) continue;
    next_line += std::chrono::seconds(1);
    const size_t completed = progress.completed;
    std::fprintf(stderr, "[%5.0fs] started %zu completed %zu failed %zu active %zu retransmits %zu, %zu/s\n",
                 seconds_between(begin, now), progress.started.load(), completed, progress.failed.load(),
                 progress.active.load(), progress.retransmits.load(), completed - last_completed);
    last_completed = completed;
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors)
    if (!e.empty()) throw std::runtime_error(e);
  Tally all;
  Clock::time_point first = Clock::time_point::max(), last{};
  for (auto& l : loops) {
    all.merge(l->tally);
    if (l->tally.started) first = std::min(first, l->first_start);
    last = std::max(last, l->last_finish);
  }
  info.seconds = all.started ? seconds_between(first, last) : 0;
  return all;
}

}  // namespace ravpn::loadgen
