// Native format, users and AAA: [user.NAME], [aaa], [aaa.authentication_login], [aaa.authorization_network],
// [[aaa.server]], [aaa.accounting].
#include "daemon/config/native_reader.hpp"
#include "daemon/config/native_values.hpp"

namespace ravpn::config::native {
namespace {

void read_user(Fields f, const std::string& name, Config& cfg) {
  LocalUser u;
  u.name = name;
  u.origin = f.origin();
  std::optional<int> masked_line;
  if (auto s = f.secret("password")) {
    if (s->masked) masked_line = s->line;
    else u.password = s->value;
  }
  bool has_hash = false;
  if (auto s = f.secret("password_hash")) {
    has_hash = true;
    if (s->masked) masked_line = s->line;
    else u.password_hash = s->value;
  }
  if (auto v = f.one_of("hash", {"md5-crypt", "pix-md5"})) u.hash_kind = *parse_hash_kind(*v);
  if (has_hash != (f.has("hash"))) f.error(f.line(), "user " + name + ": password_hash and hash go together");
  f.finish();
  if (masked_line) f.error(*masked_line, masked_password_message(name));
  cfg.users[name] = std::move(u);
}

void read_lists(Fields& aaa, std::string_view key, std::map<std::string, AaaList>& out) {
  const toml::table* t = aaa.table(key);
  if (!t) return;
  Fields f = aaa.sub(*t, "aaa." + std::string(key), "aaa." + std::string(key));
  for (const auto& [k, v] : *t) {
    std::string name(k.str());
    auto methods = f.names(name);
    if (!methods) continue;
    if (!valid_name(name) || methods->empty()) {
      f.error(int(k.source().begin.line), "aaa." + std::string(key) + ": list '" + name + "' needs a name and methods");
      continue;
    }
    out[name] = AaaList{name, std::move(*methods), f.origin_of(name)};
  }
  f.finish();
}

// [aaa.xauth_throttle]: ravpn's own (Cisco 12.x / PIX 6.x had no Xauth lockout); on by default.
void read_throttle(Fields f, XauthThrottle& t) {
  f.read("enabled", t.enabled);
  if (auto v = f.number("max_delay_seconds", 0, 3600)) t.max_delay_seconds = uint32_t(*v);
  if (auto v = f.number("lockout_failures", 1, 1000)) t.lockout_failures = uint32_t(*v);
  if (auto v = f.number("lockout_seconds", 1, 86400)) t.lockout_seconds = uint32_t(*v);
  f.finish();
}

void read_server(Fields f, Config& cfg) {
  AaaServer s;
  s.origin = f.origin();
  bool ok = f.require("protocol") & f.require("host");
  f.read_name("tag", s.tag);
  if (auto v = f.one_of("protocol", {"radius", "tacacs+", "local"})) s.protocol = *v;
  else ok = false;
  f.read_name("interface", s.interface_name);
  if (auto v = f.address("host")) s.host = *v;
  else ok = false;
  if (auto k = f.secret("key")) {
    s.key = k->value;
    s.key_masked = k->masked;
  }
  if (auto v = f.number("auth_port", 0, 65535)) s.auth_port = uint16_t(*v);
  if (auto v = f.number("acct_port", 0, 65535)) s.acct_port = uint16_t(*v);
  f.read("timeout_seconds", s.timeout_seconds, 1, 3600);
  // TACACS+ only: "ascii" (the default, the login a Cisco box runs) or "pap".
  if (auto v = f.one_of("login", {"ascii", "pap"})) s.tacacs_login = *v == "pap" ? "pap" : "";
  f.finish();
  if (ok) cfg.aaa_servers.push_back(std::move(s));
}

// [aaa.accounting]: servers = TAG (an aaa.server tag, "radius" or "tacacs+"), interim_seconds = N.
void read_accounting(Fields f, AaaAccounting& a) {
  a.origin = f.origin();
  f.require("servers");
  f.read("servers", a.servers);
  f.read("interim_seconds", a.interim_seconds, 1, 7 * 86400);
  f.finish();
}

}  // namespace

std::string masked_password_message(const std::string& user) {
  return "password of user " + user + " is masked and no secrets file supplied it";
}

void read_aaa(Fields& root, Config& cfg) {
  for (const auto& u : root.named_tables("user"))
    read_user(root.sub(*u.tables.front(), std::string(kUserSection), "user." + u.name), u.name, cfg);
  const toml::table* t = root.table("aaa");
  if (!t) return;
  Fields f = root.sub(*t, "aaa", "aaa");
  f.read("new_model", cfg.aaa_new_model);
  read_lists(f, "authentication_login", cfg.aaa_authentication_login);
  read_lists(f, "authorization_network", cfg.aaa_authorization_network);
  for (const toml::table* s : f.tables("server")) read_server(f.sub(*s, "aaa.server", "aaa.server"), cfg);
  if (const toml::table* ac = f.table("accounting"))
    read_accounting(f.sub(*ac, "aaa.accounting", "aaa.accounting"), cfg.aaa_accounting);
  if (const toml::table* th = f.table("xauth_throttle"))
    read_throttle(f.sub(*th, "aaa.xauth_throttle", "aaa.xauth_throttle"), cfg.xauth_throttle);
  f.finish();
}

}  // namespace ravpn::config::native
