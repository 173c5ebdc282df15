// build_firewall: the NAT and filtering lines of a PIX 6.x / IOS 12.x config as one nftables table.
//
// What each Cisco construct becomes (cisco-config.md "NAT and filtering", "Linux equivalents"):
//   input        (filter, input):        drop what is addressed to a mapped (static / global) address and was not
//                                        translated; accept IKE (udp 500, 4500) and ESP on the IKE interfaces.
//   prerouting   (nat, dstnat):          `static` -> dnat mapped -> real on the mapped interface.
//   postrouting  (nat, srcnat):          in PIX order: NAT exemption (`nat 0 access-list`: accept = never
//                                        translated), `static` snat, then every dynamic NAT in order (`nat`+`global`,
//                                        IOS `ip nat inside source`). Every snat / masquerade carries
//                                        `rt ipsec missing`: traffic routed into an IPsec tunnel is never translated.
//   forward      (filter, forward):      established/related first, `sysopt connection permit-ipsec` = decrypted
//                                        traffic accepted before any ACL, `access-group` = a jump to the ACL's chain
//                                        (implicit deny at its end), security levels for interfaces without one.
//
// Differences from a PIX, by choice:
//   - `global` ranges: `snat to FIRST-LAST persistent`. A PIX gives each inside host an address of the range of its
//     own until the range is used up, then falls back to a PAT address; Linux hashes the source into the range
//     (`persistent`: a host keeps its address) and translates ports when two hosts share one, so the PAT fallback
//     is not needed. A rule takes one range: with several globals for one nat id the first range of more than one
//     address is used, with only single addresses (PAT) the first of them; the others are named in a comment.
//   - An IOS route-map `deny` entry whose ACL permits a flow: `accept` (untranslated, and no later NAT statement
//     is tried for it). IOS would try the next `ip nat inside source` line; nft cannot leave two chain levels at
//     once without marking packets.
//   - ACL destinations match the translated (`ip daddr`) or the original (`ct original ip daddr`) address: PIX
//     6.x ACLs name the global address, later Cisco software the real one.
#include "daemon/firewall/ruleset.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "daemon/firewall/nft_text.hpp"

namespace ravpn::firewall {
namespace {

using config::AccessList;
using config::AclEntry;
using config::Config;
using config::DynamicNat;
using config::Origin;
using config::StaticNat;

// More addresses than this in one static block, global range or pool are left out of the local routes / proxy
// ARP entries (each is one kernel object), with a comment in the ruleset.
constexpr uint64_t kMaxAddressesPerBlock = 4096;

enum class Role { NatInside, NatOutside };

struct Chain {
  std::string name;
  std::string base;                // "type filter hook input priority filter; policy accept;"; "" for a regular chain
  std::vector<std::string> lines;  // rules, and comment lines starting with '#'
};

// The addresses of a block that starts at FIRST and has SIZE addresses, clamped at 255.255.255.255.
Ipv4Range block(Ipv4 first, uint64_t size) {
  const uint64_t last = std::min<uint64_t>(uint64_t(first.value) + (size ? size - 1 : 0), 0xffffffffu);
  return {first, Ipv4{uint32_t(last)}};
}

std::string range_text(const Ipv4Range& r) {
  return r.first == r.last ? r.first.str() : r.first.str() + "-" + r.last.str();
}

// Sorted, overlapping and adjacent ranges joined (nft refuses overlapping interval elements).
std::vector<Ipv4Range> merge(std::vector<Ipv4Range> ranges) {
  std::sort(ranges.begin(), ranges.end());
  std::vector<Ipv4Range> out;
  for (const auto& r : ranges) {
    if (!out.empty() && uint64_t(r.first.value) <= uint64_t(out.back().last.value) + 1) {
      out.back().last = std::max(out.back().last, r.last);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

// RANGES less the addresses in HOLES.
std::vector<Ipv4Range> subtract(const std::vector<Ipv4Range>& ranges, const std::set<Ipv4>& holes) {
  std::vector<Ipv4Range> out;
  for (auto r : ranges) {
    bool empty = false;
    for (auto it = holes.lower_bound(r.first); it != holes.end() && *it <= r.last; ++it) {
      if (*it > r.first) out.push_back({r.first, Ipv4{it->value - 1}});
      if (*it == r.last) {
        empty = true;
        break;
      }
      r.first = Ipv4{it->value + 1};
    }
    if (!empty) out.push_back(r);
  }
  return out;
}

const char* dialect_name(config::Dialect d) {
  switch (d) {
    case config::Dialect::Ios: return "IOS 12.x";
    case config::Dialect::Pix: return "PIX 6.x";
    case config::Dialect::Native: return "native";
  }
  return "";
}

class Builder {
 public:
  Builder(const Config& config, const InterfaceNames& names) : c_(config), names_(names) {
    input_ = {"input", "type filter hook input priority filter; policy accept;", {}};
    prerouting_ = {"prerouting", "type nat hook prerouting priority dstnat; policy accept;", {}};
    postrouting_ = {"postrouting", "type nat hook postrouting priority srcnat; policy accept;", {}};
    const bool levels = std::any_of(c_.interfaces.begin(), c_.interfaces.end(),
                                    [](const config::Interface& i) { return i.security_level.has_value(); });
    forward_ = {"forward",
                std::string("type filter hook forward priority filter; policy ") + (levels ? "drop;" : "accept;"),
                {}};
    for (const auto& i : c_.interfaces)
      if (i.address) interface_addresses_.insert(i.address->address);
  }

  kernel::FirewallState build() {
    describe_interfaces();
    static_dnats();
    source_nat();
    filter();
    proxy_arp();
    input();  // last: it needs every mapped address
    kernel::FirewallState state;
    state.ruleset = assemble();
    state.proxy_arp = std::move(proxy_arp_);
    state.mapped_addresses = mapped_addresses();
    return state;
  }

 private:
  // ---- interfaces -------------------------------------------------------------------------------------------

  std::optional<std::string> linux_name(const std::string& config_name) const {
    auto it = names_.find(config_name);
    if (it == names_.end() || !nft::usable_interface_name(it->second)) return std::nullopt;
    return it->second;
  }

  static std::string role_text(Role role) { return role == Role::NatInside ? "ip nat inside" : "ip nat outside"; }

  // "inside", or "ip nat inside interfaces" for "".
  static std::string interface_text(const std::string& name, Role role) {
    return name.empty() ? role_text(role) + " interfaces" : name;
  }

  // The Linux names a config interface reference stands for: NAME, or with "" every interface with ROLE's flag.
  // Names without a Linux interface are reported into CHAIN as comments (prefixed by TAG).
  std::vector<std::string> resolve(const std::string& name, Role role, Chain& chain, const std::string& tag) {
    std::vector<std::string> config_names;
    if (!name.empty()) {
      config_names.push_back(name);
    } else {
      for (const auto& i : c_.interfaces)
        if (role == Role::NatInside ? i.nat_inside : i.nat_outside) config_names.push_back(i.name);
      if (config_names.empty())
        chain.lines.push_back("# " + tag + " left out: no interface has `" + role_text(role) + "`");
    }
    std::vector<std::string> out;
    for (const auto& n : config_names) {
      if (auto l = linux_name(n)) {
        if (std::find(out.begin(), out.end(), *l) == out.end()) out.push_back(*l);
      } else {
        chain.lines.push_back("# " + tag + " left out for " + nft::comment_text(n) + ": no Linux interface");
      }
    }
    return out;
  }

  std::vector<std::string> ike_interfaces() const {
    std::set<std::string> wanted(c_.isakmp_enabled_interfaces.begin(), c_.isakmp_enabled_interfaces.end());
    for (const auto& i : c_.interfaces)
      if (!i.crypto_maps.empty()) wanted.insert(i.name);
    for (const auto& [name, map] : c_.crypto_maps) wanted.insert(map.interfaces.begin(), map.interfaces.end());
    std::vector<std::string> out;  // config order first, then names no interface line declares
    for (const auto& i : c_.interfaces)
      if (wanted.erase(i.name)) out.push_back(i.name);
    out.insert(out.end(), wanted.begin(), wanted.end());
    return out;
  }

  void describe_interfaces() {
    const std::string source = nft::origin_tag({c_.source, 0});
    notes_.push_back("# ravpn NAT and filtering for " + nft::comment_text(source.empty() ? "(no file)" : source) +
                     " (" + dialect_name(c_.dialect) + "), generated; one transaction replaces the whole table.");
    std::string mapping;
    for (const auto& i : c_.interfaces) {
      if (auto l = linux_name(i.name)) {
        mapping += (mapping.empty() ? "" : ", ") + i.name + " = " + *l;
      } else {
        unmapped_.push_back(&i);
      }
    }
    if (!mapping.empty()) notes_.push_back("# Interfaces: " + nft::comment_text(mapping));
    for (const auto* i : unmapped_)
      notes_.push_back("# Interface " + nft::comment_text(i->name) + (i->address ? "" : " (no address)") +
                       " has no Linux interface: no rules for it.");
  }

  // ---- chains -----------------------------------------------------------------------------------------------

  // The regular chain for KEY (created on first use, named after WANTED; FILL adds its rules once).
  template <class Fill>
  std::string chain(const std::string& key, const std::string& wanted, Fill fill) {
    if (auto it = chain_by_key_.find(key); it != chain_by_key_.end()) return chains_[it->second].name;
    std::string name = nft::identifier(wanted);
    for (int n = 2; taken_.count(name); ++n) name = nft::identifier(wanted) + "_" + std::to_string(n);
    taken_.insert(name);
    Chain filled{name, "", {}};
    fill(filled);
    chain_by_key_[key] = chains_.size();
    chains_.push_back(std::move(filled));
    return name;
  }

  static std::string rule(std::initializer_list<std::string> parts, const std::string& comment = "") {
    std::string out;
    for (const auto& p : parts) {
      if (p.empty()) continue;
      if (!out.empty()) out += ' ';
      out += p;
    }
    return out + nft::rule_comment(comment);
  }

  // The rules of one ACL: each understood line MATCH -> ON_PERMIT / ON_DENY, in order. With BOTH_DESTINATIONS a
  // line naming a destination becomes two rules (translated and original destination).
  void acl_rules(Chain& chain, const AccessList& acl, const std::string& on_permit, const std::string& on_deny,
                 bool both_destinations) {
    for (const AclEntry& e : acl.entries) {
      const std::string tag = nft::origin_tag(e.origin);
      const std::string line = "access-list " + acl.name + " " + (e.permit ? "permit " : "deny ") + e.text;
      if (!e.match) {
        chain.lines.push_back("# " + tag + " not understood: " + nft::comment_text(line));
        continue;
      }
      auto plain = nft::acl_match(*e.match, nft::Destination::Packet);
      if (!plain) {
        chain.lines.push_back("# " + tag + " not understood: " + nft::comment_text(line));
        continue;
      }
      chain.lines.push_back("# " + tag + " " + nft::comment_text(line));
      const std::string& verdict = e.permit ? on_permit : on_deny;
      chain.lines.push_back(rule({*plain, verdict}, tag));
      if (both_destinations && e.match->destination.mask.value != 0)
        chain.lines.push_back(rule({*nft::acl_match(*e.match, nft::Destination::Original), verdict}, tag));
    }
  }

  const AccessList* find_acl(const std::string& name) const {
    auto it = c_.access_lists.find(name);
    return it == c_.access_lists.end() ? nullptr : &it->second;
  }

  // ---- mapped addresses -------------------------------------------------------------------------------------

  void add_mapped(const Ipv4Range& r, const std::string& what) {
    mapped_ranges_.push_back(r);
    if (r.size() > kMaxAddressesPerBlock) {
      notes_.push_back("# " + nft::comment_text(what) + ": " + range_text(r) + " has " + std::to_string(r.size()) +
                       " addresses; local routes (ARP answers) for the first " + std::to_string(kMaxAddressesPerBlock) +
                       " only.");
    }
    const uint64_t n = std::min<uint64_t>(r.size(), kMaxAddressesPerBlock);
    for (uint64_t k = 0; k < n; ++k) mapped_set_.insert(Ipv4{uint32_t(r.first.value + k)});
  }

  std::vector<Ipv4> mapped_addresses() const {
    std::vector<Ipv4> out;
    for (const auto& a : mapped_set_)
      if (!interface_addresses_.count(a)) out.push_back(a);  // the box holds those already
    return out;
  }

  // ---- static NAT -------------------------------------------------------------------------------------------

  std::string static_text(const StaticNat& s) const {
    std::string t = "static (" + interface_text(s.real_interface, Role::NatInside) + "," +
                    interface_text(s.mapped_interface, Role::NatOutside) + ") ";
    if (s.protocol >= 0) {
      t += nft::protocol_name(s.protocol) + " " + s.mapped.str() + " " + std::to_string(s.mapped_port) + " " +
           s.real.address.str() + " " + std::to_string(s.real_port);
    } else {
      t += s.mapped.str() + " " + s.real.address.str() + " netmask " + s.real.mask.str();
    }
    return t;
  }

  // Prerouting (dnat) for every static; collects the mapped addresses.
  void static_dnats() {
    for (const StaticNat& s : c_.static_nats) {
      const std::string tag = nft::origin_tag(s.origin);
      const std::string text = static_text(s);
      const auto prefix = mask_to_prefix(s.real.mask);
      const bool pat = s.protocol >= 0;
      if (!prefix || (pat && *prefix != 32) || (pat && s.protocol != 6 && s.protocol != 17)) {
        prerouting_.lines.push_back("# " + tag + " not understood: " + nft::comment_text(text));
        continue;
      }
      add_mapped(block(s.mapped, uint64_t(1) << (32 - *prefix)), tag + " static");
      prerouting_.lines.push_back("# " + tag + " " + nft::comment_text(text));
      const auto out_if = resolve(s.mapped_interface, Role::NatOutside, prerouting_, tag);
      if (out_if.empty()) continue;
      const std::string iif = nft::interface_match("iifname", out_if);
      const Ipv4Net mapped{s.mapped, s.real.mask};
      const std::string mapped_text = *nft::prefix_text(mapped);
      const std::string real_text = *nft::prefix_text(s.real);
      if (pat) {
        const std::string proto = nft::protocol_name(s.protocol);
        prerouting_.lines.push_back(
            rule({iif, "ip daddr " + mapped_text, proto + " dport " + std::to_string(s.mapped_port),
                  "dnat to " + real_text + ":" + std::to_string(s.real_port)},
                 tag));
      } else if (*prefix == 32) {
        prerouting_.lines.push_back(rule({iif, "ip daddr " + mapped_text, "dnat to " + real_text}, tag));
      } else {
        // A netmask static maps the block one-to-one: NF_NAT_RANGE_NETMAP (`ip prefix to`, nft 1.0 / Linux 5.8).
        prerouting_.lines.push_back(rule({iif, "ip daddr " + mapped_text,
                                          "dnat ip prefix to ip daddr map { " + mapped_text + " : " + real_text + " }"},
                                         tag));
      }
    }
  }

  void static_snats() {
    for (const StaticNat& s : c_.static_nats) {
      const std::string tag = nft::origin_tag(s.origin);
      const auto prefix = mask_to_prefix(s.real.mask);
      const bool pat = s.protocol >= 0;
      if (!prefix || (pat && *prefix != 32) || (pat && s.protocol != 6 && s.protocol != 17)) continue;
      postrouting_.lines.push_back("# " + tag + " " + nft::comment_text(static_text(s)));
      const auto in_if = resolve(s.real_interface, Role::NatInside, postrouting_, tag);
      const auto out_if = resolve(s.mapped_interface, Role::NatOutside, postrouting_, tag);
      if (in_if.empty() || out_if.empty()) continue;
      const std::string ifs = rule({nft::interface_match("iifname", in_if), nft::interface_match("oifname", out_if)});
      const std::string mapped_text = *nft::prefix_text({s.mapped, s.real.mask});
      const std::string real_text = *nft::prefix_text(s.real);
      if (pat) {
        const std::string proto = nft::protocol_name(s.protocol);
        postrouting_.lines.push_back(
            rule({ifs, "ip saddr " + real_text, proto + " sport " + std::to_string(s.real_port), "rt ipsec missing",
                  "snat to " + mapped_text + ":" + std::to_string(s.mapped_port)},
                 tag));
      } else if (*prefix == 32) {
        postrouting_.lines.push_back(
            rule({ifs, "ip saddr " + real_text, "rt ipsec missing", "snat to " + mapped_text}, tag));
      } else {
        postrouting_.lines.push_back(
            rule({ifs, "ip saddr " + real_text, "rt ipsec missing",
                  "snat ip prefix to ip saddr map { " + real_text + " : " + mapped_text + " }"},
                 tag));
      }
    }
  }

  // ---- NAT exemption, dynamic NAT ---------------------------------------------------------------------------

  void exemptions() {
    for (const auto& x : c_.nat_exemptions) {
      const std::string tag = nft::origin_tag(x.origin);
      postrouting_.lines.push_back("# " + tag + " nat (" + interface_text(x.real_interface, Role::NatInside) +
                                   ") 0 access-list " + nft::comment_text(x.acl) + ": never translated");
      const AccessList* acl = find_acl(x.acl);
      if (!acl) {
        postrouting_.lines.push_back("# " + tag + " left out: access-list " + nft::comment_text(x.acl) +
                                     " does not exist");
        continue;
      }
      const auto in_if = resolve(x.real_interface, Role::NatInside, postrouting_, tag);
      if (in_if.empty()) continue;
      const std::string name = chain("nonat:" + x.acl, "nonat_" + x.acl, [&](Chain& ch) {
        ch.lines.push_back("# NAT exemption: a permit line leaves the flow untranslated, a deny line returns");
        acl_rules(ch, *acl, "accept", "return", false);
      });
      postrouting_.lines.push_back(rule({nft::interface_match("iifname", in_if), "jump " + name}, tag));
    }
  }

  struct Target {
    std::string statement;    // "snat to A-B persistent", "snat to A", "masquerade"; "" = nothing to translate to
    std::string description;  // "192.0.2.6-192.0.2.10", "interface"
    std::vector<std::string> notes;
  };

  Target target(const DynamicNat& d, const std::string& tag) {
    if (d.interface_pat) return {"masquerade", "interface", {}};
    std::vector<Ipv4Range> ranges = d.mapped_ranges;
    if (ranges.empty() && !d.nat_pool.empty()) {
      if (auto it = c_.nat_pools.find(d.nat_pool); it != c_.nat_pools.end()) ranges.push_back(it->second.range);
    }
    if (ranges.empty()) return {"", "(no global address)", {"# " + tag + " left out: no global address for it"}};
    auto chosen = std::find_if(ranges.begin(), ranges.end(), [](const Ipv4Range& r) { return r.size() > 1; });
    if (chosen == ranges.end()) chosen = ranges.begin();
    Target t;
    for (auto it = ranges.begin(); it != ranges.end(); ++it)
      if (it != chosen)
        t.notes.push_back("# " + tag + " global " + range_text(*it) + " not used (one range per rule; " +
                          range_text(*chosen) + " translates ports when hosts share an address)");
    add_mapped(*chosen, tag + " global");
    t.statement =
        chosen->size() > 1 ? "snat to " + range_text(*chosen) + " persistent" : "snat to " + chosen->first.str();
    t.description = range_text(*chosen);
    return t;
  }

  // The statement as the dialect writes it, e.g. `nat (inside) 1 0.0.0.0/0, global (outside) 1 192.0.2.6-...`.
  std::string dynamic_text(const DynamicNat& d, const std::string& mapped) const {
    if (c_.dialect == config::Dialect::Pix) {
      const std::string id = std::to_string(d.id);
      const std::string selector = d.network        ? (d.network->mask.value == 0 ? "0.0.0.0/0" : d.network->str())
                                   : !d.acl.empty() ? "access-list " + d.acl
                                                    : "route-map " + d.route_map;
      return "nat (" + d.real_interface + ") " + id + " " + selector + ", global (" + d.mapped_interface + ") " + id +
             " " + mapped;
    }
    std::string t = "ip nat inside source ";
    if (d.network) t += d.network->str() + " ";
    if (!d.acl.empty()) t += "list " + d.acl + " ";
    if (!d.route_map.empty()) t += "route-map " + d.route_map + " ";
    if (d.interface_pat) return t + "interface " + d.mapped_interface + " overload";
    return t + (d.nat_pool.empty() ? "" : "pool " + d.nat_pool + " ") + mapped + (d.overload ? " overload" : "");
  }

  void dynamic(const DynamicNat& d, size_t index) {
    const std::string tag = nft::origin_tag(d.origin);
    const Target t = target(d, tag);
    postrouting_.lines.push_back("# " + tag + " " + nft::comment_text(dynamic_text(d, t.description)));
    for (const auto& n : t.notes) postrouting_.lines.push_back(n);
    if (t.statement.empty()) return;
    const auto in_if = resolve(d.real_interface, Role::NatInside, postrouting_, tag);
    const auto out_if = resolve(d.mapped_interface, Role::NatOutside, postrouting_, tag);
    if (in_if.empty() || out_if.empty()) return;
    const std::string ifs = rule({nft::interface_match("iifname", in_if), nft::interface_match("oifname", out_if)});
    const std::string translate = "rt ipsec missing " + t.statement;
    const std::string prefix = "snat" + std::to_string(index) + "_";

    if (d.network) {
      postrouting_.lines.push_back(rule({ifs, nft::address_match("ip saddr", *d.network), translate}, tag));
    } else if (!d.acl.empty()) {
      const AccessList* acl = find_acl(d.acl);
      if (!acl) {
        postrouting_.lines.push_back("# " + tag + " left out: access-list " + nft::comment_text(d.acl) +
                                     " does not exist");
        return;
      }
      const std::string name = chain("snat:" + std::to_string(index), prefix + d.acl, [&](Chain& ch) {
        ch.lines.push_back("# dynamic NAT: a permit line translates, a deny line returns untranslated");
        acl_rules(ch, *acl, translate, "return", false);
      });
      postrouting_.lines.push_back(rule({ifs, "jump " + name}, tag));
    } else if (!d.route_map.empty()) {
      route_map(d, ifs, translate, prefix, tag);
    } else {
      postrouting_.lines.push_back(rule({ifs, translate}, tag));
    }
  }

  // IOS route-map: entries in sequence order; an entry matches when one of its ACLs permits the flow (no ACL:
  // every flow); a permit entry translates, a deny entry leaves the flow untranslated; no entry: untranslated.
  void route_map(const DynamicNat& d, const std::string& ifs, const std::string& translate, const std::string& prefix,
                 const std::string& tag) {
    std::vector<const config::RouteMapEntry*> entries;
    for (const auto& e : c_.route_maps)
      if (e.name == d.route_map) entries.push_back(&e);
    std::stable_sort(entries.begin(), entries.end(),
                     [](const auto* a, const auto* b) { return a->sequence < b->sequence; });
    if (entries.empty()) {
      postrouting_.lines.push_back("# " + tag + " left out: route-map " + nft::comment_text(d.route_map) +
                                   " does not exist");
      return;
    }
    for (const auto* e : entries) {
      const std::string etag = nft::origin_tag(e->origin);
      const std::string verdict = e->permit ? translate : "accept";
      postrouting_.lines.push_back("# " + etag + " route-map " + nft::comment_text(e->name) +
                                   (e->permit ? " permit " : " deny ") + std::to_string(e->sequence) +
                                   (e->permit ? "" : ": untranslated"));
      for (const auto& other : e->other_lines)
        postrouting_.lines.push_back("# " + etag + " not used: " + nft::comment_text(other));
      if (e->match_acls.empty()) {
        postrouting_.lines.push_back(rule({ifs, verdict}, etag));
        continue;
      }
      for (const auto& acl_name : e->match_acls) {
        const AccessList* acl = find_acl(acl_name);
        if (!acl) {
          postrouting_.lines.push_back("# " + etag + " left out: access-list " + nft::comment_text(acl_name) +
                                       " does not exist");
          continue;
        }
        const std::string key = "rm:" + prefix + e->name + ":" + std::to_string(e->sequence) + ":" + acl_name;
        const std::string name =
            chain(key, prefix + e->name + "_" + std::to_string(e->sequence) + "_" + acl_name, [&](Chain& ch) {
              ch.lines.push_back(std::string("# route-map ") + nft::comment_text(e->name) + " " +
                                 std::to_string(e->sequence) + ", access-list " + nft::comment_text(acl_name) +
                                 ": a permit line " + (e->permit ? "translates" : "leaves the flow untranslated") +
                                 ", a deny line returns (next ACL or entry)");
              acl_rules(ch, *acl, verdict, "return", false);
            });
        postrouting_.lines.push_back(rule({ifs, "jump " + name}, etag));
      }
    }
  }

  // PIX order: exemption, static, dynamic.
  void source_nat() {
    exemptions();
    static_snats();
    for (size_t k = 0; k < c_.dynamic_nats.size(); ++k) dynamic(c_.dynamic_nats[k], k + 1);
  }

  // ---- forward filter ---------------------------------------------------------------------------------------

  void filter() {
    forward_.lines.push_back("ct state established,related accept");
    forward_.lines.push_back("ct state invalid drop");
    if (c_.sysopt_permit_ipsec)
      forward_.lines.push_back("meta ipsec exists accept comment \"sysopt connection permit-ipsec\"");

    // The last inbound access-group of an interface is the one in force (a PIX replaces the earlier one).
    std::map<std::string, const config::AccessGroup*> groups;
    std::vector<std::string> order;
    for (const auto& g : c_.access_groups) {
      const std::string tag = nft::origin_tag(g.origin);
      if (!g.inbound) {
        forward_.lines.push_back("# " + tag + " not used: access-group " + nft::comment_text(g.acl) +
                                 " out interface " + nft::comment_text(g.interface));
        continue;
      }
      if (!groups.count(g.interface)) order.push_back(g.interface);
      groups[g.interface] = &g;
    }
    for (const auto& ifname : order) {
      const auto& g = *groups[ifname];
      const std::string tag = nft::origin_tag(g.origin);
      forward_.lines.push_back("# " + tag + " access-group " + nft::comment_text(g.acl) + " in interface " +
                               nft::comment_text(g.interface));
      const AccessList* acl = find_acl(g.acl);
      if (!acl) {
        forward_.lines.push_back("# " + tag + " left out: access-list " + nft::comment_text(g.acl) + " does not exist");
        continue;
      }
      const auto in_if = resolve(g.interface, Role::NatInside, forward_, tag);
      if (in_if.empty()) continue;
      const std::string name = chain("acl:" + g.acl, "acl_" + g.acl, [&](Chain& ch) {
        ch.lines.push_back("# access-list " + nft::comment_text(g.acl) +
                           ": first match decides; destinations as translated or as sent");
        acl_rules(ch, *acl, "accept", "drop", true);
        ch.lines.push_back("drop comment \"access-list " + nft::identifier(g.acl) + ": implicit deny\"");
      });
      forward_.lines.push_back(rule({nft::interface_match("iifname", in_if), "jump " + name}, tag));
    }

    // Security levels, for interfaces without an access-group: new connections from a higher to a lower level.
    std::vector<const config::Interface*> leveled;
    for (const auto& i : c_.interfaces)
      if (i.security_level && linux_name(i.name)) leveled.push_back(&i);
    bool said = false;
    for (const auto* from : leveled) {
      if (groups.count(from->name)) continue;
      std::vector<std::string> lower;
      std::string names;
      for (const auto* to : leveled) {
        if (*to->security_level >= *from->security_level) continue;
        lower.push_back(*linux_name(to->name));
        names += (names.empty() ? "" : ", ") + to->name;
      }
      if (lower.empty()) continue;
      if (!said) forward_.lines.push_back("# security levels: higher to lower accepted, the rest dropped");
      said = true;
      forward_.lines.push_back(
          rule({nft::interface_match("iifname", {*linux_name(from->name)}), nft::interface_match("oifname", lower),
                "accept"},
               "security " + from->name + " " + std::to_string(*from->security_level) + " to " + names));
    }
  }

  // ---- proxy ARP --------------------------------------------------------------------------------------------

  void proxy_arp() {
    const auto ike = ike_interfaces();
    std::set<std::pair<std::string, Ipv4>> seen;
    for (const auto& [pool_name, pool] : c_.pools) {
      uint64_t count = 0;
      bool capped = false;
      for (const auto& i : c_.interfaces) {
        if (!i.address || std::find(ike.begin(), ike.end(), i.name) != ike.end()) continue;
        const auto& off = c_.noproxyarp_interfaces;
        if (std::find(off.begin(), off.end(), i.name) != off.end()) continue;
        const auto l = linux_name(i.name);
        if (!l) continue;
        const uint32_t net_first = i.address->address.value & i.address->mask.value;
        const uint32_t net_last = net_first | ~i.address->mask.value;
        for (const auto& r : pool.ranges) {
          const uint64_t first = std::max(r.first.value, net_first);
          const uint64_t last = std::min(r.last.value, net_last);
          std::optional<Ipv4Range> added;
          uint64_t n = 0;
          for (uint64_t a = first; a <= last && !capped; ++a) {
            const Ipv4 address{uint32_t(a)};
            if (address == i.address->address || !seen.insert({*l, address}).second) continue;
            if (count == kMaxAddressesPerBlock) {
              capped = true;
              break;
            }
            proxy_arp_.push_back({*l, address});
            ++count;
            ++n;
            if (!added) added = Ipv4Range{address, address};
            added->last = address;
          }
          if (added)
            notes_.push_back("# Proxy ARP on " + *l + " (" + nft::comment_text(i.name) + ") for pool " +
                             nft::comment_text(pool_name) + ": " + range_text(*added) + " (" + std::to_string(n) +
                             (n == 1 ? " address)" : " addresses)"));
        }
      }
      if (capped)
        notes_.push_back("# Pool " + nft::comment_text(pool_name) + ": more than " +
                         std::to_string(kMaxAddressesPerBlock) + " addresses inside interface subnets; proxy ARP " +
                         "for the first " + std::to_string(kMaxAddressesPerBlock) + " only, the rest left out.");
    }
  }

  // ---- input ------------------------------------------------------------------------------------------------

  void input() {
    mapped_elements_ = subtract(merge(mapped_ranges_), interface_addresses_);
    if (!mapped_elements_.empty())
      input_.lines.push_back("ip daddr @mapped drop comment \"static/global address, not translated\"");
    std::vector<std::string> ike_linux;
    std::string names;
    for (const auto& n : ike_interfaces()) {
      if (auto l = linux_name(n)) {
        ike_linux.push_back(*l);
        names += (names.empty() ? "" : ", ") + n;
      } else {
        input_.lines.push_back("# IKE on " + nft::comment_text(n) + " left out: no Linux interface");
      }
    }
    if (ike_linux.empty()) return;
    input_.lines.push_back("# IKE and ESP on " + nft::comment_text(names) + " (isakmp enable / crypto map interface)");
    const std::string iif = nft::interface_match("iifname", ike_linux);
    input_.lines.push_back(iif + " udp dport { 500, 4500 } accept comment \"IKE, NAT-T\"");
    input_.lines.push_back(iif + " ip protocol esp accept comment \"ESP\"");
  }

  // ---- text -------------------------------------------------------------------------------------------------

  static void print_chain(std::ostringstream& out, const Chain& ch) {
    out << "\n\tchain " << ch.name << " {\n";
    if (!ch.base.empty()) out << "\t\t" << ch.base << "\n";
    for (const auto& l : ch.lines) out << "\t\t" << l << "\n";
    out << "\t}\n";
  }

  std::string assemble() const {
    std::ostringstream out;
    for (const auto& n : notes_) out << n << "\n";
    out << "table " << kTableFamily << " " << kTableName << "\n";
    out << "delete table " << kTableFamily << " " << kTableName << "\n";
    out << "table " << kTableFamily << " " << kTableName << " {";
    if (!mapped_elements_.empty()) {
      out << "\n\t# static and global addresses: the box answers ARP for them (local routes)\n";
      out << "\tset mapped {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = { ";
      for (size_t k = 0; k < mapped_elements_.size(); ++k) out << (k ? ", " : "") << range_text(mapped_elements_[k]);
      out << " }\n\t}\n";
    }
    for (const Chain* ch : {&input_, &prerouting_, &postrouting_, &forward_}) print_chain(out, *ch);
    for (const auto& ch : chains_) print_chain(out, ch);
    out << "}\n";
    return out.str();
  }

  const Config& c_;
  const InterfaceNames& names_;
  std::vector<std::string> notes_;
  std::vector<const config::Interface*> unmapped_;
  std::set<Ipv4> interface_addresses_;
  std::vector<Ipv4Range> mapped_ranges_;
  std::vector<Ipv4Range> mapped_elements_;
  std::set<Ipv4> mapped_set_;
  std::vector<kernel::ProxyNeighbour> proxy_arp_;
  Chain input_, prerouting_, postrouting_, forward_;
  std::vector<Chain> chains_;
  std::map<std::string, size_t> chain_by_key_;
  std::set<std::string> taken_{"input", "prerouting", "postrouting", "forward"};
};

}  // namespace

kernel::FirewallState build_firewall(const config::Config& config, const InterfaceNames& names) {
  return Builder(config, names).build();
}

}  // namespace ravpn::firewall
