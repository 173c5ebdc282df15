// write_native, continued: interfaces and addressing, access lists, NAT.
#include "daemon/config/native_values.hpp"
#include "daemon/config/native_writer.hpp"

namespace ravpn::config::native {
namespace {

void nonempty(TomlText& out, std::string_view key, const std::string& value) {
  if (!value.empty()) out.string(key, value);
}

void protocol(TomlText& out, std::string_view key, int number) {
  auto name = protocol_name(number);
  if (name.empty()) out.number(key, number);
  else out.string(key, name);
}

std::vector<std::string> ranges_text(const std::vector<Ipv4Range>& ranges) {
  std::vector<std::string> out;
  for (const auto& r : ranges) out.push_back(range_text(r));
  return out;
}

// A host as a bare address, anything wider as A/N.
std::string host_or_net(const Ipv4Net& n) { return n.mask.value == 0xffffffffu ? n.address.str() : net_text(n); }

// Whether D's mapped ranges are just its IOS NAT pool's range, which validate fills in again on reading.
bool from_pool(const Config& c, const DynamicNat& d) {
  auto pool = c.nat_pools.find(d.nat_pool);
  return !d.nat_pool.empty() && pool != c.nat_pools.end() && d.mapped_ranges.size() == 1 &&
         d.mapped_ranges.front() == pool->second.range;
}

void write_acl_entry(TomlText& out, const std::string& acl, const AclEntry& e) {
  out.array_table({"access_list", acl});
  if (!e.match) {
    out.comment("Not understood when converted: kept as written; this entry never matches.");
    out.string("action", e.permit ? "permit" : "deny");
    out.string("text", e.text);
    out.blank();
    return;
  }
  const AclMatch& m = *e.match;
  if (e.text != acl_ios_text(m)) out.comment("as written: " + std::string(e.permit ? "permit " : "deny ") + e.text);
  out.string("action", e.permit ? "permit" : "deny");
  protocol(out, "protocol", m.protocol);
  out.string("source", acl_net_text(m.source));
  if (m.source_ports.op != PortMatch::Op::Any) out.string("source_port", port_text(m.source_ports));
  out.string("destination", acl_net_text(m.destination));
  if (m.destination_ports.op != PortMatch::Op::Any) out.string("destination_port", port_text(m.destination_ports));
  if (m.icmp_type) out.number("icmp_type", *m.icmp_type);
  out.blank();
}

void write_route_maps(TomlText& out, const Config& c) {
  if (c.route_maps.empty()) return;
  out.comment("Route maps (IOS NAT): a permit entry's match_acls select the flows to translate.");
  for (const auto& r : c.route_maps) {
    out.array_table({"route_map", r.name});
    out.string("action", r.permit ? "permit" : "deny");
    out.number("sequence", r.sequence);
    if (!r.match_acls.empty()) out.strings("match_acls", r.match_acls);
    if (!r.other_lines.empty()) out.strings("other_lines", r.other_lines);
    out.blank();
  }
}

}  // namespace

void write_network(TomlText& out, const Config& c) {
  out.comment("---- Interfaces and addressing ------------------------------------------------------------------");
  if (!c.interfaces.empty())
    out.comment("address: A.B.C.D/N; crypto_maps: the crypto maps applied to the interface.");
  for (const auto& i : c.interfaces) {
    out.array_table({"interface"});
    out.string("name", i.name);
    nonempty(out, "hardware", i.hardware);
    if (i.address) out.string("address", net_text(*i.address));
    if (i.security_level) out.number("security_level", *i.security_level);
    if (i.shutdown) out.flag("shutdown", true);
    if (i.nat_inside) out.flag("nat_inside", true);
    if (i.nat_outside) out.flag("nat_outside", true);
    if (!i.crypto_maps.empty()) out.strings("crypto_maps", i.crypto_maps);
    out.blank();
  }
  if (!c.pools.empty()) out.comment("Address pools for mode-config clients: ranges \"A-B\" (or one address \"A\").");
  for (const auto& [name, p] : c.pools) {
    out.table({"pool", name});
    out.strings("ranges", ranges_text(p.ranges));
    out.blank();
  }
  for (const auto& r : c.routes) {
    out.array_table({"route"});
    nonempty(out, "interface", r.interface_name);
    out.string("destination", net_text(r.destination));
    out.string("gateway", r.gateway.str());
    out.blank();
  }
  if (!c.mtus.empty()) {
    out.comment("MTU by interface name.");
    out.table({"mtu"});
    for (const auto& [name, mtu] : c.mtus) out.number(name, mtu);
    out.blank();
  }
  if (!c.names.empty()) {
    out.comment("PIX `name` aliases (already replaced by their addresses where the configuration used them).");
    out.table({"names"});
    for (const auto& [name, address] : c.names) out.string(name, address.str());
    out.blank();
  }
}

void write_filter(TomlText& out, const Config& c) {
  out.comment("---- Access lists -------------------------------------------------------------------------------");
  if (!c.access_lists.empty())
    out.comment("The first entry that matches decides. protocol: ip (any) icmp tcp udp esp ah gre or a number;\n"
                "source / destination: any, A.B.C.D (a host) or A.B.C.D/N; source_port / destination_port\n"
                "(tcp, udp): \"eq N\" \"neq N\" \"lt N\" \"gt N\" \"range N M\"; icmp_type (icmp).");
  bool any_empty = false;
  for (const auto& [name, acl] : c.access_lists) any_empty = any_empty || acl.entries.empty();
  if (any_empty) {
    out.table({"access_list"});
    for (const auto& [name, acl] : c.access_lists)
      if (acl.entries.empty()) out.strings(name, {});
    out.blank();
  }
  for (const auto& [name, acl] : c.access_lists)
    for (const auto& e : acl.entries) write_acl_entry(out, name, e);
  if (!c.access_groups.empty()) out.comment("Access lists applied to interfaces (direction: in | out).");
  for (const auto& g : c.access_groups) {
    out.array_table({"access_group"});
    out.string("acl", g.acl);
    out.string("interface", g.interface);
    out.string("direction", g.inbound ? "in" : "out");
    out.blank();
  }
  if (c.sysopt_permit_ipsec || !c.noproxyarp_interfaces.empty()) {
    out.comment("connection_permit_ipsec: decrypted traffic skips the interface access lists.\n"
                "noproxyarp: interfaces that do not answer ARP for translated addresses.");
    out.table({"sysopt"});
    if (c.sysopt_permit_ipsec) out.flag("connection_permit_ipsec", true);
    if (!c.noproxyarp_interfaces.empty()) out.strings("noproxyarp", c.noproxyarp_interfaces);
    out.blank();
  }
}

void write_nat(TomlText& out, const Config& c) {
  bool any = !c.nat_statements.empty() || !c.nat_pools.empty() || !c.nat_exemptions.empty() ||
             !c.dynamic_nats.empty() || !c.static_nats.empty();
  if (any) {
    out.comment("---- NAT ----------------------------------------------------------------------------------------");
    out.comment("ios_lines: the IOS `ip nat` lines as written, for reference; exemption, dynamic and static below\n"
                "are what is translated.");
    out.table({"nat"});
    if (!c.nat_statements.empty()) {
      std::vector<std::string> lines;
      for (const auto& n : c.nat_statements) {
        std::string line;
        for (const auto& w : n.words) line += (line.empty() ? "" : " ") + w;
        lines.push_back(line);
      }
      out.strings("ios_lines", lines);
    }
    out.blank();
  }
  for (const auto& [name, p] : c.nat_pools) {
    out.table({"nat", "pool", name});
    out.string("first", p.range.first.str());
    out.string("last", p.range.last.str());
    out.string("netmask", p.netmask.str());
    out.blank();
  }
  for (const auto& x : c.nat_exemptions) {
    out.array_table({"nat", "exemption"});
    nonempty(out, "real_interface", x.real_interface);
    out.string("acl", x.acl);
    out.blank();
  }
  for (const auto& d : c.dynamic_nats) {
    out.array_table({"nat", "dynamic"});
    if (d.id != 0) out.number("id", d.id);
    nonempty(out, "real_interface", d.real_interface);
    nonempty(out, "mapped_interface", d.mapped_interface);
    if (d.network) out.string("network", net_text(*d.network));
    nonempty(out, "acl", d.acl);
    nonempty(out, "route_map", d.route_map);
    if (!d.mapped_ranges.empty() && !from_pool(c, d)) out.strings("mapped", ranges_text(d.mapped_ranges));
    if (d.interface_pat) out.flag("interface_pat", true);
    if (d.overload) out.flag("overload", true);
    nonempty(out, "pool", d.nat_pool);
    out.blank();
  }
  for (const auto& s : c.static_nats) {
    out.array_table({"nat", "static"});
    nonempty(out, "real_interface", s.real_interface);
    nonempty(out, "mapped_interface", s.mapped_interface);
    out.string("real", host_or_net(s.real));
    out.string("mapped", s.mapped.str());
    if (s.protocol != -1) {
      protocol(out, "protocol", s.protocol);
      out.number("real_port", s.real_port);
      out.number("mapped_port", s.mapped_port);
    }
    out.blank();
  }
  write_route_maps(out, c);
}

}  // namespace ravpn::config::native
