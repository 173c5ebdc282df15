// Inbound SPIs the kernel allocated ahead, per local address, so that a quick mode under load takes one without
// waiting for the privileged process (a round trip and two context switches per quick mode, about 5% of the IKE
// loop's time in the lab's profile). RemoteKernel asks for them and hands them out; this class only keeps count.
//
// A spare is an XFRM_MSG_ALLOCSPI for the placeholder peer 0.0.0.0: the kernel makes a larval SA of its own for
// each such request, and the UPDSA that later installs the real SA finds it by (destination, SPI) alone. Larval SAs
// lapse after net.core.xfrm_acq_expires (30 s by default): a spare older than kMaxAge is not handed out but deleted
// (one that lapsed anyway installs with NEWSA, netlink/xfrm_kernel.cpp; NetlinkKernel does not report the lapse of a
// larval SA with source 0.0.0.0, which concerns no tunnel). Spares are kept only while logins come in bursts (at
// least kBusyAllocations in kBusyWindow at one address): a quiet gateway has no larval SAs standing in `ip xfrm
// state`, and after a burst they are gone within kMaxAge. Spares still being allocated when the daemon stops are
// not deleted; the kernel lets them lapse.
#pragma once
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "ike/clock.hpp"
#include "netlink/kernel.hpp"

namespace ravpn::privsep {

class SpareSpis {
 public:
  static constexpr size_t kStock = 16;  // per address: a burst of quick modes in one round of the IKE loop
  static constexpr size_t kBusyAllocations = 4;
  static constexpr Clock::duration kBusyWindow = std::chrono::seconds(1);
  static constexpr Clock::duration kMaxAge = std::chrono::seconds(10);  // a third of the kernel's default
  static inline const Ipv4 kPlaceholderPeer{0};

  struct Ref {
    Ipv4 destination;
    kernel::Spi spi;
  };

  // A quick mode at `destination` wants an SPI now: a spare (the oldest not too old), or none (ask the kernel and
  // wait). Spares too old to hand out are added to `expired`, to be deleted.
  std::optional<kernel::Spi> take(Ipv4 destination, TimePoint now, std::vector<Ref>& expired);
  // How many allocations to ask for at `destination` now (none unless logins there come in a burst); the caller
  // asks for them and reports each with asked().
  size_t wanted(Ipv4 destination) const;
  void asked(uint32_t request, Ipv4 destination);
  bool expects(uint32_t request) const { return requests_.contains(request); }
  // The kernel's answer to an allocation asked for: false when `request` is not one of them. `spi` empty: refused.
  bool answered(uint32_t request, std::optional<kernel::Spi> spi, TimePoint now);
  // Spares too old to hand out, taken out of the stock, to be deleted (each round of the IKE loop).
  std::vector<Ref> expire(TimePoint now);
  // Every spare, taken out of the stock (the daemon stops: their larval SAs go with it).
  std::vector<Ref> take_all();
  size_t ready(Ipv4 destination) const;

 private:
  struct Spare {
    kernel::Spi spi;
    TimePoint allocated;
  };
  struct Address {
    std::deque<Spare> ready;       // oldest first
    size_t asked = 0;              // allocations in flight
    std::deque<TimePoint> recent;  // quick modes' allocations within kBusyWindow (at most kBusyAllocations)
  };
  void expire(Ipv4 destination, Address& a, TimePoint now, std::vector<Ref>& out);

  std::map<uint32_t, Address> addresses_;  // by local address
  std::map<uint32_t, uint32_t> requests_;  // request id -> local address
};

}  // namespace ravpn::privsep
