#include "pool/address_pool.hpp"

#include <algorithm>
#include <iterator>

namespace ravpn::pool {
namespace {

// The parts of `r` not covered by any of `taken` (sorted, disjoint), in address order.
std::vector<Ipv4Range> subtract(Ipv4Range r, const std::vector<Ipv4Range>& taken) {
  std::vector<Ipv4Range> out;
  uint64_t next = r.first.value;  // first address of r not yet emitted or skipped
  for (const auto& t : taken) {
    if (next > r.last.value) break;
    if (t.last.value < next || t.first.value > r.last.value) continue;
    if (t.first.value > next) out.push_back({Ipv4{uint32_t(next)}, Ipv4{t.first.value - 1}});
    next = uint64_t(t.last.value) + 1;
  }
  if (next <= r.last.value) out.push_back({Ipv4{uint32_t(next)}, r.last});
  return out;
}

// Drops empty ranges and addresses already listed by an earlier range, keeping the configured order.
std::vector<Ipv4Range> without_overlaps(const std::vector<Ipv4Range>& ranges) {
  std::vector<Ipv4Range> out;
  std::vector<Ipv4Range> taken;  // sorted by first address, disjoint
  for (const auto& r : ranges) {
    if (r.size() == 0) continue;
    for (const auto& piece : subtract(r, taken)) {
      out.push_back(piece);
      taken.insert(std::upper_bound(taken.begin(), taken.end(), piece), piece);
    }
  }
  return out;
}

}  // namespace

const char* describe(PoolError e) {
  switch (e) {
    case PoolError::Exhausted: return "pool exhausted";
    case PoolError::UnknownAddress: return "address not leased from this pool";
  }
  return "unknown pool error";
}

AddressPool::AddressPool(std::string name, std::vector<Ipv4Range> ranges)
    : name_(std::move(name)), ranges_(without_overlaps(ranges)) {
  for (const auto& r : ranges_) {
    starts_.push_back(size_);
    size_ += r.size();
  }
}

uint64_t AddressPool::size() const { return size_; }

bool AddressPool::contains(Ipv4 address) const { return offset_of(address).has_value(); }

std::optional<Lease> AddressPool::lease_of(Ipv4 address) const {
  auto it = leases_.find(address);
  if (it == leases_.end()) return std::nullopt;
  return it->second;
}

std::optional<uint64_t> AddressPool::offset_of(Ipv4 address) const {
  for (size_t i = 0; i < ranges_.size(); ++i)
    if (ranges_[i].contains(address)) return starts_[i] + (address.value - ranges_[i].first.value);
  return std::nullopt;
}

Ipv4 AddressPool::address_at(uint64_t offset) const {
  auto after = std::upper_bound(starts_.begin(), starts_.end(), offset);
  size_t i = size_t(std::distance(starts_.begin(), after)) - 1;
  return Ipv4{ranges_[i].first.value + uint32_t(offset - starts_[i])};
}

// Marks a free offset as used.
void AddressPool::take(uint64_t offset) {
  if (offset >= fresh_) {
    // Only the lowest fresh offset is ever taken directly: remembered addresses were leased before.
    for (uint64_t o = fresh_; o < offset; ++o) returned_.insert(o);
    fresh_ = offset + 1;
  } else {
    returned_.erase(offset);
  }
}

void AddressPool::set_hint(const std::string& user, Ipv4 address) {
  if (auto old = by_user_.find(user); old != by_user_.end()) user_of_.erase(old->second);
  if (auto other = user_of_.find(address); other != user_of_.end()) by_user_.erase(other->second);
  by_user_[user] = address;
  user_of_[address] = user;
  ++generation_;
}

void AddressPool::remember(const std::string& user, Ipv4 address) {
  if (!contains(address)) return;
  if (auto held = leases_.find(address); held != leases_.end() && held->second.user != user) return;
  set_hint(user, address);
}

std::expected<Ipv4, PoolError> AddressPool::lease(const std::string& user) {
  ++generation_;
  auto known = by_user_.find(user);
  if (known != by_user_.end()) {
    auto held = leases_.find(known->second);
    if (held != leases_.end() && held->second.user == user) {
      ++held->second.holders;
      return held->first;
    }
    if (held == leases_.end()) {
      if (auto offset = offset_of(known->second)) {
        take(*offset);
        leases_.emplace(known->second, Lease{known->second, user, 1});
        return known->second;
      }
    }
  }
  std::optional<uint64_t> lowest;
  if (!returned_.empty()) lowest = *returned_.begin();
  else if (fresh_ < size_) lowest = fresh_;
  if (!lowest) return std::unexpected(PoolError::Exhausted);
  take(*lowest);
  Ipv4 address = address_at(*lowest);
  leases_.emplace(address, Lease{address, user, 1});
  set_hint(user, address);
  return address;
}

std::expected<void, PoolError> AddressPool::adopt(Ipv4 address, const std::string& user) {
  auto offset = offset_of(address);
  if (!offset) return std::unexpected(PoolError::UnknownAddress);
  ++generation_;
  if (auto held = leases_.find(address); held != leases_.end()) {
    if (held->second.user != user) return std::unexpected(PoolError::UnknownAddress);
    ++held->second.holders;
    return {};
  }
  take(*offset);
  leases_.emplace(address, Lease{address, user, 1});
  set_hint(user, address);
  return {};
}

std::expected<void, PoolError> AddressPool::release(Ipv4 address) {
  auto it = leases_.find(address);
  if (it == leases_.end()) return std::unexpected(PoolError::UnknownAddress);
  ++generation_;
  if (--it->second.holders > 0) return {};
  leases_.erase(it);
  returned_.insert(*offset_of(address));  // by_user_ keeps the address for the user's next lease
  return {};
}

}  // namespace ravpn::pool
