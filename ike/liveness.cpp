#include "ike/liveness.hpp"

#include <algorithm>

#include "ike/phase1_sa.hpp"

namespace ravpn::ike {
namespace {

constexpr uint32_t kDefaultDpdSeconds = 300;
constexpr uint32_t kDefaultDpdRetrySeconds = 2;
constexpr uint32_t kPixDefaultIdleSeconds = 1800;

// How often the counters are read while nothing is pending: a quarter of the shortest limit (DPD and idle are then
// acted on within 25% of their time), 1..300 s. Each read is a kernel request per SA pair: at 10,000 tunnels with
// the default 300 s keepalive, one read every 75 s each (a fixed 30 s read 2.5 times as often for nothing).
Seconds check_interval(const LivenessSettings& s) {
  Seconds shortest{300 * 4};
  if (s.dpd_after.count() > 0) shortest = std::min(shortest, s.dpd_after);
  if (s.idle.count() > 0) shortest = std::min(shortest, s.idle);
  return std::clamp(shortest / 4, Seconds{1}, Seconds{300});
}

}  // namespace

const char* describe(LivenessVerdict v) {
  switch (v) {
    case LivenessVerdict::Alive: return "alive";
    case LivenessVerdict::SendProbe: return "R-U-THERE due";
    case LivenessVerdict::Dead: return "peer dead";
    case LivenessVerdict::IdleTimeout: return "idle timeout";
    case LivenessVerdict::MaxTime: return "maximum connect time reached";
  }
  return "?";
}

LivenessSettings liveness_settings(const config::Config& config, const config::ClientGroup* group, bool peer_does_dpd) {
  LivenessSettings s;
  if (peer_does_dpd) {
    s.dpd_after = Seconds(config.dpd_keepalive_seconds.value_or(kDefaultDpdSeconds));
    s.dpd_retry = Seconds(config.dpd_retry_seconds.value_or(kDefaultDpdRetrySeconds));
  }
  std::optional<uint32_t> idle = group ? group->idle_time : std::nullopt;
  if (!idle && config.dialect == config::Dialect::Pix) idle = kPixDefaultIdleSeconds;
  if (idle) s.idle = Seconds(*idle);
  if (group && group->max_time) s.max = Seconds(*group->max_time);
  return s;
}

LivenessSettings liveness_for(const config::Config& config, const Phase1Sa& sa, bool dpd) {
  const auto group = config.client_groups.find(sa.group_name);
  auto s = liveness_settings(config, group == config.client_groups.end() ? nullptr : &group->second, dpd);
  if (const auto& t = sa.authorization.session_timeout) s.max = Seconds(*t);
  if (const auto& t = sa.authorization.idle_timeout) s.idle = Seconds(*t);
  return s;
}

LivenessVerdict check_liveness(Phase1Sa& sa, const LivenessSettings& s, TimePoint now, kernel::Kernel* kernel) {
  auto& l = sa.liveness;
  const TimePoint login = sa.session.login_at == TimePoint{} ? sa.established_at : sa.session.login_at;
  l.ends_at = s.max.count() > 0 ? login + s.max : TimePoint::max();
  if (s.max.count() > 0 && now - login >= s.max) return LivenessVerdict::MaxTime;
  if (now < l.next_check && l.dpd_unanswered == 0) return LivenessVerdict::Alive;
  l.next_check = now + check_interval(s);

  // Traffic: the children's kernel counters (inbound = our SPI at our address, outbound = theirs at the peer).
  if (kernel && !sa.session.children.empty()) {
    const auto traffic = session_traffic(sa, kernel);  // with the totals of removed SAs: rises over rekeys
    const uint64_t in = traffic.bytes_in, out = traffic.bytes_out;
    // Any change is traffic; only a rise of inbound proves the peer.
    if (in > l.bytes_in) l.heard(now);
    if (in != l.bytes_in || out != l.bytes_out) l.last_traffic = now;
    l.bytes_in = in;
    l.bytes_out = out;
  }
  if (s.idle.count() > 0 && now - l.last_traffic >= s.idle) return LivenessVerdict::IdleTimeout;

  if (s.dpd_after.count() == 0) return LivenessVerdict::Alive;
  if (l.dpd_unanswered > 0) {
    if (now < l.next_probe) return LivenessVerdict::Alive;
    return l.dpd_unanswered > s.dpd_retries ? LivenessVerdict::Dead : LivenessVerdict::SendProbe;
  }
  return now - l.last_heard >= s.dpd_after ? LivenessVerdict::SendProbe : LivenessVerdict::Alive;
}

}  // namespace ravpn::ike
