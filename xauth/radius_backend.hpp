// Xauth against RADIUS servers (RFC 2865): PIX `aaa-server TAG protocol radius` + `aaa-server TAG (IF) host IP KEY
// [timeout S]`, IOS `radius-server host IP [auth-port N] key K` used by `aaa authentication login LIST group radius`.
//
// One Access-Request per server, in configuration order (xauth/radius_packet.hpp has what it carries). Access-Accept
// accepts, Access-Reject rejects and ends the search (Cisco asks the next server only when one does not answer); a
// server that does not answer after its tries, or only with answers that fail the authenticator checks, passes the
// request to the next. When none answers the verdict is Unavailable, which lets an IOS method list fall back to its
// next method (`group radius local`).
//
// The exchange blocks for up to timeout x tries per server, so it runs on the AAA worker pool (ike/worker.hpp), never
// on the event loop; `done` comes back on the loop thread.
//
// Not radcli: Debian 12's radcli 1.2.11 returns OK_RC for an Access-Accept whose Response Authenticator is wrong,
// from any source port (checked with a forged reply), so anyone who can guess the request's 8-bit identifier and
// the client port could let users in. The exchange here is small: one connected UDP socket per exchange (the kernel
// drops datagrams from other addresses), and every answer checked (RFC 2865 3, RFC 3579 3.2) before it counts.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ike/worker.hpp"
#include "pool/ipv4.hpp"
#include "xauth/backend.hpp"

namespace ravpn::xauth {

// Cisco's defaults. PIX 6.x: `aaa-server radius-authport` defaults to 1645; `timeout` (default 5 s, at most 30) is
// the retransmit interval and the PIX tries a host four times before the next one (PIX 6.3 command reference,
// aaa-server). IOS 12.x: `radius-server host ... auth-port` defaults to 1645, `radius-server timeout` to 5 s and
// `radius-server retransmit` to 3 (IOS 12.0(5)T "Configuring Timeout, Retransmission, and Key Values per RADIUS
// Server"; IOS XR keeps the same defaults). Either way: 1 try + 3 retransmissions, 5 s each.
inline constexpr uint16_t kCiscoRadiusAuthPort = 1645;
inline constexpr unsigned kCiscoRadiusTimeoutSeconds = 5;
inline constexpr unsigned kCiscoRadiusRetransmits = 3;
// RFC 2865 5.2: User-Password carries at most 128 octets.
inline constexpr size_t kRadiusMaxPasswordLength = 128;

struct RadiusServer {
  Ipv4 address;
  uint16_t port = kCiscoRadiusAuthPort;
  std::string key;  // the shared secret; never logged, never in describe() or a Result
  unsigned timeout_seconds = kCiscoRadiusTimeoutSeconds;
  unsigned retransmits = kCiscoRadiusRetransmits;  // tries = 1 + retransmits
  std::string str() const;  // "10.89.129.134:1645"
};

struct RadiusSettings {
  std::string name;  // the PIX tag or the IOS group ("radius"), for describe()
  std::vector<RadiusServer> servers;
};

// The RADIUS servers of a PIX `aaa-server TAG` or of the IOS `radius-server host` lines (tag "radius"), in
// configuration order, with Cisco's defaults filled in; `problem` when there is none or a key is unusable. `what`
// names them in problems: "aaa-server AuthInbound", "radius-server".
struct RadiusSettingsChoice {
  RadiusSettings settings;
  std::string problem;
};
RadiusSettingsChoice radius_settings(const config::Config& config, const std::string& tag, const std::string& what);

// What one server said to one Access-Request.
enum class RadiusAnswer { Accept, Reject, Challenge, Timeout, Error };
struct RadiusReply {
  RadiusReply() = default;
  RadiusReply(RadiusAnswer a, std::string d, Authorization z = {})
      : answer(a), detail(std::move(d)), authorization(std::move(z)) {}
  RadiusAnswer answer = RadiusAnswer::Error;
  std::string detail;  // Error: what went wrong; Reject: the server's Reply-Message. Never the password or the key.
  Authorization authorization;  // Accept: what the Access-Accept carried (RFC 2865 5)
};

// Sends one Access-Request to one server and waits for the answer (blocking, on a worker thread). The real one is
// udp_exchange; tests pass fakes to check the failover logic without a server.
using RadiusExchange = std::function<RadiusReply(const RadiusServer& server, const Credentials& credentials)>;

// UDP to server.address:port from a socket of its own (thread-safe: exchanges share nothing). Tries 1 + retransmits
// times, timeout_seconds each, the same packet every time (RFC 5080 2.2.1). Answers that fail the checks are dropped
// and waiting goes on; if only such answers came, the Error says so ("wrong key?"). An ICMP port unreachable ends
// the exchange at once (Error): nothing listens there.
RadiusReply udp_exchange(const RadiusServer& server, const Credentials& credentials);

std::unique_ptr<Backend> make_radius_backend(RadiusSettings settings, Worker& worker);
std::unique_ptr<Backend> make_radius_backend(RadiusSettings settings, Worker& worker, RadiusExchange exchange);

// IOS method lists: the next method is asked only when one answers Unavailable (Cisco's ERROR: no server
// reachable), never after a Reject. Used for `aaa authentication login LIST group radius local`.
std::unique_ptr<Backend> make_fallback_backend(std::vector<std::unique_ptr<Backend>> methods);

}  // namespace ravpn::xauth
