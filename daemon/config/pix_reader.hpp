// PIX 6.3 running-config reader: state shared by the command handlers in pix_*.cpp. PIX lines are flat (one
// attribute per line, no sub-modes), so the state mostly gathers what is resolved once the whole file is read:
// `interface` lines name hardware before `nameif` names it, `global` and `nat` lines pair up by id, `aaa-server`
// hosts take the protocol of their tag.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "daemon/config/dispatch.hpp"
#include "daemon/config/model.hpp"

namespace ravpn::config::detail {

struct PixState {
  PixState(Config& c, const std::string& file) : cfg(c), rep(c.diagnostics, file) {}
  Origin origin(const Args& a) const { return rep.origin(a.number()); }

  Config& cfg;
  Reporter rep;
  Block<PixState> block;

  std::map<int, IsakmpPolicy> policies;  // moved into cfg.isakmp_policies (sorted) at the end
  std::map<std::pair<std::string, int>, DynamicMapEntry> dynamic_maps;

  // `interface ethernetN ... [shutdown]`, by hardware name; applied to the nameif'd interface at the end.
  std::map<std::string, bool> hardware_shutdown;

  // `aaa-server TAG protocol P` (the predefined TACACS+, RADIUS, LOCAL tags need no line).
  std::map<std::string, std::string> aaa_protocols;
  std::optional<uint16_t> radius_authport;  // `aaa-server radius-authport N`
  std::optional<uint16_t> radius_acctport;

  // `nat (IF) N ...` (N > 0) and `global (IF) N ...`, paired by id at the end.
  struct NatLine {
    int id = 0;
    std::string interface;
    std::optional<Ipv4Net> network;
    std::string acl;
    Origin origin;
  };
  struct GlobalLine {
    int id = 0;
    std::string interface;
    std::optional<Ipv4Range> range;  // nullopt: `interface` (PAT to the interface address)
    Origin origin;
  };
  std::vector<NatLine> nat_lines;
  std::vector<GlobalLine> global_lines;

  // `static (R,M) [tcp|udp] interface ...`: cfg.static_nats indexes whose mapped address is M's.
  std::vector<size_t> statics_on_interface;
};

void add_pix_interface_commands(CommandTable<PixState>& top);  // nameif, interface, ip address, mtu, route, sysopt
void add_pix_isakmp_commands(CommandTable<PixState>& top);     // isakmp policy, key, identity, enable, ...
void add_pix_crypto_commands(CommandTable<PixState>& top);     // crypto ipsec, crypto (dynamic-)map
void add_pix_client_commands(CommandTable<PixState>& top);     // vpngroup, ip local pool
void add_pix_aaa_commands(CommandTable<PixState>& top);        // aaa-server, username, aaa ...
void add_pix_access_commands(CommandTable<PixState>& top);     // access-list, access-group, conduit
void add_pix_nat_commands(CommandTable<PixState>& top);        // nat, global, static
void add_pix_ignored_commands(CommandTable<PixState>& top);    // management lines; PIX 7.x / ASA syntax

// After the whole file: nat/global pairs into DynamicNat (pix_nat.cpp), servers' protocols (pix_aaa.cpp).
void resolve_pix_nat(PixState& st);
void resolve_pix_aaa(PixState& st);

// Helpers for handlers.
Ipv4 pix_address(PixState& st, Args& a, std::string_view what);  // dotted quad, "0" or a `name`
Ipv4 pix_netmask(Args& a, std::string_view what);                 // contiguous netmask or "0"
// The config name of a nameif'd interface; a PIX refuses a command naming an interface `nameif` has not named.
std::string pix_interface(PixState& st, Args& a, std::string_view what);
// "(inside)" -> "inside"; "(inside,outside)" -> {"inside", "outside"}.
std::string parenthesized_interface(PixState& st, Args& a);
std::string parenthesized_name(Args& a);  // not checked: for lines a secrets file repeats (validate checks them)
std::pair<std::string, std::string> interface_pair(PixState& st, Args& a);

}  // namespace ravpn::config::detail
