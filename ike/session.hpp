// What follows phase 1 on one ISAKMP SA: Xauth, mode-config, quick mode exchanges and the IPsec SAs they made.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ike/clock.hpp"
#include "ike/crypto/crypto.hpp"
#include "ike/session_flow.hpp"
#include "ike/wire/payloads.hpp"
#include "netlink/kernel.hpp"
#include "pool/ipv4.hpp"

namespace ravpn::ike {

// A message we started (Xauth REQUEST/SET, mode-config SET) that waits for the peer's answer: retransmitted with
// back-off until answered or given up (the IOS seed trace shows the router retransmitting while the user types).
struct Outstanding {
  uint32_t message_id = 0;
  Bytes message;
  TimePoint sent_at{};
  TimePoint next_retransmit{};
  int retransmits = 0;
};

// The Xauth exchanges' data; where they stand is the session's stage (session_flow.hpp).
struct XauthSession {
  int attempts = 0;       // failed tries so far (Cisco allows 3)
  std::string user;       // set once a REPLY names one (logged; the password never is)
  uint32_t message_id = 0;
  TimePoint started{};
};

struct ModeConfigSession {
  std::optional<Ipv4> address;  // leased from `pool`
  std::string pool;
  std::optional<TimePoint> push_due;  // a SET goes out then unless the client pulls (sends a REQUEST) first
  // The address came with a session taken over from an older ISAKMP SA (responder_takeover.cpp): it is this
  // user's already, but this ISAKMP SA has not told the client yet, so a push (SET) still goes out.
  bool adopted = false;
};

// One quick mode exchange (RFC 2409 §5.5), keyed by message ID.
struct QuickModeExchange {
  enum class State { SentReply, Computing, Done } state = State::Computing;
  Bytes ni_b, nr_b;
  Bytes qm1_raw;                  // for retransmit detection
  Bytes reply;                    // QM2 as sent
  uint8_t proposal_number = 0;
  Transform offered;              // the chosen transform as the initiator sent it (echoed in QM2, RFC 2409 §5)
  uint8_t transform_id = 0;       // ESP transform ID
  std::string transform_name;     // as the transform set writes it: "esp-des esp-md5-hmac"
  uint16_t auth_alg = 0;          // IPsec auth algorithm attribute
  uint16_t key_bits = 0;
  uint16_t encapsulation = 1;
  uint32_t lifetime_seconds = 3600;
  uint32_t lifetime_kilobytes = 0;
  bool lifetime_lowered = false;
  std::optional<int> pfs_group;
  Bytes g_qm_i;                   // the initiator's KE (PFS)
  crypto::DhKeyPair dh;
  crypto::SecretBytes g_qm_xy;
  Bytes peer_spi;                 // 4 bytes, the initiator's inbound SPI = our outbound
  kernel::Spi our_spi;            // allocated inbound SPI
  std::optional<IdPayload> idci, idcr;
  Ipv4Net client_net;             // the client's side (its leased address /32)
  Ipv4Net protected_net;          // our side
  bool commit = false;
  Bytes hash3_expected;
  TimePoint started_at{};         // QM1 received
  TimePoint finished_at{};        // Done since then; kept a while for late QM1 retransmits (session_pruning.hpp)
};

// Where an installed IPsec SA pair stands (child_sa.hpp); it leaves the session when it is removed.
enum class ChildState {
  Installed,   // carrying traffic
  SoftExpired, // the kernel's soft lifetime (seconds or kilobytes) is reached: the client should renew it
  Superseded,  // a newer pair for the same selectors exists (the client renewed it); this one drains
};

// An IPsec SA pair installed in the kernel.
struct ChildSa {
  ChildState state = ChildState::Installed;
  kernel::Spi spi_in;    // ours (peer -> us)
  kernel::Spi spi_out;   // the peer's (us -> peer)
  Ipv4Net client_net;
  Ipv4Net protected_net;
  uint32_t reqid = 0;
  std::string transform;  // "esp-des esp-md5-hmac"
  uint32_t lifetime_seconds = 0;
  uint32_t lifetime_kilobytes = 0;  // 0: none
  TimePoint installed_at{};
  bool route_added = false;
};

struct Session {
  SessionStage stage = SessionStage::Phase1;  // Xauth -> mode-config -> quick modes (session_flow.hpp)
  XauthSession xauth;
  ModeConfigSession mode_config;
  std::optional<Outstanding> outstanding;  // at most one server-initiated message in flight
  std::map<uint32_t, QuickModeExchange> quick_modes;
  std::vector<ChildSa> children;
  struct Answered {
    Bytes request;
    Bytes reply;
    TimePoint at{};
  };
  std::map<uint32_t, Answered> answered;   // peer-initiated transactions, for retransmits
  // The last transaction message the peer sent in answer to ours (Xauth REPLY, ACK), as received: the same bytes
  // again are a retransmit (the peer missed what we sent next), answered by resending that, never decrypted again
  // (its IV chain has moved on).
  Bytes last_answer_received;

  // What outlives the ISAKMP SA that carries the session (responder_takeover.cpp): the first login, and how often
  // phase 1 and phase 2 were renewed since.
  TimePoint login_at{};
  uint32_t phase1_rekeys = 0;
  uint32_t phase2_rekeys = 0;
  uint64_t carried_from = 0;  // serial of the ISAKMP SA this session was taken over from (0: none)
  uint64_t handed_to = 0;     // serial of the newer ISAKMP SA that took this session over (0: none): nothing left
  // Which of the user's simultaneous logins this is (0: the first; simultaneous_logins.cpp): each has its own lease.
  uint32_t login_slot = 0;
};

}  // namespace ravpn::ike
