// A user's session outlives the ISAKMP SA that carries it.
//   - Takeover: a new ISAKMP SA from the same peer (address and port: behind a NAT several users share the
//     address), with the same phase 1 identity and the same Xauth user, takes over the older SA's session once it
//     has authenticated: its IPsec SA pairs (still in the kernel, still passing traffic), its address, its login
//     time. That is a phase 1 rekey, or IKEv1 "reauthentication" as strongSwan and Libreswan clients do it (a new
//     main or aggressive mode and Xauth while the old ISAKMP SA lives or after it expired). strongSwan's responder
//     adopts the children and virtual IPs of the older IKE_SA the same way.
//   - Detaching: when phase 1 reaches its lifetime and IPsec SAs remain, they live on until their own lifetime
//     ends, as IOS and the PIX keep IPsec SAs whose ISAKMP SA is gone; the session ends with its last IPsec SA (or
//     its idle or maximum time).
#include <algorithm>

#include "ike/informational.hpp"
#include "ike/log_text.hpp"
#include "ike/quick_mode.hpp"
#include "ike/responder.hpp"

namespace ravpn::ike {
namespace {

bool same_peer_and_user(const Phase1Sa& a, const Phase1Sa& b) {
  return a.peer == b.peer && a.peer_id == b.peer_id && a.session.xauth.user == b.session.xauth.user;
}

bool carries_a_session(const Phase1Sa& sa) {
  return !sa.session.children.empty() || sa.session.mode_config.address.has_value();
}

}  // namespace

void Responder::take_over_older_session(Phase1Sa& sa) {
  auto& to = sa.session;
  if (to.login_at == TimePoint{}) to.login_at = sa.established_at;
  std::vector<Cookie> emptied;
  for (const auto& cookie : by_peer_.find(sa.peer.address, [&](const Cookie& c) { return sas_.count(c) > 0; })) {
    Phase1Sa* other = find_mutable(cookie);
    if (other == &sa || !(other->established() || other->detached())) continue;
    if (!same_peer_and_user(*other, sa) || !carries_a_session(*other)) continue;
    touch(cookie);
    auto& from = other->session;
    const size_t pairs = from.children.size();
    to.children.insert(to.children.end(), from.children.begin(), from.children.end());
    from.children.clear();
    index_children(sa);
    if (from.mode_config.address && !to.mode_config.address) {
      to.mode_config.address = from.mode_config.address;  // the lease moves with it (its holder count unchanged)
      to.mode_config.pool = from.mode_config.pool;
      to.mode_config.adopted = true;
      to.login_slot = from.login_slot;  // the lease's owner
      by_address_.add(*to.mode_config.address, sa.rcookie);
      from.mode_config.address.reset();
      from.mode_config.pool.clear();
    }
    from.handed_to = sa.serial;
    // Accounting follows the session: one Start and one Stop for all its ISAKMP SAs, counts summed over them.
    if (!sa.accounting.started && other->accounting.started) {
      sa.accounting = std::move(other->accounting);
      other->accounting = {};
    }
    to.login_at = std::min(to.login_at, from.login_at == TimePoint{} ? other->established_at : from.login_at);
    to.phase1_rekeys = std::max(to.phase1_rekeys, from.phase1_rekeys + 1);
    to.phase2_rekeys += from.phase2_rekeys;
    to.carried_from = other->serial;
    // The counters the idle check compares against are the moved SAs' own.
    sa.liveness.bytes_in += other->liveness.bytes_in;
    sa.liveness.bytes_out += other->liveness.bytes_out;
    sa.liveness.last_traffic = std::max(sa.liveness.last_traffic, other->liveness.last_traffic);
    ++stats_.sessions_taken_over;
    log_.log(LogLevel::Notice, LogCategory::Isakmp,
             "{}: phase 1 renewed: takes over the session of conn {}{} ({} IPsec SA pair{}, address {})", sa.tag(),
             other->serial, to.xauth.user.empty() ? "" : " user " + peer_text(to.xauth.user), pairs,
             pairs == 1 ? "" : "s", to.mode_config.address ? to.mode_config.address->str() : "none");
    // A detached SA has nothing left; an established one stays until the peer deletes it or it expires (the
    // client may still be finishing an exchange on it), without the session.
    if (other->detached()) emptied.push_back(cookie);
  }
  for (const auto& c : emptied) remove(c);
}

void Responder::detach(Phase1Sa& sa, const std::string& why) {
  quick_mode::abandon_pending(*ctx_, sa);
  sa.session.outstanding.reset();
  sa.session.mode_config.push_due.reset();
  sa.state = Phase1State::Deleted;
  log_.log(LogLevel::Notice, LogCategory::Isakmp, "{}: {}; {} IPsec SA pair{} of {} stay until they expire", sa.tag(),
           why, sa.session.children.size(), sa.session.children.size() == 1 ? "" : "s",
           sa.session.xauth.user.empty() ? "the peer" : "user " + peer_text(sa.session.xauth.user));
}

bool Responder::keep_detached(Phase1Sa& sa, TimePoint now) {
  if (sa.session.children.empty()) {
    log_.log(LogLevel::Notice, LogCategory::Isakmp, "{}: session over: its last IPsec SA is gone", sa.tag());
    return false;
  }
  // No DPD: a deleted ISAKMP SA carries no R-U-THERE; the user's idle and maximum time still end the session.
  const auto settings = liveness_for(*config_, sa, false);
  const auto verdict = check_liveness(sa, settings, now, services_.kernel);
  if (verdict != LivenessVerdict::IdleTimeout && verdict != LivenessVerdict::MaxTime) return true;
  log_.log(LogLevel::Notice, LogCategory::Isakmp, "{}: session over: {}{}", sa.tag(), describe(verdict),
           sa.session.xauth.user.empty() ? "" : ", user " + peer_text(sa.session.xauth.user));
  return false;
}

}  // namespace ravpn::ike
