// IOS `crypto ...` commands: ISAKMP policies, keys, Easy VPN groups, transform sets, dynamic and crypto maps.
#include <algorithm>

#include "daemon/config/ios_reader.hpp"
#include "daemon/config/text.hpp"

namespace ravpn::config::detail {
namespace {

using Table = CommandTable<IosState>;
constexpr auto Error = Diagnostic::Kind::Error;
constexpr auto Partial = Diagnostic::Kind::Partial;

// ---- crypto isakmp policy N -----------------------------------------------------------------------------------

void policy_encryption(IosState& st, Args& a) {
  auto c = a.keyword("encryption", {"des", "3des", "aes"});
  if (c == "des") {
    st.policy->cipher = Cipher::Des;
  } else if (c == "3des") {
    st.policy->cipher = Cipher::TripleDes;
  } else {
    uint32_t bits = a.done() ? 128 : a.number("AES key size", 128, 256);
    if (bits == 128) st.policy->cipher = Cipher::Aes128;
    else if (bits == 192) st.policy->cipher = Cipher::Aes192;
    else if (bits == 256) st.policy->cipher = Cipher::Aes256;
    else a.fail("bad AES key size " + std::to_string(bits) + " (expected 128|192|256)");
  }
  a.end();
}

void policy_hash(IosState& st, Args& a) {
  auto h = a.keyword("hash", {"md5", "sha", "sha256", "sha384", "sha512"});
  st.policy->hash = h == "md5"      ? Hash::Md5
                    : h == "sha"    ? Hash::Sha1
                    : h == "sha256" ? Hash::Sha256
                    : h == "sha384" ? Hash::Sha384
                                    : Hash::Sha512;
  a.end();
}

void policy_authentication(IosState& st, Args& a) {
  auto m = a.keyword("authentication method", {"pre-share", "rsa-sig", "rsa-encr"});
  st.policy->auth = m == "pre-share" ? AuthMethod::PreShare : m == "rsa-sig" ? AuthMethod::RsaSig : AuthMethod::RsaEncr;
  if (st.policy->auth != AuthMethod::PreShare)
    st.rep.partial(a.number(), "crypto isakmp policy", "certificate authentication is not supported; policy " +
                                                           std::to_string(st.policy->priority) + " never matches");
  a.end();
}

void policy_group(IosState& st, Args& a) {
  auto g = a.keyword("DH group", {"1", "2", "5", "14", "15"});
  st.policy->dh_group = std::stoi(g);
  a.end();
}

void policy_lifetime(IosState& st, Args& a) {
  st.policy->lifetime_seconds = a.number("lifetime", 60, 86400);
  a.end();
}

const Table& policy_table() {
  static const Table t = Table()
                             .handle("encryption", policy_encryption)
                             .handle("encr", policy_encryption)
                             .handle("hash", policy_hash)
                             .handle("authentication", policy_authentication)
                             .handle("group", policy_group)
                             .handle("lifetime", policy_lifetime);
  return t;
}

void isakmp_policy(IosState& st, Args& a) {
  int priority = int(a.number("policy priority", 1, 10000));
  a.end();
  auto [it, fresh] = st.policies.try_emplace(priority);
  if (fresh) {
    it->second.priority = priority;
    it->second.origin = st.origin(a);
  }
  st.policy = &it->second;
  st.block = {"crypto isakmp policy", &policy_table(), Error, ""};
}

// ---- keys, identity, keepalives ---------------------------------------------------------------------------------

void isakmp_key(IosState& st, Args& a) {
  PresharedKey k;
  k.origin = st.origin(a);
  bool type6 = false;
  if ((a.peek() == "0" || a.peek() == "6") && a.left() >= 3 && a.peek(1) != "address" && a.peek(1) != "hostname")
    type6 = a.word("key type") == "6";
  k.key = a.secret("key");
  k.masked = type6 || is_masked(k.key);
  if (a.accept("hostname")) {
    a.word("peer hostname");
    st.rep.partial(a.number(), "crypto isakmp key", "keys by peer hostname are not supported; line not used");
    return;
  }
  if (!a.accept("address")) a.fail(a.done() ? "missing 'address'" : "expected 'address' or 'hostname'");
  k.peer.address = a.address("peer address");
  k.peer.mask = Ipv4{0xffffffffu};
  if (!a.done() && Ipv4::parse(a.peek())) k.peer.mask = a.netmask("peer mask");
  if (a.accept("no-xauth")) k.no_xauth = true;
  a.end();
  if (type6)
    st.rep.partial(a.number(), "crypto isakmp key",
                   "type 6 (AES-encrypted) key cannot be decoded here; supply it in a secrets file");
  auto& keys = st.cfg.isakmp_keys;
  auto same = std::find_if(keys.begin(), keys.end(), [&](const PresharedKey& o) {
    return o.peer.mask == k.peer.mask && (o.peer.address.value & o.peer.mask.value) ==
                                             (k.peer.address.value & k.peer.mask.value);
  });
  if (same != keys.end()) *same = std::move(k);  // IOS keeps one key per peer: the later line replaces it
  else keys.push_back(std::move(k));
}

void isakmp_identity(IosState& st, Args& a) {
  st.cfg.isakmp_identity = a.keyword("identity", {"address", "hostname", "dn"});
  a.end();
}

void isakmp_keepalive(IosState& st, Args& a) {
  st.cfg.dpd_keepalive_seconds = a.number("keepalive seconds", 10, 3600);
  if (!a.done() && a.peek() != "periodic" && a.peek() != "on-demand")
    st.cfg.dpd_retry_seconds = a.number("keepalive retry seconds", 2, 60);
  if (!a.done()) a.keyword("keepalive mode", {"periodic", "on-demand"});
  a.end();
}

// `crypto isakmp aggressive-mode disable` (IOS 12.3T on): no aggressive mode at all.
void isakmp_aggressive_mode(IosState& st, Args& a) {
  a.keyword("aggressive-mode", {"disable"});
  a.end();
  st.cfg.aggressive_mode_disabled = true;
}

void isakmp_nat_keepalive(IosState& st, Args& a) {
  st.cfg.natt_keepalive_seconds = a.number("NAT keepalive seconds", 5, 3600);
  a.end();
}

void isakmp_address_pool(IosState& st, Args& a) {
  st.cfg.client_config_pool = a.word("pool name");
  st.cfg.client_config_pool_origin = st.origin(a);
  a.end();
}

// ---- crypto isakmp client configuration group NAME ------------------------------------------------------------

void group_key(IosState& st, Args& a) {
  bool type6 = false;
  if ((a.peek() == "0" || a.peek() == "6") && a.left() >= 2) type6 = a.word("key type") == "6";
  st.group->key = a.secret("group key");
  st.group->key_masked = type6 || is_masked(*st.group->key);
  st.group->key_origin = st.origin(a);
  a.end();
  if (type6)
    st.rep.partial(a.number(), "key", "type 6 (AES-encrypted) key cannot be decoded here; supply it in a secrets file");
}

void group_pool(IosState& st, Args& a) {
  st.group->pool = a.word("pool name");
  a.end();
}

void read_servers(Args& a, std::vector<Ipv4>& out, std::string_view what) {
  out.clear();
  out.push_back(a.address(what));
  if (!a.done()) out.push_back(a.address(what));
  a.end();
}
void group_dns(IosState& st, Args& a) { read_servers(a, st.group->dns, "DNS server"); }
void group_wins(IosState& st, Args& a) { read_servers(a, st.group->wins, "WINS server"); }

void group_domain(IosState& st, Args& a) {
  st.group->domain = a.word("domain");
  a.end();
}

void group_acl(IosState& st, Args& a) {
  st.group->split_tunnel_acl = a.word("split-tunnel ACL");
  a.end();
}

void group_split_dns(IosState& st, Args& a) {
  st.group->split_dns.push_back(a.word("split DNS domain"));
  a.end();
}

void group_pfs(IosState& st, Args& a) {
  st.group->pfs = true;
  a.end();
}

void group_banner(IosState& st, Args& a) { st.group->banner = a.delimited_text("banner"); }

void group_backup_gateway(IosState& st, Args& a) {
  st.group->backup_servers.push_back(a.word("backup gateway"));
  a.end();
}

void group_max_users(IosState& st, Args& a) {
  st.group->max_users = a.number("max-users", 1, 65535);
  a.end();
  st.rep.partial(a.number(), "max-users", "the group's concurrent session cap is not enforced yet (sessions are unlimited)");
}

void group_max_logins(IosState& st, Args& a) {
  st.group->max_logins = a.number("max-logins", 1, 10);
  a.end();
  st.rep.partial(a.number(), "max-logins",
                 "at the limit a new login is let in and the user's session idle the longest is logged off (as ASA "
                 "vpn-simultaneous-logins); IOS refuses logins beyond N instead");
}

void group_include_local_lan(IosState& st, Args& a) {
  st.group->include_local_lan = true;
  a.end();
}

void group_save_password(IosState& st, Args& a) {
  st.group->save_password = true;
  a.end();
}

const Table& group_table() {
  static const Table t = Table()
                             .handle("key", group_key)
                             .handle("pool", group_pool)
                             .handle("dns", group_dns)
                             .handle("wins", group_wins)
                             .handle("domain", group_domain)
                             .handle("acl", group_acl)
                             .handle("split-dns", group_split_dns)
                             .handle("pfs", group_pfs)
                             .handle("banner", group_banner)
                             .handle("backup-gateway", group_backup_gateway)
                             .handle("max-users", group_max_users)
                             .handle("max-logins", group_max_logins)
                             .handle("include-local-lan", group_include_local_lan)
                             .handle("save-password", group_save_password);
  return t;
}

void client_group(IosState& st, Args& a) {
  std::string name = a.word("group name");
  a.end();
  auto [it, fresh] = st.cfg.client_groups.try_emplace(name);
  if (fresh) {
    it->second.name = name;
    it->second.origin = st.origin(a);
  }
  st.group = &it->second;
  st.block = {"crypto isakmp client configuration group", &group_table(), Partial,
              "Easy VPN group setting not implemented"};
}

// ---- IPsec --------------------------------------------------------------------------------------------------

void transform_mode(IosState& st, Args& a) {
  st.transform_set->mode = a.keyword("mode", {"tunnel", "transport"});
  a.end();
}

const Table& transform_table() {
  static const Table t = Table().handle("mode", transform_mode);
  return t;
}

void transform_set(IosState& st, Args& a) {
  std::string name = a.word("transform-set name");
  TransformSet ts;
  ts.name = name;
  ts.origin = st.origin(a);
  while (!a.done()) {
    std::string token = to_lower(a.word("transform"));
    // `esp-aes 256`: the key size is a separate word.
    if (!ts.transforms.empty() && !token.empty() && token[0] >= '0' && token[0] <= '9')
      ts.transforms.back() += " " + token;
    else
      ts.transforms.push_back(token);
  }
  if (ts.transforms.empty()) a.fail("missing transform");
  auto& slot = st.cfg.transform_sets[name];
  if (!slot.name.empty()) ts.mode = slot.mode;
  slot = std::move(ts);
  st.transform_set = &slot;
  st.block = {"crypto ipsec transform-set", &transform_table(), Error, ""};
}

void read_lifetime(Args& a, std::optional<uint32_t>& seconds, std::optional<uint32_t>& kilobytes) {
  auto unit = a.keyword("lifetime unit", {"seconds", "kilobytes"});
  if (unit == "seconds") seconds = a.number("lifetime seconds", 120, 86400);
  else kilobytes = a.number("lifetime kilobytes", 2560, 536870912);
  a.end();
}

void ipsec_lifetime(IosState& st, Args& a) {
  read_lifetime(a, st.cfg.ipsec_lifetime_seconds, st.cfg.ipsec_lifetime_kilobytes);
}

// ---- crypto dynamic-map NAME SEQ ------------------------------------------------------------------------------

void dyn_transform_set(IosState& st, Args& a) {
  st.dynamic_map->transform_sets.clear();
  st.dynamic_map->transform_sets.push_back(a.word("transform-set name"));
  while (!a.done()) st.dynamic_map->transform_sets.push_back(a.word("transform-set name"));
  if (st.dynamic_map->transform_sets.size() > 6) a.fail("more than 6 transform sets");
}

void dyn_pfs(IosState& st, Args& a) {
  auto g = a.done() ? std::string("group1") : a.keyword("PFS group", {"group1", "group2", "group5", "group14"});
  st.dynamic_map->pfs_group = std::stoi(g.substr(5));
  a.end();
}

void dyn_lifetime(IosState& st, Args& a) {
  read_lifetime(a, st.dynamic_map->lifetime_seconds, st.dynamic_map->lifetime_kilobytes);
}

void dyn_match(IosState& st, Args& a) {
  st.dynamic_map->match_acl = a.word("ACL");
  a.end();
}

const Table& dynamic_map_table() {
  static const Table t = Table()
                             .handle("set transform-set", dyn_transform_set)
                             .handle("set pfs", dyn_pfs)
                             .handle("set security-association lifetime", dyn_lifetime)
                             .handle("match address", dyn_match)
                             .partial("set reverse-route", "reverse route injection not applied")
                             .partial("reverse-route", "reverse route injection not applied")
                             .partial("set isakmp-profile", "ISAKMP profiles not supported")
                             .ignore("description");
  return t;
}

void dynamic_map(IosState& st, Args& a) {
  std::string name = a.word("dynamic map name");
  int seq = int(a.number("sequence number", 1, 65535));
  a.end();
  auto [it, fresh] = st.dynamic_maps.try_emplace({name, seq});
  if (fresh) {
    it->second.name = name;
    it->second.sequence = seq;
    it->second.origin = st.origin(a);
  }
  st.dynamic_map = &it->second;
  st.block = {"crypto dynamic-map", &dynamic_map_table(), Error, ""};
}

// ---- crypto map NAME ... -------------------------------------------------------------------------------------

const Table& map_entry_table() {
  static const Table t = Table().ignore("description");
  return t;
}

CryptoMap& crypto_map_named(IosState& st, const std::string& name, const Args& a) {
  auto& m = st.cfg.crypto_maps[name];
  if (m.name.empty()) {
    m.name = name;
    m.origin = st.origin(a);
  }
  return m;
}

void crypto_map(IosState& st, Args& a) {
  std::string name = a.word("crypto map name");
  if (a.accept("client")) {
    if (a.accept("authentication")) {
      if (!a.accept("list")) a.fail("expected 'list'");
      std::string list = a.word("AAA list");
      a.end();
      crypto_map_named(st, name, a).client_authentication = list;
    } else if (a.accept("configuration")) {
      if (!a.accept("address")) a.fail("expected 'address'");
      auto how = a.keyword("address mode", {"initiate", "respond"});
      a.end();
      auto& m = crypto_map_named(st, name, a);
      (how == "initiate" ? m.config_initiate : m.config_respond) = true;
    } else {
      a.fail(a.done() ? "missing 'authentication' or 'configuration'"
                      : "unknown keyword '" + std::string(a.peek()) + "' after 'client'");
    }
    return;
  }
  if (a.accept("isakmp")) {
    if (!a.accept("authorization") || !a.accept("list")) a.fail("expected 'authorization list'");
    std::string list = a.word("AAA list");
    a.end();
    crypto_map_named(st, name, a).isakmp_authorization = list;
    return;
  }
  if (a.accept("local-address")) {
    a.word("interface");
    a.end();
    crypto_map_named(st, name, a);
    st.rep.partial(a.number(), "crypto map", "local-address not applied; IKE answers on the interface address");
    return;
  }
  if (a.done()) a.fail("missing sequence number or keyword");
  if (a.peek().empty() || a.peek()[0] < '0' || a.peek()[0] > '9')
    a.fail("unknown keyword '" + std::string(a.peek()) + "'");
  int seq = int(a.number("sequence number", 1, 65535));
  auto kind = a.keyword("crypto map type", {"ipsec-isakmp", "ipsec-manual", "gdoi"});
  if (kind != "ipsec-isakmp") {
    st.block = {"crypto map", nullptr, Diagnostic::Kind::Ignored, "under an unsupported crypto map entry"};
    a.fail(kind + " crypto map entries are not supported");
  }
  if (!a.accept("dynamic")) {
    a.end();
    crypto_map_named(st, name, a);
    st.rep.partial(a.number(), "crypto map", "static (site-to-site) crypto map entries are not supported");
    st.block = {"crypto map", nullptr, Partial, "static crypto map entry line not used"};
    return;
  }
  CryptoMapEntry e;
  e.sequence = seq;
  e.dynamic_map = a.word("dynamic map name");
  e.origin = st.origin(a);
  a.accept("discover");
  a.end();
  auto& entries = crypto_map_named(st, name, a).entries;
  auto same = std::find_if(entries.begin(), entries.end(), [&](const CryptoMapEntry& o) { return o.sequence == seq; });
  if (same != entries.end()) *same = std::move(e);
  else entries.push_back(std::move(e));
  st.block = {"crypto map", &map_entry_table(), Partial, "not applied to a dynamic crypto map entry"};
}

}  // namespace

void add_ios_crypto_commands(Table& top) {
  top.handle("crypto isakmp policy", isakmp_policy)
      .handle("crypto isakmp key", isakmp_key)
      .handle("crypto isakmp identity", isakmp_identity)
      .handle("crypto isakmp keepalive", isakmp_keepalive)
      .handle("crypto isakmp nat keepalive", isakmp_nat_keepalive)
      .handle("crypto isakmp aggressive-mode", isakmp_aggressive_mode)
      .handle("crypto isakmp client configuration address-pool local", isakmp_address_pool)
      .handle("crypto isakmp client configuration group", client_group)
      .handle("crypto ipsec transform-set", transform_set)
      .handle("crypto ipsec security-association lifetime", ipsec_lifetime)
      .handle("crypto dynamic-map", dynamic_map)
      .handle("crypto map", crypto_map)
      .partial("crypto ca", "certificates are not supported", true)
      .partial("crypto pki", "certificates are not supported", true)
      .partial("crypto key", "RSA keys are not used (no certificate authentication)", true);
}

}  // namespace ravpn::config::detail
