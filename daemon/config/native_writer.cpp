// write_native: the native (TOML) form of a model, whichever dialect it was read from. Sections come in a fixed
// order with a comment each; maps are written in key order, lists in model order, so the same model always gives
// the same text. Origins and diagnostics are not written.
#include "daemon/config/native_values.hpp"
#include "daemon/config/native_writer.hpp"
#include "daemon/config/parse.hpp"

namespace ravpn::config {
namespace native {
namespace {

std::string_view dialect_text(Dialect d) {
  switch (d) {
    case Dialect::Ios: return "IOS running-config";
    case Dialect::Pix: return "PIX running-config";
    case Dialect::Native: return "native configuration";
  }
  return "?";
}

void optional_number(TomlText& out, std::string_view key, const auto& value) {
  if (value) out.number(key, int64_t(*value));
}

void nonempty(TomlText& out, std::string_view key, const std::string& value) {
  if (!value.empty()) out.string(key, value);
}

void addresses(TomlText& out, std::string_view key, const std::vector<Ipv4>& values) {
  if (values.empty()) return;
  std::vector<std::string> text;
  for (auto a : values) text.push_back(a.str());
  out.strings(key, text);
}

void write_group(TomlText& out, const ClientGroup& g, const WriteOptions& options) {
  out.table({"group", g.name});
  if (g.key) out.string("key", secret_text(*g.key, g.key_masked, options));
  nonempty(out, "pool", g.pool);
  addresses(out, "dns", g.dns);
  addresses(out, "wins", g.wins);
  nonempty(out, "domain", g.domain);
  nonempty(out, "split_tunnel_acl", g.split_tunnel_acl);
  if (!g.split_dns.empty()) out.strings("split_dns", g.split_dns);
  if (g.pfs) out.flag("pfs", true);
  optional_number(out, "idle_time", g.idle_time);
  optional_number(out, "max_time", g.max_time);
  nonempty(out, "banner", g.banner);
  if (!g.backup_servers.empty()) out.strings("backup_servers", g.backup_servers);
  nonempty(out, "authentication_server", g.authentication_server);
  optional_number(out, "max_users", g.max_users);
  optional_number(out, "max_logins", g.max_logins);
  if (g.include_local_lan) out.flag("include_local_lan", true);
  if (g.save_password) out.flag("save_password", true);
  out.blank();
}

}  // namespace

std::string secret_text(const std::string& value, bool masked, const WriteOptions& options) {
  return masked || !options.include_secrets ? std::string(kMasked) : value;
}

void write_isakmp(TomlText& out, const Config& c, const WriteOptions& options) {
  out.comment("---- IKE phase 1 --------------------------------------------------------------------------------");
  out.comment("identity: address | hostname | key-id. enable: the interfaces IKE answers on (UDP 500 and 4500).");
  out.table({"isakmp"});
  out.string("identity", c.isakmp_identity);
  out.strings("enable", c.isakmp_enabled_interfaces);
  optional_number(out, "keepalive_seconds", c.dpd_keepalive_seconds);
  optional_number(out, "keepalive_retry_seconds", c.dpd_retry_seconds);
  optional_number(out, "nat_traversal_seconds", c.natt_keepalive_seconds);
  if (c.aggressive_mode_disabled) out.flag("aggressive_mode", false);
  nonempty(out, "client_pool", c.client_config_pool);
  out.blank();
  if (!c.isakmp_policies.empty())
    out.comment("Proposals, lowest priority first. encryption: des 3des aes-128 aes-192 aes-256; hash: md5 sha1\n"
                "sha256 sha384 sha512; authentication: pre-share rsa-sig rsa-encr; group: Diffie-Hellman group;\n"
                "lifetime: seconds.");
  for (const auto& p : c.isakmp_policies) {
    out.array_table({"isakmp", "policy"});
    out.number("priority", p.priority);
    out.string("encryption", cipher_text(p.cipher));
    out.string("hash", hash_text(p.hash));
    out.string("authentication", auth_text(p.auth));
    out.number("group", p.dh_group);
    out.number("lifetime", p.lifetime_seconds);
    out.blank();
  }
  if (!c.isakmp_keys.empty()) out.comment("Pre-shared keys by peer network (main mode); the longest match wins.");
  for (const auto& k : c.isakmp_keys) {
    out.array_table({"isakmp", "key"});
    out.string("peer", net_text(k.peer));
    out.string("key", secret_text(k.key, k.masked, options));
    if (k.no_xauth) out.flag("no_xauth", true);
    if (k.no_config_mode) out.flag("no_config_mode", true);
    out.blank();
  }
  if (!(c.admission == AdmissionLimits{})) {
    out.comment("Admission control before any DH (ravpn's own; 0 or absent: sized from the DH threads).");
    out.table({"isakmp", "admission"});
    const AdmissionLimits& a = c.admission;
    for (auto [key, value] : {std::pair{"half_open_per_source", a.half_open_per_source},
                              {"half_open_max", a.half_open_max}, {"dh_queue_new", a.dh_queue_new},
                              {"dh_queue_proven", a.dh_queue_proven},
                              {"fragment_sets_per_source", a.fragment_sets_per_source},
                              {"fragment_bytes_per_source", a.fragment_bytes_per_source},
                              {"fragment_sets_max", a.fragment_sets_max}})
      if (value) out.number(key, value);
    out.blank();
  }
  if (!c.client_groups.empty())
    out.comment("---- Client groups (aggressive mode: the group name is the ID, key its pre-shared key) ----------");
  for (const auto& [name, g] : c.client_groups) write_group(out, g, options);
}

void write_aaa(TomlText& out, const Config& c, const WriteOptions& options) {
  out.comment("---- Users and AAA (Xauth) ----------------------------------------------------------------------");
  if (!c.users.empty()) out.comment("password: clear text; or password_hash with hash = md5-crypt | pix-md5.");
  for (const auto& [name, u] : c.users) {
    out.table({"user", name});
    if (!u.password.empty()) out.string("password", secret_text(u.password, false, options));
    if (!u.password_hash.empty()) out.string("password_hash", secret_text(u.password_hash, false, options));
    if (u.hash_kind != LocalUser::HashKind::None) out.string("hash", hash_kind_text(u.hash_kind));
    out.blank();
  }
  out.comment("Method lists: local, local-case, line, none, radius, tacacs+ or an aaa.server tag, tried in order.");
  out.table({"aaa"});
  out.flag("new_model", c.aaa_new_model);
  out.blank();
  for (auto [key, lists] : {std::pair{"authentication_login", &c.aaa_authentication_login},
                            std::pair{"authorization_network", &c.aaa_authorization_network}}) {
    if (lists->empty()) continue;
    out.table({"aaa", key});
    for (const auto& [name, l] : *lists) out.strings(name, l.methods);
    out.blank();
  }
  for (const auto& s : c.aaa_servers) {
    out.array_table({"aaa", "server"});
    nonempty(out, "tag", s.tag);
    out.string("protocol", s.protocol);
    nonempty(out, "interface", s.interface_name);
    out.string("host", s.host.str());
    if (!s.key.empty() || s.key_masked) out.string("key", secret_text(s.key, s.key_masked, options));
    optional_number(out, "auth_port", s.auth_port);
    optional_number(out, "acct_port", s.acct_port);
    optional_number(out, "timeout_seconds", s.timeout_seconds);
    nonempty(out, "login", s.tacacs_login);
    out.blank();
  }
  if (!c.aaa_accounting.servers.empty()) {
    out.comment("Accounting of VPN sessions (Start, Interim-Update, Stop): servers = an aaa.server tag, radius or tacacs+.");
    out.table({"aaa", "accounting"});
    out.string("servers", c.aaa_accounting.servers);
    optional_number(out, "interim_seconds", c.aaa_accounting.interim_seconds);
    out.blank();
  }
  const XauthThrottle& t = c.xauth_throttle;
  const XauthThrottle defaults;
  if (t.enabled != defaults.enabled || t.max_delay_seconds != defaults.max_delay_seconds ||
      t.lockout_failures != defaults.lockout_failures || t.lockout_seconds != defaults.lockout_seconds) {
    out.table({"aaa", "xauth_throttle"});
    out.flag("enabled", t.enabled);
    out.number("max_delay_seconds", t.max_delay_seconds);
    out.number("lockout_failures", t.lockout_failures);
    out.number("lockout_seconds", t.lockout_seconds);
    out.blank();
  }
}

void write_ipsec(TomlText& out, const Config& c) {
  out.comment("---- IPsec (phase 2) ----------------------------------------------------------------------------");
  if (c.ipsec_lifetime_seconds || c.ipsec_lifetime_kilobytes) {
    out.comment("Global SA lifetimes.");
    out.table({"ipsec"});
    optional_number(out, "lifetime_seconds", c.ipsec_lifetime_seconds);
    optional_number(out, "lifetime_kilobytes", c.ipsec_lifetime_kilobytes);
    out.blank();
  }
  if (!c.transform_sets.empty())
    out.comment("transforms as IOS writes them: esp-des esp-3des \"esp-aes 256\" esp-md5-hmac esp-sha-hmac ...");
  for (const auto& [name, t] : c.transform_sets) {
    out.table({"transform_set", name});
    out.strings("transforms", t.transforms);
    out.string("mode", t.mode);
    out.blank();
  }
  if (!c.dynamic_maps.empty()) out.comment("Dynamic crypto maps: what a client may propose, by sequence.");
  for (const auto& d : c.dynamic_maps) {
    out.array_table({"dynamic_map", d.name});
    out.number("sequence", d.sequence);
    out.strings("transform_sets", d.transform_sets);
    nonempty(out, "match_acl", d.match_acl);
    optional_number(out, "pfs_group", d.pfs_group);
    optional_number(out, "lifetime_seconds", d.lifetime_seconds);
    optional_number(out, "lifetime_kilobytes", d.lifetime_kilobytes);
    out.blank();
  }
  if (!c.crypto_maps.empty())
    out.comment("Crypto maps: client_authentication turns Xauth on (an aaa list or server tag); an interface's\n"
                "crypto_maps say where a map is applied.");
  for (const auto& [name, m] : c.crypto_maps) {
    out.table({"crypto_map", name});
    if (m.client_authentication) out.string("client_authentication", *m.client_authentication);
    if (m.isakmp_authorization) out.string("isakmp_authorization", *m.isakmp_authorization);
    if (m.config_initiate) out.flag("config_initiate", true);
    if (m.config_respond) out.flag("config_respond", true);
    out.blank();
    for (const auto& e : m.entries) {
      out.array_table({"crypto_map", name, "entry"});
      out.number("sequence", e.sequence);
      out.string("dynamic_map", e.dynamic_map);
      out.blank();
    }
  }
}

}  // namespace native

std::string write_native(const Config& c, bool include_secrets) {
  native::WriteOptions options{include_secrets};
  native::TomlText out;
  out.comment("ravpn native configuration (TOML); see ravpn-convert(8) for every key.");
  out.comment("Converted from " + c.source + " (" + std::string(native::dialect_text(c.dialect)) + ").");
  out.comment(include_secrets ? "This file holds secrets: keep it mode 0600."
                              : "Secrets are written \"********\": a secrets file (--secrets) must supply them.");
  out.blank();
  if (!c.hostname.empty()) {
    out.string("hostname", c.hostname);
    out.blank();
  }
  native::write_isakmp(out, c, options);
  native::write_aaa(out, c, options);
  native::write_ipsec(out, c);
  native::write_network(out, c);
  native::write_filter(out, c);
  native::write_nat(out, c);
  return out.take();
}

}  // namespace ravpn::config
