// The runtime policy: the configuration compiled once per load (and per reload) into what the exchanges need, so
// ike/ never reads Cisco text at run time. The config model (daemon/config/model.hpp) stays the parsed form; this is
// its meaning for the responder: per-group mode-config settings with split networks as parsed networks, and the
// phase 2 entries (crypto map -> dynamic map entries) in sequence order with their transforms and `match address`
// selectors.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/config/model.hpp"
#include "ike/esp_transforms.hpp"

namespace ravpn::ike::compiled {

// IOS `crypto isakmp client configuration group` / PIX `vpngroup`, as mode-config and quick mode use it.
struct GroupPolicy {
  std::string name;
  std::string pool;  // "" = the global `client configuration address-pool`
  std::vector<Ipv4> dns;
  std::vector<Ipv4> wins;
  std::string domain;
  std::string banner;
  std::vector<Ipv4Net> split_include;  // the split-tunnel ACL's permitted sources, in ACL order
  std::vector<std::string> split_dns;
  std::vector<std::string> backup_servers;
  bool pfs = false;
  bool save_password = false;
  bool include_local_lan = false;  // Unity LOCAL_LAN: the client keeps reaching its own LAN outside the tunnel
  std::optional<uint32_t> idle_time;   // carried for the session timers
  std::optional<uint32_t> max_time;
  std::optional<uint32_t> max_users;   // concurrent sessions of the group
  // Simultaneous sessions of one user (IOS `max-logins`, native `max_logins`); where the config is silent, 3, the
  // default of the PIX's successor (ASA `vpn-simultaneous-logins`): shared accounts are common on PIX sites.
  uint32_t max_logins = 3;
};

// One permit or deny line of a crypto `match address` ACL, from the head-end's view: `local` is the ACL source (the
// protected network), `remote` its destination (the client side); protocol -1 = any.
struct Selector {
  bool permit = true;
  int protocol = -1;
  Ipv4Net local{Ipv4{0}, Ipv4{0}};
  Ipv4Net remote{Ipv4{0}, Ipv4{0}};
};

// A crypto map entry with its dynamic map entry: what one quick mode may be accepted under.
struct Phase2Entry {
  std::string crypto_map;  // "" when no crypto map names the dynamic map (the native format, tests)
  int map_sequence = 0;
  std::string dynamic_map;
  int dynamic_sequence = 0;
  std::vector<EspTransform> transforms;  // in `set transform-set` order, what ESP can do
  std::optional<int> pfs_group;
  uint32_t lifetime_seconds = 3600;       // `crypto ipsec security-association lifetime` defaults
  uint32_t lifetime_kilobytes = 4608000;
  std::string match_acl;            // "" = every proxy ID
  std::vector<Selector> selectors;  // the ACL's understood lines, in order
  std::string label() const;        // "crypto map M 10 -> dynamic-map D 20"
};

struct Policy {
  std::map<std::string, GroupPolicy> groups;
  std::string default_pool;
  std::vector<Phase2Entry> phase2;  // crypto maps by name, entries by sequence, dynamic entries by sequence
  const GroupPolicy* group(const std::string& name) const;
};

// The whole policy of one loaded configuration.
Policy compile(const config::Config& config);

// Split include networks: the source of every understood permit line (IP, any protocol) of ACL `acl`, whatever
// form it was written in (PIX netmask, IOS extended or standard, named). Empty when the ACL is missing.
std::vector<Ipv4Net> compile_split_include(const config::Config& config, const std::string& acl);
std::map<std::string, GroupPolicy> compile_groups(const config::Config& config);
std::vector<Phase2Entry> compile_phase2(const config::Config& config);

// Every transform some entry accepts (reload keeps a tunnel whose transform is still among them).
std::vector<EspTransform> offered_transforms(const Policy& policy);

// Does entry `e` allow a quick mode for these proxy IDs (the client's side and the protected side)? The first ACL
// line covering both decides (RFC 2401 §4.4 ordered SPD); no `match address` allows everything.
bool allows(const Phase2Entry& e, const Ipv4Net& client, const Ipv4Net& protected_net, int protocol);

}  // namespace ravpn::ike::compiled
