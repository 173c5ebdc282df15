// IPsec SA pairs (RFC 2409 §5.5's "child" SAs) in the kernel, one explicit state machine per pair:
//
//   (quick mode HASH(3) verified) --install--> Installed
//   Installed   --kernel soft expiry (seconds or kilobytes)--> SoftExpired
//   Installed, SoftExpired --a newer pair for the same selectors installed (the client's rekey)--> Superseded
//   any         --kernel hard expiry | the peer's DELETE | the session ends--> removed (out of the kernel and the
//                                                                              session)
//
// A rekey adds a pair beside the old one (the old one drains until the peer deletes it or it expires, so no
// packet is lost, as IOS keeps the old SA until its own lifetime ends); policies exist once per selector pair and
// go with its last SA pair; the route to the client's address exists once and goes with the last pair of that
// address. Kernel programming and the session's list of pairs change here only.
#pragma once
#include <optional>

#include "ike/exchange.hpp"
#include "ike/phase1_sa.hpp"

namespace ravpn::ike::child_sa {

const char* name(ChildState);

// Both SAs of the finished quick mode, their policies (once per selectors) and the client's route (once per
// address) into the kernel, then the pair into the session (older pairs of the same selectors Superseded, the
// session's phase 2 rekey count up). On failure nothing half-made stays, the larval inbound SPI included.
kernel::Result<ChildSa> install(ExchangeContext& ctx, Phase1Sa& sa, const QuickModeExchange& qm);

// The kernel's expire event (XFRMNLGRP_EXPIRE) for one of `sa`'s pairs: soft moves it on, hard removes it.
// False when the SPI is not one of this session's.
// An event with `refused` set (a pipelined install the kernel refused) removes the pair like a hard expiry.
bool on_kernel_expire(ExchangeContext& ctx, Phase1Sa& sa, const kernel::ExpireEvent& event);
// The pair of `sa` the event names, or null.
const ChildSa* find_pair(const Phase1Sa& sa, const kernel::ExpireEvent& event);

// The peer's DELETE for an ESP SPI (either direction's): that pair goes. False when it is not one of ours.
bool on_peer_delete(ExchangeContext& ctx, Phase1Sa& sa, uint32_t spi);

// Every pair of the session out of the kernel (the session ends).
void remove_all(ExchangeContext& ctx, Phase1Sa& sa);

}  // namespace ravpn::ike::child_sa
