#include "ike/session_pruning.hpp"

#include <algorithm>
#include <set>

#include "ike/phase1_sa.hpp"

namespace ravpn::ike {
namespace {

// Erases the entries `finished` names once they are older than keep_finished, and the oldest beyond max_finished.
template <typename Map, typename FinishedAt>
void prune_finished(Map& map, TimePoint now, const PruneLimits& limits, FinishedAt finished_at) {
  std::vector<std::pair<TimePoint, typename Map::key_type>> done;
  for (const auto& [key, value] : map)
    if (auto at = finished_at(value)) done.emplace_back(*at, key);
  std::sort(done.begin(), done.end(), [](const auto& a, const auto& b) { return a.first > b.first; });  // newest first
  for (size_t i = 0; i < done.size(); ++i)
    if (i >= limits.max_finished || now - done[i].first >= limits.keep_finished) map.erase(done[i].second);
}

template <class V>
void release(V& v) {
  V().swap(v);  // frees the buffer (secure vectors wipe it first)
}

// Phase1Handshake (phase1_sa.hpp) goes whole; the initiator's transform was echoed in our first reply only. A
// session lives for days: about 2 KB each.
void release_handshake(Phase1Sa& sa) {
  sa.handshake.reset();  // its secure vectors (the key, g^xy, our DH secret) wipe themselves
  release(sa.choice.transform.attributes);
}

}  // namespace

std::vector<kernel::Spi> prune_session_state(Phase1Sa& sa, TimePoint now, const PruneLimits& limits) {
  auto& session = sa.session;
  std::vector<kernel::Spi> abandoned;
  if (!sa.handshake_released() && now - sa.established_at >= limits.keep_finished)
    release_handshake(sa);
  // The peer's last answer to one of our transactions is kept to spot its retransmits (responder_session.cpp);
  // once the session is configured and nothing of ours is out, a late copy of it has nothing left to answer.
  if (sa.handshake_released() && !session.outstanding &&
      (session.stage == SessionStage::Configured || session.stage == SessionStage::Up))
    release(session.last_answer_received);
  // A quiet session (the usual one, looked at when its wake time comes) has nothing to prune: no allocation for it.
  if (sa.handshake_released() && session.quick_modes.empty() && session.answered.empty() && sa.phase2_ivs.empty())
    return abandoned;
  for (auto it = session.quick_modes.begin(); it != session.quick_modes.end();) {
    const auto& qm = it->second;
    if (qm.state != QuickModeExchange::State::Done && now - qm.started_at >= limits.abandon_after) {
      if (qm.our_spi.value != 0) abandoned.push_back(qm.our_spi);
      it = session.quick_modes.erase(it);
    } else {
      ++it;
    }
  }
  prune_finished(session.quick_modes, now, limits, [](const QuickModeExchange& qm) -> std::optional<TimePoint> {
    if (qm.state == QuickModeExchange::State::Done) return qm.finished_at;
    return std::nullopt;
  });
  prune_finished(session.answered, now, limits,
                 [](const Session::Answered& a) -> std::optional<TimePoint> { return a.at; });

  // A phase 2 IV lives while its exchange does (RFC 2409 appendix B): a quick mode in progress, our outstanding
  // transaction, the Xauth exchange. Any other IV belongs to a message that did not decrypt or an exchange that
  // is over, and goes.
  std::set<uint32_t> live;
  for (const auto& [mid, qm] : session.quick_modes)
    if (qm.state != QuickModeExchange::State::Done) live.insert(mid);
  if (session.outstanding) live.insert(session.outstanding->message_id);
  if (xauth_in_progress(session.stage))
    live.insert(session.xauth.message_id);
  std::erase_if(sa.phase2_ivs, [&](const auto& entry) { return !live.count(entry.first); });
  return abandoned;
}

}  // namespace ravpn::ike
