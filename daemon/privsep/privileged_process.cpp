#include "daemon/privsep/privileged_process.hpp"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "pool/lease_file.hpp"

namespace ravpn::privsep {
namespace {

constexpr uint64_t kChannel = 1, kKernel = 2, kSignals = 3;

void watch(int epoll_fd, int op, int fd, uint32_t events, uint64_t tag) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = tag;
  if (epoll_ctl(epoll_fd, op, fd, &ev) != 0)
    throw std::runtime_error(std::string("privileged process: epoll_ctl: ") + std::strerror(errno));
}

template <class T>
std::expected<Bytes, std::string> no_payload(const kernel::Result<T>& r) {
  if (!r) return std::unexpected(r.error());
  return Bytes{};
}

}  // namespace

PrivilegedProcess::PrivilegedProcess(PrivilegedOptions options, Logger& log)
    : options_(std::move(options)), log_(log), channel_(options_.fd) {}

std::expected<Bytes, std::string> PrivilegedProcess::execute(Type type, ByteView body) {
  auto& k = options_.kernel;
  const bool kernel_request = type != Type::Reload && type != Type::WriteLeases;
  if (kernel_request && !k) return std::unexpected("no kernel XFRM access");
  switch (type) {
    case Type::AllocateSpi: {
      auto r = decode_allocate_spi(body);
      if (!r) break;
      auto spi = k->allocate_spi(r->source, r->destination, r->reqid);
      if (!spi) return std::unexpected(spi.error());
      return encode(SaRef{r->destination, *spi});
    }
    case Type::AddSa: {
      auto r = decode_add_sa(body);
      if (!r) break;
      return no_payload(k->add_sa(r->sa, r->update));
    }
    case Type::DeleteSa: {
      auto r = decode_sa_ref(body);
      if (!r) break;
      return no_payload(k->delete_sa(r->destination, r->spi));
    }
    case Type::DeleteSaPair: {
      auto r = decode_sa_pair_ref(body);
      if (!r) break;
      auto last = k->delete_sa_pair(r->in.destination, r->in.spi, r->out.destination, r->out.spi);
      if (!last) return std::unexpected(last.error());
      return encode(*last);
    }
    case Type::AddPolicy: {
      auto r = decode_policy(body);
      if (!r) break;
      return no_payload(k->add_policy(*r));
    }
    case Type::DeletePolicy: {
      auto r = decode_delete_policy(body);
      if (!r) break;
      return no_payload(k->delete_policy(r->source, r->destination, r->direction));
    }
    case Type::Counters: {
      auto r = decode_sa_ref(body);
      if (!r) break;
      auto c = k->counters(r->destination, r->spi);
      if (!c) return std::unexpected(c.error());
      return encode(*c);
    }
    case Type::CountersOf: {
      auto refs = decode_sa_refs(body);
      if (!refs) break;
      std::vector<kernel::SaCountersEntry> found;  // an SA gone meanwhile is left out
      for (const auto& ref : *refs)
        if (auto c = k->counters(ref.destination, ref.spi)) found.push_back({ref.destination, ref.spi, *c});
      return encode(found);
    }
    case Type::AddRoute:
    case Type::DeleteRoute: {
      auto r = decode_route(body);
      if (!r) break;
      return no_payload(type == Type::AddRoute ? k->add_route(*r) : k->delete_route(*r));
    }
    case Type::DumpCounters: {
      if (!body.empty()) break;
      auto list = k->all_counters();
      if (!list) return std::unexpected(list.error());
      return encode(*list);
    }
    case Type::Reload: {
      if (!body.empty()) break;
      if (!options_.reload) return std::unexpected("started without a configuration file to re-read");
      auto answer = options_.reload();
      if (!answer) return std::unexpected(answer.error());
      return encode(*answer);
    }
    case Type::WriteLeases: {
      auto text = decode_string(body, kMaxBody);
      if (!text) break;
      if (options_.lease_path.empty()) return Bytes{};
      // Only a well-formed lease file reaches the disk, at the one path this process chose.
      auto leases = pool::parse_lease_file(*text);
      if (!leases) return std::unexpected("not a lease file: " + leases.error());
      if (auto error = pool::write_lease_file(options_.lease_path, *leases)) return std::unexpected(*error);
      return Bytes{};
    }
    default:
      break;
  }
  throw std::invalid_argument(std::string(name(type)) + " request malformed");
}

bool PrivilegedProcess::serve(const Frame& frame) {
  const auto& h = frame.header;
  if (!is_request(h.type)) {
    log_.log(LogLevel::Error, LogCategory::Daemon, "privsep: the IKE process sent a {} frame", name(h.type));
    return false;
  }
  std::expected<Bytes, std::string> result;
  try {
    result = execute(h.type, frame.body);
  } catch (const std::invalid_argument& e) {
    log_.log(LogLevel::Error, LogCategory::Daemon, "privsep: {}", e.what());
    return false;
  }
  if (h.flags & kAnswerWanted) {
    AnswerBody a;
    a.ok = result.has_value();
    if (result) a.payload = std::move(*result);
    else a.error = result.error();
    channel_.queue(Type::Answer, 0, h.id, encode(a));
  } else if (!result) {
    RefusedBody r;
    r.request = h.type;
    if (h.type == Type::AddSa)
      if (auto add = decode_add_sa(frame.body)) r.sa = SaRef{add->sa.destination, add->sa.spi};
    r.error = result.error();
    channel_.queue(Type::Refused, 0, h.id, encode(r));
  }
  return true;
}

void PrivilegedProcess::forward_signal(int signo) {
  if (signo == SIGHUP) {
    kill(options_.ike_process, SIGHUP);
    return;
  }
  if (!stopping_) log_.log(LogLevel::Info, LogCategory::Daemon, "privsep: stopping the IKE process (signal {})", signo);
  stopping_ = true;
  kill(options_.ike_process, SIGTERM);
}

int PrivilegedProcess::run() {
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&mask, s);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  const int signals = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  const int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (signals < 0 || epoll_fd < 0) throw std::runtime_error(std::string("privileged process: ") + std::strerror(errno));
  watch(epoll_fd, EPOLL_CTL_ADD, channel_.fd(), EPOLLIN, kChannel);
  watch(epoll_fd, EPOLL_CTL_ADD, signals, EPOLLIN, kSignals);
  if (options_.kernel && options_.kernel->event_fd() >= 0)
    watch(epoll_fd, EPOLL_CTL_ADD, options_.kernel->event_fd(), EPOLLIN, kKernel);

  bool open = true, malformed = false, want_out = false;
  while (open) {
    epoll_event events[8];
    const int n = epoll_wait(epoll_fd, events, 8, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string("privileged process: epoll_wait: ") + std::strerror(errno));
    for (int i = 0; i < n && open; ++i) {
      if (events[i].data.u64 == kSignals) {
        signalfd_siginfo info{};
        while (read(signals, &info, sizeof info) == sizeof info)
          if (info.ssi_signo != SIGCHLD) forward_signal(int(info.ssi_signo));
      } else if (events[i].data.u64 == kKernel) {
        for (const auto& e : options_.kernel->read_events()) channel_.queue(Type::Expire, 0, 0, encode(e));
      } else if (events[i].data.u64 == kChannel) {
        if (events[i].events & EPOLLOUT) open = channel_.flush();
        if (!(events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
        if (channel_.fill(false) == Channel::Fill::Closed) open = false;
        for (;;) {
          auto f = channel_.next();
          if (!f) {
            log_.log(LogLevel::Error, LogCategory::Daemon, "privsep: the IKE process sent {}", f.error());
            malformed = true;
            break;
          }
          if (!*f) break;
          if (!serve(**f)) {
            malformed = true;
            break;
          }
        }
        if (malformed) open = false;
      }
    }
    if (open) open = channel_.flush();
    const bool out = channel_.queued_bytes() > 0;
    if (open && out != want_out) {
      watch(epoll_fd, EPOLL_CTL_MOD, channel_.fd(), EPOLLIN | (out ? EPOLLOUT : 0u), kChannel);
      want_out = out;
    }
  }
  if (malformed) {
    log_.log(LogLevel::Error, LogCategory::Daemon, "privsep: stopping the IKE process, which cannot be trusted now");
    kill(options_.ike_process, SIGKILL);
  }
  int status = 0;
  while (waitpid(options_.ike_process, &status, 0) < 0 && errno == EINTR) {
  }
  close(epoll_fd);
  close(signals);
  const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!clean) {
    if (WIFSIGNALED(status))
      log_.log(LogLevel::Error, LogCategory::Daemon, "privsep: the IKE process ended on signal {}", WTERMSIG(status));
    else
      log_.log(LogLevel::Error, LogCategory::Daemon, "privsep: the IKE process exited with status {}",
               WEXITSTATUS(status));
  }
  if (options_.cleanup) options_.cleanup(!clean);
  return clean ? 0 : 1;
}

}  // namespace ravpn::privsep
