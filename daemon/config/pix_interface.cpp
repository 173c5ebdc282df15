// PIX interfaces (`interface` hardware lines, `nameif`, `ip address`, `mtu`), routes and `sysopt`.
#include <algorithm>

#include "daemon/config/pix_reader.hpp"

namespace ravpn::config::detail {
namespace {

using Table = CommandTable<PixState>;

Interface& named(PixState& st, const std::string& name) {
  return *std::find_if(st.cfg.interfaces.begin(), st.cfg.interfaces.end(),
                       [&](const Interface& i) { return i.name == name; });
}

// nameif HARDWARE NAME securityN: the config name and security level (0 outside .. 100 inside) of a port.
void nameif(PixState& st, Args& a) {
  std::string hardware = a.word("hardware id");
  std::string name = a.word("interface name");
  std::string level = to_lower(a.word("security level"));
  a.end();
  std::string digits = level.starts_with("security") ? level.substr(8) : "";
  bool ok = !digits.empty() && digits.size() <= 3 &&
            std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!ok || std::stoi(digits) > 100) a.fail("bad security level '" + level.substr(0, 40) + "' (expected security0-100)");
  auto& ifs = st.cfg.interfaces;
  for (const auto& i : ifs)
    if (iequals(i.name, name) && !iequals(i.hardware, hardware))
      a.fail("interface name " + name + " already names " + i.hardware);
  auto it = std::find_if(ifs.begin(), ifs.end(), [&](const Interface& i) { return iequals(i.hardware, hardware); });
  if (it == ifs.end()) {
    ifs.emplace_back();
    it = ifs.end() - 1;
    it->hardware = hardware;
  }
  it->name = name;  // a later nameif for the same port renames it
  it->security_level = std::stoi(digits);
  it->origin = st.origin(a);
}

// PIX 7.x / ASA `interface X` sub-mode lines: refused with a pointer to the 6.x form.
void asa_interface_line(PixState&, Args& a) {
  a.remaining();
  a.fail("PIX 7.x / ASA interface sub-mode line; PIX 6.x names interfaces with `nameif` and addresses them with "
         "`ip address IF A M`");
}

const Table& asa_interface_table() {
  static const Table t = Table()
                             .handle("nameif", asa_interface_line)
                             .handle("security-level", asa_interface_line)
                             .handle("ip address", asa_interface_line)
                             .handle("shutdown", asa_interface_line)
                             .handle("no shutdown", asa_interface_line)
                             .handle("no nameif", asa_interface_line)
                             .handle("no security-level", asa_interface_line)
                             .handle("no ip address", asa_interface_line)
                             .handle("speed", asa_interface_line)
                             .handle("duplex", asa_interface_line)
                             .handle("vlan", asa_interface_line)
                             .handle("description", asa_interface_line)
                             .handle("management-only", asa_interface_line);
  return t;
}

// interface HARDWARE [SPEED] [shutdown] | interface HARDWARE vlanN logical|physical [shutdown]. Speed and duplex
// are the NIC's business (cisco-config.md: "interface speed lines" are ignored); `shutdown` takes the port down. A
// logical VLAN interface is named by its vlanN word, as `nameif vlanN ...` names it.
void interface(PixState& st, Args& a) {
  std::string hardware = to_lower(a.word("hardware id"));
  bool shutdown = false;
  while (!a.done()) {
    if (a.accept("shutdown")) {
      shutdown = true;
    } else if (a.peek().starts_with("vlan") && (a.peek(1) == "logical" || a.peek(1) == "physical")) {
      std::string vlan = to_lower(a.word("VLAN"));
      if (a.word("VLAN kind") == "logical") hardware = vlan;
    } else {
      a.word("speed");
    }
  }
  st.hardware_shutdown[hardware] = shutdown;
  if (!shutdown) st.rep.ignored(a.number(), "interface", "hardware speed and duplex are not used by ravpn", redact(a.line()));
  st.block = {"interface", &asa_interface_table(), Diagnostic::Kind::Error, ""};
}

// ip address IF A M | ip address IF dhcp|pppoe [...]
void ip_address(PixState& st, Args& a) {
  std::string name = pix_interface(st, a, "interface name");
  if (a.peek() == "dhcp" || a.peek() == "pppoe") {
    std::string how = a.word("address source");
    a.remaining();
    st.rep.partial(a.number(), "ip address", how + "-assigned addresses are not supported", redact(a.line()));
    return;
  }
  Ipv4Net net;
  net.address = pix_address(st, a, "interface address");
  net.mask = a.netmask("interface mask");
  a.end();
  named(st, name).address = net;
}

void mtu(PixState& st, Args& a) {
  std::string name = pix_interface(st, a, "interface name");
  uint32_t bytes = a.number("MTU", 64, 65535);
  a.end();
  st.cfg.mtus[name] = bytes;
}

// route IF NET MASK GATEWAY [METRIC]
void route(PixState& st, Args& a) {
  Route r;
  r.interface_name = pix_interface(st, a, "interface name");
  r.destination.address = pix_address(st, a, "destination");
  r.destination.mask = pix_netmask(a, "destination mask");
  if ((r.destination.address.value & ~r.destination.mask.value) != 0)
    a.fail("destination " + r.destination.address.str() + " has bits outside mask " + r.destination.mask.str());
  r.gateway = pix_address(st, a, "gateway");
  if (!a.done()) a.number("metric", 1, 16);
  a.end();
  r.origin = st.origin(a);
  st.cfg.routes.push_back(std::move(r));
}

// sysopt connection permit-ipsec: decrypted traffic skips the interface ACLs (cisco-config.md "NAT and filtering").
void permit_ipsec(PixState& st, Args& a) {
  a.end();
  st.cfg.sysopt_permit_ipsec = true;
}

void noproxyarp(PixState& st, Args& a) {
  std::string name = pix_interface(st, a, "interface name");
  a.end();
  auto& list = st.cfg.noproxyarp_interfaces;
  if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(name);
}

}  // namespace

void add_pix_interface_commands(Table& top) {
  top.handle("nameif", nameif)
      .handle("interface", interface)
      .handle("ip address", ip_address)
      .handle("mtu", mtu)
      .handle("route", route)
      .handle("sysopt connection permit-ipsec", permit_ipsec)
      .handle("sysopt noproxyarp", noproxyarp)
      .partial("sysopt connection permit-pptp", "PPTP is not supported")
      .partial("sysopt connection permit-l2tp", "L2TP is not supported")
      .partial("sysopt radius ignore-secret", "RADIUS servers are always checked with their key")
      .partial("sysopt ipsec pl-compatible", "IPsec Private Link compatibility is not supported")
      .ignore("sysopt", "firewall tuning not used by ravpn");
}

}  // namespace ravpn::config::detail
