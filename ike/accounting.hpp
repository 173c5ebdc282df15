// Accounting of one VPN session from the IKE side: a Start when its first IPsec SA pair is installed, an
// Interim-Update every interval, a Stop with the cause when the ISAKMP SA goes. Counts come from the kernel's SA
// counters (the call liveness uses), summed over the session's current IPsec SAs plus the totals of those already
// removed (rekeys, deletes: AccountingState::removed). Records go to a sink (xauth/accounting_sender.hpp) that
// never blocks: this runs on the event loop.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "ike/clock.hpp"
#include "netlink/kernel.hpp"
#include "xauth/accounting_record.hpp"

namespace ravpn::ike {

struct Phase1Sa;

// What one ISAKMP SA keeps for accounting (in Phase1Sa).
struct AccountingState {
  bool started = false;
  std::string session_id;
  int64_t start_unix = 0;
  TimePoint started_at{};
  TimePoint next_interim{};
  xauth::accounting::Traffic removed;  // totals of its IPsec SAs already deleted
};

// The session's traffic now: the kernel counters of its IPsec SAs (inbound: our SPI at our address, outbound: the
// peer's SPI at its address) plus `removed`. Without a kernel: `removed` alone.
xauth::accounting::Traffic session_traffic(const Phase1Sa& sa, kernel::Kernel* kernel);
// An IPsec SA pair that left the kernel: its last counters into AccountingState::removed.
void keep_removed_traffic(Phase1Sa& sa, const kernel::SaPairCounters& last);

class SessionAccounting {
 public:
  using Submit = std::function<void(xauth::accounting::Record)>;
  using UnixClock = std::function<int64_t()>;
  // `boot_tag`: part of every session id, so ids stay unique across restarts (the daemon's start time).
  SessionAccounting(Submit submit, const TimeSource& time, UnixClock unix_now, uint32_t boot_tag, Seconds interim);

  void set_interim(Seconds interim) { interim_ = interim; }
  // After an IPsec SA pair was installed: the Start, once per session (only for a session with an address or user).
  void up(Phase1Sa& sa, kernel::Kernel* kernel);
  // From the one-second tick: the Interim-Update when due.
  void tick(Phase1Sa& sa, kernel::Kernel* kernel, TimePoint now);
  // When tick() next has an Interim-Update to send for `sa`; none while no Start was sent or without interims.
  std::optional<TimePoint> next_due(const Phase1Sa& sa) const;
  // The ISAKMP SA goes, after its IPsec SAs were removed: the Stop, if a Start was sent.
  void down(Phase1Sa& sa, xauth::accounting::Cause cause, kernel::Kernel* kernel);

  uint64_t sessions_started() const { return started_; }

 private:
  xauth::accounting::Record record(const Phase1Sa& sa, xauth::accounting::Kind kind, kernel::Kernel* kernel) const;
  Seconds interim_for(const Phase1Sa& sa) const;

  Submit submit_;
  const TimeSource& time_;
  UnixClock unix_now_;
  uint32_t boot_tag_;
  Seconds interim_;
  uint64_t started_ = 0;
};

}  // namespace ravpn::ike
