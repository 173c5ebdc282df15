// When the responder's one-second tick next needs to look at each ISAKMP SA. A session in a handshake or with
// something outstanding is looked at every tick; a quiet established one only when its next liveness check,
// lifetime, connect-time limit, pruning or accounting interim is due. 10,000 idle tunnels then wake nothing.
// One min-heap of (time, cookie); an SA whose time moves earlier gets a second entry and the later one is skipped
// when it surfaces (lazy deletion), so a touch is O(log n) and nothing walks every SA.
#pragma once
#include <cstddef>
#include <functional>
#include <map>
#include <vector>

#include "ike/clock.hpp"
#include "ike/wire/payloads.hpp"

namespace ravpn::ike {

class WakeSchedule {
 public:
  // The SA is looked at no later than `when` (an earlier time already set stands).
  void at(const Cookie& sa, TimePoint when);
  // The SAs due at `now`, each once, in time order; they leave the schedule until at() is called for them again.
  std::vector<Cookie> due(TimePoint now);
  void forget(const Cookie& sa) { scheduled_.erase(sa); }
  size_t scheduled() const { return scheduled_.size(); }
  size_t heap_entries() const { return heap_.size(); }
  size_t heap_capacity() const { return heap_.capacity(); }

 private:
  struct Entry {
    TimePoint when;
    Cookie sa;
    bool operator>(const Entry& o) const { return when != o.when ? when > o.when : sa > o.sa; }
  };
  void compact();  // drops superseded entries once they outnumber the live ones; gives back spare capacity

  std::vector<Entry> heap_;  // a min-heap (std::push_heap / pop_heap with greater): after a flood of half-open
                             // SAs its capacity is given back, not kept as RSS
  std::map<Cookie, TimePoint> scheduled_;  // the one time that counts per SA
};

}  // namespace ravpn::ike
