// Aggressive mode responder, pre-shared keys (RFC 2409 §5, §5.4), as Cisco VPN Client 3.x/4.x and vpnc use it:
//   AM1 HDR, SA, KE, Ni, IDii [VID...]  -> (DH) AM2 HDR, SA, KE, Nr, IDir, HASH_R [VID...] [NAT-D]
//   AM3 HDR[*], HASH_I [NAT-D] [N(INITIAL-CONTACT)]
// The key is chosen by the initiator's identity: ID_KEY_ID / FQDN / USER_FQDN name a client group, an IPv4 ID an
// `isakmp key ... address` line. The KE payload fixes the DH group, so only that group can match.
#pragma once
#include "ike/exchange.hpp"
#include "ike/phase1_sa.hpp"

namespace ravpn::ike::aggressive_mode {

Step on_first(ExchangeContext& ctx, Phase1Sa& sa, const Message& am1);
Step on_message(ExchangeContext& ctx, Phase1Sa& sa, const Header& header, ByteView datagram);
Step after_dh(ExchangeContext& ctx, Phase1Sa& sa);

}  // namespace ravpn::ike::aggressive_mode
