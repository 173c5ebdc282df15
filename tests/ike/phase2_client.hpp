// The initiator's side after phase 1, for the in-process tests of Xauth, mode-config and quick mode: transaction
// exchanges (draft-beaulieu-ike-xauth-02, draft-dukes-ike-mode-cfg-02) and quick mode (RFC 2409 §5.5), written
// independently of ike/protected_exchange, ike/quick_mode and ike/crypto/phase2_keys: HASHes, IVs and KEYMAT are
// computed here from the crypto facade's prf / hash / CBC / DH primitives only.
//
// It builds on the phase 1 Initiator (initiator.hpp) without changing it. The Initiator does not expose SKEYID_d,
// which KEYMAT needs, so Phase2Initiator recomputes the phase 1 keys by replaying the Initiator's deterministic RNG
// (cookie, then the DH key pair, then Ni, as mm1/mm3 and am1 draw them) against the responder's KE and nonce, and
// checks the result against the Initiator's own SKEYID_a and CKY-I before using it.
//
// No doctest here: the standalone replay tool (tests/tools/cisco4x_replay.cpp) links it too.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "initiator.hpp"

namespace ravpn::ike::test {

// ---- payload builders ----

IdPayload ipv4_id(const char* address);                    // ID_IPV4_ADDR, protocol 0, port 0
IdPayload subnet_id(const char* address, const char* mask);  // ID_IPV4_ADDR_SUBNET
Bytes u32_bytes(uint32_t v);

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

}  // namespace ravpn::ike::test
