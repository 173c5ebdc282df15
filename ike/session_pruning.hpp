// Bounds on what an ISAKMP SA keeps of exchanges that are over. A session lives for days and renews its IPsec SAs
// every hour or so: finished quick modes, answered transactions and phase 2 IVs must not pile up (strongSwan keeps
// a handful of IVs and finished quick modes per ISAKMP SA; so do we).
#pragma once
#include <cstddef>
#include <vector>

#include "ike/clock.hpp"
#include "netlink/kernel.hpp"

namespace ravpn::ike {

struct Phase1Sa;

struct PruneLimits {
  // A finished exchange is kept this long, so that a late retransmit of its last request still gets the answer
  // we sent (an initiator gives up retransmitting well within a minute).
  Seconds keep_finished{60};
  // A quick mode that never saw HASH(3) is abandoned after this long (the peer gave up).
  Seconds abandon_after{90};
  // At most this many finished quick modes and answered transactions, however recent.
  size_t max_finished = 4;
};

// Drops what is over, the phase 1 handshake's inputs included once keep_finished has passed since it was
// established (only SKEYID's derivation and the HASH_I check needed them; the keys stay); returns the inbound SPIs of abandoned quick modes (allocated in the kernel, never installed)
// for the caller to release.
std::vector<kernel::Spi> prune_session_state(Phase1Sa& sa, TimePoint now, const PruneLimits& limits = {});

}  // namespace ravpn::ike
