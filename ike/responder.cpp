#include "ike/responder.hpp"

#include <algorithm>

#include "ike/aggressive_mode.hpp"
#include "ike/child_sa.hpp"
#include "ike/informational.hpp"
#include "ike/log_text.hpp"
#include "ike/main_mode.hpp"
#include "ike/mode_config.hpp"
#include "ike/quick_mode.hpp"
#include "ike/session_pruning.hpp"
#include "ike/wire/be32.hpp"

namespace ravpn::ike {

Responder::Responder(const config::Config& config, crypto::Rng& rng, crypto::Rng& dh_rng, const TimeSource& time,
                     Worker& worker, Logger& log, Sender& sender, ResponderSettings settings,
                     ResponderServices services)
    : config_(&config), rng_(rng), dh_rng_(dh_rng), time_(time), worker_(worker), log_(log), sender_(sender),
      settings_(settings), services_(std::move(services)),
      admission_(log_, time_, admission_settings(config.admission, settings.dh_threads), 2 * settings.half_open_timeout),
      quiet_log_(log_, admission_) {
  reconfigure(config, services_);
}

void Responder::reconfigure(const config::Config& next, ResponderServices services) {
  config_ = &next;
  services_ = std::move(services);
  ctx_.reset();  // it refers to the policy replaced here
  policy_ = std::make_unique<compiled::Policy>(compiled::compile(next));
  admission_.reconfigure(admission_settings(next.admission, settings_.dh_threads));
  const auto& a = admission_.settings();
  fragments_.set_limits({a.fragment_sets_per_source, a.fragment_bytes_per_source, a.fragment_sets_max});
  ctx_.emplace(ExchangeContext{next, *policy_, rng_, quiet_log_, &time_, services_.kernel, services_.pools, services_.xauth,
                               services_.routes});
}

size_t Responder::drop_disallowed(const std::function<std::optional<std::string>(const Phase1Sa&)>& why_not,
                                  const std::string& reason_prefix, AcctCause cause) {
  std::vector<std::pair<Cookie, std::string>> chosen;
  for (const auto& [cookie, sa] : sas_)
    if (auto why = why_not(*sa)) chosen.emplace_back(cookie, *why);
  for (const auto& [cookie, why] : chosen)
    if (auto it = sas_.find(cookie); it != sas_.end()) delete_sa(*it->second, reason_prefix + why, cause);
  return chosen.size();
}

Responder::~Responder() { *alive_ = false; }

std::vector<const Phase1Sa*> Responder::sas() const {
  std::vector<const Phase1Sa*> out;
  for (const auto& [cookie, sa] : sas_) out.push_back(sa.get());
  return out;
}

const Phase1Sa* Responder::find(const Cookie& rcookie) const {
  auto it = sas_.find(rcookie);
  return it == sas_.end() ? nullptr : it->second.get();
}

Cookie Responder::new_cookie() {
  Cookie c;
  do rng_.fill(c.bytes);
  while (c.is_zero() || sas_.count(c));
  return c;
}

size_t Responder::half_open_from(Ipv4 address) const {
  auto it = half_open_per_address_.find(address);
  return it == half_open_per_address_.end() ? 0 : it->second;
}

void Responder::add_half_open(const HalfOpenKey& key, const Cookie& rcookie) {
  if (half_open_.emplace(key, rcookie).second) ++half_open_per_address_[key.peer.address];
}

bool Responder::erase_half_open(const HalfOpenKey& key) {
  if (!half_open_.erase(key)) return false;
  auto it = half_open_per_address_.find(key.peer.address);
  if (it != half_open_per_address_.end() && --it->second == 0) half_open_per_address_.erase(it);
  return true;
}

void Responder::receive(const Datagram& d) {
  ++stats_.datagrams;
  auto header = parse_header(d.data);
  if (!header) {
    ++stats_.dropped;
    log_.log(LogLevel::Debug, LogCategory::Isakmp, "drop from {}: {}", d.from.str(), header.error().what);
    return;
  }
  if (uint8_t(header->next_payload) == kFragmentPayloadType) {
    auto whole = fragments_.add(d.from, *header, d.data, time_.now());
    if (fragments_.last_drop() == FragmentReassembler::Drop::SourceBudget) admission_.drop(DropRule::FragmentSource, d.from);
    if (fragments_.last_drop() == FragmentReassembler::Drop::Evicted) admission_.drop(DropRule::FragmentEvicted, d.from);
    if (!whole) return;
    ++stats_.reassembled;
    log_.log(LogLevel::Debug, LogCategory::Isakmp, "reassembled a {}-byte message from {}", whole->size(), d.from.str());
    auto inner = parse_header(*whole);
    if (!inner || uint8_t(inner->next_payload) == kFragmentPayloadType) return;
    return receive(Datagram{d.from, d.to, std::move(*whole)});
  }
  if (header->responder_cookie.is_zero()) return on_first_message(d, *header);

  auto it = sas_.find(header->responder_cookie);
  if (it == sas_.end() || it->second->icookie != header->initiator_cookie ||
      it->second->peer.address != d.from.address) {
    ++stats_.dropped;  // RFC 2408 §5.2: unknown cookies are dropped (INVALID-COOKIE would be an oracle)
    log_.log(LogLevel::Debug, LogCategory::Isakmp, "drop from {}: no SA for these cookies", d.from.str());
    return;
  }
  const Cookie rcookie = it->first;
  on_later_message(d, *header, *it->second);
  touch(rcookie);  // whatever the message changed, the next tick looks at the SA
}

void Responder::on_first_message(const Datagram& d, const Header& h) {
  auto known = half_open_.find({h.initiator_cookie, d.from});
  if (known != half_open_.end()) {
    auto sa_it = sas_.find(known->second);
    if (sa_it == sas_.end()) {  // never expected; keep the index honest rather than throw on a peer's packet
      erase_half_open(known->first);
      return;
    }
    Phase1Sa& sa = *sa_it->second;
    if (!sa.handshake_released() && d.data == sa.hs().last_request && !sa.hs().last_response.empty()) {
      ++stats_.retransmits_answered;
      send_to_peer(sa, sa.hs().last_response);
    }
    return;  // a retransmit being computed, or a different first message with the same cookie: drop
  }
  if (h.exchange != ExchangeType::IdentityProtection && h.exchange != ExchangeType::Aggressive) {
    ++stats_.dropped;
    log_.log(LogLevel::Debug, LogCategory::Isakmp, "drop from {}: exchange {} without a responder cookie",
             d.from.str(), int(h.exchange));
    return;
  }
  // Cheap checks before any allocation or DH work (ike/admission.hpp; style.md; WireGuard does the same).
  if (auto rule = admission_.check_first(h.exchange == ExchangeType::Aggressive, half_open_.size(),
                                         half_open_from(d.from.address), worker_.queued(JobPriority::New),
                                         worker_.jobs_per_second())) {
    ++stats_.dropped;
    return admission_.drop(*rule, d.from);
  }
  if (h.flags & flags::Encryption || h.message_id.value != 0) {
    ++stats_.dropped;
    return;
  }
  if (h.exchange == ExchangeType::Aggressive && config_->aggressive_mode_disabled) {
    ++stats_.dropped;  // IOS `crypto isakmp aggressive-mode disable`: not answered at all
    log_.log(LogLevel::Info, LogCategory::Isakmp, "drop from {}: aggressive mode is disabled", d.from.str());
    return;
  }
  auto msg = parse_message(d.data);
  Cookie rcookie = new_cookie();
  if (!msg) {
    ++stats_.dropped;
    log_.log(LogLevel::Info, LogCategory::Isakmp, "{}: malformed first message: {}", d.from.str(), msg.error().what);
    Datagram out{d.to, d.from, informational::clear_notify(h, rcookie, msg.error().notify, MessageId{})};
    sender_.send(out);
    return;
  }

  auto sa = std::make_unique<Phase1Sa>();
  sa->serial = next_serial_++;
  sa->icookie = h.initiator_cookie;
  sa->rcookie = rcookie;
  sa->peer = d.from;
  sa->first_peer = d.from;
  sa->local = d.to;
  sa->created = time_.now();
  sa->mode = h.exchange == ExchangeType::Aggressive ? Phase1Mode::Aggressive : Phase1Mode::Main;
  ++stats_.phase1_started;
  admission_.started();
  quiet_log_.log(LogLevel::Info, LogCategory::Isakmp, "{}: new {} negotiation", sa->tag(), name(sa->mode));

  Phase1Sa& ref = *sa;
  sas_.emplace(rcookie, std::move(sa));
  touch(rcookie);
  add_half_open(HalfOpenKey{h.initiator_cookie, d.from}, rcookie);
  Step step = ref.mode == Phase1Mode::Main ? main_mode::on_first(*ctx_, ref, *msg)
                                           : aggressive_mode::on_first(*ctx_, ref, *msg);
  apply(ref, std::move(step), &d);
}

void Responder::on_later_message(const Datagram& d, const Header& h, Phase1Sa& sa) {
  if (sa.detached()) {
    ++stats_.dropped;  // its phase 1 is over: only its IPsec SAs live on
    log_.log(LogLevel::Debug, LogCategory::Isakmp, "{}: message on a deleted ISAKMP SA dropped", sa.tag());
    return;
  }
  if (!sa.handshake_released() && d.data == sa.hs().last_request) {
    if (!sa.hs().last_response.empty()) {
      ++stats_.retransmits_answered;
      send_to_peer(sa, sa.hs().last_response);
    }
    return;
  }
  // RFC 3947 §4: after NAT detection the initiator moves to port 4500; follow it.
  if (d.to.port == kNattPort && (sa.peer != d.from || sa.local != d.to)) {
    sa.peer = d.from;
    sa.local = d.to;
  }
  const bool phase1 = h.message_id.value == 0 && !sa.established();
  if (phase1 && h.exchange == ExchangeType::IdentityProtection && sa.mode == Phase1Mode::Main)
    return apply(sa, main_mode::on_message(*ctx_, sa, h, d.data), &d);
  if (phase1 && h.exchange == ExchangeType::Aggressive && sa.mode == Phase1Mode::Aggressive)
    return apply(sa, aggressive_mode::on_message(*ctx_, sa, h, d.data), &d);
  if (h.exchange == ExchangeType::Informational) {
    auto outcome = informational::on_message(*ctx_, sa, h, d.data);
    // RFC 3706 §5.5: any authenticated message proves the peer alive; an ACK must carry our last sequence number.
    if (outcome.authenticated && (!outcome.dpd_ack || *outcome.dpd_ack == sa.liveness.dpd_sequence))
      sa.liveness.heard(time_.now());
    if (outcome.delete_isakmp) {
      log_.log(LogLevel::Notice, LogCategory::Isakmp, "{}: phase 1 deleted by peer", sa.tag());
      return remove(sa.rcookie, AcctCause::UserRequest);
    }
    for (const auto& spi : outcome.deleted_ipsec_spis) child_sa::on_peer_delete(*ctx_, sa, spi);
    if (outcome.step.kind == Step::Kind::Reply) return send_to_peer(sa, std::move(outcome.step.reply));
    log_.log(LogLevel::Debug, LogCategory::Isakmp, "{}: {}", sa.tag(), outcome.step.reason);
    return;
  }
  if (sa.established() && h.exchange == ExchangeType::Transaction && h.message_id.value != 0)
    return on_transaction(d, h, sa);
  if (sa.established() && h.exchange == ExchangeType::QuickMode && h.message_id.value != 0)
    return on_quick_mode(d, h, sa);
  ++stats_.dropped;
  log_.log(LogLevel::Debug, LogCategory::Isakmp, "{}: unexpected exchange {} in state {}", sa.tag(), int(h.exchange),
           name(sa.state));
}

void Responder::apply(Phase1Sa& sa, Step step, const Datagram* request) {
  switch (step.kind) {
    case Step::Kind::Reply:
      if (request) sa.hs().last_request = request->data;
      sa.hs().last_response = step.reply;
      if (!step.reply.empty()) send_to_peer(sa, std::move(step.reply));
      if (sa.established() && erase_half_open({sa.icookie, sa.first_peer})) {
        ++stats_.phase1_established;
        sa.established_at = time_.now();
        sa.liveness.heard(sa.established_at);
        sa.liveness.last_traffic = sa.established_at;
        // RFC 3706 §7: a random start, room to count up; our cookie is random already (no extra RNG draw, so
        // exchanges replay byte for byte).
        sa.liveness.dpd_sequence = be32_of(sa.rcookie.bytes) & 0x7fffffff;
        by_peer_.add(sa.peer.address, sa.rcookie);  // authenticated peers only: a flood's half-open SAs stay out
        if (sa.initial_contact) forget_older_sas(sa);
        begin_session(sa);
      }
      return;
    case Step::Kind::NeedDh:
      if (request) sa.hs().last_request = request->data;
      sa.hs().last_response.clear();
      return start_dh(sa, std::nullopt);
    case Step::Kind::Ignore:
      log_.log(LogLevel::Debug, LogCategory::Isakmp, "{}: {}", sa.tag(), step.reason);
      return;
    case Step::Kind::Fail: {
      const bool auth = step.notify == notify::AuthenticationFailed;
      if (auth) ++stats_.auth_failed;
      if (step.notify == notify::NoProposalChosen) ++stats_.no_proposal_chosen;
      log_.log(auth ? LogLevel::Warning : LogLevel::Notice, LogCategory::Isakmp, "{}: {}", sa.tag(), step.reason);
      if (step.notify) send_to_peer(sa, informational::notify(*ctx_, sa, step.notify));
      return remove(sa.rcookie);
    }
  }
}

void Responder::start_dh(Phase1Sa& sa, std::optional<uint32_t> quick_mode_id) {
  ++stats_.dh_jobs;
  struct Job {
    int group;
    Bytes peer_public;
    crypto::DhKeyPair dh;
    std::optional<crypto::SecretBytes> shared;
  };
  auto job = std::make_shared<Job>();
  if (quick_mode_id) {
    const auto& qm = sa.session.quick_modes.at(*quick_mode_id);
    job->group = *qm.pfs_group;
    job->peer_public = qm.g_qm_i;
  } else {
    job->group = sa.choice.dh_group;
    job->peer_public = sa.hs().g_xi;
  }
  crypto::Rng& rng = dh_rng_;
  Cookie rcookie = sa.rcookie;
  std::weak_ptr<bool> alive = alive_;
  // Main mode message 3 echoed our cookie and quick mode runs under an ISAKMP SA: proven; an aggressive mode first
  // message is new work (ike/admission.hpp).
  const auto priority = quick_mode_id || sa.mode == Phase1Mode::Main ? JobPriority::Proven : JobPriority::New;
  const bool queued = worker_.try_submit(
      [job, &rng] {
        job->dh = crypto::dh_generate(job->group, rng);
        job->shared = crypto::dh_shared_secret(job->dh, job->peer_public);
      },
      [this, job, rcookie, quick_mode_id, alive] {
        if (auto a = alive.lock(); a && *a)
          finish_dh(rcookie, quick_mode_id, std::move(job->dh), std::move(job->shared));
      },
      priority);
  if (queued) return;
  --stats_.dh_jobs;
  admission_.drop(DropRule::QueueFull, sa.peer);
  if (quick_mode_id) {
    sa.session.quick_modes.erase(*quick_mode_id);  // the peer's retransmit of message 1 starts it again
    return;
  }
  remove(sa.rcookie);  // nothing was answered; the peer's retransmit starts over
}

void Responder::finish_dh(const Cookie& rcookie, std::optional<uint32_t> quick_mode_id, crypto::DhKeyPair dh,
                          std::optional<crypto::SecretBytes> shared) {
  auto it = sas_.find(rcookie);
  if (it == sas_.end()) return;  // expired or deleted while the job ran
  touch(rcookie);
  Phase1Sa& sa = *it->second;
  if (quick_mode_id) {
    auto qm = sa.session.quick_modes.find(*quick_mode_id);
    if (qm == sa.session.quick_modes.end()) return;
    if (!shared) {
      sa.session.quick_modes.erase(qm);
      log_.log(LogLevel::Notice, LogCategory::Ipsec, "{}: quick mode PFS public value is invalid", sa.tag());
      return;
    }
    qm->second.dh = std::move(dh);
    qm->second.g_qm_xy = std::move(*shared);
    auto outcome = quick_mode::after_dh(*ctx_, sa, *quick_mode_id);
    if (outcome.step.kind == Step::Kind::Reply) send_to_peer(sa, std::move(outcome.step.reply));
    return;
  }
  if (!shared) return apply(sa, Step::fail(notify::InvalidKeyInformation, "peer's DH public value is invalid"), nullptr);
  sa.hs().dh = std::move(dh);
  sa.hs().g_xy = std::move(*shared);
  Step step = sa.mode == Phase1Mode::Main ? main_mode::after_dh(*ctx_, sa) : aggressive_mode::after_dh(*ctx_, sa);
  apply(sa, std::move(step), nullptr);
}

void Responder::send_to_peer(const Phase1Sa& sa, Bytes data) { sender_.send(Datagram{sa.local, sa.peer, std::move(data)}); }

void Responder::remove(const Cookie& rcookie, AcctCause cause) {
  auto it = sas_.find(rcookie);
  if (it == sas_.end()) return;
  Phase1Sa& sa = *it->second;
  unindex_children(sa);  // the indexes' nodes go with the SA, not later (they would pin heap pages)
  if (sa.session.mode_config.address) by_address_.erase(*sa.session.mode_config.address, rcookie);
  quick_mode::remove_all(*ctx_, sa);
  if (services_.accounting) services_.accounting->down(sa, cause, services_.kernel);  // before the lease goes
  mode_config::release_address(*ctx_, sa);
  if (sa.established())
    log_.log(LogLevel::Notice, LogCategory::Isakmp, "{}: phase 1 down{}", sa.tag(),
             sa.session.xauth.user.empty() ? "" : " (user " + peer_text(sa.session.xauth.user) + ")");
  erase_half_open({sa.icookie, sa.first_peer});
  wakes_.forget(rcookie);
  by_peer_.erase(sa.peer.address, rcookie);
  if (!sa.session.xauth.user.empty()) by_user_.erase(sa.session.xauth.user, rcookie);
  sas_.erase(it);
}

size_t Responder::disconnect_if(const std::function<bool(const Phase1Sa&)>& match, const std::string& reason,
                                AcctCause cause) {
  return drop_disallowed(
      [&](const Phase1Sa& sa) { return match(sa) ? std::optional<std::string>("") : std::nullopt; }, reason, cause);
}

void Responder::forget_older_sas(const Phase1Sa& sa) {
  // RFC 2407 §4.6.3.3 INITIAL-CONTACT: the peer rebooted or reconnected and holds none of its older SAs; remove them
  // without a delete it could not read ("delete all SAs shared with <peer>" in the seed PIX trace). "The peer" is
  // the same address AND port with the same phase 1 identity: behind a home or office NAT several users share the
  // address (and, with aggressive mode, the group ID), and one of them logging in must never drop a colleague.
  std::vector<Cookie> stale;
  for (const auto& cookie : by_peer_.find(sa.peer.address, [&](const Cookie& c) { return sas_.count(c) > 0; })) {
    const auto& other = sas_.at(cookie);
    if (other.get() == &sa || !other->established()) continue;
    if (other->peer != sa.peer || !(other->peer_id == sa.peer_id)) continue;
    stale.push_back(cookie);
  }
  for (const auto& c : stale) {
    log_.log(LogLevel::Info, LogCategory::Isakmp, "{}: INITIAL-CONTACT: removing older {}", sa.tag(), sas_.at(c)->tag());
    remove(c, AcctCause::LostCarrier);
  }
}

void Responder::delete_sa(Phase1Sa& sa, const std::string& why, AcctCause cause) {
  log_.log(LogLevel::Notice, LogCategory::Isakmp, "{}: deleting: {}", sa.tag(), why);
  if (sa.established()) send_to_peer(sa, informational::delete_isakmp(*ctx_, sa));
  remove(sa.rcookie, cause);
}

void Responder::tick() {
  const TimePoint now = time_.now();
  fragments_.expire(now);
  std::vector<Cookie> push, detach_now;
  std::vector<std::pair<Cookie, AcctCause>> expired;
  const std::vector<Cookie> due = wakes_.due(now);
  const bool prefetched = prefetch_counters(due, now);
  for (const auto& cookie : due) {
    auto it = sas_.find(cookie);
    if (it == sas_.end()) continue;
    ++stats_.tick_visits;
    Phase1Sa* sa = it->second.get();
    if (sa->established() || sa->detached()) {
      const bool released = sa->handshake_released();
      for (const auto& spi : prune_session_state(*sa, now))
        if (services_.kernel) (void)services_.kernel->delete_sa(sa->local.address, spi);
      if (!released && sa->handshake_released()) ++handshakes_released_;
    }
    if (sa->detached()) {
      if (!keep_detached(*sa, now)) expired.emplace_back(cookie, AcctCause::NasRequest);
      else if (services_.accounting) services_.accounting->tick(*sa, services_.kernel, now);
      continue;
    }
    if (sa->session.mode_config.push_due && now >= *sa->session.mode_config.push_due) push.push_back(cookie);
    if (!sa->established()) {
      if (now - sa->created >= settings_.half_open_timeout) {
        ++stats_.half_open_expired;
        admission_.expired();
        quiet_log_.log(LogLevel::Info, LogCategory::Isakmp, "{}: half-open SA timed out in state {}", sa->tag(),
                 name(sa->state));
        expired.emplace_back(cookie, AcctCause::NasRequest);
      }
    } else if (now - sa->established_at >= Seconds(sa->choice.lifetime_seconds)) {
      log_.log(LogLevel::Notice, LogCategory::Isakmp, "{}: phase 1 lifetime of {} s reached, deleting", sa->tag(),
               sa->choice.lifetime_seconds);
      send_to_peer(*sa, informational::delete_isakmp(*ctx_, *sa));
      if (sa->session.children.empty()) expired.emplace_back(cookie, AcctCause::NasRequest);
      else detach_now.push_back(cookie);
    } else if (!sa->session.outstanding) {
      AcctCause cause = AcctCause::NasRequest;
      if (!keep_alive(*sa, now, cause)) expired.emplace_back(cookie, cause);
      else if (services_.accounting) services_.accounting->tick(*sa, services_.kernel, now);
    } else {
      retransmit_outstanding(*sa, now);
      if (now - sa->session.outstanding->sent_at >= settings_.transaction_timeout) {
        log_.log(LogLevel::Notice, LogCategory::Isakmp, "{}: no answer to {} within {} s", sa->tag(),
                 authenticated(sa->session.stage) ? "mode-config" : "Xauth",
                 settings_.transaction_timeout.count());
        send_to_peer(*sa, informational::delete_isakmp(*ctx_, *sa));
        expired.emplace_back(cookie, AcctCause::NasRequest);
      }
    }
  }
  for (const auto& [c, cause] : expired) remove(c, cause);
  for (const auto& c : detach_now)
    if (auto it = sas_.find(c); it != sas_.end()) detach(*it->second, "phase 1 over");
  for (const auto& c : push)
    if (auto it = sas_.find(c); it != sas_.end()) push_address(*it->second);
  for (const auto& c : due)
    if (auto it = sas_.find(c); it != sas_.end()) wakes_.at(c, next_wake(*it->second, now));
  if (prefetched) services_.kernel->prefetch_counters({});
  reindex_children_if_stale();
  admission_.tick(half_open_.size(), dh_queued());
}

bool Responder::prefetch_counters(const std::vector<Cookie>& due, TimePoint now) {
  if (!services_.kernel) return false;
  std::vector<std::pair<Ipv4, kernel::Spi>> wanted;
  for (const auto& cookie : due) {
    const Phase1Sa* sa = find(cookie);
    if (!sa || !(sa->established() || sa->detached())) continue;
    const bool check = sa->established() && !sa->liveness.quiet_until_check(now);
    const auto interim = services_.accounting ? services_.accounting->next_due(*sa) : std::nullopt;
    if (!check && !(interim && *interim <= now)) continue;
    for (const auto& c : sa->session.children) {
      wanted.emplace_back(sa->local.address, c.spi_in);
      wanted.emplace_back(sa->peer.address, c.spi_out);
    }
  }
  if (wanted.size() <= 2) return false;  // one pair: its two reads cost what the one request would
  services_.kernel->prefetch_counters(wanted);
  return true;
}

TimePoint Responder::next_wake(const Phase1Sa& sa, TimePoint now) const {
  const auto& s = sa.session;
  // Anything in motion (a handshake, a transaction, an unanswered R-U-THERE, a push, exchanges to prune, a
  // detached session's last IPsec SAs): the next tick, as every SA had before the schedule.
  if (!sa.established() || sa.detached() || s.outstanding || s.mode_config.push_due || sa.liveness.dpd_unanswered ||
      !s.quick_modes.empty() || !s.answered.empty() || !sa.phase2_ivs.empty())
    return now;
  TimePoint t = std::min({sa.liveness.next_check, sa.liveness.ends_at,
                          sa.established_at + Seconds(sa.choice.lifetime_seconds)});
  if (!sa.handshake_released()) t = std::min(t, sa.established_at + PruneLimits{}.keep_finished);
  if (services_.accounting)
    if (auto interim = services_.accounting->next_due(sa)) t = std::min(t, *interim);
  return std::max(t, now);
}

Phase1Sa* Responder::find_mutable(const Cookie& rcookie) {
  auto it = sas_.find(rcookie);
  return it == sas_.end() ? nullptr : it->second.get();
}

void Responder::touch(const Cookie& rcookie) { wakes_.at(rcookie, time_.now()); }

bool Responder::keep_alive(Phase1Sa& sa, TimePoint now, AcctCause& cause) {
  if (sa.liveness.quiet_until_check(now)) return true;  // before the settings lookup: most sessions, most seconds
  const auto settings = liveness_for(*config_, sa, sa.caps.dpd);
  const auto verdict = check_liveness(sa, settings, now, services_.kernel);
  switch (verdict) {
    case LivenessVerdict::Alive:
      return true;
    case LivenessVerdict::SendProbe:
      ++sa.liveness.dpd_unanswered;
      sa.liveness.next_probe = now + settings.dpd_retry;
      log_.log(LogLevel::Debug, LogCategory::Isakmp, "{}: DPD R-U-THERE {} (unanswered {})", sa.tag(),
               sa.liveness.dpd_sequence + 1, sa.liveness.dpd_unanswered - 1);
      send_to_peer(sa, informational::r_u_there(*ctx_, sa, ++sa.liveness.dpd_sequence));
      return true;
    case LivenessVerdict::Dead:
      log_.log(LogLevel::Notice, LogCategory::Isakmp, "{}: peer dead: no answer to {} R-U-THERE messages{}", sa.tag(),
               sa.liveness.dpd_unanswered, sa.session.xauth.user.empty() ? "" : " (user " + peer_text(sa.session.xauth.user) + ")");
      cause = AcctCause::LostCarrier;
      return false;  // nobody to tell: no delete sent
    case LivenessVerdict::IdleTimeout:
    case LivenessVerdict::MaxTime:
      log_.log(LogLevel::Notice, LogCategory::Isakmp, "{}: {} ({} s){}", sa.tag(), describe(verdict),
               verdict == LivenessVerdict::IdleTimeout ? settings.idle.count() : settings.max.count(),
               sa.session.xauth.user.empty() ? "" : ", user " + peer_text(sa.session.xauth.user));
      send_to_peer(sa, informational::delete_isakmp(*ctx_, sa));
      cause = verdict == LivenessVerdict::IdleTimeout ? AcctCause::IdleTimeout : AcctCause::SessionTimeout;
      return false;
  }
  return true;
}

}  // namespace ravpn::ike
