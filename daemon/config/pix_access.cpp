// PIX filtering: `access-list` (netmasks, names), `access-group ACL in interface IF`, and the older forms ravpn
// does not apply (`conduit`, `outbound`/`apply`; cisco-config.md "NAT and filtering").
#include <algorithm>

#include "daemon/config/acl_match.hpp"
#include "daemon/config/pix_reader.hpp"

namespace ravpn::config::detail {
namespace {

using Table = CommandTable<PixState>;

// access-list ID [line N] [extended] permit|deny PROTO SRC [PORTS] DST [PORTS] [ICMP-TYPE] [log ...]
// access-list ID remark TEXT
void access_list(PixState& st, Args& a) {
  std::string id = a.word("access-list id");
  if (a.accept("line")) a.number("line number", 1, 1000000);
  a.accept("extended");
  auto action = a.keyword("ACL action", {"permit", "deny", "remark", "compiled"});
  if (action == "remark" || action == "compiled") {
    a.remaining();
    return;
  }
  AclEntry e;
  e.permit = action == "permit";
  if (a.done()) a.fail("missing ACL entry after " + action);
  const auto& words = a.line().words;
  e.text = join(words, words.size() - a.left(), words.size());
  e.origin = st.origin(a);
  auto parsed = read_acl_match(a, AclSyntax{AclMasks::Netmask, false, &st.cfg.names});
  e.match = parsed.match;
  if (!parsed.match)
    st.rep.partial(a.number(), "access-list", parsed.unsupported + "; the line never matches", redact(a.line()));
  auto& acl = st.cfg.access_lists[id];
  acl.name = id;
  acl.entries.push_back(std::move(e));
}

// access-group ACL in interface IF [per-user-override]: the inbound filter of IF.
void access_group(PixState& st, Args& a) {
  AccessGroup g;
  g.acl = a.word("access-list id");
  g.inbound = a.keyword("direction", {"in", "out"}) == "in";
  if (!a.accept("interface")) a.fail("expected 'interface'");
  g.interface = pix_interface(st, a, "interface name");
  bool per_user = a.accept("per-user-override");
  a.end();
  g.origin = st.origin(a);
  if (!g.inbound)
    st.rep.partial(a.number(), "access-group", "outbound interface ACLs are not applied; only `in` filters",
                   redact(a.line()));
  if (per_user)
    st.rep.partial(a.number(), "access-group", "per-user-override is not supported; the interface ACL applies to all",
                   redact(a.line()));
  auto& groups = st.cfg.access_groups;
  auto same = std::find_if(groups.begin(), groups.end(), [&](const AccessGroup& o) {
    return o.interface == g.interface && o.inbound == g.inbound;
  });
  if (same != groups.end()) *same = std::move(g);  // one ACL per interface and direction: the later line wins
  else groups.push_back(std::move(g));
}

}  // namespace

void add_pix_access_commands(Table& top) {
  top.handle("access-list", access_list)
      .ignore("access-list compiled", "TurboACL compilation is not used by ravpn")
      .handle("access-group", access_group)
      .partial("conduit", "conduits are not supported; permit inbound traffic with access-list and access-group")
      .partial("outbound", "outbound lists are not supported; filter with access-list and access-group")
      .partial("apply", "outbound lists are not supported; filter with access-list and access-group")
      .partial("established", "`established` return-connection rules are not supported")
      .partial("object-group", "object groups are not supported; access-list lines using them never match", true);
}

}  // namespace ravpn::config::detail
