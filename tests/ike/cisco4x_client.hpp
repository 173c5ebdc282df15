// The Cisco VPN Client 4.0.5 login of the seed PIX 6.3 tech note (seeds/003, "Depuraciones con VPN Client 4.x"),
// replayed as a script: what the client offers and asks for, as the PIX's debug output prints it, driven through a
// Transport so the same script runs in-process against the Responder (tests/ike/test_cisco4x.cpp) and over UDP
// against a running ravpnd (tests/tools/cisco4x_replay.cpp).
//
// The login, as the trace shows it:
//   1. aggressive mode: one ISAKMP proposal of 3DES/DES x SHA/MD5 x XAUTHInitPreShared/pre-share transforms, all
//      group 2 with a life of 2147483 s written as a 4-byte variable-length value ("0x0 0x20 0xc4 0x9b"); KE, Ni,
//      ID_KEY_ID (the group name) and three vendor IDs (Xauth, DPD, Unity). The PIX's policy 10 (DES/MD5/group 2)
//      takes transform 6, DES/MD5/XAUTHInitPreShared. AM3 carries HASH_I and INITIAL-CONTACT.
//   2. Xauth: the head-end's REQUEST (type, name, password), the client's REPLY, the status SET, the client's ACK.
//   3. mode-config pull: a REQUEST for the address, netmask, DNS, WINS, address expiry, application version and the
//      Unity attributes (banner, save-password, domain, split include, PFS, firewall type, NAT-T port).
//   4. two quick modes, each with 7 proposals: 3DES/MD5 + IPComp, 3DES/SHA + IPComp, 3DES/MD5, 3DES/SHA, DES/MD5 +
//      IPComp (its 2-octet CPI: "bad SPI size of 2 octets"), DES/SHA + IPComp, DES/MD5. The PIX takes proposal 7.
//      The first asks for the head-end's own outside address (/32, management), the second for 0.0.0.0/0; each
//      gets its own SA pair.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "phase2_client.hpp"

namespace ravpn::ike::test::cisco4x {

// ---- what the 4.x client sends ----

constexpr uint32_t kLifeSeconds = 2147483;  // 0x0020c49b, as the trace prints it for phase 1 and for every ESP proposal
// The client's SPIs of the trace's two quick modes (the PIX's outbound SAs use them) and its IPComp CPI.
constexpr uint32_t kGatewaySpi = 0x3d1b35d7, kAnySpi = 0x8e187e65;
constexpr uint16_t kCpi = 0x5a1c;
// The trace's quick mode message IDs.
constexpr uint32_t kGatewayQmId = 942875080u, kAnyQmId = 3008609960u;

// Phase 1 transforms 1..8: the trace prints 1..6 (the PIX stops at the acceptable one); 7 and 8 complete the
// 3DES/DES x SHA/MD5 x Xauth/pre-share pattern.
std::vector<Transform> phase1_transforms();
std::vector<Bytes> vendor_ids();  // Xauth, DPD, Unity (the three the trace processes)
// The mode-config REQUEST's attribute types, in the trace's order.
std::vector<uint16_t> mode_config_types();
// The 10 proposal payloads (7 proposal numbers) of each quick mode; `spi` is the client's inbound ESP SPI.
std::vector<Proposal> quick_mode_proposals(uint32_t spi, uint16_t cpi = kCpi);
constexpr uint8_t kChosenProposal = 7;  // what the PIX takes under `crypto ipsec transform-set myset esp-des esp-md5-hmac`

// Aggressive mode as the 4.x client: ID_KEY_ID `group`, its transforms and vendor IDs, KE of group 2.
InitiatorOptions initiator_options(Endpoint self, Endpoint gateway, const std::string& group, const std::string& key,
                                   uint64_t seed);

// ---- how the script reaches the head-end ----

class Transport {
 public:
  virtual ~Transport() = default;
  virtual void send(const Datagram& d) = 0;
  // The next datagram for us, or nothing within `timeout`.
  virtual std::optional<Datagram> receive(std::chrono::milliseconds timeout) = 0;
};

struct LoginOptions {
  InitiatorOptions ike;
  std::string user, password;
  bool quick_modes = true;  // false: phase 1, Xauth and mode-config only (a host without kernel ESP)
  std::chrono::milliseconds wait{2000};  // per attempt
  int retransmits = 3;  // 0 in-process: every answer is there at once
};

// One negotiated SA pair from the client's side: "in" is the head-end -> client SA (the client's SPI), "out" the
// client -> head-end SA (the head-end's SPI). Keys are KEYMAT (RFC 2409 §5.5) split cipher key first.
struct SaPair {
  Ipv4Net remote;  // the head-end's side of the proxy IDs
  uint8_t proposal = 0;
  uint8_t esp_transform = 0;
  uint16_t auth = 0;
  uint32_t spi_in = 0, spi_out = 0;
  crypto::SecretBytes enc_in, auth_in, enc_out, auth_out;
  bool responder_lifetime = false;  // a RESPONDER-LIFETIME notify came with QM2
};

struct LoginResult {
  std::string error;  // empty: every step the options ask for passed
  uint8_t phase1_transform = 0;
  std::vector<Bytes> responder_vendor_ids;
  std::optional<Ipv4> address;
  AttributePayload mode_config_reply;
  std::vector<SaPair> pairs;  // [0] the head-end's own address /32, [1] 0.0.0.0/0
  std::vector<std::string> steps;  // what happened, one line per step (the tool prints them)
  bool ok() const { return error.empty(); }
};

// The whole login. The client object (Initiator + Phase2Initiator) stays usable by the caller through `client`.
struct Session {
  explicit Session(LoginOptions o);
  LoginOptions options;
  Initiator ini;
  std::unique_ptr<Phase2Initiator> p2;
};
LoginResult login(Transport& t, Session& s);

// Kernel names of what a pair uses ("cbc(des)", "hmac(md5)"...), for `ip xfrm state`.
std::string xfrm_cipher(uint8_t esp_transform);
std::string xfrm_auth(uint16_t auth);

}  // namespace ravpn::ike::test::cisco4x
