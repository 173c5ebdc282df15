#include "xauth/accounting_sender.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <utility>

#include <fmt/format.h>

namespace ravpn::xauth::accounting {

const char* name(Kind k) {
  switch (k) {
    case Kind::Start: return "Start";
    case Kind::Stop: return "Stop";
    case Kind::Interim: return "Interim-Update";
  }
  return "?";
}

const char* name(Cause c) {
  switch (c) {
    case Cause::UserRequest: return "User-Request";
    case Cause::LostCarrier: return "Lost-Carrier";
    case Cause::IdleTimeout: return "Idle-Timeout";
    case Cause::SessionTimeout: return "Session-Timeout";
    case Cause::AdminReset: return "Admin-Reset";
    case Cause::NasRequest: return "NAS-Request";
    case Cause::NasReboot: return "NAS-Reboot";
  }
  return "?";
}

const char* name(Protocol p) { return p == Protocol::Radius ? "RADIUS" : "TACACS+"; }

std::string Server::str() const { return fmt::format("{}:{}", address.str(), port); }

bool RecordQueue::push(Record record) {
  bool kept_all = true;
  if (records_.size() >= std::max<size_t>(capacity_, 1)) {
    kept_all = false;
    auto interim = std::find_if(records_.begin(), records_.end(),
                                [](const Record& r) { return r.kind == Kind::Interim; });
    records_.erase(interim != records_.end() ? interim : records_.begin());
  }
  records_.push_back(std::move(record));
  return kept_all;
}

Round deliver(const Settings& settings, const Exchange& exchange, const Record& record, uint32_t delay_seconds) {
  Round round;
  for (size_t i = 0; i < settings.servers.size(); ++i) {
    const Server& server = settings.servers[i];
    Delivery d = exchange(server, record, delay_seconds);
    round.retransmits += d.retransmits;
    if (d.answer == Answer::Acknowledged) {
      round.answered = i;
      return round;
    }
    round.failures.push_back(fmt::format("{}: {}", server.str(), d.detail.empty() ? "no answer" : d.detail));
  }
  return round;
}

struct Sender::Shared {
  Shared(Settings s, Exchange e) : exchange(std::move(e)), settings(std::move(s)), queue(settings.max_queue) {}
  void note(std::string message) {
    if (messages.size() < 100) messages.push_back(std::move(message));  // bounded: the loop takes them each second
  }

  std::mutex mutex;
  Exchange exchange;
  std::condition_variable wake;      // the thread: a record came, or stop
  std::condition_variable progress;  // drain(): a record went; the destructor: the thread ended
  Settings settings;
  RecordQueue queue;
  Stats stats;
  std::vector<std::string> messages;
  bool stop = false;
  bool draining = false;
  bool ended = false;
};

Sender::Sender(Settings settings, Exchange exchange)
    : shared_(std::make_shared<Shared>(std::move(settings), std::move(exchange))), thread_(run, shared_) {}

Sender::~Sender() {
  std::unique_lock lock(shared_->mutex);
  shared_->stop = true;
  shared_->wake.notify_all();
  const bool ended = shared_->progress.wait_for(lock, std::chrono::seconds(1), [this] { return shared_->ended; });
  lock.unlock();
  if (ended) thread_.join();
  else thread_.detach();  // it holds its own reference to the shared state
}

void Sender::submit(Record record) {
  auto& s = *shared_;
  {
    std::lock_guard lock(s.mutex);
    ++s.stats.submitted;
    if (!s.queue.push(std::move(record))) {
      ++s.stats.dropped;
      s.note(fmt::format("accounting queue full ({} records): the oldest was dropped", s.settings.max_queue));
    }
    s.stats.queued = s.queue.size();
  }
  s.wake.notify_all();
}

void Sender::reconfigure(Settings settings, Exchange exchange) {
  auto& s = *shared_;
  {
    std::lock_guard lock(s.mutex);
    s.queue.set_capacity(settings.max_queue);
    s.settings = std::move(settings);
    s.exchange = std::move(exchange);
  }
  s.wake.notify_all();
}

bool Sender::drain(Clock::duration max_wait) {
  auto& s = *shared_;
  std::unique_lock lock(s.mutex);
  s.draining = true;
  s.wake.notify_all();  // a round waiting out its pause starts now
  return s.progress.wait_for(lock, max_wait, [&s] { return s.queue.empty(); });
}

Stats Sender::stats() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->stats;
}

Settings Sender::settings() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->settings;
}

std::vector<std::string> Sender::take_messages() {
  std::lock_guard lock(shared_->mutex);
  return std::exchange(shared_->messages, {});
}

void Sender::run(std::shared_ptr<Shared> shared) {
  auto& s = *shared;
  std::unique_lock lock(s.mutex);
  bool last_round_failed = false;
  for (;;) {
    s.wake.wait(lock, [&s] { return s.stop || !s.queue.empty(); });
    if (s.stop) break;
    Record record = s.queue.front();
    Settings settings = s.settings;
    Exchange exchange = s.exchange;  // a reload may replace both while this round runs
    const auto waited = std::chrono::duration_cast<Seconds>(Clock::now() - record.made).count();
    lock.unlock();
    Round round = deliver(settings, exchange, record, uint32_t(std::clamp<int64_t>(waited, 0, UINT32_MAX)));
    lock.lock();
    s.stats.retransmits += round.retransmits;
    if (round.answered) {
      // A full queue may have dropped this record meanwhile; pop only what was delivered.
      const Record& head = s.queue.empty() ? record : s.queue.front();
      if (!s.queue.empty() && head.session.id == record.session.id && head.kind == record.kind &&
          head.made == record.made)
        s.queue.pop();
      ++s.stats.sent;
      s.stats.last_server = settings.servers[*round.answered].str();
      if (last_round_failed || *round.answered > 0)
        s.note(fmt::format("accounting: {} server {} answers", name(settings.protocol), s.stats.last_server));
      last_round_failed = false;
      s.stats.queued = s.queue.size();
      s.progress.notify_all();
      continue;
    }
    ++s.stats.failed_rounds;
    s.stats.last_error = round.failures.empty() ? "no server configured" : round.failures.back();
    if (!last_round_failed) {
      std::string all;
      for (const auto& f : round.failures) all += (all.empty() ? "" : "; ") + f;
      s.note(fmt::format("accounting: no {} server answered ({}); {} record(s) wait, retrying every {} s",
                         name(settings.protocol), all.empty() ? "none configured" : all, s.queue.size(),
                         settings.retry_pause.count()));
    }
    last_round_failed = true;
    // A pause before the next round; shortened once drain() (shutdown) waits for the queue.
    if (s.draining) s.wake.wait_for(lock, std::chrono::milliseconds(200), [&s] { return s.stop; });
    else s.wake.wait_for(lock, settings.retry_pause, [&s] { return s.stop || s.draining; });
    if (s.stop) break;
  }
  s.ended = true;
  s.progress.notify_all();
}

}  // namespace ravpn::xauth::accounting
