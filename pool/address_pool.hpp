// Address pools for mode-config (`ip local pool NAME A B`): one lease per user, the same address back for the same
// user while the lease lives, released when the tunnel ends.
#pragma once
#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pool/ipv4.hpp"

namespace ravpn::pool {

enum class PoolError { Exhausted, UnknownAddress };
const char* describe(PoolError);

struct Lease {
  Ipv4 address;
  std::string user;
  uint32_t holders = 0;  // tunnels of this user sharing the lease
};

class AddressPool {
 public:
  AddressPool(std::string name, std::vector<Ipv4Range> ranges);

  // The user's current lease (holders + 1), or the address it had last if still free, or the lowest free address.
  // Exhausted when every address is leased to someone else.
  std::expected<Ipv4, PoolError> lease(const std::string& user);
  // Takes over a lease made by an earlier pool object (configuration reload): ADDRESS becomes USER's lease (holders
  // + 1 if the user holds it already). UnknownAddress when it is outside the pool or leased to someone else.
  std::expected<void, PoolError> adopt(Ipv4 address, const std::string& user);
  // One holder less; the address becomes free when none is left (it stays remembered for the user).
  std::expected<void, PoolError> release(Ipv4 address);
  // The address USER had before (read back from the lease file after a restart, or carried over a reload): their
  // next lease() gets it while it is free. Ignored for an address outside the pool.
  void remember(const std::string& user, Ipv4 address);
  // Every user's current or last address. At most one user per address: a hint goes when another user leases the
  // address, so this never holds more entries than the pool has addresses.
  const std::map<std::string, Ipv4>& remembered() const { return by_user_; }
  // Changes with every lease, adoption, release or hint: a caller saving the leases compares it with its last save.
  uint64_t generation() const { return generation_; }

  const std::string& name() const { return name_; }
  uint64_t size() const;
  uint64_t leased() const { return leases_.size(); }
  uint64_t free() const { return size() - leased(); }
  std::optional<Lease> lease_of(Ipv4 address) const;
  bool contains(Ipv4 address) const;

 private:
  std::string name_;
  std::vector<Ipv4Range> ranges_;
  std::map<Ipv4, Lease> leases_;                 // address -> lease
  std::map<std::string, Ipv4> by_user_;          // current or last address of a user
  std::map<Ipv4, std::string> user_of_;          // the reverse of by_user_
  uint64_t generation_ = 0;
  void set_hint(const std::string& user, Ipv4 address);

  // Free addresses, by offset across ranges_ (ranges in configured order, overlaps removed): the offsets released
  // so far (all below fresh_) plus every offset from fresh_ on, never leased. Lowest free is O(log n).
  std::optional<uint64_t> offset_of(Ipv4 address) const;
  Ipv4 address_at(uint64_t offset) const;
  void take(uint64_t offset);
  std::vector<uint64_t> starts_;  // offset of each range's first address
  uint64_t size_ = 0;
  uint64_t fresh_ = 0;
  std::set<uint64_t> returned_;
};

}  // namespace ravpn::pool
