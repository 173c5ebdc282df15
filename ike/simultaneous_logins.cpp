// Simultaneous logins of one Xauth user. PIX sites often share accounts, so by default a user may hold several
// sessions at once (3, as the PIX's successor, ASA `vpn-simultaneous-logins`); the group's `max-logins` sets it.
// At the limit the new login is let in and the user's session idle the longest (the oldest, when equally idle) is
// logged off, as the ASA does: a laptop that slept through a NAT change must not be locked out by its own stale
// session. With a limit of 1 every new login replaces the older one.
// Each simultaneous login is a slot with its own lease ("john", "john #2", ...), so each keeps its address across
// reconnects; a takeover (responder_takeover.cpp: same peer, same identity) keeps the older session's slot.
#include <algorithm>
#include <set>

#include "ike/log_text.hpp"
#include "ike/mode_config.hpp"
#include "ike/responder.hpp"

namespace ravpn::ike {

void Responder::limit_logins(Phase1Sa& sa) {
  const std::string& user = sa.session.xauth.user;
  if (user.empty()) return;
  const auto* group = mode_config::group_of(ctx_->policy, sa);
  const uint32_t limit = group ? group->max_logins : compiled::GroupPolicy{}.max_logins;

  std::vector<Phase1Sa*> others;  // the user's other live sessions
  auto still_theirs = [&](const Cookie& c) {
    const Phase1Sa* other = find_mutable(c);
    return other && other->session.xauth.user == user;
  };
  for (const auto& cookie : by_user_.find(user, still_theirs)) {
    Phase1Sa* other = find_mutable(cookie);
    if (other == &sa || !(other->established() || other->detached())) continue;
    if (other->session.handed_to != 0) continue;
    others.push_back(other);
  }
  by_user_.add(user, sa.rcookie);
  // Longest idle first; equally idle: the oldest login first.
  std::sort(others.begin(), others.end(), [](const Phase1Sa* a, const Phase1Sa* b) {
    if (a->liveness.last_traffic != b->liveness.last_traffic) return a->liveness.last_traffic < b->liveness.last_traffic;
    return a->session.login_at < b->session.login_at;
  });
  size_t evict = others.size() + 1 > limit ? others.size() + 1 - limit : 0;
  for (size_t i = 0; i < evict; ++i) {
    ++stats_.logins_replaced;
    delete_sa(*others[i], "replaced by a newer login of the same user (" + std::to_string(limit) +
                              " simultaneous login" + (limit == 1 ? "" : "s") + " allowed, this one idle the longest)");
  }
  std::set<uint32_t> taken;
  for (size_t i = evict; i < others.size(); ++i) taken.insert(others[i]->session.login_slot);
  if (sa.session.mode_config.address) return;  // taken over with its slot and lease
  uint32_t slot = 0;
  while (taken.count(slot)) ++slot;
  sa.session.login_slot = slot;
  if (slot > 0)
    log_.log(LogLevel::Info, LogCategory::Isakmp, "{}: user {} logged in {} times at once", sa.tag(), peer_text(user),
             taken.size() + 1);
}

}  // namespace ravpn::ike
