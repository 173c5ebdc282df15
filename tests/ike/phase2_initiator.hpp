// The initiator's side after phase 1, for the in-process tests of Xauth, mode-config and quick mode: transaction
// exchanges (draft-beaulieu-ike-xauth-02, draft-dukes-ike-mode-cfg-02) and quick mode (RFC 2409 §5.5), written
// independently of ike/protected_exchange, ike/quick_mode and ike/crypto/phase2_keys: HASHes, IVs and KEYMAT are
// computed here from the crypto facade's prf / hash / CBC / DH primitives only.
//
// It builds on the phase 1 Initiator (initiator.hpp) without changing it. The Initiator does not expose SKEYID_d,
// which KEYMAT needs, so Phase2Initiator recomputes the phase 1 keys by replaying the Initiator's deterministic RNG
// (cookie, then the DH key pair, then Ni, as mm1/mm3 and am1 draw them) against the responder's KE and nonce, and
// checks the result against the Initiator's own SKEYID_a and CKY-I before using it.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness.hpp"
#include "tests/fakes/fake_kernel.hpp"

namespace ravpn::ike::test {

// ---- the responder with what phase 2 needs: a fake kernel, the config's pools and the local Xauth users ----

PoolSet pools_of(const config::Config& config);

class Phase2Harness {
 public:
  explicit Phase2Harness(std::string config_text, uint64_t seed = 2000, ResponderSettings settings = {});
  explicit Phase2Harness(config::Config parsed, uint64_t seed = 2000, ResponderSettings settings = {});  // any dialect
  ~Phase2Harness();
  Phase2Harness(const Phase2Harness&) = delete;
  Phase2Harness& operator=(const Phase2Harness&) = delete;

  std::vector<Datagram> feed(const Datagram& d);
  Datagram one(const Datagram& d);  // REQUIREs exactly one answer
  std::vector<Datagram> tick();     // responder.tick(); what it sent
  void advance(Seconds s) { time.advance(s); }
  pool::AddressPool& pool(const std::string& name = "ourpool") { return pools.at(name); }
  // Kernel calls the responder reported as failed (it logs "removing ...: <error>" / "installing IPsec SAs failed").
  bool kernel_errors_logged() const;

  config::Config config;
  std::unique_ptr<xauth::Backend> xauth;
  PoolSet pools;
  ravpn::testing::FakeKernel kernel;
  std::unique_ptr<crypto::Rng> rng, dh_rng;
  ManualTime time;
  InlineWorker worker;
  CapturingLogger log;
  CapturingSender sender;
  Responder responder;
};

// ---- payload builders ----

IdPayload ipv4_id(const char* address);                    // ID_IPV4_ADDR, protocol 0, port 0
IdPayload subnet_id(const char* address, const char* mask);  // ID_IPV4_ADDR_SUBNET
Bytes u32_bytes(uint32_t v);
uint32_t u32_of(ByteView b);  // 4 bytes big-endian

struct EspSpec {
  uint8_t transform_id = esp_id::Des;
  uint16_t auth = ipsec_auth::HmacMd5;
  uint16_t encapsulation = encaps::Tunnel;
  std::optional<uint32_t> life_seconds;     // 4-byte TLV like the Cisco VPN Client ("0x0 0x20 0xc4 0x9b")
  std::optional<uint16_t> group;            // PFS group attribute
  std::optional<uint16_t> key_bits;
};
inline EspSpec esp_spec(uint8_t transform_id, uint16_t auth, std::optional<uint32_t> life_seconds = std::nullopt) {
  EspSpec s;
  s.transform_id = transform_id;
  s.auth = auth;
  s.life_seconds = life_seconds;
  return s;
}
// One ESP proposal with one transform (number 1), attributes in the Cisco client's order: auth, encaps, life.
Proposal esp_proposal(uint8_t number, uint32_t spi, const EspSpec& spec);
// IPComp (RFC 2393) with the 2-octet CPI the Cisco VPN Client 4.x sends, ANDed with an ESP proposal of the same number.
Proposal ipcomp_proposal(uint8_t number, uint16_t cpi);

// ---- the initiator after phase 1 ----

class Phase2Initiator {
 public:
  // `ini` has finished phase 1 with `options`; `keying` is the responder's MM4 (main mode) or AM2 (aggressive mode).
  Phase2Initiator(const Initiator& ini, const InitiatorOptions& options, const Datagram& keying);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const crypto::SecretBytes& skeyid_d() const { return skeyid_d_; }

  // Transaction exchange (type 6): HDR*, HASH(prf(SKEYID_a, M-ID | ATTR)), ATTR; IV chain per message ID, first IV
  // hash(last phase 1 block | M-ID) (RFC 2409 appendix B).
  struct Transaction {
    Header header;
    AttributePayload attributes;
    uint32_t message_id() const { return header.message_id.value; }
  };
  std::optional<Transaction> open_transaction(const Datagram& d);
  const Endpoint& self() const { return self_; }
  Datagram transaction(uint32_t message_id, const AttributePayload& attributes);
  Datagram xauth_reply(const Transaction& request, const std::string& user, const std::string& password);
  // ACK of a SET: the same identifier, the attribute types with no values (draft-dukes-ike-mode-cfg-02 §3.3).
  Datagram ack(const Transaction& set);

  // Quick mode (RFC 2409 §5.5). One exchange at a time.
  struct QuickModeOffer {
    uint32_t message_id = 0x38330000;
    std::vector<Proposal> proposals;
    std::optional<int> pfs_group;  // sends KE of this group
    std::optional<IdPayload> idci, idcr;
    bool commit = false;
  };
  Datagram qm1(const QuickModeOffer& offer);
  struct Qm2 {
    SaPayload sa;
    Bytes nr;
    std::optional<Bytes> ke;
    std::vector<IdPayload> ids;
    std::vector<NotifyPayload> notifies;
  };
  // Decrypts, checks HASH(2) = prf(SKEYID_a, M-ID | Ni_b | rest), takes Nr (and g^xr of PFS).
  std::optional<Qm2> take_qm2(const Datagram& d);
  Datagram qm3();  // HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
  // KEYMAT for the SA whose destination chose `spi` (RFC 2409 §5.5), `length` bytes.
  crypto::SecretBytes keymat(uint32_t spi, size_t length) const;
  const crypto::SecretBytes& g_qm_xy() const { return g_qm_xy_; }

 private:
  bool fail(std::string why);
  Bytes& iv_for(uint32_t message_id);
  Datagram seal(Header h, const SerializedChain& chain);
  std::optional<PayloadChain> open(const Header& h, ByteView datagram);
  Header header(ExchangeType exchange, uint32_t message_id) const;
  // HASH payload (next = rest.first) + rest.
  static SerializedChain with_hash(ByteView hash, const SerializedChain& rest);

  std::string error_;
  Endpoint self_, responder_;
  Cookie icookie_, rcookie_;
  crypto::HashAlg hash_;
  crypto::CipherAlg cipher_;
  crypto::SecretBytes enc_key_, skeyid_d_, skeyid_a_;
  Bytes last_block_;
  std::map<uint32_t, Bytes> ivs_;
  std::unique_ptr<crypto::Rng> rng_;  // nonces and PFS keys of quick mode
  // The current quick mode.
  uint32_t qm_id_ = 0;
  Bytes ni_, nr_;
  std::optional<crypto::DhKeyPair> qm_dh_;
  crypto::SecretBytes g_qm_xy_;
};

// ---- whole flows ----

// A client: phase 1 initiator and (once phase 1 is done) its phase 2 side.
struct Client {
  explicit Client(InitiatorOptions o) : options(o), ini(std::move(o)) {}
  InitiatorOptions options;
  Initiator ini;
  std::unique_ptr<Phase2Initiator> p2;
  std::vector<Datagram> phase1_replies;  // everything the responder sent during phase 1 (+ the Xauth REQUEST)
};

// VPN Client 1.1 in main mode: DES/MD5/group 1, no Unity VID, from `self`.
InitiatorOptions vpn_client11_options(const char* self = "198.51.100.7", uint64_t seed = 7);
// vpnc / VPN Client 4.x in aggressive mode: group vpn3000, 3DES/MD5/group 2 with 65001, Unity VID.
InitiatorOptions unity_options(const char* self = "198.51.100.7", uint64_t seed = 11);

// MM1..MM6; REQUIREs each step, builds client.p2. Returns what MM5 brought beyond MM6 (the Xauth REQUEST).
std::vector<Datagram> run_main_mode(Phase2Harness& h, Client& c);
// AM1..AM3 (AM3 encrypted); builds client.p2. Returns what AM3 brought (the Xauth REQUEST).
std::vector<Datagram> run_aggressive_mode(Phase2Harness& h, Client& c);

// Opens an Xauth REQUEST and checks it asks for XAUTH_TYPE, USER_NAME and USER_PASSWORD.
Phase2Initiator::Transaction expect_xauth_request(Client& c, const Datagram& d);
// REPLY with the credentials; returns the SET (STATUS) when accepted, or whatever the responder sent.
std::vector<Datagram> xauth_answer(Phase2Harness& h, Client& c, const Phase2Initiator::Transaction& request,
                                   const std::string& user, const std::string& password);
// Xauth REQUEST -> REPLY -> SET(STATUS 1) -> ACK; returns what the responder sent after the ACK.
std::vector<Datagram> xauth_login(Phase2Harness& h, Client& c, const Datagram& request, const std::string& user,
                                  const std::string& password);
// A mode-config REQUEST for `types` from the client (new message ID); returns the REPLY opened.
Phase2Initiator::Transaction mode_config_request(Phase2Harness& h, Client& c, const std::vector<uint16_t>& types,
                                                 uint32_t message_id = 0x5a5a0001);
std::optional<Ipv4> address_in(const AttributePayload& a);
// The datagrams of `sent` addressed to this client.
std::vector<Datagram> to_client(const std::vector<Datagram>& sent, const Client& c);

// Main mode + Xauth(john/doe) + the pushed SET + ACK: the client holds its address. Returns the address.
Ipv4 main_mode_with_address(Phase2Harness& h, Client& c, const std::string& user = "john",
                            const std::string& password = "doe");

// QM1 -> QM2 -> QM3 with one ESP DES/MD5 proposal; REQUIREs that the SAs got installed. Returns QM2.
Phase2Initiator::Qm2 quick_mode(Phase2Harness& h, Client& c, Ipv4 client_address, uint32_t spi = 0x9bde2875,
                                uint32_t message_id = 0x43e0d0f9);

}  // namespace ravpn::ike::test
