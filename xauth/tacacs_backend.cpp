// TACACS+ Xauth backend: the server order and verdicts, the TCP carriage of one session, and the configuration.
#include "xauth/tacacs_backend.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <utility>

#include <botan/system_rng.h>
#include <fmt/format.h>

#include "xauth/worker_job.hpp"

namespace ravpn::xauth {

std::string TacacsServer::str() const { return fmt::format("{}:{}", address.str(), port); }

// ---- one session over TCP ----------------------------------------------------------------------------------------
namespace {

using Clock = std::chrono::steady_clock;
using tacacs::Answer;
using tacacs::Outcome;

class Connection {
 public:
  Connection() = default;
  explicit Connection(int fd) : fd_(fd) {}
  Connection(Connection&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Connection& operator=(Connection&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~Connection() { reset(); }
  void reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  int fd() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

int millis_left(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? int(left) : 0;
}

// Waits for `events` on fd until the deadline: "" when ready, else why not.
std::string wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    int left = millis_left(deadline);
    if (left == 0) return "timed out";
    pollfd p{fd, events, 0};
    int ready = poll(&p, 1, left);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return fmt::format("poll: {}", std::strerror(errno));
    if (ready > 0) return "";
  }
}

std::expected<Connection, std::string> connect_to(const TacacsServer& server, Clock::time_point deadline) {
  Connection c(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!c) return std::unexpected(fmt::format("socket: {}", std::strerror(errno)));
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(server.port);
  to.sin_addr.s_addr = htonl(server.address.value);
  if (connect(c.fd(), reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0 && errno != EINPROGRESS)
    return std::unexpected(fmt::format("connect: {}", std::strerror(errno)));
  if (auto why = wait_for(c.fd(), POLLOUT, deadline); !why.empty())
    return std::unexpected(why == "timed out" ? "connect timed out" : why);
  int error = 0;
  socklen_t length = sizeof error;
  if (getsockopt(c.fd(), SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
  if (error) return std::unexpected(fmt::format("connect: {}", std::strerror(error)));
  return c;
}

std::string send_all(int fd, tacacs::ByteView bytes, Clock::time_point deadline) {
  while (!bytes.empty()) {
    ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
      if (auto why = wait_for(fd, POLLOUT, deadline); !why.empty()) return why;
      continue;
    }
    if (n < 0) return fmt::format("send: {}", std::strerror(errno));
    bytes = bytes.subspan(size_t(n));
  }
  return "";
}

std::string receive_exactly(int fd, std::span<uint8_t> into, Clock::time_point deadline) {
  while (!into.empty()) {
    ssize_t n = recv(fd, into.data(), into.size(), 0);
    if (n == 0) return "the server closed the connection";
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
      if (auto why = wait_for(fd, POLLIN, deadline); !why.empty()) return why;
      continue;
    }
    if (n < 0) return fmt::format("recv: {}", std::strerror(errno));
    into = into.subspan(size_t(n));
  }
  return "";
}

// One whole packet: the header, then as many body bytes as it announces (at most tacacs::kMaxBodyLength).
std::expected<tacacs::Bytes, std::string> receive_packet(int fd, Clock::time_point deadline) {
  tacacs::Bytes packet(tacacs::kHeaderLength);
  if (auto why = receive_exactly(fd, packet, deadline); !why.empty()) return std::unexpected(why);
  auto header = tacacs::parse_header(packet);
  if (!header) return std::unexpected("garbage: " + header.error());
  packet.resize(tacacs::kHeaderLength + header->length);
  auto body = std::span<uint8_t>(packet).subspan(tacacs::kHeaderLength);
  if (auto why = receive_exactly(fd, body, deadline); !why.empty()) return std::unexpected(why);
  return packet;
}

struct SessionResult {
  Outcome outcome;
  bool answered = false;  // at least one packet came back
  bool keep = false;      // the connection may carry the next session
};

SessionResult run_session(const Connection& c, const TacacsServer& server, const Credentials& credentials,
                          Clock::time_point deadline) {
  uint32_t session_id = 0;
  Botan::System_RNG().randomize(reinterpret_cast<uint8_t*>(&session_id), sizeof session_id);  // RFC 8907 4.1
  tacacs::LoginSession session(server.login, server.key, credentials, session_id, true);
  SessionResult result;
  auto start = session.start();
  if (!start) {
    result.outcome = {Answer::Error, start.error()};
    return result;
  }
  std::optional<tacacs::Bytes> next = std::move(*start);
  while (next) {
    std::string why = send_all(c.fd(), *next, deadline);
    if (why.empty()) {
      auto packet = receive_packet(c.fd(), deadline);
      if (packet) {
        result.answered = true;
        next = session.on_packet(*packet);
        continue;
      }
      why = packet.error();
    }
    // tac_plus and most servers close the connection on a packet that does not decode with their key.
    if (!result.answered && why == "the server closed the connection") why += " without answering (wrong key?)";
    result.outcome = {Answer::Error, std::move(why)};
    return result;
  }
  result.outcome = *session.outcome();
  result.keep = session.single_connection() && result.outcome.answer != Answer::Error;
  return result;
}

}  // namespace

// At most one idle connection per server: enough for the usual one-at-a-time logins, bounded whatever happens.
struct TacacsTcp::Idle {
  std::mutex mutex;
  std::map<std::pair<uint32_t, uint16_t>, Connection> connections;

  Connection take(const TacacsServer& s) {
    std::lock_guard lock(mutex);
    auto it = connections.find({s.address.value, s.port});
    if (it == connections.end()) return {};
    Connection c = std::move(it->second);
    connections.erase(it);
    return c;
  }
  void put(const TacacsServer& s, Connection c) {
    std::lock_guard lock(mutex);
    connections.try_emplace({s.address.value, s.port}, std::move(c));  // one is kept; a second closes
  }
};

TacacsTcp::TacacsTcp() : idle_(std::make_shared<Idle>()) {}

Outcome TacacsTcp::operator()(const TacacsServer& server, const Credentials& credentials) const {
  const auto deadline = Clock::now() + std::chrono::seconds(server.timeout_seconds);
  Connection c = idle_->take(server);
  const bool reused = bool(c);
  if (!c) {
    auto fresh = connect_to(server, deadline);
    if (!fresh) return {Answer::Error, fresh.error()};
    c = std::move(*fresh);
  }
  SessionResult r = run_session(c, server, credentials, deadline);
  if (reused && !r.answered) {  // the server closed the idle connection meanwhile: once more on a new one
    auto fresh = connect_to(server, deadline);
    if (!fresh) return {Answer::Error, fresh.error()};
    c = std::move(*fresh);
    r = run_session(c, server, credentials, deadline);
  }
  if (r.keep) idle_->put(server, std::move(c));
  return r.outcome;
}

// ---- the backend -------------------------------------------------------------------------------------------------
namespace {

// Runs on a worker thread: every server in order until one answers PASS or FAIL.
Result ask_servers(const TacacsSettings& settings, const TacacsExchange& exchange, const Credentials& credentials) {
  std::string silent;
  for (const auto& server : settings.servers) {
    Outcome o = exchange(server, credentials);
    std::string by = fmt::format("TACACS+ server {}", server.address.str());
    switch (o.answer) {
      case Answer::Pass:
        return {Verdict::Accept, "accepted by " + by};
      case Answer::Fail:
        return {Verdict::Reject, "rejected by " + by + (o.detail.empty() ? "" : " (" + o.detail + ")")};
      case Answer::Error:
        if (!silent.empty()) silent += "; ";
        silent += fmt::format("{}: {}", server.str(), o.detail);
        break;
    }
  }
  if (silent.empty()) return {Verdict::Unavailable, "no TACACS+ server configured"};
  return {Verdict::Unavailable, "no TACACS+ server answered: " + silent};
}

class TacacsBackend final : public Backend {
 public:
  TacacsBackend(TacacsSettings settings, Worker& worker, TacacsExchange exchange)
      : settings_(std::make_shared<const TacacsSettings>(std::move(settings))), worker_(worker),
        exchange_(std::move(exchange)) {}

  void authenticate(const Credentials& credentials, std::function<void(Result)> done) override {
    run_on_worker(
        worker_, credentials,
        [settings = settings_, exchange = exchange_](const Credentials& c) { return ask_servers(*settings, exchange, c); },
        "TACACS+", std::move(done));
  }

  std::string describe() const override {
    std::string servers;
    for (const auto& s : settings_->servers) servers += (servers.empty() ? "" : ", ") + s.str();
    return fmt::format("TACACS+ {} ({})", settings_->name, servers);
  }

 private:
  std::shared_ptr<const TacacsSettings> settings_;
  Worker& worker_;
  TacacsExchange exchange_;
};

}  // namespace

// ---- configuration -----------------------------------------------------------------------------------------------
TacacsSettingsChoice tacacs_settings(const config::Config& config, const std::string& tag, const std::string& what) {
  TacacsSettingsChoice out;
  out.settings.name = tag;
  for (const auto& s : config.aaa_servers) {
    if (s.tag != tag || s.protocol != "tacacs+" || s.host.value == 0) continue;
    if (s.key_masked) {
      out.problem = fmt::format("{} host {}: the key is masked and no secrets file supplied it", what, s.host.str());
      return out;
    }
    if (s.key.empty()) {
      out.problem = fmt::format("{} host {} has no key: ravpn does not send TACACS+ in the clear", what,
                                s.host.str());
      return out;
    }
    TacacsServer t;
    t.address = s.host;
    t.port = s.auth_port.value_or(tacacs::kPort);
    t.key = s.key;
    t.timeout_seconds = s.timeout_seconds && *s.timeout_seconds > 0 ? *s.timeout_seconds : kCiscoTacacsTimeoutSeconds;
    t.login = s.tacacs_login == "pap" ? tacacs::AuthenType::Pap : tacacs::AuthenType::Ascii;
    out.settings.servers.push_back(std::move(t));
  }
  if (out.settings.servers.empty()) out.problem = fmt::format("{} has no TACACS+ host to send users to", what);
  return out;
}

std::unique_ptr<Backend> make_tacacs_backend(TacacsSettings settings, Worker& worker) {
  return make_tacacs_backend(std::move(settings), worker, TacacsTcp());
}

std::unique_ptr<Backend> make_tacacs_backend(TacacsSettings settings, Worker& worker, TacacsExchange exchange) {
  return std::make_unique<TacacsBackend>(std::move(settings), worker, std::move(exchange));
}

}  // namespace ravpn::xauth
