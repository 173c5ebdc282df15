#include "daemon/privsep/spare_spis.hpp"

namespace ravpn::privsep {

void SpareSpis::expire(Ipv4 destination, Address& a, TimePoint now, std::vector<Ref>& out) {
  while (!a.ready.empty() && now - a.ready.front().allocated > kMaxAge) {
    out.push_back({destination, a.ready.front().spi});
    a.ready.pop_front();
  }
}

std::optional<kernel::Spi> SpareSpis::take(Ipv4 destination, TimePoint now, std::vector<Ref>& expired) {
  Address& a = addresses_[destination.value];
  while (!a.recent.empty() && now - a.recent.front() >= kBusyWindow) a.recent.pop_front();
  if (a.recent.size() < kBusyAllocations) a.recent.push_back(now);  // enough to tell a burst; bounded
  expire(destination, a, now, expired);
  if (a.ready.empty()) return std::nullopt;
  const kernel::Spi spi = a.ready.front().spi;
  a.ready.pop_front();
  return spi;
}

size_t SpareSpis::wanted(Ipv4 destination) const {
  auto it = addresses_.find(destination.value);
  if (it == addresses_.end() || it->second.recent.size() < kBusyAllocations) return 0;
  const size_t have = it->second.ready.size() + it->second.asked;
  return have < kStock ? kStock - have : 0;
}

void SpareSpis::asked(uint32_t request, Ipv4 destination) {
  requests_[request] = destination.value;
  ++addresses_[destination.value].asked;
}

bool SpareSpis::answered(uint32_t request, std::optional<kernel::Spi> spi, TimePoint now) {
  auto it = requests_.find(request);
  if (it == requests_.end()) return false;
  Address& a = addresses_[it->second];
  requests_.erase(it);
  --a.asked;
  if (spi) a.ready.push_back({*spi, now});
  return true;
}

std::vector<SpareSpis::Ref> SpareSpis::expire(TimePoint now) {
  std::vector<Ref> out;
  for (auto& [destination, a] : addresses_) expire(Ipv4{destination}, a, now, out);
  return out;
}

std::vector<SpareSpis::Ref> SpareSpis::take_all() {
  std::vector<Ref> out;
  for (auto& [destination, a] : addresses_) {
    for (const auto& spare : a.ready) out.push_back({Ipv4{destination}, spare.spi});
    a.ready.clear();
  }
  return out;
}

size_t SpareSpis::ready(Ipv4 destination) const {
  auto it = addresses_.find(destination.value);
  return it == addresses_.end() ? 0 : it->second.ready.size();
}

}  // namespace ravpn::privsep
