// IOS 12.x running-config reader: state shared by the command handlers in ios_*.cpp.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "daemon/config/dispatch.hpp"
#include "daemon/config/model.hpp"

namespace ravpn::config::detail {

struct IosState {
  IosState(Config& c, const std::string& file) : cfg(c), rep(c.diagnostics, file) {}
  Origin origin(const Args& a) const { return rep.origin(a.number()); }

  Config& cfg;
  Reporter rep;
  Block<IosState> block;

  // The object the open sub-mode block edits.
  std::map<int, IsakmpPolicy> policies;  // moved into cfg.isakmp_policies (sorted) at the end
  IsakmpPolicy* policy = nullptr;
  ClientGroup* group = nullptr;
  TransformSet* transform_set = nullptr;
  std::map<std::pair<std::string, int>, DynamicMapEntry> dynamic_maps;
  DynamicMapEntry* dynamic_map = nullptr;
  size_t interface = 0;  // index into cfg.interfaces
  AccessList* access_list = nullptr;
  bool access_list_standard = false;  // the open `ip access-list standard|extended` block
  std::map<std::pair<std::string, int>, RouteMapEntry> route_maps;
  RouteMapEntry* route_map = nullptr;

  // `radius-server key` / `tacacs-server key` / `... timeout`: for hosts that name none.
  struct ServerDefaults {
    std::optional<std::string> key;
    bool key_masked = false;
    std::optional<uint32_t> timeout;
  };
  std::map<std::string, ServerDefaults> server_defaults;  // by protocol
  // `aaa group server tacacs+|radius NAME` and its `server IP` lines: members name global hosts, whose key, port and
  // timeout they take at the end.
  std::string server_group, server_group_protocol;  // the open block
  std::string accounting_list;  // the `aaa accounting network` list in use
  std::vector<AaaServer> group_members;

  // `ip nat inside source static ... interface IF ...`: cfg.static_nats indexes whose mapped address is IF's.
  std::vector<size_t> statics_on_interface;
};

void add_ios_crypto_commands(CommandTable<IosState>& top);
void add_ios_aaa_commands(CommandTable<IosState>& top);
void add_ios_interface_commands(CommandTable<IosState>& top);  // interface, ip route, ip local pool, access-list
void add_ios_nat_commands(CommandTable<IosState>& top);        // ip nat, route-map
void add_ios_ignored_commands(CommandTable<IosState>& top);

}  // namespace ravpn::config::detail
