// Native format, phase 1: [isakmp], [[isakmp.policy]], [[isakmp.key]], [group.NAME].
#include <algorithm>

#include "daemon/config/native_reader.hpp"
#include "daemon/config/native_values.hpp"

namespace ravpn::config::native {
namespace {

void read_policy(Fields f, Config& cfg) {
  IsakmpPolicy p;
  p.origin = f.origin();
  bool ok = f.require("priority");
  if (auto v = f.number("priority", 1, 65535)) p.priority = int(*v);
  else ok = false;
  if (auto v = f.one_of("encryption", {"des", "3des", "aes-128", "aes-192", "aes-256"})) p.cipher = *parse_cipher(*v);
  if (auto v = f.one_of("hash", {"md5", "sha1", "sha256", "sha384", "sha512"})) p.hash = *parse_hash(*v);
  if (auto v = f.one_of("authentication", {"pre-share", "rsa-sig", "rsa-encr"})) p.auth = *parse_auth(*v);
  if (auto v = f.number("group", 1, 32)) p.dh_group = int(*v);
  if (auto v = f.number("lifetime", 60, UINT32_MAX)) p.lifetime_seconds = uint32_t(*v);
  f.finish();
  if (!ok) return;
  auto same = std::find_if(cfg.isakmp_policies.begin(), cfg.isakmp_policies.end(),
                           [&](const IsakmpPolicy& o) { return o.priority == p.priority; });
  if (same != cfg.isakmp_policies.end()) {
    f.error(p.origin.line, "isakmp policy priority " + std::to_string(p.priority) + " is also at line " +
                               std::to_string(same->origin.line));
    return;
  }
  cfg.isakmp_policies.push_back(std::move(p));
}

void read_key(Fields f, Config& cfg) {
  PresharedKey k;
  k.origin = f.origin();
  bool ok = f.require("peer") & f.require("key");
  if (auto v = f.network("peer")) k.peer = *v;
  else ok = false;
  if (auto s = f.secret("key")) {
    k.key = s->value;
    k.masked = s->masked;
  } else {
    ok = false;
  }
  f.read("no_xauth", k.no_xauth);
  f.read("no_config_mode", k.no_config_mode);
  f.finish();
  if (ok) cfg.isakmp_keys.push_back(std::move(k));
}

void read_group(Fields f, const std::string& name, Config& cfg) {
  ClientGroup g;
  g.name = name;
  g.origin = f.origin();
  if (auto s = f.secret("key")) {
    g.key = s->value;
    g.key_masked = s->masked;
    g.key_origin = f.origin_at(s->line);
  }
  f.read_name("pool", g.pool);
  if (auto v = f.addresses("dns")) g.dns = *v;
  if (auto v = f.addresses("wins")) g.wins = *v;
  f.read("domain", g.domain);
  f.read_name("split_tunnel_acl", g.split_tunnel_acl);
  f.read("split_dns", g.split_dns);
  f.read("pfs", g.pfs);
  f.read("idle_time", g.idle_time, 1);
  f.read("max_time", g.max_time, 1);
  f.read("banner", g.banner);
  f.read("backup_servers", g.backup_servers);
  f.read_name("authentication_server", g.authentication_server);
  f.read("max_users", g.max_users, 1, 65535);
  f.read("max_logins", g.max_logins, 1, 10);
  f.read("include_local_lan", g.include_local_lan);
  f.read("save_password", g.save_password);
  f.finish();
  cfg.client_groups[name] = std::move(g);
}

}  // namespace

// [isakmp.admission]: ravpn's own admission control (model.hpp AdmissionLimits); every key optional.
void read_admission(Fields f, AdmissionLimits& a) {
  if (auto v = f.number("half_open_per_source", 1, 10000)) a.half_open_per_source = uint32_t(*v);
  if (auto v = f.number("half_open_max", 1, 1000000)) a.half_open_max = uint32_t(*v);
  if (auto v = f.number("dh_queue_new", 1, 100000)) a.dh_queue_new = uint32_t(*v);
  if (auto v = f.number("dh_queue_proven", 1, 100000)) a.dh_queue_proven = uint32_t(*v);
  if (auto v = f.number("fragment_sets_per_source", 1, 256)) a.fragment_sets_per_source = uint32_t(*v);
  if (auto v = f.number("fragment_bytes_per_source", 1024, 16 * 1024 * 1024)) a.fragment_bytes_per_source = uint32_t(*v);
  if (auto v = f.number("fragment_sets_max", 1, 100000)) a.fragment_sets_max = uint32_t(*v);
  f.finish();
}

void read_isakmp(Fields& root, Config& cfg) {
  if (const toml::table* t = root.table("isakmp")) {
    Fields f = root.sub(*t, "isakmp", "isakmp");
    if (auto v = f.one_of("identity", {"address", "hostname", "key-id"})) cfg.isakmp_identity = *v;
    f.read("enable", cfg.isakmp_enabled_interfaces);
    f.read("keepalive_seconds", cfg.dpd_keepalive_seconds, 1, 86400);
    f.read("keepalive_retry_seconds", cfg.dpd_retry_seconds, 1, 3600);
    f.read("nat_traversal_seconds", cfg.natt_keepalive_seconds, 1, 3600);
    if (auto v = f.flag("aggressive_mode")) cfg.aggressive_mode_disabled = !*v;
    if (auto v = f.name("client_pool")) {
      cfg.client_config_pool = *v;
      cfg.client_config_pool_origin = f.origin_of("client_pool");
    }
    for (const toml::table* p : f.tables("policy")) read_policy(f.sub(*p, "isakmp.policy", "isakmp.policy"), cfg);
    for (const toml::table* k : f.tables("key")) read_key(f.sub(*k, "isakmp.key", "isakmp.key"), cfg);
    if (const toml::table* a = f.table("admission"))
      read_admission(f.sub(*a, "isakmp.admission", "isakmp.admission"), cfg.admission);
    f.finish();
    std::sort(cfg.isakmp_policies.begin(), cfg.isakmp_policies.end(),
              [](const IsakmpPolicy& a, const IsakmpPolicy& b) { return a.priority < b.priority; });
  }
  for (const auto& g : root.named_tables("group"))
    read_group(root.sub(*g.tables.front(), "group", "group." + g.name), g.name, cfg);
}

}  // namespace ravpn::config::native
