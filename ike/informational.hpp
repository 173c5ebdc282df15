// Informational exchange (RFC 2408 §4.8, RFC 2409 §5.7): notifies and deletes, and DPD (RFC 3706).
// Before SKEYID exists a notify goes in the clear; afterwards it is HDR*, HASH(1), N/D with
// HASH(1) = prf(SKEYID_a, M-ID | N/D) and an IV from the last phase 1 block and the M-ID.
#pragma once
#include <optional>

#include "ike/exchange.hpp"
#include "ike/phase1_sa.hpp"

namespace ravpn::ike::informational {

// A notify for `sa` (its cookies), protected when the SA has keys, clear otherwise.
Bytes notify(ExchangeContext& ctx, Phase1Sa& sa, uint16_t type, Bytes data = {});
// A clear notify answering a first message we could not take (no SA kept).
Bytes clear_notify(const Header& request, const Cookie& rcookie, uint16_t type, MessageId id);
// Delete of the ISAKMP SA itself (RFC 2408 §3.15: SPI = CKY-I | CKY-R), protected.
Bytes delete_isakmp(ExchangeContext& ctx, Phase1Sa& sa);
// Delete of IPsec ESP SAs (RFC 2408 §3.15, spi size 4), naming our inbound SPIs as Cisco and strongSwan do; the peer
// removes the pair each SPI belongs to. Protected.
Bytes delete_esp(ExchangeContext& ctx, Phase1Sa& sa, const std::vector<uint32_t>& our_inbound_spis);

// What a received informational message asked of us.
struct Outcome {
  Step step;                 // a reply (DPD ack) or ignore
  bool delete_isakmp = false;  // the peer deleted this ISAKMP SA
  std::vector<uint32_t> deleted_ipsec_spis;  // ESP SPIs the peer deleted
  bool authenticated = false;  // protected and HASH(1) verified: the peer is alive (RFC 3706 §5.5)
  std::optional<uint32_t> dpd_ack;  // the sequence number of an R-U-THERE-ACK
};
// RFC 3706 §5: R-U-THERE with our sequence number (4 bytes, network order), protected.
Bytes r_u_there(ExchangeContext& ctx, Phase1Sa& sa, uint32_t sequence);
Outcome on_message(ExchangeContext& ctx, Phase1Sa& sa, const Header& header, ByteView datagram);

}  // namespace ravpn::ike::informational
