// PIX `isakmp ...` lines (cisco-config.md "Phase 1"). PIX writes one attribute per line (`isakmp policy 10 hash
// md5`) where IOS opens a sub-mode.
#include <algorithm>

#include "daemon/config/pix_reader.hpp"

namespace ravpn::config::detail {
namespace {

using Table = CommandTable<PixState>;

// ---- isakmp policy N ATTRIBUTE VALUE ---------------------------------------------------------------------------

// Reads the attribute into a copy of the policy and stores it only when the whole line is good.
void isakmp_policy(PixState& st, Args& a) {
  int priority = int(a.number("policy priority", 1, 65534));
  IsakmpPolicy p;
  p.priority = priority;
  p.origin = st.origin(a);
  if (auto it = st.policies.find(priority); it != st.policies.end()) p = it->second;
  auto attribute = a.keyword("policy attribute", {"authentication", "encryption", "hash", "group", "lifetime"});
  if (attribute == "authentication") {
    auto m = a.keyword("authentication method", {"pre-share", "rsa-sig", "dsa-sig"});
    p.auth = m == "pre-share" ? AuthMethod::PreShare : AuthMethod::RsaSig;  // dsa-sig: certificates too
  } else if (attribute == "encryption") {
    auto c = a.keyword("encryption", {"des", "3des", "aes", "aes-192", "aes-256"});
    p.cipher = c == "des"       ? Cipher::Des
               : c == "3des"    ? Cipher::TripleDes
               : c == "aes"     ? Cipher::Aes128
               : c == "aes-192" ? Cipher::Aes192
                                : Cipher::Aes256;
  } else if (attribute == "hash") {
    p.hash = a.keyword("hash", {"md5", "sha"}) == "md5" ? Hash::Md5 : Hash::Sha1;
  } else if (attribute == "group") {
    p.dh_group = std::stoi(a.keyword("DH group", {"1", "2", "5"}));
  } else {
    p.lifetime_seconds = a.number("lifetime", 60, 2147483647);
  }
  a.end();
  if (attribute == "authentication" && p.auth != AuthMethod::PreShare)
    st.rep.partial(a.number(), "isakmp policy",
                   "certificate authentication is not supported; policy " + std::to_string(priority) + " never matches");
  st.policies[priority] = std::move(p);
}

// ---- isakmp key, identity, enable, keepalive, nat-traversal, address pool -------------------------------------

// isakmp key KEY address A [netmask M] [no-xauth] [no-config-mode]; masked `********` needs a secrets file.
void isakmp_key(PixState& st, Args& a) {
  PresharedKey k;
  k.origin = st.origin(a);
  k.key = a.secret("key");
  k.masked = is_masked(k.key);
  if (a.accept("hostname")) {
    a.word("peer hostname");
    a.remaining();
    st.rep.partial(a.number(), "isakmp key", "keys by peer hostname are not supported; line not used");
    return;
  }
  if (!a.accept("address")) a.fail(a.done() ? "missing 'address'" : "expected 'address' or 'hostname'");
  k.peer.address = pix_address(st, a, "peer address");
  k.peer.mask = Ipv4{0xffffffffu};
  if (a.accept("netmask")) k.peer.mask = a.netmask("peer netmask");
  while (!a.done()) {
    if (a.accept("no-xauth")) k.no_xauth = true;
    else if (a.accept("no-config-mode")) k.no_config_mode = true;
    else a.fail("unexpected '" + std::string(a.peek()) + "'");
  }
  auto& keys = st.cfg.isakmp_keys;
  auto same = std::find_if(keys.begin(), keys.end(), [&](const PresharedKey& o) {
    return o.peer.mask == k.peer.mask &&
           (o.peer.address.value & o.peer.mask.value) == (k.peer.address.value & k.peer.mask.value);
  });
  if (same != keys.end()) *same = std::move(k);  // one key per peer: the later line replaces it
  else keys.push_back(std::move(k));
}

void isakmp_identity(PixState& st, Args& a) {
  auto id = a.keyword("identity", {"address", "hostname", "key-id"});
  if (id == "key-id") {
    a.word("key-id string");
    st.rep.partial(a.number(), "isakmp identity", "the key-id string is not sent; ravpn identifies itself by key-id "
                                                  "type only");
  }
  a.end();
  st.cfg.isakmp_identity = id;
}

// isakmp enable IF: IKE listens on that interface's address.
void isakmp_enable(PixState& st, Args& a) {
  std::string name = pix_interface(st, a, "interface name");
  a.end();
  auto& list = st.cfg.isakmp_enabled_interfaces;
  if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(name);
}

// isakmp keepalive SECONDS [RETRY]: dead peer detection.
void isakmp_keepalive(PixState& st, Args& a) {
  uint32_t seconds = a.number("keepalive seconds", 10, 3600);
  std::optional<uint32_t> retry;
  if (!a.done()) retry = a.number("keepalive retry seconds", 2, 10);
  a.end();
  st.cfg.dpd_keepalive_seconds = seconds;
  st.cfg.dpd_retry_seconds = retry;
}

// isakmp nat-traversal [SECONDS]: NAT-T keepalives, 20 s when not given (cisco-config.md "Phase 1").
void isakmp_nat_traversal(PixState& st, Args& a) {
  uint32_t seconds = a.done() ? 20 : a.number("NAT keepalive seconds", 10, 3600);
  a.end();
  st.cfg.natt_keepalive_seconds = seconds;
}

// isakmp client configuration address-pool local POOL [IF]
void isakmp_address_pool(PixState& st, Args& a) {
  std::string pool = a.word("pool name");
  if (!a.done()) pix_interface(st, a, "interface name");
  a.end();
  st.cfg.client_config_pool = pool;
  st.cfg.client_config_pool_origin = st.origin(a);
}

}  // namespace

void add_pix_isakmp_commands(Table& top) {
  top.handle("isakmp policy", isakmp_policy)
      .handle("isakmp key", isakmp_key)
      .handle("isakmp identity", isakmp_identity)
      .handle("isakmp enable", isakmp_enable)
      .handle("isakmp keepalive", isakmp_keepalive)
      .handle("isakmp nat-traversal", isakmp_nat_traversal)
      .handle("isakmp client configuration address-pool local", isakmp_address_pool)
      .partial("isakmp peer", "per-peer Xauth and mode-config exemptions are not supported")
      .partial("isakmp am-disable", "aggressive mode cannot be turned off")
      .ignore("isakmp disconnect-notify", "ravpn always sends delete notifications")
      .ignore("isakmp reload-wait", "not used by ravpn")
      .ignore("isakmp log", "not used by ravpn");
}

}  // namespace ravpn::config::detail
