// Messages of exchanges after phase 1 (quick mode, transaction, informational) are encrypted with an IV chain of
// their own per message ID (RFC 2409 appendix B: the first IV is hash(last phase 1 CBC block | M-ID)).
#pragma once
#include "ike/phase1_sa.hpp"

namespace ravpn::ike {

// Encrypt with the chain of `header.message_id` (started from the phase 1 IV when new) and advance it.
Bytes seal_phase2(Phase1Sa& sa, Header header, const SerializedChain& chain);
// Decrypt with the chain of the header's message ID and advance it on success.
Parsed<PayloadChain> open_phase2(Phase1Sa& sa, const Header& header, ByteView datagram);

// A transaction (mode-config / Xauth) message: HDR*, HASH(prf(SKEYID_a, M-ID | ATTR)), ATTR
// (draft-dukes-ike-mode-cfg-02 §3.1, both directions).
Bytes transaction_message(Phase1Sa& sa, MessageId id, const AttributePayload& attributes);
// Open a transaction message and verify its hash; the attribute payload it carries.
Parsed<AttributePayload> open_transaction(Phase1Sa& sa, const Header& header, ByteView datagram);

MessageId new_message_id(crypto::Rng& rng, const Phase1Sa& sa);
uint16_t random_identifier(crypto::Rng& rng);  // attribute payload identifier

}  // namespace ravpn::ike
