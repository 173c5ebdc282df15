// The lease file: which user had which pool address, kept across restarts so a returning user gets the address
// they had (as a Cisco head-end's users expect of a box that was only rebooted). Written atomically: a temporary
// file in the same directory, fsync, rename over the old one, fsync of the directory; a crash leaves the old file
// or the new one, never a mix.
#pragma once
#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pool/address_pool.hpp"

namespace ravpn::pool {

struct SavedLease {
  std::string pool;
  std::string user;
  Ipv4 address;
  int64_t since = 0;    // seconds since the epoch: when the user got this address
  bool active = false;  // leased at the time of the save (false: remembered for the user's return)
  auto operator<=>(const SavedLease&) const = default;
};

// The file's text (JSON) and back. A file that does not parse is an error, never a crash.
std::string lease_file_text(const std::vector<SavedLease>& leases);
std::expected<std::vector<SavedLease>, std::string> parse_lease_file(const std::string& text);

// Reads PATH; a missing file is an empty list.
std::expected<std::vector<SavedLease>, std::string> read_lease_file(const std::string& path);
// Writes PATH atomically (see above); the error names the step that failed.
std::optional<std::string> write_lease_file(const std::string& path, const std::vector<SavedLease>& leases);

// What to save for POOLS now: every remembered user/address, the `since` of an unchanged entry kept from PREVIOUS.
std::vector<SavedLease> snapshot(const std::map<std::string, AddressPool>& pools,
                                 const std::vector<SavedLease>& previous, int64_t now);
// Gives every pool the addresses its users had (entries for other pools, or outside the pool, are skipped);
// returns how many were taken.
size_t restore(std::map<std::string, AddressPool>& pools, const std::vector<SavedLease>& saved);

}  // namespace ravpn::pool
