#include "ike/mode_config.hpp"

#include <sstream>

#include "ike/log_text.hpp"
#include "ike/protected_exchange.hpp"

namespace ravpn::ike::mode_config {
namespace {

Bytes ip_bytes(Ipv4 a) {
  auto b = a.bytes();
  return Bytes(b.begin(), b.end());
}
Bytes text_bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

std::string lease_owner(const Phase1Sa& sa) {
  // A user's second and further simultaneous logins lease under their own names, so each keeps its address too.
  if (!sa.session.xauth.user.empty())
    return sa.session.login_slot == 0 ? sa.session.xauth.user
                                      : sa.session.xauth.user + " #" + std::to_string(sa.session.login_slot + 1);
  if (!sa.group_name.empty()) return "group " + sa.group_name + " " + sa.peer.address.str();
  return "peer " + sa.peer.address.str();
}

// Cisco Unity SPLIT_INCLUDE / LOCAL_LAN entries: address(4) mask(4) protocol(1) sport(2) dport(2) plus padding to
// 14 bytes.
Bytes split_list(const std::vector<Ipv4Net>& nets) {
  Bytes out;
  for (const auto& n : nets) {
    auto a = n.address.bytes();
    auto m = n.mask.bytes();
    out.insert(out.end(), a.begin(), a.end());
    out.insert(out.end(), m.begin(), m.end());
    out.insert(out.end(), 6, 0);
  }
  return out;
}

// The attribute for one requested type, or nullopt when ravpn does not supply it.
std::optional<DataAttribute> answer(ExchangeContext& ctx, const Phase1Sa& sa, uint16_t type) {
  const auto* group = group_of(ctx.policy, sa);
  const auto& mc = sa.session.mode_config;
  switch (type) {
    case cfg_attr::InternalIp4Address:
      if (mc.address) return DataAttribute::tlv(type, ip_bytes(*mc.address));
      return std::nullopt;
    case cfg_attr::InternalIp4Netmask:
      if (mc.address) return DataAttribute::tlv(type, ip_bytes(Ipv4{0xffffffffu}));
      return std::nullopt;
    case cfg_attr::InternalIp4Dns:
      if (group && !group->dns.empty()) return DataAttribute::tlv(type, ip_bytes(group->dns[0]));
      return std::nullopt;
    case cfg_attr::InternalIp4Nbns:
      if (group && !group->wins.empty()) return DataAttribute::tlv(type, ip_bytes(group->wins[0]));
      return std::nullopt;
    case cfg_attr::ApplicationVersion:
      return DataAttribute::tlv(type, text_bytes("ravpn 0.1.0"));
    case cfg_attr::UnityBanner: {
      // The group's banner, then the RADIUS Reply-Message of the Access-Accept (already escaped by peer_text).
      std::string banner = group ? group->banner : "";
      const std::string& said = sa.authorization.reply_message;
      if (!said.empty()) banner += (banner.empty() ? "" : "\n") + said;
      if (!banner.empty()) return DataAttribute::tlv(type, text_bytes(banner));
      return std::nullopt;
    }
    case cfg_attr::UnityDefDomain:
      if (group && !group->domain.empty()) return DataAttribute::tlv(type, text_bytes(group->domain));
      return std::nullopt;
    case cfg_attr::UnitySavePasswd:
      if (group) return DataAttribute::tv(type, group->save_password ? 1 : 0);
      return std::nullopt;
    case cfg_attr::UnityPfs:
      if (group) return DataAttribute::tv(type, group->pfs ? 1 : 0);
      return std::nullopt;
    case cfg_attr::UnitySplitInclude:
      if (group && !group->split_include.empty()) return DataAttribute::tlv(type, split_list(group->split_include));
      return std::nullopt;
    case cfg_attr::UnityLocalLan:
      // IOS `include-local-lan`: Cisco head-ends send one all-zero entry, meaning "the client's own LAN, whatever it
      // is" (the client excludes it from the tunnel).
      if (group && group->include_local_lan) return DataAttribute::tlv(type, split_list({{Ipv4{0}, Ipv4{0}}}));
      return std::nullopt;
    case cfg_attr::UnitySplitDns:
      if (group && !group->split_dns.empty()) {
        std::string joined;
        for (const auto& d : group->split_dns) joined += (joined.empty() ? "" : ",") + d;
        return DataAttribute::tlv(type, text_bytes(joined));
      }
      return std::nullopt;
    case cfg_attr::UnityBackupServers:
      if (group && !group->backup_servers.empty()) {
        std::string joined;
        for (const auto& d : group->backup_servers) joined += (joined.empty() ? "" : ",") + d;
        return DataAttribute::tlv(type, text_bytes(joined));
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

}  // namespace

const compiled::GroupPolicy* group_of(const compiled::Policy& policy, const Phase1Sa& sa) {
  return sa.group_name.empty() ? nullptr : policy.group(sa.group_name);
}

// RFC 2865 5.8: the RADIUS server fixed the client's address. Inside a local pool it is leased there (so the pool never
// hands it to someone else); outside any pool it is the server's business (sqlippool, a users file).
bool use_fixed_address(ExchangeContext& ctx, Phase1Sa& sa, Ipv4 address) {
  auto& mc = sa.session.mode_config;
  if (ctx.pools)
    for (auto& [name, pool] : *ctx.pools) {
      if (!pool.contains(address)) continue;
      if (!pool.adopt(address, lease_owner(sa))) {
        ctx.log.log(LogLevel::Error, LogCategory::Isakmp, "{}: Framed-IP-Address {} is leased to another user in pool {}",
                    sa.tag(), address.str(), name);
        return false;
      }
      mc.pool = name;
      break;
    }
  mc.address = address;
  ctx.log.log(LogLevel::Notice, LogCategory::Isakmp, "{}: address {} from the AAA server (Framed-IP-Address) for {}",
              sa.tag(), address.str(), peer_text(lease_owner(sa)));
  return true;
}

bool ensure_address(ExchangeContext& ctx, Phase1Sa& sa) {
  auto& mc = sa.session.mode_config;
  if (mc.address) return true;
  if (auto fixed = sa.authorization.fixed_address()) return use_fixed_address(ctx, sa, *fixed);
  const auto* group = group_of(ctx.policy, sa);
  std::string pool_name = group && !group->pool.empty() ? group->pool : ctx.policy.default_pool;
  if (pool_name.empty() || !ctx.pools || !ctx.pools->count(pool_name)) {
    ctx.log.log(LogLevel::Error, LogCategory::Isakmp, "{}: no address pool for this client (group '{}')", sa.tag(),
                sa.group_name);
    return false;
  }
  auto& pool = ctx.pools->at(pool_name);
  auto leased = pool.lease(lease_owner(sa));
  if (!leased) {
    ctx.log.log(LogLevel::Error, LogCategory::Isakmp, "{}: address pool {} exhausted ({} addresses, all leased)",
                sa.tag(), pool_name, pool.size());
    return false;
  }
  mc.address = *leased;
  mc.pool = pool_name;
  ctx.log.log(LogLevel::Notice, LogCategory::Isakmp, "{}: allocating address {} from pool {} for {}", sa.tag(),
              leased->str(), pool_name, peer_text(lease_owner(sa)));
  return true;
}

void release_address(ExchangeContext& ctx, Phase1Sa& sa) {
  auto& mc = sa.session.mode_config;
  if (!mc.address || !ctx.pools || !ctx.pools->count(mc.pool)) return;
  (void)ctx.pools->at(mc.pool).release(*mc.address);
  ctx.log.log(LogLevel::Info, LogCategory::Isakmp, "{}: address {} returned to pool {}", sa.tag(), mc.address->str(),
              mc.pool);
  mc.address.reset();
}

Bytes reply(ExchangeContext& ctx, Phase1Sa& sa, MessageId id, const AttributePayload& request) {
  AttributePayload out;
  out.type = cfg_type::Reply;
  out.identifier = request.identifier;
  std::vector<uint16_t> unsupported;
  for (const auto& want : request.attributes) {
    if (want.type == cfg_attr::InternalIp4Address) ensure_address(ctx, sa);
    if (auto a = answer(ctx, sa, want.type)) out.attributes.push_back(std::move(*a));
    else unsupported.push_back(want.type);
  }
  for (auto t : unsupported)
    ctx.log.log(LogLevel::Debug, LogCategory::Isakmp, "{}: unsupported mode-config attribute {}", sa.tag(), t);
  if (!sa.session.mode_config.address) {
    // No address: say why in the Unity banner (vpnc and the Cisco client show it), then the SA goes.
    out.attributes.push_back(DataAttribute::tlv(cfg_attr::UnityBanner, text_bytes("ravpn: no address available")));
  }
  return transaction_message(sa, id, out);
}

Bytes push(ExchangeContext& ctx, Phase1Sa& sa, MessageId& id) {
  id = new_message_id(ctx.rng, sa);
  AttributePayload out;
  out.type = cfg_type::Set;
  out.identifier = random_identifier(ctx.rng);
  for (uint16_t t : {cfg_attr::InternalIp4Address, cfg_attr::InternalIp4Dns, cfg_attr::InternalIp4Nbns})
    if (auto a = answer(ctx, sa, t)) out.attributes.push_back(std::move(*a));
  return transaction_message(sa, id, out);
}

}  // namespace ravpn::ike::mode_config
