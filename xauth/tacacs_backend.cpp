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

#include "xauth/tacacs_tcp.hpp"
#include "xauth/worker_job.hpp"

namespace ravpn::xauth {

std::string TacacsServer::str() const { return fmt::format("{}:{}", address.str(), port); }

// ---- one session over TCP ----------------------------------------------------------------------------------------
namespace {

using Clock = std::chrono::steady_clock;
using tacacs::Answer;
using tacacs::Outcome;
using tacacs::Connection;
using tacacs::connect_to;
using tacacs::receive_packet;
using tacacs::send_all;

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
    auto fresh = connect_to(server.address, server.port, deadline);
    if (!fresh) return {Answer::Error, fresh.error()};
    c = std::move(*fresh);
  }
  SessionResult r = run_session(c, server, credentials, deadline);
  if (reused && !r.answered) {  // the server closed the idle connection meanwhile: once more on a new one
    auto fresh = connect_to(server.address, server.port, deadline);
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
        return {Verdict::Accept, "accepted by " + by, {}, "TACACS+ " + server.str()};
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
