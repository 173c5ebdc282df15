#include "daemon/control/requests.hpp"

#include "daemon/control/kernel_probe.hpp"

#include <fmt/format.h>
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <sstream>

#include "ike/child_sa.hpp"
#include "ike/log_text.hpp"

#ifndef RAVPN_VERSION
#define RAVPN_VERSION "unknown"
#endif

namespace ravpn::control {

using nlohmann::json;

namespace {

int64_t seconds_between(TimePoint from, TimePoint to) {
  return std::chrono::duration_cast<Seconds>(to - from).count();
}

std::string spi_hex(kernel::Spi spi) { return fmt::format("0x{:08x}", spi.value); }

const char* id_type_name(uint8_t type) {
  switch (type) {
    case ike::id_type::Ipv4Addr: return "ipv4";
    case ike::id_type::Fqdn: return "fqdn";
    case ike::id_type::UserFqdn: return "user-fqdn";
    case ike::id_type::Ipv4AddrSubnet: return "ipv4-subnet";
    case ike::id_type::Ipv6Addr: return "ipv6";
    case ike::id_type::Ipv6AddrSubnet: return "ipv6-subnet";
    case ike::id_type::Ipv4AddrRange: return "ipv4-range";
    case ike::id_type::Ipv6AddrRange: return "ipv6-range";
    case ike::id_type::DerAsn1Dn: return "der-asn1-dn";
    case ike::id_type::DerAsn1Gn: return "der-asn1-gn";
    case ike::id_type::KeyId: return "key-id";
  }
  return "unknown";
}

std::string hex(const ike::Bytes& b) {
  std::string s;
  for (auto c : b) s += fmt::format("{:02x}", c);
  return s;
}

json identity_view(const ike::IdPayload& id) {
  json j{{"type", id_type_name(id.type)}};
  const auto& d = id.data;
  switch (id.type) {
    case ike::id_type::Ipv4Addr:
      j["value"] = d.size() == 4 ? Ipv4::from_bytes(d.data()).str() : hex(d);
      break;
    case ike::id_type::Ipv4AddrSubnet:
      if (d.size() == 8)
        j["value"] = Ipv4Net{Ipv4::from_bytes(d.data()), Ipv4::from_bytes(d.data() + 4)}.str();
      else
        j["value"] = hex(d);
      break;
    case ike::id_type::Fqdn:
    case ike::id_type::UserFqdn:
    case ike::id_type::KeyId:
      j["value"] = printable(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
      break;
    default:
      j["value"] = hex(d);
  }
  return j;
}

const char* auth_name(uint16_t method) {
  if (method == ike::ike_auth::PreShared) return "pre-share";
  if (method == ike::ike_auth::XauthInitPreShared) return "xauth-init-pre-share";
  return "other";
}

// Seconds of lifetime left, null before the SA is established (phase 1) or installed (phase 2).
json lifetime_left(TimePoint since, uint32_t lifetime, TimePoint now) {
  if (lifetime == 0) return nullptr;
  return std::max<int64_t>(0, int64_t(lifetime) - seconds_between(since, now));
}

json counters_view(kernel::Kernel& k, Ipv4 destination, kernel::Spi spi) {
  auto c = k.counters(destination, spi);
  if (!c) return json{{"error", c.error()}};
  return json{{"bytes", c->bytes}, {"packets", c->packets}};
}

bool has_key(const json& j, const char* key) { return j.contains(key) && !j[key].is_null(); }

json ok_response() { return json{{"version", kProtocolVersion}, {"ok", true}}; }

// The IKE process's heap as glibc's allocator sees it, every arena summed (the PIX's `show memory` gave used and
// free too): memory in use by live objects against memory held free inside the heap tells a leak from
// fragmentation when RSS grows. Null when another allocator serves malloc (AddressSanitizer's, say): glibc then
// counts nothing, and zeros would read as an empty heap.
json heap_view() {
  const struct mallinfo2 m = mallinfo2();
  if (m.uordblks + m.hblkhd == 0) return nullptr;  // a running daemon always has something allocated
  return json{{"in_use", m.uordblks + m.hblkhd}, {"free", m.fordblks}, {"free_at_top", m.keepcost},
              {"arena", m.arena}, {"mmapped", m.hblkhd}};
}

json status(RequestContext& ctx) {
  const auto& st = ctx.responder.stats();
  size_t established = 0, half_open = 0, children = 0, users = 0;
  for (const auto* sa : ctx.responder.sas()) {
    if (sa->established()) ++established;
    else ++half_open;
    children += sa->session.children.size();
    if (!user_view(*sa, ctx.time.now()).is_null()) ++users;
  }
  json r = ok_response();
  r["daemon"] = "ravpnd";
  r["daemon_version"] = version();
  r["uptime"] = std::max<int64_t>(0, seconds_between(ctx.started, ctx.time.now()));
  r["config"] = ctx.config_source;
  r["kernel"] = ctx.responder.kernel() != nullptr;
  r["kernel_capability"] = ctx.kernel_capability ? ctx.kernel_capability->to_json() : json(nullptr);
  r["sas"] = {{"isakmp", ctx.responder.sa_count()}, {"established", established}, {"negotiating", half_open},
              {"ipsec", children}, {"users", users}};
  r["counters"] = {{"datagrams", st.datagrams},
                   {"dropped", st.dropped},
                   {"retransmits_answered", st.retransmits_answered},
                   {"phase1_started", st.phase1_started},
                   {"phase1_established", st.phase1_established},
                   {"no_proposal_chosen", st.no_proposal_chosen},
                   {"auth_failed", st.auth_failed},
                   {"half_open_expired", st.half_open_expired},
                   {"dh_jobs", st.dh_jobs},
                   {"reassembled", st.reassembled},
                   {"xauth_ok", st.xauth_ok},
                   {"xauth_failed", st.xauth_failed},
                   {"tunnels_up", st.tunnels_up},
                   {"sessions_taken_over", st.sessions_taken_over},
                   {"logins_replaced", st.logins_replaced},
                   {"tick_visits", st.tick_visits},
                   {"xauth_throttled", ctx.throttle ? ctx.throttle->refused() : 0}};
  r["xauth_lockouts"] = lockouts_view(ctx.throttle, ctx.time.now());
  r["accounting"] = accounting_view(ctx.accounting ? ctx.accounting() : nullptr);
  r["admission"] = admission_view(ctx.responder);
  r["heap"] = heap_view();
  return r;
}

json disconnect(RequestContext& ctx, const json& req) {
  int given = int(has_key(req, "user")) + int(has_key(req, "address")) + int(has_key(req, "peer"));
  if (given != 1) return error_response("disconnect needs exactly one of \"user\", \"address\", \"peer\"");
  std::function<bool(const ike::Phase1Sa&)> match;
  std::string reason;
  if (has_key(req, "user")) {
    if (!req["user"].is_string() || req["user"].get<std::string>().empty())
      return error_response("\"user\" must be a non-empty string");
    std::string user = req["user"].get<std::string>();
    match = [user](const ike::Phase1Sa& sa) { return sa.session.xauth.user == user; };
    reason = "disconnected by the operator (user " + printable(user) + ")";
  } else {
    const char* key = has_key(req, "address") ? "address" : "peer";
    if (!req[key].is_string()) return error_response(fmt::format("\"{}\" must be an IPv4 address string", key));
    auto a = Ipv4::parse(req[key].get<std::string>());
    if (!a) return error_response(fmt::format("\"{}\": not an IPv4 address: {}", key, printable(req[key].get<std::string>())));
    if (std::string_view(key) == "address")
      match = [a](const ike::Phase1Sa& sa) { return sa.session.mode_config.address == *a; };
    else
      match = [a](const ike::Phase1Sa& sa) { return sa.peer.address == *a; };
    reason = fmt::format("disconnected by the operator ({} {})", key, a->str());
  }
  json r = ok_response();
  r["disconnected"] = ctx.responder.disconnect_if(match, reason);
  return r;
}

json debug(RequestContext& ctx, const json& req) {
  if (!req.contains("categories") || !req["categories"].is_string())
    return error_response("debug needs \"categories\", e.g. \"isakmp,ipsec\", \"all\" or \"none\"");
  const std::string cats = req["categories"].get<std::string>();
  // Check every name first: the logger would otherwise turn on the names before an unknown one.
  static const std::set<std::string> known{"all", "none", "isakmp", "ipsec", "aaa", "config", "daemon"};
  std::stringstream in(cats);
  std::string item;
  bool any = false;
  while (std::getline(in, item, ',')) {
    if (!known.contains(item)) return error_response("unknown debug category '" + printable(item) + "'");
    any = true;
  }
  if (!any) return error_response("debug needs at least one category");
  if (!ctx.set_debug) return error_response("debug categories cannot be changed in this daemon");
  if (!ctx.set_debug(cats)) return error_response("the logger refused '" + printable(cats) + "'");
  json r = ok_response();
  r["categories"] = cats;
  return r;
}

}  // namespace

const char* version() { return RAVPN_VERSION; }

std::string printable(std::string_view text) { return peer_text(text); }

json admission_view(const ike::Responder& responder) {
  const auto& a = responder.admission();
  const auto& s = a.settings();
  json dropped = json::object();
  for (size_t i = 0; i < ike::kDropRules; ++i) dropped[ike::name(ike::DropRule(i))] = a.dropped(ike::DropRule(i));
  return json{{"dropped", std::move(dropped)},
              {"under_pressure", a.under_pressure()},
              {"half_open", responder.half_open()},
              {"dh_queued", responder.dh_queued()},
              {"fragment_sets", responder.fragments().pending()},
              {"fragment_bytes", responder.fragments().pending_bytes()},
              {"limits", {{"half_open_per_source", s.half_open_per_source},
                          {"half_open_max", s.half_open_max},
                          {"dh_queue_new", s.dh_queue_new},
                          {"dh_queue_proven", s.dh_queue_proven},
                          {"fragment_sets_per_source", s.fragment_sets_per_source},
                          {"fragment_bytes_per_source", s.fragment_bytes_per_source},
                          {"fragment_sets_max", s.fragment_sets_max}}}};
}

json lockouts_view(const xauth::Throttle* throttle, TimePoint now) {
  json out = json::array();
  if (!throttle) return out;
  for (const auto& l : throttle->lockouts()) {
    json j;
    if (l.user) j["user"] = printable(*l.user);
    else j["address"] = l.address->str();
    j["failures"] = l.failures;
    j["seconds_left"] = std::max<int64_t>(0, seconds_between(now, l.until));
    out.push_back(std::move(j));
  }
  return out;
}

json error_response(const std::string& message) {
  return json{{"version", kProtocolVersion}, {"ok", false}, {"error", message}};
}

std::string dump_line(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json isakmp_view(const ike::Phase1Sa& sa, TimePoint now) {
  json j;
  j["serial"] = sa.serial;
  j["peer"] = sa.peer.str();
  j["local"] = sa.local.str();
  j["state"] = name(sa.state);
  j["established"] = sa.established();
  j["mode"] = sa.mode == ike::Phase1Mode::Main ? "main" : "aggressive";
  j["icookie"] = sa.icookie.hex();
  j["rcookie"] = sa.rcookie.hex();
  j["age"] = std::max<int64_t>(0, seconds_between(sa.created, now));
  // The proposal is chosen on the first message and the peer's identity arrives with AM1 (aggressive mode) or
  // MM5 (main mode): shown as soon as they exist. Lifetime runs from establishment.
  j["peer_id"] = sa.peer_id.data.empty() ? json(nullptr) : identity_view(sa.peer_id);
  if (sa.choice.policy_priority != 0)
    j["algorithms"] = {{"cipher", crypto::name(sa.choice.cipher)},
                       {"hash", crypto::name(sa.choice.hash)},
                       {"dh_group", sa.choice.dh_group},
                       {"auth", auth_name(sa.choice.auth_method)},
                       {"policy", sa.choice.policy_priority},
                       {"lifetime", sa.choice.lifetime_seconds}};
  else
    j["algorithms"] = nullptr;
  if (sa.established()) {
    j["established_for"] = std::max<int64_t>(0, seconds_between(sa.established_at, now));
    j["lifetime_left"] = lifetime_left(sa.established_at, sa.choice.lifetime_seconds, now);
  } else {
    j["established_for"] = nullptr;
    j["lifetime_left"] = nullptr;
  }
  j["group"] = sa.group_name.empty() ? json(nullptr) : json(printable(sa.group_name));
  j["nat_t"] = {{"variant", name(sa.natt)}, {"peer_behind_nat", sa.peer_behind_nat},
                {"local_behind_nat", sa.local_behind_nat}};
  j["stage"] = name(sa.session.stage);  // Xauth -> mode-config -> quick modes (ike/session_flow.hpp)
  j["xauth"] = {{"user", sa.session.xauth.user.empty() ? json(nullptr) : json(printable(sa.session.xauth.user))}};
  const auto& mc = sa.session.mode_config;
  j["address"] = mc.address ? json(mc.address->str()) : json(nullptr);
  j["ipsec_sas"] = sa.session.children.size();
  // Which session this ISAKMP SA carries: taken over from an older one (phase 1 rekey), or none any more (given to
  // a newer one); a deleted ISAKMP SA whose IPsec SAs live on still shows its session.
  j["session"] = {{"carried_from", sa.session.carried_from == 0 ? json(nullptr) : json(sa.session.carried_from)},
                  {"handed_to", sa.session.handed_to == 0 ? json(nullptr) : json(sa.session.handed_to)},
                  {"phase1_rekeys", sa.session.phase1_rekeys},
                  {"phase2_rekeys", sa.session.phase2_rekeys},
                  {"detached", sa.detached()}};
  return j;
}

json child_views(const ike::Phase1Sa& sa, TimePoint now, kernel::Kernel* kernel) {
  json out = json::array();
  for (const auto& c : sa.session.children) {
    json j;
    j["serial"] = sa.serial;
    j["peer"] = sa.peer.str();
    j["local"] = sa.local.str();
    j["user"] = sa.session.xauth.user.empty() ? json(nullptr) : json(printable(sa.session.xauth.user));
    j["spi_in"] = spi_hex(c.spi_in);
    j["spi_out"] = spi_hex(c.spi_out);
    j["local_net"] = c.protected_net.str();
    j["remote_net"] = c.client_net.str();
    j["reqid"] = c.reqid;
    j["state"] = ike::child_sa::name(c.state);
    j["transform"] = c.transform;
    j["lifetime"] = c.lifetime_seconds;
    j["lifetime_kilobytes"] = c.lifetime_kilobytes == 0 ? json(nullptr) : json(c.lifetime_kilobytes);
    j["installed_for"] = std::max<int64_t>(0, seconds_between(c.installed_at, now));
    j["lifetime_left"] = lifetime_left(c.installed_at, c.lifetime_seconds, now);
    if (kernel) {
      j["in"] = counters_view(*kernel, sa.local.address, c.spi_in);
      j["out"] = counters_view(*kernel, sa.peer.address, c.spi_out);
    } else {
      j["in"] = nullptr;
      j["out"] = nullptr;
    }
    out.push_back(std::move(j));
  }
  return out;
}

json user_view(const ike::Phase1Sa& sa, TimePoint now) {
  const auto& x = sa.session.xauth;
  const auto& mc = sa.session.mode_config;
  const bool authenticated = ike::authenticated(sa.session.stage) && !x.user.empty();
  if (!(sa.established() || sa.detached()) || sa.session.handed_to != 0 ||
      (!authenticated && !mc.address && sa.session.children.empty()))
    return nullptr;  // an older ISAKMP SA whose session a newer one took over is not a user of its own
  const TimePoint login = sa.session.login_at == TimePoint{} ? sa.established_at : sa.session.login_at;
  const auto& l = sa.liveness;
  json dpd = sa.detached() ? json("no ISAKMP SA")
             : l.dpd_unanswered > 0 ? json(fmt::format("{} R-U-THERE unanswered", l.dpd_unanswered))
                                    : json(sa.caps.dpd ? "ok" : "peer has no DPD");
  return json{{"user", authenticated ? json(printable(x.user)) : json(nullptr)},
              {"group", sa.group_name.empty() ? json(nullptr) : json(printable(sa.group_name))},
              {"address", mc.address ? json(mc.address->str()) : json(nullptr)},
              {"pool", mc.pool.empty() ? json(nullptr) : json(mc.pool)},
              {"peer", sa.peer.str()},
              {"serial", sa.serial},
              {"connected_for", std::max<int64_t>(0, seconds_between(login, now))},
              {"idle_for", std::max<int64_t>(0, seconds_between(l.last_traffic, now))},
              {"phase1", sa.detached() ? "deleted, IPsec SAs live on" : "up"},
              {"phase1_rekeys", sa.session.phase1_rekeys},
              {"phase2_rekeys", sa.session.phase2_rekeys},
              {"dpd", std::move(dpd)},
              {"ipsec_sas", sa.session.children.size()},
              {"aaa_server", sa.authorization.answered_by.empty() ? json(nullptr) : json(sa.authorization.answered_by)},
              {"accounting_session", sa.accounting.started ? json(sa.accounting.session_id) : json(nullptr)}};
}

json accounting_view(const xauth::accounting::Sender* sender) {
  if (!sender) return nullptr;
  const auto st = sender->stats();
  const auto settings = sender->settings();
  json servers = json::array();
  for (const auto& s : settings.servers) servers.push_back(s.str());
  return json{{"protocol", xauth::accounting::name(settings.protocol)},
              {"servers", std::move(servers)},
              {"interim_seconds", settings.interim.count()},
              {"queued", st.queued},
              {"submitted", st.submitted},
              {"sent", st.sent},
              {"failed_rounds", st.failed_rounds},
              {"retransmits", st.retransmits},
              {"dropped", st.dropped},
              {"last_server", st.last_server.empty() ? json(nullptr) : json(st.last_server)},
              {"last_error", st.last_error.empty() ? json(nullptr) : json(st.last_error)}};
}

json pools_view(const ike::PoolSet* pools) {
  json out = json::array();
  if (!pools) return out;
  for (const auto& [name, p] : *pools)
    out.push_back({{"name", name}, {"size", p.size()}, {"leased", p.leased()}, {"free", p.free()}});
  return out;
}

namespace {

json reload(RequestContext& ctx) {
  if (!ctx.reload) return error_response("this daemon cannot reload its configuration");
  auto result = ctx.reload();
  if (!result) return error_response(result.error());
  json r = ok_response();
  r.update(*result);
  return r;
}

}  // namespace

json handle_request(RequestContext& ctx, const json& req, Access access) {
  if (!req.is_object()) return error_response("a request is a JSON object");
  if (!req.contains("version") || !req["version"].is_number_integer())
    return error_response("missing \"version\" (this daemon speaks version 1)");
  if (req["version"].get<int64_t>() != kProtocolVersion)
    return error_response(fmt::format("unsupported version {} (this daemon speaks version 1)",
                                       req["version"].get<int64_t>()));
  if (!req.contains("request") || !req["request"].is_string()) return error_response("missing \"request\"");
  const std::string what = req["request"].get<std::string>();
  const TimePoint now = ctx.time.now();

  if (what == "status") return status(ctx);
  if (what == "isakmp") {
    json r = ok_response();
    r["sas"] = json::array();
    for (const auto* sa : ctx.responder.sas()) r["sas"].push_back(isakmp_view(*sa, now));
    return r;
  }
  if (what == "sas") {
    json r = ok_response();
    r["kernel"] = ctx.responder.kernel() != nullptr;
    r["sas"] = json::array();
    for (const auto* sa : ctx.responder.sas())
      for (auto& c : child_views(*sa, now, ctx.responder.kernel())) r["sas"].push_back(std::move(c));
    return r;
  }
  if (what == "users") {
    json r = ok_response();
    r["users"] = json::array();
    for (const auto* sa : ctx.responder.sas())
      if (auto u = user_view(*sa, now); !u.is_null()) r["users"].push_back(std::move(u));
    return r;
  }
  if (what == "pools") {
    json r = ok_response();
    r["pools"] = pools_view(ctx.responder.pools());
    return r;
  }
  // What changes the daemon's state is for root and group ravpn-admin only (access.hpp).
  if ((what == "disconnect" || what == "reload" || what == "debug") && access != Access::Admin)
    return error_response("permission denied: '" + what + "' needs root or group ravpn-admin");
  if (what == "disconnect") return disconnect(ctx, req);
  if (what == "reload") return reload(ctx);
  if (what == "debug") return debug(ctx, req);
  return error_response("unknown request '" + printable(what) + "'");
}

std::string handle_line(RequestContext& ctx, std::string_view line, Access access) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() > kMaxRequestLine)
    return dump_line(error_response(fmt::format("request line longer than {} bytes", kMaxRequestLine)));
  json req = json::parse(line.begin(), line.end(), nullptr, false);
  if (req.is_discarded()) return dump_line(error_response("invalid JSON"));
  try {
    return dump_line(handle_request(ctx, req, access));
  } catch (const json::exception& e) {
    return dump_line(error_response(std::string("bad request: ") + e.what()));
  }
}

}  // namespace ravpn::control
