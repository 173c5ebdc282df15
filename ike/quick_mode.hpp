// Quick mode responder (RFC 2409 §5.5), one exchange per message ID:
//   QM1 HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr]  ->  QM2 HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr] [, N]
//   QM3 HDR*, HASH(3)                                 ->  SAs into the kernel
// HASH(1) = prf(SKEYID_a, M-ID | rest), HASH(2) = prf(SKEYID_a, M-ID | Ni_b | rest), HASH(3) = prf(SKEYID_a, 0 |
// M-ID | Ni_b | Nr_b). The client's proposals are walked in order against the dynamic map's transform sets, as the
// seed PIX trace does (proposal 7 of the 4.x client is the first acceptable one).
#pragma once
#include "ike/exchange.hpp"
#include "ike/phase1_sa.hpp"

namespace ravpn::ike::quick_mode {

struct Outcome {
  Step step;                // Reply (QM2), NeedDh (PFS), Ignore, or Fail (the quick mode only; phase 1 stays)
  bool installed = false;   // QM3 done, SAs in the kernel
};

Outcome on_message(ExchangeContext& ctx, Phase1Sa& sa, const Header& header, ByteView datagram);
Outcome after_dh(ExchangeContext& ctx, Phase1Sa& sa, uint32_t message_id);

// Remove every IPsec SA of this ISAKMP SA (tunnel down, child_sa.hpp) and the quick modes still running.
void remove_all(ExchangeContext& ctx, Phase1Sa& sa);
// Quick modes that never finished: their allocated (larval) inbound SPIs leave the kernel, the exchanges go.
void abandon_pending(ExchangeContext& ctx, Phase1Sa& sa);

}  // namespace ravpn::ike::quick_mode
