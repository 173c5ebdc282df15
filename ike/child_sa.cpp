// IPsec SA pairs in the kernel and in the session, and their states (child_sa.hpp).
#include "ike/child_sa.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "ike/accounting.hpp"
#include "ike/esp_transforms.hpp"
#include "ike/log_text.hpp"
#include "ike/wire/be32.hpp"

namespace ravpn::ike::child_sa {
namespace {

bool has_selectors(const ChildSa& c, const Ipv4Net& client_net, const Ipv4Net& protected_net) {
  return c.client_net == client_net && c.protected_net == protected_net;
}

kernel::Result<> program_kernel(ExchangeContext& ctx, Phase1Sa& sa, const QuickModeExchange& qm, ChildSa& child) {
  EspTransform esp{qm.transform_id, qm.key_bits, qm.auth_alg, {}};
  const size_t enc_len = esp_cipher_key_bytes(esp), auth_len = esp_auth_key_bytes(qm.auth_alg);
  auto keys = [&](kernel::Spi spi) {
    return crypto::quick_mode_keymat(sa.choice.hash, sa.keys.skeyid_d, qm.g_qm_xy, uint8_t(ProtocolId::IpsecEsp),
                                     be32_bytes(spi.value), qm.ni_b, qm.nr_b, enc_len + auth_len);
  };
  kernel::Spi peer_spi{be32_of(qm.peer_spi)};
  const bool udp = qm.encapsulation != encaps::Tunnel;
  kernel::Lifetime life;
  life.hard_seconds = qm.lifetime_seconds;
  life.soft_seconds = qm.lifetime_seconds - qm.lifetime_seconds / 10;
  life.hard_bytes = uint64_t(qm.lifetime_kilobytes) * 1024;
  life.soft_bytes = life.hard_bytes - life.hard_bytes / 10;

  auto make = [&](Ipv4 src, Ipv4 dst, kernel::Spi spi, Ipv4Net sel_src, Ipv4Net sel_dst, uint16_t sport, uint16_t dport) {
    kernel::SaSpec s;
    s.source = src;
    s.destination = dst;
    s.spi = spi;
    s.reqid = child.reqid;
    s.cipher = kernel_cipher(esp);
    s.auth = kernel_auth(qm.auth_alg);
    auto km = keys(spi);  // RFC 2401 convention: encryption key first, then the integrity key
    s.cipher_key.assign(km.begin(), km.begin() + long(enc_len));
    s.auth_key.assign(km.begin() + long(enc_len), km.begin() + long(enc_len + auth_len));
    s.selector_source = sel_src;
    s.selector_destination = sel_dst;
    s.lifetime = life;
    if (udp) s.encap = kernel::UdpEncap{sport, dport};
    return s;
  };
  auto in = make(sa.peer.address, sa.local.address, qm.our_spi, qm.client_net, qm.protected_net, sa.peer.port,
                 sa.local.port);
  auto out = make(sa.local.address, sa.peer.address, peer_spi, qm.protected_net, qm.client_net, sa.local.port,
                  sa.peer.port);
  // On any failure below, undo what this call installed (the larval inbound SPI included): nothing half-made stays.
  std::vector<kernel::PolicySpec> added_policies;
  bool out_added = false;
  auto undo = [&](kernel::Error e) -> kernel::Result<> {
    for (const auto& p : added_policies) (void)ctx.kernel->delete_policy(p.source, p.destination, p.direction);
    if (out_added) (void)ctx.kernel->delete_sa(sa.peer.address, peer_spi);
    (void)ctx.kernel->delete_sa(sa.local.address, qm.our_spi);
    return std::unexpected(std::move(e));
  };
  if (auto r = ctx.kernel->add_sa(in, true); !r) return undo(r.error());
  if (auto r = ctx.kernel->add_sa(out, false); !r) return undo(r.error());
  out_added = true;
  child.spi_in = qm.our_spi;
  child.spi_out = peer_spi;

  // Policies once per selector pair: a rekey reuses them (same reqid).
  bool have_policies = false;
  for (const auto& c : sa.session.children)
    have_policies = have_policies || has_selectors(c, qm.client_net, qm.protected_net);
  if (!have_policies) {
    using kernel::Direction;
    std::vector<kernel::PolicySpec> policies{
        {qm.protected_net, qm.client_net, Direction::Out, sa.local.address, sa.peer.address, child.reqid, 0},
        {qm.client_net, qm.protected_net, Direction::In, sa.peer.address, sa.local.address, child.reqid, 0},
        {qm.client_net, qm.protected_net, Direction::Forward, sa.peer.address, sa.local.address, child.reqid, 0}};
    for (const auto& p : policies) {
      if (auto r = ctx.kernel->add_policy(p); !r) return undo(r.error());
      added_policies.push_back(p);
    }
  }
  // One route per client address: a second SA pair of the same client (the 4.x client's tunnel to the head-end's own
  // address next to its 0.0.0.0/0 one) shares it.
  bool have_route = false;
  for (const auto& c : sa.session.children) have_route = have_route || (c.client_net == qm.client_net && c.route_added);
  if (ctx.routes && !have_route) {
    auto dev = ctx.routes->device_of_local.find(sa.local.address);
    if (dev != ctx.routes->device_of_local.end() && qm.client_net.mask.value == 0xffffffffu) {
      kernel::RouteSpec route{qm.client_net, dev->second, ctx.routes->preferred_source};
      if (auto r = ctx.kernel->add_route(route); r) {
        child.route_added = true;
        ctx.log.log(LogLevel::Info, LogCategory::Ipsec, "{}: installing route {} dev {}", sa.tag(),
                    qm.client_net.str(), dev->second);
      } else {
        ctx.log.log(LogLevel::Warning, LogCategory::Ipsec, "{}: route {}: {}", sa.tag(), qm.client_net.str(), r.error());
      }
    }
  }
  return {};
}

uint32_t reqid_for(const Phase1Sa& sa, const QuickModeExchange& qm) {
  for (const auto& c : sa.session.children)
    if (has_selectors(c, qm.client_net, qm.protected_net)) return c.reqid;
  // Unique across the daemon: the inbound SPI is unique per destination, so take it.
  return qm.our_spi.value;
}

// `child` has left the session already: what stays there decides whether its policies and route go too.
void remove_from_kernel(ExchangeContext& ctx, Phase1Sa& sa, const ChildSa& child) {
  if (!ctx.kernel) return;
  auto report = [&](const kernel::Result<>& r, const std::string& what) {
    if (!r) ctx.log.log(LogLevel::Warning, LogCategory::Ipsec, "{}: removing {}: {}", sa.tag(), what, r.error());
  };
  std::string bytes_text;
  auto last = ctx.kernel->delete_sa_pair(sa.local.address, child.spi_in, sa.peer.address, child.spi_out);
  if (last) {
    if (last->in) bytes_text = fmt::format(", {} bytes / {} packets in", last->in->bytes, last->in->packets);
    keep_removed_traffic(sa, *last);  // accounting totals over rekeys
  } else {
    ctx.log.log(LogLevel::Warning, LogCategory::Ipsec, "{}: removing SA pair: {}", sa.tag(), last.error());
  }
  const auto& rest = sa.session.children;
  const bool last_for_selectors = std::none_of(rest.begin(), rest.end(), [&](const ChildSa& c) {
    return has_selectors(c, child.client_net, child.protected_net);
  });
  if (last_for_selectors) {
    using kernel::Direction;
    report(ctx.kernel->delete_policy(child.protected_net, child.client_net, Direction::Out), "out policy");
    report(ctx.kernel->delete_policy(child.client_net, child.protected_net, Direction::In), "in policy");
    report(ctx.kernel->delete_policy(child.client_net, child.protected_net, Direction::Forward), "fwd policy");
  }
  if (child.route_added && ctx.routes) {
    // The route stays while another SA pair of this client address needs it; that pair takes it over.
    ChildSa* heir = nullptr;
    for (auto& c : sa.session.children)
      if (c.client_net == child.client_net) heir = &c;
    auto dev = ctx.routes->device_of_local.find(sa.local.address);
    if (heir)
      heir->route_added = true;
    else if (dev != ctx.routes->device_of_local.end())
      report(ctx.kernel->delete_route({child.client_net, dev->second, ctx.routes->preferred_source}), "route");
  }
  ctx.log.log(LogLevel::Notice, LogCategory::Ipsec, "{}: tunnel down: {} <-> {}, spi in {:08x}{}", sa.tag(),
              child.client_net.str(), child.protected_net.str(), child.spi_in.value, bytes_text);
}

// The pair leaves the session, then the kernel (remove_from_kernel looks at the pairs that stay).
void remove_at(ExchangeContext& ctx, Phase1Sa& sa, std::vector<ChildSa>::iterator it) {
  ChildSa child = *it;
  sa.session.children.erase(it);
  remove_from_kernel(ctx, sa, child);
}

}  // namespace

const char* name(ChildState s) {
  switch (s) {
    case ChildState::Installed: return "installed";
    case ChildState::SoftExpired: return "soft expired";
    case ChildState::Superseded: return "superseded";
  }
  return "?";
}

kernel::Result<ChildSa> install(ExchangeContext& ctx, Phase1Sa& sa, const QuickModeExchange& qm) {
  ChildSa child;
  child.reqid = reqid_for(sa, qm);
  child.client_net = qm.client_net;
  child.protected_net = qm.protected_net;
  child.transform = qm.transform_name;
  child.lifetime_seconds = qm.lifetime_seconds;
  child.lifetime_kilobytes = qm.lifetime_kilobytes;
  child.installed_at = ctx.time ? ctx.time->now() : TimePoint{};
  if (auto r = program_kernel(ctx, sa, qm, child); !r) return std::unexpected(r.error());
  ctx.log.log(LogLevel::Notice, LogCategory::Ipsec,
              "{}: tunnel up: {} <-> {}, spi in {:08x} out {:08x}, {}, lifetime {} s{}", sa.tag(),
              child.client_net.str(), child.protected_net.str(), child.spi_in.value, child.spi_out.value,
              child.transform, child.lifetime_seconds,
              sa.session.xauth.user.empty() ? "" : ", user " + peer_text(sa.session.xauth.user));
  // A new pair for selectors that have one already is the client renewing its IPsec SA (RFC 2409 §5.5 leaves that
  // to a new quick mode): the older pairs drain.
  bool rekey = false;
  for (auto& c : sa.session.children)
    if (has_selectors(c, child.client_net, child.protected_net)) {
      rekey = true;
      c.state = ChildState::Superseded;
    }
  if (rekey) ++sa.session.phase2_rekeys;
  sa.session.children.push_back(child);
  return child;
}

namespace {

bool is_pair_of(const Phase1Sa& sa, const ChildSa& c, const kernel::ExpireEvent& e) {
  return (c.spi_in == e.spi && e.destination == sa.local.address) ||
         (c.spi_out == e.spi && e.destination == sa.peer.address);
}

}  // namespace

const ChildSa* find_pair(const Phase1Sa& sa, const kernel::ExpireEvent& e) {
  for (const auto& c : sa.session.children)
    if (is_pair_of(sa, c, e)) return &c;
  return nullptr;
}

bool on_kernel_expire(ExchangeContext& ctx, Phase1Sa& sa, const kernel::ExpireEvent& e) {
  auto& children = sa.session.children;
  auto it = std::find_if(children.begin(), children.end(), [&](const ChildSa& c) { return is_pair_of(sa, c, e); });
  if (it == children.end()) return false;
  if (!e.refused.empty()) {
    ctx.log.log(LogLevel::Error, LogCategory::Ipsec, "{}: the kernel refused IPsec SA {:08x}: {}; the pair is removed",
                sa.tag(), e.spi.value, e.refused);
    remove_at(ctx, sa, it);
    return true;
  }
  if (!e.hard) {
    if (it->state == ChildState::Installed) it->state = ChildState::SoftExpired;
    ctx.log.log(LogLevel::Info, LogCategory::Ipsec, "{}: IPsec SA {:08x} reached its soft lifetime{}", sa.tag(),
                e.spi.value, it->state == ChildState::Superseded ? " (already renewed)" : "");
    return true;
  }
  ctx.log.log(LogLevel::Notice, LogCategory::Ipsec, "{}: IPsec SA {:08x} expired", sa.tag(), e.spi.value);
  remove_at(ctx, sa, it);
  return true;
}

bool on_peer_delete(ExchangeContext& ctx, Phase1Sa& sa, uint32_t spi) {
  auto& children = sa.session.children;
  auto it = std::find_if(children.begin(), children.end(),
                         [&](const ChildSa& c) { return c.spi_out.value == spi || c.spi_in.value == spi; });
  if (it == children.end()) return false;
  remove_at(ctx, sa, it);
  return true;
}

void remove_all(ExchangeContext& ctx, Phase1Sa& sa) {
  // Route and policies go with the last pair of their selectors; from the newest back, so the checks see it.
  while (!sa.session.children.empty()) remove_at(ctx, sa, std::prev(sa.session.children.end()));
}

}  // namespace ravpn::ike::child_sa
