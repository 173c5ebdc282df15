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
      .partial("aaa accounting", "per-connection accounting is not implemented")
      .partial("aaa authorization", "per-connection and command authorization are not implemented")
      .partial("aaa mac-exempt", "MAC-based AAA exemption is not supported")
      .ignore("aaa proxy-limit", "cut-through proxy tuning, not used by ravpn");
}

}  // namespace ravpn::config::detail
