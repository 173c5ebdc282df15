// The protected exchanges a client runs after phase 1 (Xauth and mode-config transactions, quick mode) on the
// keys the phase 1 initiator (tests/ike/initiator.hpp) derived. Every message received is decrypted and its HASH
// checked before anything in it is used.
//
//   transaction (draft-dukes-ike-mode-cfg-02 §3.2): HASH = prf(SKEYID_a, M-ID | ATTR)
//   quick mode (RFC 2409 §5.5): HASH(1) = prf(SKEYID_a, M-ID | SA | Ni | IDci | IDcr),
//                               HASH(2) = prf(SKEYID_a, M-ID | Ni_b | SA | Nr | ...),
//                               HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
//   IVs (RFC 2409 appendix B): per message ID, first hash(last phase 1 CBC block | M-ID), then the last block sent
//   or received under that ID.
#pragma once
#include <map>
#include <optional>
#include <string>

#include "ike/wire/message.hpp"
#include "tests/ike/initiator.hpp"

namespace ravpn::loadgen {

using ike::AttributePayload;
using ike::Bytes;
using ike::ByteView;
using ike::Header;
using ike::PayloadChain;

class Phase2Channel {
 public:
  // `ini` has finished phase 1 (MM6 or AM2 taken and AM3 built).
  explicit Phase2Channel(const ike::test::Initiator& ini);

  struct Transaction {
    uint32_t message_id = 0;
    AttributePayload attributes;
  };
  // nullopt with error() set when it is not a transaction of this SA, does not decrypt or its HASH is wrong.
  std::optional<Transaction> open_transaction(const Header& h, ByteView datagram);
  Bytes transaction(uint32_t message_id, const AttributePayload& attributes);

  Bytes qm1(uint32_t message_id, const std::vector<ike::PayloadBody>& sa_and_ids, ByteView ni);
  // QM2 of the current quick mode: decrypted, HASH(2) checked; the chain after HASH(2).
  std::optional<PayloadChain> open_qm2(const Header& h, ByteView datagram);
  Bytes qm3(ByteView nr);

  const std::string& error() const { return error_; }

 private:
  Bytes& iv_for(uint32_t message_id);
  Bytes seal(Header h, ByteView hash, const ike::SerializedChain& rest);
  // Decrypts under the message ID's IV; checks the chain starts with HASH; `rest` is what follows it.
  std::optional<PayloadChain> open(const Header& h, ByteView datagram, Bytes& hash, ByteView& rest);
  Header header(ike::ExchangeType exchange, uint32_t message_id) const;
  bool fail(std::string why);

  ike::Cookie icookie_, rcookie_;
  crypto::HashAlg hash_;
  crypto::CipherAlg cipher_;
  crypto::SecretBytes enc_key_, skeyid_a_;
  Bytes last_block_;
  std::map<uint32_t, Bytes> ivs_;
  uint32_t qm_id_ = 0;
  Bytes ni_;
  std::string error_;
};

}  // namespace ravpn::loadgen
