#include "ike/wake_schedule.hpp"

#include <algorithm>

namespace ravpn::ike {

void WakeSchedule::at(const Cookie& sa, TimePoint when) {
  auto [it, fresh] = scheduled_.try_emplace(sa, when);
  if (!fresh) {
    if (it->second <= when) return;
    it->second = when;
  }
  heap_.push_back({when, sa});
  std::push_heap(heap_.begin(), heap_.end(), std::greater<Entry>());
  if (heap_.size() > 2 * scheduled_.size() + 1024) compact();
}

std::vector<Cookie> WakeSchedule::due(TimePoint now) {
  std::vector<Cookie> out;
  while (!heap_.empty() && heap_.front().when <= now) {
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<Entry>());
    const Entry e = heap_.back();
    heap_.pop_back();
    auto it = scheduled_.find(e.sa);
    if (it == scheduled_.end() || it->second != e.when) continue;  // forgotten, or moved earlier and seen already
    scheduled_.erase(it);
    out.push_back(e.sa);
  }
  if (heap_.capacity() > 4096 && heap_.size() < heap_.capacity() / 4) compact();
  return out;
}

void WakeSchedule::compact() {
  std::vector<Entry> live;
  live.reserve(scheduled_.size());
  for (const auto& [sa, when] : scheduled_) live.push_back({when, sa});
  std::make_heap(live.begin(), live.end(), std::greater<Entry>());
  heap_ = std::move(live);
}

}  // namespace ravpn::ike
