// Is an established peer still there, and may it stay? Dead peer detection from our side (RFC 3706), the group's
// idle time (no traffic either way) and maximum connect time. Evaluated by the responder's one-second tick; the
// kernel's SA counters are read only when a check is due, never on every tick.
#pragma once
#include <cstdint>
#include <optional>

#include "daemon/config/model.hpp"
#include "ike/clock.hpp"
#include "netlink/kernel.hpp"

namespace ravpn::ike {

struct Phase1Sa;

struct LivenessSettings {
  Seconds dpd_after{0};     // silence before the first R-U-THERE; 0 = we send none
  Seconds dpd_retry{2};     // between unanswered R-U-THEREs
  int dpd_retries = 5;      // unanswered R-U-THEREs after the first before the peer is dead
  Seconds idle{0};          // no traffic in either direction for this long ends the session; 0 = no limit
  Seconds max{0};           // connect time limit from login; 0 = none
};

// Cisco's behaviour where the config is silent:
//   - `isakmp keepalive S [R]` / IOS `crypto isakmp keepalive S [R]`: R-U-THERE after S s without hearing from a
//     peer that announced DPD, then every R s; silent config: 300 s / 2 s, the remote-access default of the PIX's
//     successor (ASA `isakmp keepalive threshold 300 retry 2`). Dead after 5 unanswered retries, as IOS does.
//   - `vpngroup G idle-time S` (PIX default 1800 s) / native `idle_time`; IOS 12.x groups have none: no limit.
//   - `vpngroup G max-time S` / native `max_time`: no limit by default.
LivenessSettings liveness_settings(const config::Config& config, const config::ClientGroup* group, bool peer_does_dpd);

// The settings for one SA: its group's, with the RADIUS Session-Timeout / Idle-Timeout it was authorised with
// (RFC 2865 5.27, 5.28) in place of the group's maximum and idle time. DPD only when `dpd` (the peer announced it
// and the SA can still carry an R-U-THERE).
LivenessSettings liveness_for(const config::Config& config, const Phase1Sa& sa, bool dpd);

// What the tick keeps per ISAKMP SA (in Phase1Sa).
struct LivenessState {
  TimePoint last_heard{};    // an authenticated message or inbound ESP bytes
  TimePoint last_traffic{};  // ESP bytes in either direction
  TimePoint next_check{};
  TimePoint next_probe{};
  TimePoint ends_at = TimePoint::max();  // the maximum connect time as of the last check
  // Nothing can be due before next_check (the per-second tick of thousands of quiet sessions stops here).
  bool quiet_until_check(TimePoint now) const { return now < next_check && dpd_unanswered == 0 && now < ends_at; }
  uint64_t bytes_in = 0, bytes_out = 0;  // the children's counters at the last check
  uint32_t dpd_sequence = 0;             // of the last R-U-THERE sent (RFC 3706 §7: random start)
  int dpd_unanswered = 0;
  void heard(TimePoint now) {
    last_heard = now;
    dpd_unanswered = 0;
  }
};

enum class LivenessVerdict { Alive, SendProbe, Dead, IdleTimeout, MaxTime };
const char* describe(LivenessVerdict);

// The verdict for an established SA now. Reads the kernel counters of its IPsec SAs when a check is due.
LivenessVerdict check_liveness(Phase1Sa& sa, const LivenessSettings& settings, TimePoint now, kernel::Kernel* kernel);

}  // namespace ravpn::ike
