#include "daemon/privsep/remote_kernel.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <botan/mem_ops.h>

namespace ravpn::privsep {
namespace {

constexpr size_t kFlushAt = 256 * 1024;  // a burst of installs goes out before the round ends

}  // namespace

RemoteKernel::RemoteKernel(int fd, Logger& log, const TimeSource& time) : channel_(fd), log_(log), time_(time) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) throw std::runtime_error(std::string("privsep: ") + std::strerror(errno));
  for (int watched : {channel_.fd(), wake_fd_}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = watched;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, watched, &ev) != 0)
      throw std::runtime_error(std::string("privsep: epoll_ctl: ") + std::strerror(errno));
  }
}

RemoteKernel::~RemoteKernel() {
  try {
    delete_spares(spares_.take_all());  // their larval SAs would stay until they lapse
    flush();  // the last deletes of a stopping daemon
  } catch (const std::exception&) {
    // the privileged process has gone: nothing to tell it
  }
  close(epoll_fd_);
  close(wake_fd_);
}

bool RemoteKernel::take_spare_answer(const Frame& frame) {
  if (frame.header.type != Type::Answer || !spares_.expects(frame.header.id)) return false;
  auto answer = decode_answer(frame.body);
  if (!answer) throw std::runtime_error("privileged process: " + answer.error());
  std::optional<kernel::Spi> spi;
  if (answer->ok) {
    auto ref = decode_sa_ref(answer->payload);
    if (!ref) throw std::runtime_error("privileged process: " + ref.error());
    spi = ref->spi;
  }
  spares_.answered(frame.header.id, spi, time_.now());
  if (!answer->ok)  // the next quick modes wait for their SPI, as without spares
    log_.log(LogLevel::Info, LogCategory::Ipsec, "allocating a spare SPI: {}", answer->error);
  return true;
}

uint32_t RemoteKernel::queue(Type type, uint8_t flags, ByteView body) {
  const uint32_t id = next_id_++;
  Bytes frame = encode_frame(type, flags, id, body);
  posted_.insert(posted_.end(), frame.begin(), frame.end());
  Botan::secure_scrub_memory(frame.data(), frame.size());
  return id;
}

void RemoteKernel::ask_for_spares(Ipv4 destination) {
  for (size_t n = spares_.wanted(destination); n > 0; --n)
    spares_.asked(queue(Type::AllocateSpi, kAnswerWanted,
                        encode(AllocateSpiRequest{SpareSpis::kPlaceholderPeer, destination, 0})),
                  destination);
}

void RemoteKernel::delete_spares(const std::vector<SpareSpis::Ref>& spares) {
  for (const auto& s : spares) queue(Type::DeleteSa, 0, encode(SaRef{s.destination, s.spi}));
}

void RemoteKernel::take(const Frame& frame) {
  if (take_spare_answer(frame)) return;
  if (frame.header.type == Type::Expire) {
    auto e = decode_expire(frame.body);
    if (!e) throw std::runtime_error("privileged process: bad expire event: " + e.error());
    events_.push_back(*e);
  } else if (frame.header.type == Type::Refused) {
    auto r = decode_refused(frame.body);
    if (!r) throw std::runtime_error("privileged process: bad refusal: " + r.error());
    if (r->request == Type::AddSa)
      events_.push_back({.destination = r->sa.destination, .spi = r->sa.spi, .hard = true, .refused = r->error});
    else if (r->request == Type::WriteLeases)
      log_.log(LogLevel::Warning, LogCategory::Daemon, "lease file not written: {}", r->error);
    else  // a removal of what the kernel already dropped (an expired SA) is the usual case
      log_.log(r->request == Type::AddPolicy || r->request == Type::AddRoute ? LogLevel::Warning : LogLevel::Info,
               LogCategory::Ipsec, "kernel refused {}: {}", name(r->request), r->error);
  } else {
    throw std::runtime_error(std::string("privileged process: unexpected ") + name(frame.header.type));
  }
  if (!events_.empty()) {
    const uint64_t one = 1;
    [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof one);
  }
}

void RemoteKernel::read_available(bool wait) {
  if (channel_.fill(wait) == Channel::Fill::Closed) throw std::runtime_error("the privileged process has gone");
  for (;;) {
    auto f = channel_.next();
    if (!f) throw std::runtime_error("privileged process: " + f.error());
    if (!*f) return;
    take(**f);
  }
}

std::vector<kernel::ExpireEvent> RemoteKernel::read_events() {
  uint64_t count;
  [[maybe_unused]] auto n = read(wake_fd_, &count, sizeof count);
  read_available(false);
  auto out = std::move(events_);
  events_.clear();
  // take() may have set the eventfd again for what was just returned.
  n = read(wake_fd_, &count, sizeof count);
  return out;
}

void RemoteKernel::flush() {
  delete_spares(spares_.expire(time_.now()));
  if (posted_.empty()) return;
  Bytes frames = std::move(posted_);
  posted_.clear();
  try {
    channel_.send_encoded(frames);
  } catch (...) {
    Botan::secure_scrub_memory(frames.data(), frames.size());
    throw;
  }
  Botan::secure_scrub_memory(frames.data(), frames.size());
}

kernel::Result<Bytes> RemoteKernel::call(Type type, ByteView body) {
  flush();  // in order: what was posted before is done before this is answered
  const uint32_t id = next_id_++;
  channel_.send(type, kAnswerWanted, id, body);
  for (;;) {
    auto f = channel_.next();
    if (!f) throw std::runtime_error("privileged process: " + f.error());
    if (!*f) {
      if (channel_.fill(true) == Channel::Fill::Closed) throw std::runtime_error("the privileged process has gone");
      continue;
    }
    const Frame& frame = **f;
    if (frame.header.type != Type::Answer || frame.header.id != id) {  // events, spares' answers
      take(frame);
      continue;
    }
    auto answer = decode_answer(frame.body);
    if (!answer) throw std::runtime_error("privileged process: " + answer.error());
    if (!answer->ok) return std::unexpected(answer->error);
    return std::move(answer->payload);
  }
}

kernel::Result<> RemoteKernel::post(Type type, ByteView body) {
  if (answer_now_) {
    auto r = call(type, body);
    if (!r) return std::unexpected(r.error());
    return {};
  }
  queue(type, 0, body);
  if (posted_.size() >= kFlushAt) flush();
  return {};
}

kernel::Result<kernel::Spi> RemoteKernel::allocate_spi(Ipv4 source, Ipv4 destination, uint32_t reqid) {
  if (!answer_now_) {  // not for the kernel probe's throwaway SAs (kernel_probe.cpp), a burst at a fake address
    std::vector<SpareSpis::Ref> expired;
    const auto spare = spares_.take(destination, time_.now(), expired);
    delete_spares(expired);
    ask_for_spares(destination);  // before the call below: answered first, so the stock is full when it returns
    if (spare) return *spare;
  }
  auto r = call(Type::AllocateSpi, encode(AllocateSpiRequest{source, destination, reqid}));
  if (!r) return std::unexpected(r.error());
  auto ref = decode_sa_ref(*r);
  if (!ref) throw std::runtime_error("privileged process: " + ref.error());
  return ref->spi;
}

kernel::Result<> RemoteKernel::add_sa(const kernel::SaSpec& sa, bool update) {
  Bytes body = encode(AddSaRequest{sa, update});
  auto r = post(Type::AddSa, body);
  Botan::secure_scrub_memory(body.data(), body.size());
  return r;
}

kernel::Result<> RemoteKernel::delete_sa(Ipv4 destination, kernel::Spi spi) {
  return post(Type::DeleteSa, encode(SaRef{destination, spi}));
}

kernel::Result<kernel::SaPairCounters> RemoteKernel::delete_sa_pair(Ipv4 in_destination, kernel::Spi in_spi,
                                                                   Ipv4 out_destination, kernel::Spi out_spi) {
  auto r = call(Type::DeleteSaPair, encode(SaPairRef{{in_destination, in_spi}, {out_destination, out_spi}}));
  if (!r) return std::unexpected(r.error());
  auto last = decode_pair_counters(*r);
  if (!last) throw std::runtime_error("privileged process: " + last.error());
  return *last;
}

kernel::Result<> RemoteKernel::add_policy(const kernel::PolicySpec& policy) {
  return post(Type::AddPolicy, encode(policy));
}

kernel::Result<> RemoteKernel::delete_policy(const Ipv4Net& source, const Ipv4Net& destination,
                                             kernel::Direction direction) {
  return post(Type::DeletePolicy, encode(DeletePolicyRequest{source, destination, direction}));
}

kernel::Result<std::vector<kernel::SaCountersEntry>> RemoteKernel::all_counters() {
  auto r = call(Type::DumpCounters, {});
  if (!r) return std::unexpected(r.error());
  auto list = decode_counter_list(*r);
  if (!list) throw std::runtime_error("privileged process: " + list.error());
  return std::move(*list);
}

void RemoteKernel::counters_snapshot(bool on) {
  snapshot_on_ = on;
  snapshot_.reset();
}

void RemoteKernel::prefetch_counters(const std::vector<std::pair<Ipv4, kernel::Spi>>& sas) {
  prefetched_.clear();
  if (sas.empty()) return;
  std::vector<SaRef> refs;
  refs.reserve(std::min(sas.size(), kMaxCountersOf));
  for (const auto& [destination, spi] : sas)
    if (refs.size() < kMaxCountersOf) refs.push_back({destination, spi});
  auto r = call(Type::CountersOf, encode(refs));
  if (!r) return;  // counters() asks for each
  auto list = decode_counter_list(*r);
  if (!list) throw std::runtime_error("privileged process: " + list.error());
  for (const auto& ref : refs) prefetched_[{ref.destination.value, ref.spi.value}] = std::nullopt;
  for (const auto& e : *list) prefetched_[{e.destination.value, e.spi.value}] = e.counters;
}

kernel::Result<kernel::SaCounters> RemoteKernel::counters(Ipv4 destination, kernel::Spi spi) {
  if (auto it = prefetched_.find({destination.value, spi.value}); it != prefetched_.end()) {
    if (!it->second) return std::unexpected(std::string("XFRM_MSG_GETSA: No such process"));
    return *it->second;
  }
  if (snapshot_on_) {
    if (!snapshot_) {
      auto list = all_counters();
      if (!list) return std::unexpected(list.error());
      snapshot_.emplace();
      for (const auto& e : *list) (*snapshot_)[{e.destination.value, e.spi.value}] = e.counters;
    }
    auto it = snapshot_->find({destination.value, spi.value});
    if (it == snapshot_->end()) return std::unexpected(std::string("XFRM_MSG_GETSA: No such process"));
    return it->second;
  }
  auto r = call(Type::Counters, encode(SaRef{destination, spi}));
  if (!r) return std::unexpected(r.error());
  auto c = decode_counters(*r);
  if (!c) throw std::runtime_error("privileged process: " + c.error());
  return *c;
}

kernel::Result<> RemoteKernel::add_route(const kernel::RouteSpec& route) { return post(Type::AddRoute, encode(route)); }

kernel::Result<> RemoteKernel::delete_route(const kernel::RouteSpec& route) {
  return post(Type::DeleteRoute, encode(route));
}

std::expected<ReloadAnswer, std::string> RemoteKernel::reload() {
  auto r = call(Type::Reload, {});
  if (!r) return std::unexpected(r.error());
  auto answer = decode_reload_answer(*r);
  if (!answer) throw std::runtime_error("privileged process: " + answer.error());
  return *answer;
}

void RemoteKernel::write_leases(const std::string& text) { (void)post(Type::WriteLeases, encode_string(text)); }

}  // namespace ravpn::privsep
