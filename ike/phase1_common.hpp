// Pieces main mode and aggressive mode share (RFC 2409 §5).
#pragma once
#include "ike/exchange.hpp"
#include "ike/phase1_sa.hpp"

namespace ravpn::ike {

constexpr size_t kNonceSize = 32;  // RFC 2409 §5: 8..256 bytes

// Vendor IDs of the first message: note what the peer supports and agree on NAT-T.
void take_vendor_ids(Phase1Sa& sa, const PayloadChain& chain);
// Our vendor IDs for the reply: XAUTH when Xauth is on, Unity / DPD when the peer speaks them, the NAT-T variant.
std::vector<PayloadBody> reply_vendor_ids(const Phase1Sa& sa, bool xauth_on);

// NAT-D (RFC 3947 §3.2): keep the peer's hashes; ours are [peer's address as we see it, our address].
void take_natd(Phase1Sa& sa, const PayloadChain& chain);
std::vector<PayloadBody> natd_payloads(const Phase1Sa& sa);
// Compare the peer's hashes with what we see; sets local/peer_behind_nat. Call once the cookies are known.
void detect_nat(Phase1Sa& sa, Logger& log);

// Our identity (`isakmp identity address|hostname`), RFC 2407 §4.6.2: ID_IPV4_ADDR, UDP 500 as the seeds show.
IdPayload local_identity(const config::Config& config, const Phase1Sa& sa);
std::string describe_id(const IdPayload& id);

// After DH: SKEYID and friends (RFC 2409 §5), sets sa.keys and the initial IV.
void derive_keys(Phase1Sa& sa);
crypto::SecretBytes expected_hash_i(const Phase1Sa& sa);
crypto::SecretBytes our_hash_r(const Phase1Sa& sa);

// Log the capabilities line and, for DES/MD5/group 1, a weak-algorithm warning.
void log_negotiated(const Phase1Sa& sa, Logger& log);
// "phase 1 established" at notice level.
void log_established(const Phase1Sa& sa, Logger& log);

Header reply_header(const Phase1Sa& sa, ExchangeType exchange);

}  // namespace ravpn::ike
