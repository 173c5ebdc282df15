#include "ike/reload_check.hpp"

#include <algorithm>

#include "ike/policy/policy.hpp"

namespace ravpn::ike {
namespace {

std::optional<std::string> phase1_objection(const config::Config& next, const Phase1Sa& sa) {
  const auto& ike = next.ike_addresses();
  if (std::find(ike.begin(), ike.end(), sa.local.address) == ike.end())
    return "IKE is no longer enabled on " + sa.local.address.str();
  if (!sa.group_name.empty()) {  // aggressive mode, ID_KEY_ID = group (a 3.x/4.x client)
    auto group = next.client_groups.find(sa.group_name);
    if (group == next.client_groups.end() || !group->second.key) return "group " + sa.group_name + " is gone";
    return std::nullopt;
  }
  if (!next.key_for_peer(sa.peer.address)) return "no isakmp key covers " + sa.peer.address.str() + " any more";
  return std::nullopt;
}

std::optional<std::string> session_objection(const config::Config& next, const Phase1Sa& sa,
                                             const std::map<std::string, config::LocalUser>* local_users) {
  const auto& user = sa.session.xauth.user;
  if (local_users && !user.empty() && authenticated(sa.session.stage) && !local_users->contains(user))
    return "user " + user + " is gone";
  const auto& mc = sa.session.mode_config;
  if (mc.address) {
    auto pool = next.pools.find(mc.pool);
    bool inside = pool != next.pools.end() &&
                  std::any_of(pool->second.ranges.begin(), pool->second.ranges.end(),
                              [&](const Ipv4Range& r) { return r.contains(*mc.address); });
    if (!inside) return "address " + mc.address->str() + " is no longer in pool " + mc.pool;
  }
  if (!sa.session.children.empty()) {
    auto offered = compiled::offered_transforms(compiled::compile(next));
    for (const auto& child : sa.session.children)
      if (std::none_of(offered.begin(), offered.end(), [&](const EspTransform& t) { return t.name == child.transform; }))
        return "transform " + child.transform + " is no longer offered";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> reload_objection(const config::Config& next, const Phase1Sa& sa,
                                            const std::map<std::string, config::LocalUser>* local_users) {
  if (auto why = phase1_objection(next, sa)) return why;
  return session_objection(next, sa, local_users);
}

}  // namespace ravpn::ike
