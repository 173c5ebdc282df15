// Secondary lookups over the responder's ISAKMP SAs: by peer address (INITIAL-CONTACT, takeover), by Xauth user
// (simultaneous logins) and by assigned address (one lease per user). A login used to walk every SA four times;
// with 10,000 sessions that halved the handshake rate. An entry is checked when it is used: one whose SA is gone or
// no longer has the key leaves the index then, so a missed erase costs a little memory until the key is looked up.
#pragma once
#include <algorithm>
#include <map>
#include <vector>

#include "ike/wire/payloads.hpp"

namespace ravpn::ike {

template <class Key>
class SaIndex {
 public:
  void add(const Key& key, const Cookie& sa) {
    auto [first, last] = entries_.equal_range(key);
    if (std::none_of(first, last, [&](const auto& e) { return e.second == sa; })) entries_.emplace(key, sa);
  }
  void erase(const Key& key, const Cookie& sa) {
    auto [first, last] = entries_.equal_range(key);
    for (auto it = first; it != last; ++it)
      if (it->second == sa) return (void)entries_.erase(it);
  }
  // The SAs under `key` for which `still(cookie)` holds, in cookie order (the order a walk of all SAs gave); the
  // others leave the index.
  template <class Still>
  std::vector<Cookie> find(const Key& key, Still still) {
    std::vector<Cookie> out;
    auto [first, last] = entries_.equal_range(key);
    for (auto it = first; it != last;) {
      if (still(it->second)) out.push_back((it++)->second);
      else it = entries_.erase(it);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  size_t size() const { return entries_.size(); }
  void clear() { entries_.clear(); }

 private:
  std::multimap<Key, Cookie> entries_;
};

}  // namespace ravpn::ike
