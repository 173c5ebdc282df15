// The state one phase 1 negotiation (an ISAKMP SA) keeps, from the first message until it is deleted.
#pragma once
#include <fmt/format.h>

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "ike/accounting.hpp"
#include "ike/clock.hpp"
#include "ike/crypto/crypto.hpp"
#include "ike/endpoint.hpp"
#include "ike/liveness.hpp"
#include "ike/phase1_policy.hpp"
#include "ike/session.hpp"
#include "ike/vendor_ids.hpp"
#include "ike/wire/message.hpp"
#include "xauth/authorization.hpp"

namespace ravpn::ike {

enum class Phase1Mode { Main, Aggressive };

// Main mode: MM1 -> (send MM2) SentSa -> MM3 -> Computing -> (send MM4) SentKe -> MM5 -> (send MM6) Established.
// Aggressive mode: AM1 -> Computing -> (send AM2) SentReply -> AM3 -> Established.
// Established -> Deleted when phase 1 reaches its lifetime while IPsec SAs remain (they live on until they expire).
enum class Phase1State { SentSa, Computing, SentKe, SentReply, Established, Deleted };

const char* name(Phase1Mode);
const char* name(Phase1State);

// What only the phase 1 negotiation needs (RFC 2409 §5): the pre-shared key, g^xi, g^xr, g^xy, Ni_b, Nr_b, SAi_b
// and IDii_b/IDir_b feed SKEYID and HASH_I/HASH_R; the last message pair answers a retransmit of the peer's last
// phase 1 message (RFC 2408 §5: the same answer, without new crypto). Kept apart from the ISAKMP SA so that a
// session that lives for days does not carry its empty fields either.
struct Phase1Handshake {
  crypto::SecretBytes psk;
  std::string psk_origin;  // e.g. "isakmp key for 0.0.0.0/0 (cfg:12)" or "group vpn3000"
  Bytes sai_b;             // the initiator's SA body as received
  Bytes ni_b, nr_b;
  Bytes g_xi;
  crypto::DhKeyPair dh;
  crypto::SecretBytes g_xy;
  Bytes idii_b, idir_b;
  std::vector<Bytes> peer_natd;  // NAT-D hashes the initiator sent
  Bytes last_request;
  Bytes last_response;
};

struct Phase1Sa {
  uint64_t serial = 0;  // for logs ("conn 7")
  Cookie icookie;
  Cookie rcookie;
  Endpoint peer;
  Endpoint local;
  Endpoint first_peer;  // where the first message came from (the half-open index key; NAT-T may move `peer`)
  Phase1Mode mode = Phase1Mode::Main;
  Phase1State state = Phase1State::SentSa;
  TimePoint created{};
  TimePoint established_at{};

  Phase1Choice choice;
  PeerCapabilities caps;
  NattVariant natt = NattVariant::None;  // what we agreed to (the peer's best offer)
  bool peer_behind_nat = false;
  bool local_behind_nat = false;

  std::string group_name;  // aggressive mode KEY_ID group
  bool decoy = false;      // aggressive mode for an identity without a key: answered under a random key (no oracle)
  bool xauth_wanted = false;  // Xauth on the crypto map and not `no-xauth` on the key
  bool initial_contact = false;  // RFC 2407 §4.6.3.3: the peer has no other SAs with us any more
  // The negotiation's inputs, released a minute after phase 1 completes (session_pruning.hpp): null from then on.
  std::unique_ptr<Phase1Handshake> handshake = std::make_unique<Phase1Handshake>();
  Phase1Handshake& hs() { return *handshake; }
  const Phase1Handshake& hs() const { return *handshake; }
  bool handshake_released() const { return handshake == nullptr; }
  // Keys (RFC 2409 §5). Secrets live in secure vectors and are never logged.
  crypto::Phase1Keys keys;
  Bytes iv;                   // CBC IV for the next phase 1 message (RFC 2409 appendix B chaining)
  Bytes phase1_last_block;    // the IV base for phase 2 / informational exchanges once established
  IdPayload peer_id;

  // After phase 1: Xauth, mode-config, quick mode and the IPsec SAs in the kernel.
  Session session;

  // Dead peer detection, idle and maximum time (liveness.hpp).
  LivenessState liveness;
  // What the AAA server said with its accept (RADIUS Framed-IP-Address, timeouts, Class), and accounting.
  xauth::Authorization authorization;
  AccountingState accounting;

  // Per-message-ID CBC IVs of phase 2 / transaction / informational exchanges (RFC 2409 appendix B).
  std::map<uint32_t, Bytes> phase2_ivs;

  bool established() const { return state == Phase1State::Established; }
  // Phase 1 is over but its session's IPsec SAs live on (responder_takeover.cpp): no message is taken on it.
  bool detached() const { return state == Phase1State::Deleted; }
  // "conn 7 peer 192.0.2.5:500" in log lines. Formatted only when the line is written: most uses are debug lines,
  // whose arguments are built before the logger knows whether the level is on.
  struct Tag {
    uint64_t serial;
    Endpoint peer;
  };
  Tag tag() const { return {serial, peer}; }
};

}  // namespace ravpn::ike

template <>
struct fmt::formatter<ravpn::ike::Phase1Sa::Tag> : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(const ravpn::ike::Phase1Sa::Tag& t, Context& ctx) const {
    return fmt::format_to(ctx.out(), "conn {} peer {}", t.serial, t.peer.str());
  }
};
