#include "ike/wake_schedule.hpp"

namespace ravpn::ike {

void WakeSchedule::at(const Cookie& sa, TimePoint when) {
  auto [it, fresh] = scheduled_.try_emplace(sa, when);
  if (!fresh) {
    if (it->second <= when) return;
    it->second = when;
  }
  heap_.push({when, sa});
  if (heap_.size() > 2 * scheduled_.size() + 1024) compact();
}

std::vector<Cookie> WakeSchedule::due(TimePoint now) {
  std::vector<Cookie> out;
  while (!heap_.empty() && heap_.top().when <= now) {
    const Entry e = heap_.top();
    heap_.pop();
    auto it = scheduled_.find(e.sa);
    if (it == scheduled_.end() || it->second != e.when) continue;  // forgotten, or moved earlier and seen already
    scheduled_.erase(it);
    out.push_back(e.sa);
  }
  return out;
}

void WakeSchedule::compact() {
  std::vector<Entry> live;
  live.reserve(scheduled_.size());
  for (const auto& [sa, when] : scheduled_) live.push_back({when, sa});
  heap_ = decltype(heap_)(std::greater<Entry>(), std::move(live));
}

}  // namespace ravpn::ike
