// The IKEv1 responder: takes datagrams, finds or creates the phase 1 SA they belong to, runs the exchange's step,
// answers retransmits from the last reply, moves Diffie-Hellman to the worker, and expires half-open SAs.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "ike/admission.hpp"
#include "ike/clock.hpp"
#include "ike/exchange.hpp"
#include "ike/fragments.hpp"
#include "ike/phase1_sa.hpp"
#include "ike/sa_index.hpp"
#include "ike/wake_schedule.hpp"
#include "ike/worker.hpp"
#include "xauth/backend.hpp"

namespace ravpn::ike {

using AcctCause = xauth::accounting::Cause;

class Sender {
 public:
  virtual ~Sender() = default;
  virtual void send(const Datagram& datagram) = 0;
};

// What the responder needs beyond phase 1; each may be null (phase 1 only, as on a kernel without ESP).
struct ResponderServices {
  kernel::Kernel* kernel = nullptr;
  PoolSet* pools = nullptr;
  xauth::Backend* xauth = nullptr;
  std::string xauth_problem;  // why `xauth` is null although the config asks for Xauth
  const RoutePlacement* routes = nullptr;
  SessionAccounting* accounting = nullptr;  // Start / Interim-Update / Stop records; null = no accounting
};

struct ResponderSettings {
  Seconds half_open_timeout{30};
  Seconds first_retransmit{5};       // server-initiated Xauth / mode-config messages: 5, 10, 20, 40 s ...
  Seconds transaction_timeout{120};  // ... and given up after this (the user may type slowly)
  // With mode-config `initiate` and `respond` both configured, how long after Xauth a client may pull (REQUEST)
  // before the head-end pushes (SET) instead.
  Seconds pull_window{2};
  // DH worker threads: the admission limits the config leaves at 0 are sized from it (ike/admission.hpp). The
  // half-open limits themselves are the config's ([isakmp.admission]).
  unsigned dh_threads = 1;
};

struct ResponderStats {
  uint64_t datagrams = 0;
  uint64_t dropped = 0;
  uint64_t retransmits_answered = 0;
  uint64_t phase1_started = 0;
  uint64_t phase1_established = 0;
  uint64_t no_proposal_chosen = 0;
  uint64_t auth_failed = 0;
  uint64_t half_open_expired = 0;
  uint64_t dh_jobs = 0;
  uint64_t reassembled = 0;
  uint64_t xauth_ok = 0;
  uint64_t xauth_failed = 0;
  uint64_t tunnels_up = 0;
  uint64_t sessions_taken_over = 0;  // phase 1 rekeys and reauthentications (responder_takeover.cpp)
  uint64_t logins_replaced = 0;      // sessions logged off for a newer login of their user (simultaneous_logins.cpp)
  uint64_t tick_visits = 0;          // SAs the one-second tick looked at (wake_schedule.hpp): quiet ones cost none
};

class Responder {
 public:
  // `rng` is used on the caller's thread (cookies, nonces, message IDs); `dh_rng` inside DH jobs, which may run on
  // worker threads, so it must be thread-safe there.
  Responder(const config::Config& config, crypto::Rng& rng, crypto::Rng& dh_rng, const TimeSource& time,
            Worker& worker, Logger& log, Sender& sender, ResponderSettings settings = {},
            ResponderServices services = {});
  ~Responder();

  void receive(const Datagram& datagram);
  void tick();  // expire half-open and over-age SAs; call about once a second
  // XFRM expire events from the kernel: a hard expiry removes that IPsec SA pair (its policies with the last one).
  void on_kernel_expire(const std::vector<kernel::ExpireEvent>& events);

  const ResponderStats& stats() const { return stats_; }
  const Admission& admission() const { return admission_; }  // drops by rule (ike/admission.hpp)
  size_t half_open() const { return half_open_.size(); }
  // ISAKMP SAs that have let go of their handshake's inputs since start (session_pruning.hpp).
  uint64_t handshakes_released() const { return handshakes_released_; }
  size_t dh_queued() const { return worker_.queued(JobPriority::New) + worker_.queued(JobPriority::Proven); }
  const FragmentReassembler& fragments() const { return fragments_; }
  size_t sa_count() const { return sas_.size(); }
  std::vector<const Phase1Sa*> sas() const;
  const Phase1Sa* find(const Cookie& responder_cookie) const;
  // Tear down every ISAKMP SA `match` selects (delete notifies to the peer, IPsec SAs out of the kernel, leases
  // back); returns how many. For the control socket's `disconnect`.
  size_t disconnect_if(const std::function<bool(const Phase1Sa&)>& match, const std::string& reason,
                       AcctCause cause = AcctCause::AdminReset);
  // Stopping: every peer gets a delete, every IPsec SA, policy and route leaves the kernel, leases go back.
  void shutdown() { disconnect_if([](const Phase1Sa&) { return true; }, "ravpnd stopping", AcctCause::NasReboot); }
  // Configuration reload: first every SA `still_allowed` gives a reason against is torn down (deletes, kernel, leases
  // back into the old pools), then the responder works from `next` and `services`. The caller keeps `next` (and
  // what `services` points to) alive; half-open and finished SAs keep the algorithms they negotiated.
  size_t drop_disallowed(const std::function<std::optional<std::string>(const Phase1Sa&)>& why_not,
                         const std::string& reason_prefix, AcctCause cause = AcctCause::NasRequest);
  void reconfigure(const config::Config& next, ResponderServices services);
  const config::Config& config() const { return *config_; }
  const PoolSet* pools() const { return services_.pools; }
  kernel::Kernel* kernel() const { return services_.kernel; }

 private:
  struct HalfOpenKey {
    Cookie icookie;
    Endpoint peer;
    auto operator<=>(const HalfOpenKey&) const = default;
  };

  void on_first_message(const Datagram& d, const Header& h);
  void on_later_message(const Datagram& d, const Header& h, Phase1Sa& sa);
  void apply(Phase1Sa& sa, Step step, const Datagram* request);
  void start_dh(Phase1Sa& sa, std::optional<uint32_t> quick_mode_id);
  void finish_dh(const Cookie& rcookie, std::optional<uint32_t> quick_mode_id, crypto::DhKeyPair dh,
                 std::optional<crypto::SecretBytes> shared);
  // After phase 1: Xauth, then mode-config, then quick modes (responder_session.cpp), one state machine
  // (session_flow.hpp); advance() moves it and says when the event is not expected in the session's stage.
  void begin_session(Phase1Sa& sa);
  bool advance(Phase1Sa& sa, SessionEvent event);
  void on_transaction(const Datagram& d, const Header& h, Phase1Sa& sa);
  void on_quick_mode(const Datagram& d, const Header& h, Phase1Sa& sa);
  void finish_xauth(const Cookie& rcookie, const xauth::Result& result);
  void after_xauth(Phase1Sa& sa);
  void push_address(Phase1Sa& sa);  // mode-config SET, the client did not pull
  void retire_older_sessions(Phase1Sa& sa);
  // The session of an older ISAKMP SA of the same peer and user moves to `sa` (responder_takeover.cpp).
  void take_over_older_session(Phase1Sa& sa);
  // The group's simultaneous logins per user (simultaneous_logins.cpp): at the limit the user's session idle the
  // longest is logged off, and `sa` gets its login slot (its own lease).
  void limit_logins(Phase1Sa& sa);
  // Phase 1 ended while IPsec SAs remain: they live on; false from keep_detached() when the session is over.
  void detach(Phase1Sa& sa, const std::string& why);
  bool keep_detached(Phase1Sa& sa, TimePoint now);
  void send_outstanding(Phase1Sa& sa, uint32_t message_id, Bytes message);
  void retransmit_outstanding(Phase1Sa& sa, TimePoint now);
  // DPD, idle and maximum time (liveness.hpp) for an established SA with nothing outstanding; false: remove it.
  // `cause`: why it ended, for the accounting Stop.
  bool keep_alive(Phase1Sa& sa, TimePoint now, AcctCause& cause);
  // When the tick next needs to look at `sa` (wake_schedule.hpp); `now` for the very next tick.
  TimePoint next_wake(const Phase1Sa& sa, TimePoint now) const;
  void touch(const Cookie& rcookie);  // something changed: the next tick looks at the SA
  // The counters the due liveness checks and interims of this tick will read, in one request (Kernel); true when
  // asked for (the tick ends the prefetch).
  bool prefetch_counters(const std::vector<Cookie>& due, TimePoint now);
  Phase1Sa* find_mutable(const Cookie& rcookie);
  void index_children(const Phase1Sa& sa);    // its IPsec SA pairs' SPIs into by_spi_
  void unindex_children(const Phase1Sa& sa);  // and out again
  void unindex_pair(const Cookie& rcookie, const ChildSa& pair);
  void reindex_children_if_stale();
  // Delete notify to the peer, then remove.
  void delete_sa(Phase1Sa& sa, const std::string& why, AcctCause cause = AcctCause::NasRequest);
  void forget_older_sas(const Phase1Sa& sa);              // INITIAL-CONTACT
  void send_to_peer(const Phase1Sa& sa, Bytes data);
  void remove(const Cookie& rcookie, AcctCause cause = AcctCause::NasRequest);
  Cookie new_cookie();
  size_t half_open_from(Ipv4 address) const;
  // The half-open index and its per-address counts change together, here only.
  void add_half_open(const HalfOpenKey& key, const Cookie& rcookie);
  bool erase_half_open(const HalfOpenKey& key);

  const config::Config* config_;
  crypto::Rng& rng_;
  crypto::Rng& dh_rng_;
  const TimeSource& time_;
  Worker& worker_;
  Logger& log_;
  Sender& sender_;
  ResponderSettings settings_;
  ResponderServices services_;
  Admission admission_;
  PressureLogger quiet_log_;  // log_ with unauthenticated Info chatter demoted while under pressure
  std::unique_ptr<compiled::Policy> policy_;  // config_ compiled; replaced with it by reconfigure()
  std::optional<ExchangeContext> ctx_;  // rebuilt by reconfigure()
  ResponderStats stats_;
  uint64_t handshakes_released_ = 0;
  uint64_t next_serial_ = 1;
  std::map<Cookie, std::unique_ptr<Phase1Sa>> sas_;  // by responder cookie
  WakeSchedule wakes_;                               // which SAs the tick looks at, and when
  SaIndex<Ipv4> by_peer_;           // established SAs under their peer's address (receive() keeps it constant)
  SaIndex<std::string> by_user_;    // logged-in sessions under their Xauth user (limit_logins adds them)
  SaIndex<Ipv4> by_address_;        // SAs under the address they were assigned or took over
  SaIndex<uint32_t> by_spi_;        // SAs under their IPsec SAs' SPIs, both directions (kernel events)
  size_t by_spi_limit_ = 64;        // rebuilt from the sessions past this: pairs deleted by peers leave entries
  std::map<HalfOpenKey, Cookie> half_open_;          // first-message retransmits find their SA here
  std::map<Ipv4, size_t> half_open_per_address_;     // the flood limit is checked per packet: O(log n), no scan
  FragmentReassembler fragments_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // DH completions after destruction are dropped
};

}  // namespace ravpn::ike
