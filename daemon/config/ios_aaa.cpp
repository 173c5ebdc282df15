// IOS AAA: `aaa new-model`, method lists, local users, RADIUS / TACACS+ servers.
#include "daemon/config/ios_reader.hpp"
#include "daemon/config/type7.hpp"

namespace ravpn::config::detail {
namespace {

using Table = CommandTable<IosState>;

std::string to_lower_if_global(std::string g) {
  return iequals(g, "radius") || iequals(g, "tacacs+") ? to_lower(g) : g;
}

void new_model(IosState& st, Args& a) {
  a.end();
  st.cfg.aaa_new_model = true;
}

// METHODS: local | local-case | line | enable | none | group NAME | radius | tacacs+ (12.1 also without `group`).
AaaList read_method_list(IosState& st, Args& a) {
  AaaList l;
  l.name = a.word("list name");
  l.origin = st.origin(a);
  if (a.done()) a.fail("missing method");
  while (!a.done()) {
    if (a.accept("group")) {
      l.methods.push_back(to_lower_if_global(a.word("server group")));
    } else {
      l.methods.push_back(a.keyword("method", {"local", "local-case", "line", "enable", "none", "radius",
                                               "tacacs+", "if-authenticated", "krb5"}));
    }
  }
  if (l.methods.size() > 4) a.fail("more than 4 methods");
  return l;
}

void authentication_login(IosState& st, Args& a) {
  auto l = read_method_list(st, a);
  st.cfg.aaa_authentication_login[l.name] = std::move(l);
}

void authorization_network(IosState& st, Args& a) {
  auto l = read_method_list(st, a);
  st.cfg.aaa_authorization_network[l.name] = std::move(l);
}

// username U [privilege N] [nopassword | password [0|7] P | secret [0|5] H]
void username(IosState& st, Args& a) {
  std::string name = a.word("user name");
  auto& u = st.cfg.users[name];
  u.name = name;
  u.origin = st.origin(a);
  while (!a.done()) {
    if (a.accept("privilege")) {
      a.number("privilege level", 0, 15);
    } else if (a.accept("nopassword")) {
      u.password.clear();
    } else if (a.accept("password")) {
      std::string type = "0";
      if ((a.peek() == "0" || a.peek() == "7") && a.left() >= 2) type = a.word("password type");
      if (type == "7") {
        auto plain = decode_type7(a.secret("password"));
        if (!plain) a.fail("bad type 7 password (not an even number of hex digits after a 2-digit offset)");
        u.password = *plain;
      } else {
        u.password = a.rest("password");  // type 0 passwords may hold blanks
      }
      a.end();
    } else if (a.accept("secret")) {
      std::string type = "5";
      if ((a.peek() == "0" || a.peek() == "5") && a.left() >= 2) type = a.word("secret type");
      if (type == "0") {
        u.password = a.rest("secret");
      } else {
        u.password_hash = a.secret("secret");
        u.hash_kind = LocalUser::HashKind::Md5Crypt;
        if (!u.password_hash.starts_with("$1$")) a.fail("bad type 5 secret (expected an md5-crypt $1$... hash)");
      }
      a.end();
    } else {
      st.rep.partial(a.number(), "username", "option '" + std::string(a.peek()) + "' not used");
      a.remaining();
    }
  }
}

// radius-server host A [auth-port N] [acct-port N] [timeout N] [retransmit N] [key [0|7] K]
// tacacs-server host A [port N] [timeout N] [single-connection] [key [0|7] K]
void read_key(Args& a, std::string& key, bool& masked) {
  std::string type = "0";
  if ((a.peek() == "0" || a.peek() == "7") && a.left() >= 2) type = a.word("key type");
  if (type == "7") {
    auto plain = decode_type7(a.secret("key"));
    if (!plain) a.fail("bad type 7 key");
    key = *plain;
  } else {
    key = a.rest("key");  // the rest of the line, blanks included
  }
  masked = is_masked(key);
}

void server_host(IosState& st, Args& a, const std::string& protocol) {
  AaaServer s;
  s.tag = protocol;
  s.protocol = protocol;
  s.host = a.address("server address");
  s.origin = st.origin(a);
  while (!a.done()) {
    if (protocol == "radius" && a.accept("auth-port")) s.auth_port = uint16_t(a.number("auth-port", 0, 65535));
    else if (protocol == "radius" && a.accept("acct-port")) s.acct_port = uint16_t(a.number("acct-port", 0, 65535));
    else if (protocol == "tacacs+" && a.accept("port")) s.auth_port = uint16_t(a.number("port", 1, 65535));
    else if (a.accept("timeout")) s.timeout_seconds = a.number("timeout", 1, 1000);
    else if (protocol == "radius" && a.accept("retransmit")) a.number("retransmit", 0, 100);
    else if (protocol == "tacacs+" && a.accept("single-connection")) continue;
    else if (a.accept("key")) read_key(a, s.key, s.key_masked);
    else a.fail("unknown keyword '" + std::string(a.peek()) + "'");
  }
  for (auto& o : st.cfg.aaa_servers)
    if (o.protocol == protocol && o.host == s.host) {
      o = std::move(s);
      return;
    }
  st.cfg.aaa_servers.push_back(std::move(s));
}

void radius_host(IosState& st, Args& a) { server_host(st, a, "radius"); }
void tacacs_host(IosState& st, Args& a) { server_host(st, a, "tacacs+"); }

void server_key(IosState& st, Args& a, const std::string& protocol) {
  auto& d = st.server_defaults[protocol];
  d.key.emplace();
  read_key(a, *d.key, d.key_masked);
}
void radius_key(IosState& st, Args& a) { server_key(st, a, "radius"); }
void tacacs_key(IosState& st, Args& a) { server_key(st, a, "tacacs+"); }

// aaa group server tacacs+|radius NAME, then ` server IP` lines: the group's hosts, in order.
void group_server_member(IosState& st, Args& a) {
  AaaServer s;
  s.tag = st.server_group;
  s.protocol = st.server_group_protocol;
  s.host = a.address("server address");
  if (!a.done()) st.rep.partial(a.number(), "server", "options after the address are not used; the global host's are");
  a.remaining();
  s.origin = st.origin(a);
  st.group_members.push_back(std::move(s));
}

const Table& group_server_table() {
  static const Table t = Table().handle("server", group_server_member);
  return t;
}

void group_server(IosState& st, Args& a) {
  st.server_group_protocol = a.keyword("server group protocol", {"tacacs+", "radius"});
  st.server_group = a.word("server group name");
  a.end();
  if (iequals(st.server_group, "radius") || iequals(st.server_group, "tacacs+"))
    a.fail("a server group cannot be named " + st.server_group + ": that name means the global servers");
  st.block = {"aaa group server", &group_server_table(), Diagnostic::Kind::Partial, "not used by ravpn"};
}

void radius_timeout(IosState& st, Args& a) {
  st.server_defaults["radius"].timeout = a.number("timeout", 1, 1000);
  a.end();
}
void tacacs_timeout(IosState& st, Args& a) {
  st.server_defaults["tacacs+"].timeout = a.number("timeout", 1, 1000);
  a.end();
}

// aaa accounting network LIST start-stop|stop-only|none [broadcast] group G [group G2]: records of each VPN session
// (the crypto map's `client accounting list`, or the only list) to the servers of G. IOS EzVPN servers account
// network sessions this way; `exec`, `commands`, `connection` and `system` accounting are about the router itself.
void accounting_network(IosState& st, Args& a) {
  const std::string list = a.word("list name");
  const std::string type = a.keyword("record type", {"start-stop", "stop-only", "none", "wait-start"});
  a.accept("broadcast");
  std::vector<std::string> groups;
  while (!a.done()) {
    if (a.accept("group")) groups.push_back(to_lower_if_global(a.word("server group")));
    else groups.push_back(a.keyword("method", {"radius", "tacacs+"}));
  }
  if (type == "none") return;
  if (groups.empty()) a.fail("missing `group radius|tacacs+|NAME`");
  AaaAccounting& acct = st.cfg.aaa_accounting;
  if (!acct.servers.empty()) {
    st.rep.partial(a.number(), "aaa accounting network",
                   "accounting already goes to " + acct.servers + " (list " + st.accounting_list + "); list " + list +
                       " is not used");
    return;
  }
  acct.servers = groups.front();
  acct.origin = st.origin(a);
  st.accounting_list = list;
  if (groups.size() > 1)
    st.rep.partial(a.number(), "aaa accounting network", "only the first group (" + groups.front() + ") is used");
  if (type != "start-stop")
    st.rep.partial(a.number(), "aaa accounting network", type + ": ravpn sends Start and Stop records");
}

// aaa accounting update periodic MINUTES | newinfo [periodic MINUTES]
void accounting_update(IosState& st, Args& a) {
  bool newinfo = a.accept("newinfo");
  if (a.accept("periodic")) st.cfg.aaa_accounting.interim_seconds = a.number("minutes", 1, 71582) * 60;
  else if (!newinfo) a.fail("expected `periodic MINUTES` or `newinfo`");
  if (a.accept("jitter")) {
    a.accept("maximum");
    a.number("jitter", 0, 2147483);
  }
  a.end();
  if (newinfo)
    st.rep.partial(a.number(), "aaa accounting update", "newinfo: ravpn sends interim updates only periodically");
}

}  // namespace

void add_ios_aaa_commands(Table& top) {
  top.handle("aaa new-model", new_model)
      .handle("aaa authentication login", authentication_login)
      .handle("aaa authorization network", authorization_network)
      .handle("aaa group server", group_server)
      .handle("aaa accounting network", accounting_network)
      .handle("aaa accounting update", accounting_update)
      .partial("aaa accounting", "only network (VPN session) accounting is implemented")
      .handle("username", username)
      .handle("radius-server host", radius_host)
      .handle("radius-server key", radius_key)
      .handle("radius-server timeout", radius_timeout)
      .handle("tacacs-server host", tacacs_host)
      .handle("tacacs-server key", tacacs_key)
      .handle("tacacs-server timeout", tacacs_timeout);
}

}  // namespace ravpn::config::detail
