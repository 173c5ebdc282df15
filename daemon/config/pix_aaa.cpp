// PIX AAA: `aaa-server` tags and hosts, local `username`s, and the `aaa authentication|accounting|authorization`
// lines (cut-through proxy for traffic through the box, which ravpn does not do; cisco-config.md "AAA").
#include <algorithm>

#include "daemon/config/pix_reader.hpp"

namespace ravpn::config::detail {
namespace {

using Table = CommandTable<PixState>;

// PIX 6.3 predefines these tags (`aaa-server TACACS+ protocol tacacs+`, ...).
std::optional<std::string> predefined_protocol(const std::string& tag) {
  if (tag == "TACACS+") return "tacacs+";
  if (tag == "RADIUS") return "radius";
  if (tag == "LOCAL") return "local";
  return std::nullopt;
}

// aaa-server TAG protocol P | aaa-server TAG [(IF)] host A [KEY] [timeout S] | aaa-server TAG max-failed-attempts N
void aaa_server(PixState& st, Args& a) {
  std::string tag = a.word("server tag");
  if (a.accept("protocol")) {
    auto protocol = a.keyword("protocol", {"tacacs+", "radius", "local"});
    a.end();
    st.aaa_protocols[tag] = protocol;
    return;
  }
  if (a.peek() == "max-failed-attempts" || a.peek() == "deadtime") {
    std::string what = a.word("option");
    a.number(what, 0, 1440);
    a.end();
    st.rep.partial(a.number(), "aaa-server", what + " is not used; every server is asked in turn", redact(a.line()));
    return;
  }
  AaaServer s;
  s.tag = tag;
  if (a.peek().starts_with("(")) s.interface_name = parenthesized_name(a);  // a secrets file repeats this line
  if (!a.accept("host")) a.fail(a.done() ? "missing 'host' or 'protocol'" : "expected 'host' or 'protocol'");
  s.host = pix_address(st, a, "server address");
  if (!a.done() && a.peek() != "timeout") {
    s.key = a.secret("server key");
    s.key_masked = is_masked(s.key);
  }
  if (a.accept("timeout")) s.timeout_seconds = a.number("timeout", 1, 1000);
  a.end();
  s.origin = st.origin(a);
  auto& servers = st.cfg.aaa_servers;
  auto same = std::find_if(servers.begin(), servers.end(),
                           [&](const AaaServer& o) { return o.tag == s.tag && o.host == s.host; });
  if (same != servers.end()) *same = std::move(s);
  else servers.push_back(std::move(s));
}

// aaa-server radius-authport N / radius-acctport N: ports of every RADIUS server (default 1645 / 1646).
void radius_authport(PixState& st, Args& a) {
  st.radius_authport = uint16_t(a.number("RADIUS authentication port", 1, 65535));
  a.end();
}
void radius_acctport(PixState& st, Args& a) {
  st.radius_acctport = uint16_t(a.number("RADIUS accounting port", 1, 65535));
  a.end();
}

// username U {nopassword | password P [encrypted | nt-encrypted]} [privilege N]
void username(PixState& st, Args& a) {
  LocalUser u;
  u.name = a.word("user name");
  u.origin = st.origin(a);
  bool nt = false;
  if (a.accept("password")) {
    std::string password = a.secret("password");
    if (a.accept("encrypted")) {
      u.password_hash = password;  // PIX-MD5, checkable because Xauth delivers the clear password
      u.hash_kind = LocalUser::HashKind::PixMd5;
    } else if (a.accept("nt-encrypted")) {
      nt = true;
    } else {
      u.password = password;
    }
  } else if (!a.accept("nopassword")) {
    a.fail(a.done() ? "missing 'password' or 'nopassword'" : "expected 'password' or 'nopassword'");
  }
  if (a.accept("privilege")) a.number("privilege level", 0, 15);
  a.end();
  if (nt) st.rep.partial(a.number(), "username", "nt-encrypted passwords cannot be checked; user " + u.name + " cannot log in");
  st.cfg.users[u.name] = std::move(u);
}

// aaa accounting include|exclude SERVICE IF|inbound|outbound L_IP L_MASK [F_IP F_MASK] TAG, aaa accounting match ACL
// IF TAG. The PIX accounted each connection through it; ravpn accounts each VPN session (the Xauth
// user's tunnel: Start, Interim-Update, Stop with the pool address and bytes), which is what a PIX with
// `sysopt connection permit-ipsec` reports for Xauth users (seed 003). The service and address match are not used.
void accounting(PixState& st, Args& a) {
  const std::string how = a.keyword("include, exclude or match", {"include", "exclude", "match"});
  if (how == "exclude") {
    a.remaining();
    st.rep.partial(a.number(), "aaa accounting exclude", "ravpn accounts every VPN session; exclusions are not used");
    return;
  }
  const std::string what = a.word(how == "match" ? "access list" : "service");
  a.word("interface or direction");  // 6.x: the interface; older releases and seed 003: inbound|outbound
  std::vector<std::string> rest;
  while (!a.done()) rest.push_back(a.word("address, mask or server tag"));
  const bool addressed = how == "include" ? rest.size() == 3 || rest.size() == 5 : rest.size() == 1;
  if (!addressed) a.fail("expected local address and mask, optionally foreign address and mask, then the server tag");
  bool everything = how == "include" && (what == "any" || what == "0");
  for (size_t i = 0; i + 1 < rest.size(); ++i) everything = everything && (rest[i] == "0" || rest[i] == "0.0.0.0");
  AaaAccounting& acct = st.cfg.aaa_accounting;
  if (acct.servers.empty()) {
    acct.servers = rest.back();
    acct.origin = st.origin(a);
  } else if (acct.servers != rest.back()) {
    st.rep.partial(a.number(), "aaa accounting",
                   "accounting already goes to " + acct.servers + "; ravpn sends records to one server tag");
    return;
  }
  if (!everything)
    st.rep.partial(a.number(), "aaa accounting",
                   "ravpn accounts whole VPN sessions to " + rest.back() + "; the service and address match are not used");
}

}  // namespace

void resolve_pix_aaa(PixState& st) {
  for (auto& s : st.cfg.aaa_servers) {
    if (auto it = st.aaa_protocols.find(s.tag); it != st.aaa_protocols.end()) s.protocol = it->second;
    else if (auto p = predefined_protocol(s.tag)) s.protocol = *p;
    // else: left empty; validate reports a host whose tag has no `protocol` line
    if (s.protocol != "radius") continue;
    if (!s.auth_port) s.auth_port = st.radius_authport;
    if (!s.acct_port) s.acct_port = st.radius_acctport;
  }
}

void add_pix_aaa_commands(Table& top) {
  constexpr std::string_view cut_through =
      "cut-through proxy (authenticating traffic through the box) is not supported; only Xauth users are "
      "authenticated";
  top.handle("aaa-server", aaa_server)
      .handle("aaa-server radius-authport", radius_authport)
      .handle("aaa-server radius-acctport", radius_acctport)
      .handle("username", username)
      .partial("aaa authentication include", cut_through)
      .partial("aaa authentication exclude", cut_through)
      .partial("aaa authentication match", cut_through)
      .ignore("aaa authentication", "console authentication is management, not used by ravpn")
      .handle("aaa accounting", accounting)
      .partial("aaa authorization", "per-connection and command authorization are not implemented")
      .partial("aaa mac-exempt", "MAC-based AAA exemption is not supported")
      .ignore("aaa proxy-limit", "cut-through proxy tuning, not used by ravpn");
}

}  // namespace ravpn::config::detail
