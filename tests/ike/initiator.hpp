// A scripted IKEv1 initiator for the in-process exchange tests (style.md: "a scripted in-process initiator drives
// the responder"; the models are strongSwan's exchange_test_helper and Botan's RFC 8448 replay tests).
//
// It is a second, independent implementation of the initiator's half of RFC 2409 §5 with pre-shared keys: it
// builds its messages with the wire codec, derives SKEYID / SKEYID_d / SKEYID_a / SKEYID_e, the cipher key
// (appendix B expansion), the IVs, HASH_I and HASH_R itself from the crypto facade's primitives (prf, hash, CBC,
// DH) and checks what the responder sends. It shares no code with ike/phase1_common or ike/protection.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ike/crypto/crypto.hpp"
#include "ike/endpoint.hpp"
#include "ike/wire/message.hpp"

namespace ravpn::ike::test {

Bytes from_hex(std::string_view hex);
std::string to_hex(ByteView bytes);
Ipv4 ip(const char* dotted);

// The phase 1 attributes of one transform, in the order Cisco clients send them.
struct TransformSpec {
  uint16_t enc = ike_enc::Des;
  uint16_t hash = ike_hash::Md5;
  uint16_t auth = ike_auth::PreShared;
  uint16_t group = 1;
  std::optional<uint16_t> key_length;
  std::optional<uint32_t> life_seconds;
  bool life_as_tlv4 = false;  // Cisco VPN Client: "life duration (VPI) of 0x0 0x20 0xc4 0x9b" (4-byte TLV)
};
Transform make_transform(uint8_t number, const TransformSpec& spec);
inline Transform make_transform(uint8_t number, uint16_t enc, uint16_t hash, uint16_t auth, uint16_t group,
                                std::optional<uint16_t> key_length = std::nullopt,
                                std::optional<uint32_t> life_seconds = std::nullopt, bool life_as_tlv4 = false) {
  TransformSpec s;
  s.enc = enc;
  s.hash = hash;
  s.auth = auth;
  s.group = group;
  s.key_length = key_length;
  s.life_seconds = life_seconds;
  s.life_as_tlv4 = life_as_tlv4;
  return make_transform(number, s);
}

// Published vendor IDs (MD5 of the names), written out here so the test does not borrow the responder's table.
namespace vid {
Bytes xauth();
Bytes unity();
Bytes dpd();
Bytes natt_rfc3947();
}  // namespace vid

struct InitiatorOptions {
  Endpoint self{ip("198.51.100.7"), 500};
  Endpoint responder{ip("192.0.2.1"), 500};
  std::string psk;
  std::vector<Transform> transforms;
  int ke_group = 2;  // the DH group of our KE payload
  std::optional<IdPayload> id;  // IDii; default ID_IPV4_ADDR of `self`, protocol 17, port 500
  std::vector<Bytes> vendor_ids;
  uint64_t seed = 1;
  size_t nonce_size = 20;
  // NAT-T (RFC 3947): send NAT-D payloads. `natd_self` is the address we believe we have (behind a NAT it differs
  // from `self`, the address the responder sees).
  bool natd = false;
  std::optional<Endpoint> natd_self;
  bool corrupt_hash_i = false;  // send a HASH_I with its last byte flipped (right key, bad authentication)
};

// HDR* + CBC(chain zero-padded to the block): the test side's own sealing (RFC 2409 appendix B chaining: `iv` becomes
// the last ciphertext block). Shared by the phase 1 and the phase 2 initiators.
Bytes seal_with(crypto::CipherAlg cipher, ByteView key, Header h, const SerializedChain& chain, Bytes& iv);

class Initiator {
 public:
  explicit Initiator(InitiatorOptions options);

  // Main mode (RFC 2409 §5.4).
  Datagram mm1();
  bool take_mm2(const Datagram& d);
  Datagram mm3();
  bool take_mm4(const Datagram& d);  // derives the keys
  Datagram mm5(bool initial_contact = false);
  bool take_mm6(const Datagram& d);  // decrypts, verifies HASH_R

  // Aggressive mode (RFC 2409 §5.4).
  Datagram am1();
  // Derives the keys and verifies HASH_R. On a HASH_R mismatch it returns false but keeps the keys, so a test can
  // still send AM3 (as a client with the wrong group key would).
  bool take_am2(const Datagram& d);
  Datagram am3(bool encrypted, bool initial_contact = true);

  // Informational exchange under the ISAKMP SA (RFC 2409 §5.7): HDR*, HASH(1), N/D with
  // HASH(1) = prf(SKEYID_a, M-ID | N/D) and IV = hash(last phase 1 CBC block | M-ID) (appendix B).
  Datagram informational(const std::vector<PayloadBody>& payloads, uint32_t message_id, bool corrupt_hash = false);
  Datagram dpd_r_u_there(uint32_t sequence, uint32_t message_id);
  Datagram delete_isakmp(uint32_t message_id);
  // Decrypts a protected informational and verifies its HASH(1).
  // `iv_base` overrides the last phase 1 block the IV is derived from.
  std::optional<PayloadChain> open_informational(const Datagram& d, std::optional<Bytes> iv_base = std::nullopt);

  // Move later messages to another endpoint (RFC 3947 §4: port 4500 after NAT detection).
  void float_to(Endpoint self, Endpoint responder);

  const std::string& error() const { return error_; }
  const Cookie& icookie() const { return icookie_; }
  const Cookie& rcookie() const { return rcookie_; }
  const Transform& chosen() const { return chosen_; }
  crypto::HashAlg hash_alg() const { return hash_; }
  crypto::CipherAlg cipher() const { return cipher_; }
  int dh_group() const { return dh_group_; }
  const Bytes& last_phase1_block() const { return last_block_; }
  const Bytes& initial_iv() const { return initial_iv_; }  // hash(g^xi | g^xr) truncated (appendix B)
  const crypto::SecretBytes& skeyid_a() const { return skeyid_a_; }
  const crypto::SecretBytes& enc_key() const { return enc_key_; }
  const std::vector<Bytes>& received_vendor_ids() const { return peer_vids_; }
  const IdPayload& responder_id() const { return peer_id_; }
  bool responder_natd_ok() const { return responder_natd_ok_; }
  const Endpoint& self() const { return o_.self; }

 private:
  bool fail(std::string why);
  Header header(ExchangeType exchange, uint32_t message_id = 0) const;
  Datagram out(Bytes bytes) const { return Datagram{o_.self, o_.responder, std::move(bytes)}; }
  SaPayload our_sa() const;
  bool take_chosen_sa(const SaPayload& sa);
  void derive_keys();
  crypto::SecretBytes our_hash_i() const;
  crypto::SecretBytes expected_hash_r() const;
  Bytes natd(const Endpoint& e) const;
  Bytes seal(Header h, const SerializedChain& chain, Bytes& iv) const;
  std::optional<PayloadChain> open(const Header& h, ByteView datagram, Bytes& iv);

  InitiatorOptions o_;
  std::unique_ptr<crypto::Rng> rng_;
  std::string error_;
  Cookie icookie_, rcookie_;
  Bytes sai_b_, idii_b_, idir_b_;
  Transform chosen_;
  crypto::HashAlg hash_ = crypto::HashAlg::Md5;
  crypto::CipherAlg cipher_ = crypto::CipherAlg::Des;
  int dh_group_ = 0;
  crypto::DhKeyPair dh_;
  Bytes g_xr_, ni_, nr_;
  crypto::SecretBytes skeyid_, skeyid_d_, skeyid_a_, skeyid_e_, enc_key_;
  Bytes iv_, last_block_, initial_iv_;
  std::vector<Bytes> peer_vids_;
  IdPayload peer_id_;
  bool responder_natd_ok_ = false;
};

}  // namespace ravpn::ike::test
