// Xauth against TACACS+ servers (RFC 8907): PIX `aaa-server TAG protocol tacacs+` + `aaa-server TAG (IF) host IP KEY
// [timeout S]`, IOS `tacacs-server host IP [port N] [timeout N] [key K]` (+ `tacacs-server key|timeout`) used by
// `aaa authentication login LIST group tacacs+`, native `[[aaa.server]] protocol = "tacacs+"`.
//
// Servers are asked in configuration order. PASS accepts, FAIL rejects and ends the search; a server that cannot be
// reached, times out or answers something unusable (ERROR, garbage, a wrong key) passes the user to the next, as
// Cisco does. When none answers the verdict is Unavailable, so an IOS list falls back to its next method
// (`group tacacs+ local`).
//
// Each session blocks for up to the server's timeout, so it runs on the AAA worker pool like RADIUS; `done` comes
// back on the loop thread. Every session asks for SINGLE_CONNECT; when a server agrees, its connection is kept (one
// idle connection per server) and the next session starts on it.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ike/worker.hpp"
#include "pool/ipv4.hpp"
#include "xauth/backend.hpp"
#include "xauth/tacacs_login.hpp"

namespace ravpn::xauth {

// Cisco's defaults: TCP port 49; PIX 6.3 `aaa-server ... timeout` and IOS `tacacs-server timeout` 5 s.
inline constexpr unsigned kCiscoTacacsTimeoutSeconds = 5;

struct TacacsServer {
  Ipv4 address;
  uint16_t port = tacacs::kPort;
  std::string key;  // never logged, never in describe() or a Result
  unsigned timeout_seconds = kCiscoTacacsTimeoutSeconds;  // for the whole session: connect and every round
  tacacs::AuthenType login = tacacs::AuthenType::Ascii;
  std::string str() const;  // "10.89.129.134:49"
};

struct TacacsSettings {
  std::string name;  // the PIX tag or the IOS group ("tacacs+"), for describe()
  std::vector<TacacsServer> servers;
};

// The TACACS+ servers of a tag or IOS group in configuration order, with Cisco's defaults; `problem` when there is
// none, or a key is missing or masked (RFC 8907 10.5.1: no key means everything in the clear; refused).
struct TacacsSettingsChoice {
  TacacsSettings settings;
  std::string problem;
};
TacacsSettingsChoice tacacs_settings(const config::Config& config, const std::string& tag, const std::string& what);

// One session with one server (blocking, on a worker thread). The real one is a TacacsTcp; tests pass fakes.
using TacacsExchange = std::function<tacacs::Outcome(const TacacsServer& server, const Credentials& credentials)>;

// TCP to the server, with the idle SINGLE_CONNECT connections of one backend. Copies share the connections.
class TacacsTcp {
 public:
  TacacsTcp();
  tacacs::Outcome operator()(const TacacsServer& server, const Credentials& credentials) const;

 private:
  struct Idle;
  std::shared_ptr<Idle> idle_;
};

std::unique_ptr<Backend> make_tacacs_backend(TacacsSettings settings, Worker& worker);
std::unique_ptr<Backend> make_tacacs_backend(TacacsSettings settings, Worker& worker, TacacsExchange exchange);

}  // namespace ravpn::xauth
