// The responder after phase 1: Xauth, mode-config and quick mode on an established ISAKMP SA.
#include <fmt/format.h>

#include <algorithm>

#include "ike/child_sa.hpp"
#include "ike/informational.hpp"
#include "ike/log_text.hpp"
#include "ike/mode_config.hpp"
#include "ike/protected_exchange.hpp"
#include "ike/quick_mode.hpp"
#include "ike/responder.hpp"
#include "ike/xauth.hpp"

namespace ravpn::ike {
namespace {
bool push_configured(const config::Config& config) {
  for (const auto& [name, map] : config.crypto_maps)
    if (map.config_initiate) return true;
  return false;
}
bool pull_configured(const config::Config& config) {
  for (const auto& [name, map] : config.crypto_maps)
    if (map.config_respond) return true;
  return false;
}
}  // namespace

bool Responder::advance(Phase1Sa& sa, SessionEvent event) {
  const SessionStage before = sa.session.stage;
  if (!ike::advance(sa.session.stage, event)) {
    log_.log(LogLevel::Info, LogCategory::Isakmp, "{}: {} not expected in session stage '{}', dropped", sa.tag(),
             name(event), name(before));
    return false;
  }
  if (before != sa.session.stage)
    log_.log(LogLevel::Debug, LogCategory::Isakmp, "{}: session {} -> {} ({})", sa.tag(), name(before),
             name(sa.session.stage), name(event));
  return true;
}

void Responder::send_outstanding(Phase1Sa& sa, uint32_t message_id, Bytes message) {
  const TimePoint now = time_.now();
  sa.session.outstanding = Outstanding{message_id, message, now, now + settings_.first_retransmit, 0};
  send_to_peer(sa, std::move(message));
}

void Responder::retransmit_outstanding(Phase1Sa& sa, TimePoint now) {
  auto& o = *sa.session.outstanding;
  if (now < o.next_retransmit) return;
  ++o.retransmits;
  o.next_retransmit = now + settings_.first_retransmit * (1 << std::min(o.retransmits, 4));
  log_.log(LogLevel::Info, LogCategory::Isakmp, "{}: retransmitting transaction {:08x} ({})", sa.tag(), o.message_id,
           o.retransmits);
  send_to_peer(sa, o.message);
}

void Responder::begin_session(Phase1Sa& sa) {
  if (sa.xauth_wanted) {
    if (!services_.xauth) {
      log_.log(LogLevel::Error, LogCategory::Aaa, "{}: Xauth is configured but cannot run: {}", sa.tag(),
               services_.xauth_problem);
      return delete_sa(sa, "no Xauth backend");
    }
    sa.session.xauth.started = time_.now();
    advance(sa, SessionEvent::XauthRequestSent);
    Bytes req = xauth_exchange::request(*ctx_, sa);
    log_.log(LogLevel::Info, LogCategory::Aaa, "{}: Xauth: requesting user name and password", sa.tag());
    return send_outstanding(sa, sa.session.xauth.message_id, std::move(req));
  }
  advance(sa, SessionEvent::NoXauth);
  after_xauth(sa);
}

void Responder::retire_older_sessions(Phase1Sa& sa) {
  const auto& address = sa.session.mode_config.address;
  if (!address) return;
  std::vector<Phase1Sa*> older;
  auto still_there = [&](const Cookie& c) {
    const Phase1Sa* other = find_mutable(c);
    return other && other->session.mode_config.address == address;
  };
  for (const auto& cookie : by_address_.find(*address, still_there))
    if (cookie != sa.rcookie) older.push_back(find_mutable(cookie));
  by_address_.add(*address, sa.rcookie);
  // One lease per user: the same user logging in again gets the same address, so its older tunnel (same selectors
  // in the kernel) goes, as a Cisco head-end drops the old session of a user who reconnects.
  for (auto* other : older) delete_sa(*other, "replaced by a newer login of the same user on " + address->str());
}

void Responder::after_xauth(Phase1Sa& sa) {
  take_over_older_session(sa);
  if (!sa.session.children.empty()) advance(sa, SessionEvent::ChildInstalled);  // the takeover brought them
  limit_logins(sa);
  // `client configuration address initiate`: push the address to clients that do not ask for it themselves
  // (Cisco VPN Client 1.1, strongSwan in push mode). Unity clients (3.x/4.x, vpnc) always ask (`respond`). Other
  // clients may pull too (strongSwan and Libreswan in pull mode send their REQUEST right after the Xauth ACK): with
  // `respond` configured as well they get a short window to do so, and a client that pulled is never sent a SET
  // (it would answer a transaction it did not expect).
  const auto& mc = sa.session.mode_config;
  if (!push_configured(*config_) || sa.caps.unity || (mc.address && !mc.adopted)) return;
  if (pull_configured(*config_)) {
    sa.session.mode_config.push_due = time_.now() + settings_.pull_window;
    return;
  }
  push_address(sa);
}

void Responder::push_address(Phase1Sa& sa) {
  auto& mc = sa.session.mode_config;
  mc.push_due.reset();
  if (mc.address && !mc.adopted) return;  // the client pulled it
  mc.adopted = false;
  log_.log(LogLevel::Debug, LogCategory::Isakmp, "{}: the client did not ask for an address, pushing one", sa.tag());
  if (!mode_config::ensure_address(*ctx_, sa)) return delete_sa(sa, "no address for the client");
  if (!advance(sa, SessionEvent::AddressPushed)) return;
  retire_older_sessions(sa);
  MessageId id;
  Bytes set = mode_config::push(*ctx_, sa, id);
  send_outstanding(sa, id.value, std::move(set));
}

void Responder::on_transaction(const Datagram& d, const Header& h, Phase1Sa& sa) {
  const uint32_t mid = h.message_id.value;
  if (auto it = sa.session.answered.find(mid); it != sa.session.answered.end()) {
    if (it->second.request == d.data) {
      ++stats_.retransmits_answered;
      send_to_peer(sa, it->second.reply);
    }
    return;
  }
  auto& session = sa.session;
  if (d.data == session.last_answer_received) {
    // The peer missed what we sent after its answer (the Xauth status, the next REQUEST): resend that; while the
    // answer is still being worked on (AAA) there is nothing to send yet.
    ++stats_.retransmits_answered;
    log_.log(LogLevel::Debug, LogCategory::Isakmp, "{}: transaction {:08x} retransmitted by the peer", sa.tag(), mid);
    if (session.outstanding) send_to_peer(sa, session.outstanding->message);
    return;
  }
  auto attrs = open_transaction(sa, h, d.data);
  if (!attrs) {
    log_.log(LogLevel::Info, LogCategory::Isakmp, "{}: transaction {:08x} dropped: {}", sa.tag(), mid, attrs.error().what);
    return;
  }
  if (session.outstanding && session.outstanding->message_id == mid) {
    session.outstanding.reset();
    session.last_answer_received = d.data;
    sa.phase2_ivs.erase(mid);  // our message and its answer: the exchange is over
  }

  if (mid == session.xauth.message_id && xauth_in_progress(session.stage)) {
    auto received = xauth_exchange::on_message(*ctx_, sa, *attrs);
    using What = xauth_exchange::Received::What;
    if (received.what == What::Credentials) {
      if (!advance(sa, SessionEvent::Credentials)) return;
      log_.log(LogLevel::Debug, LogCategory::Aaa, "{}: Xauth reply for user '{}'", sa.tag(),
               peer_text(received.credentials.user));
      Cookie rcookie = sa.rcookie;
      std::weak_ptr<bool> alive = alive_;
      services_.xauth->authenticate(received.credentials, [this, rcookie, alive](xauth::Result result) {
        if (auto a = alive.lock(); a && *a) finish_xauth(rcookie, result);
      });
    } else if (received.what == What::Acknowledged) {
      if (!advance(sa, SessionEvent::XauthAcked)) return;
      if (session.stage == SessionStage::Ended) return delete_sa(sa, "Xauth failed");
      after_xauth(sa);
    } else {
      log_.log(LogLevel::Info, LogCategory::Aaa, "{}: {}", sa.tag(), received.problem);
    }
    return;
  }

  if (attrs->type == cfg_type::Ack) {
    if (!advance(sa, SessionEvent::AddressAcked)) return;
    log_.log(LogLevel::Info, LogCategory::Isakmp, "{}: peer accepted the address {}", sa.tag(),
             session.mode_config.address ? session.mode_config.address->str() : "?");
    return;
  }
  if (attrs->type == cfg_type::Request) {
    if (!authenticated(session.stage)) {
      log_.log(LogLevel::Info, LogCategory::Isakmp, "{}: mode-config request in session stage '{}', dropped",
               sa.tag(), name(session.stage));
      return;
    }
    session.mode_config.push_due.reset();  // it pulled: no SET as well
    session.mode_config.adopted = false;
    Bytes reply = mode_config::reply(*ctx_, sa, h.message_id, *attrs);
    sa.phase2_ivs.erase(mid);  // REQUEST/REPLY is over; a retransmitted REQUEST is answered from `answered`
    session.answered[mid] = {d.data, reply, time_.now()};
    send_to_peer(sa, std::move(reply));
    if (!session.mode_config.address) return delete_sa(sa, "no address for the client");
    advance(sa, SessionEvent::AddressPulled);
    retire_older_sessions(sa);
    return;
  }
  log_.log(LogLevel::Info, LogCategory::Isakmp, "{}: unexpected transaction type {} ({:08x})", sa.tag(), attrs->type, mid);
}

void Responder::finish_xauth(const Cookie& rcookie, const xauth::Result& result) {
  auto it = sas_.find(rcookie);
  if (it == sas_.end()) return;
  touch(rcookie);
  Phase1Sa& sa = *it->second;
  auto& x = sa.session.xauth;
  if (sa.session.stage != SessionStage::XauthChecking) return;
  if (result.verdict == xauth::Verdict::Accept) {
    advance(sa, SessionEvent::AaaAccepted);
    ++stats_.xauth_ok;
    sa.authorization = result.authorization;  // RADIUS Framed-IP-Address, timeouts, Class
    sa.authorization.answered_by = result.answered_by;
    log_.log(LogLevel::Notice, LogCategory::Aaa, "{}: Xauth user '{}' authenticated", sa.tag(),
             peer_text(x.user));
    return send_outstanding(sa, x.message_id, xauth_exchange::status(*ctx_, sa, true));
  }
  ++x.attempts;
  ++stats_.xauth_failed;
  log_.log(LogLevel::Warning, LogCategory::Aaa, "{}: Xauth user '{}' refused: {} (try {} of {})", sa.tag(),
           peer_text(x.user),
           result.reason, x.attempts, xauth_exchange::kMaxAttempts);
  if (x.attempts < xauth_exchange::kMaxAttempts && result.verdict != xauth::Verdict::Unavailable) {
    advance(sa, SessionEvent::AaaRefusedRetry);
    Bytes again = xauth_exchange::request(*ctx_, sa, "Authentication failed, try again");
    return send_outstanding(sa, x.message_id, std::move(again));
  }
  advance(sa, SessionEvent::AaaRefusedFinal);
  Bytes fail = xauth_exchange::status(*ctx_, sa, false);
  send_outstanding(sa, x.message_id, std::move(fail));
}

void Responder::on_kernel_expire(const std::vector<kernel::ExpireEvent>& events) {
  for (const auto& e : events) {
    auto owns = [&](const Cookie& c) {
      const Phase1Sa* sa = find_mutable(c);
      return sa && child_sa::find_pair(*sa, e);
    };
    std::vector<Cookie> owner = by_spi_.find(e.spi.value, owns);
    if (owner.empty())  // not indexed (an SA the responder does not know, normally): the walk the index replaces
      for (const auto& [cookie, sa] : sas_)
        if (child_sa::find_pair(*sa, e)) {
          owner.push_back(cookie);
          break;
        }
    if (owner.empty()) continue;
    const Cookie cookie = owner.front();
    Phase1Sa& sa = *find_mutable(cookie);
    const auto* pair = child_sa::find_pair(sa, e);
    // A refused install: the client believes the tunnel is up; tell it the pair is gone (as quick mode does when
    // an install fails at once), so it can negotiate again.
    const std::optional<uint32_t> tell_peer =
        e.refused.empty() ? std::nullopt : std::optional<uint32_t>(pair->spi_in.value);
    touch(cookie);
    if (e.hard || !e.refused.empty()) unindex_pair(cookie, *pair);  // the pair goes
    child_sa::on_kernel_expire(*ctx_, sa, e);
    if (tell_peer) send_to_peer(sa, informational::delete_esp(*ctx_, sa, {*tell_peer}));
  }
}

void Responder::index_children(const Phase1Sa& sa) {
  for (const auto& c : sa.session.children) {
    by_spi_.add(c.spi_in.value, sa.rcookie);
    by_spi_.add(c.spi_out.value, sa.rcookie);
  }
}

void Responder::unindex_pair(const Cookie& rcookie, const ChildSa& pair) {
  by_spi_.erase(pair.spi_in.value, rcookie);
  by_spi_.erase(pair.spi_out.value, rcookie);
}

void Responder::unindex_children(const Phase1Sa& sa) {
  for (const auto& c : sa.session.children) unindex_pair(sa.rcookie, c);
}

void Responder::reindex_children_if_stale() {
  if (by_spi_.size() <= by_spi_limit_) return;
  by_spi_.clear();
  for (const auto& [cookie, sa] : sas_) index_children(*sa);
  by_spi_limit_ = 2 * by_spi_.size() + 64;  // amortised: each rebuild follows as many additions as it costs
}

void Responder::on_quick_mode(const Datagram& d, const Header& h, Phase1Sa& sa) {
  auto outcome = quick_mode::on_message(*ctx_, sa, h, d.data);
  if (outcome.installed) {
    index_children(sa);
    advance(sa, SessionEvent::ChildInstalled);
    ++stats_.tunnels_up;
    if (services_.accounting) services_.accounting->up(sa, services_.kernel);
  }
  switch (outcome.step.kind) {
    case Step::Kind::Reply: return send_to_peer(sa, std::move(outcome.step.reply));
    case Step::Kind::NeedDh: return start_dh(sa, h.message_id.value);
    case Step::Kind::Fail:
      if (outcome.step.notify) send_to_peer(sa, informational::notify(*ctx_, sa, outcome.step.notify));
      return;
    case Step::Kind::Ignore:
      if (!outcome.installed) log_.log(LogLevel::Debug, LogCategory::Ipsec, "{}: {}", sa.tag(), outcome.step.reason);
      return;
  }
}

}  // namespace ravpn::ike
