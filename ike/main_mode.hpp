// Main mode responder, pre-shared keys (RFC 2409 §5, §5.4):
//   MM1 HDR, SA            ->  MM2 HDR, SA, VID...
//   MM3 HDR, KE, Ni [NAT-D] -> (DH) MM4 HDR, KE, Nr [NAT-D]
//   MM5 HDR*, IDii, HASH_I  ->  MM6 HDR*, IDir, HASH_R
// The key is chosen by the peer's address (`isakmp key ... address`), since its identity is only sent encrypted.
#pragma once
#include "ike/exchange.hpp"
#include "ike/phase1_sa.hpp"

namespace ravpn::ike::main_mode {

Step on_first(ExchangeContext& ctx, Phase1Sa& sa, const Message& mm1);
// Later messages of the exchange (MM3, MM5), by the SA's state.
Step on_message(ExchangeContext& ctx, Phase1Sa& sa, const Header& header, ByteView datagram);
// Finishes MM3 once sa.dh / sa.g_xy are set: MM4.
Step after_dh(ExchangeContext& ctx, Phase1Sa& sa);

}  // namespace ravpn::ike::main_mode
