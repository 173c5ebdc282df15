// Encryption and integrity of IKEv1 messages once SKEYID_e exists (RFC 2409 §5, appendix B; RFC 2408 §3.1).
#pragma once
#include <optional>

#include "ike/phase1_sa.hpp"

namespace ravpn::ike {

// Build an encrypted message: header + CBC(payload chain zero-padded to the block size). `iv` is the IV to use
// and is replaced by the last ciphertext block (the next IV of the chain).
Bytes seal_message(Header header, const SerializedChain& chain, const Phase1Sa& sa, Bytes& iv);

// Decrypt the body of an encrypted message with `iv` (replaced by the last ciphertext block on success) and parse
// its payload chain (CBC padding allowed). Fails with PAYLOAD-MALFORMED when the body is not whole blocks or does not
// parse, which in phase 1 usually means the keys differ (a pre-shared key mismatch).
Parsed<PayloadChain> open_message(const Header& header, ByteView datagram, const Phase1Sa& sa, Bytes& iv);

// A chain with a leading HASH payload: [HASH(prf(SKEYID_a, prefix | rest))] + rest (RFC 2409 §5.5 / §5.7).
SerializedChain chain_with_hash(const Phase1Sa& sa, ByteView prefix, const SerializedChain& rest);

// Verify the leading HASH payload of a protected chain: prf(SKEYID_a, prefix | bytes after the HASH payload).
bool verify_leading_hash(const Phase1Sa& sa, ByteView prefix, const PayloadChain& chain);

// The 4 bytes of a message ID, big-endian (the M-ID in HASH(1) inputs).
Bytes message_id_bytes(MessageId id);

// RFC 3947 §3.2: NAT-D = HASH(CKY-I | CKY-R | IP | Port) with the negotiated hash.
Bytes natd_hash(const Phase1Sa& sa, const Endpoint& endpoint);

}  // namespace ravpn::ike
