// Admission control before any Diffie-Hellman. IKEv1 has no cookie exchange in front of aggressive mode: its first
// message makes the responder compute a DH for a source address nobody has seen answer. So every first message
// (responder cookie zero) passes cheap checks before anything is allocated for it, in this order:
//   1. per-source half-open limit (strongSwan charon's block_threshold, default 5): one address, even behind a NAT,
//      has a few negotiations at once, a spoofed flood has all it sends;
//   2. global half-open cap (charon's init_limit_half_open), sized to what the DH threads finish within a client's
//      first retransmit;
//   3. for aggressive mode (it needs a DH now): the DH queue's depth (charon's init_limit_job_load; WireGuard's
//      under-load mode): work for peers that proved their address (main mode message 3, quick mode) runs first;
//      while dh_queue_new jobs of new work wait, only an address holding no half-open SA gets in (a flood's
//      addresses hold one each after their first packet), and at four times that nobody: the dropped first message
//      goes unanswered and the client retransmits, as it would after a lost packet. Both bounds shrink to what the
//      DH threads, as measured, finish in 0.1 s and 0.5 s: an admitted client never waits longer than that.
// Main mode message 1 needs no DH: it passes 1 and 2 and is answered at once. Cisco fragments have their own
// per-source budget (ike/fragments.hpp). Each drop is counted by its rule (`ravpnctl status`, metrics) and logged
// once when the rule starts to fire, then as one summary line per 10 s while drops go on; while under pressure the
// Info lines of unauthenticated negotiations (new negotiation, half-open timeout) go to debug (PressureLogger).
#pragma once
#include <array>
#include <cstdint>
#include <optional>

#include "daemon/config/model.hpp"
#include "ike/clock.hpp"
#include "ike/endpoint.hpp"
#include "ike/log.hpp"

namespace ravpn::ike {

enum class DropRule : size_t {
  PerSourceHalfOpen,  // the source holds half_open_per_source half-open SAs
  GlobalHalfOpen,     // half_open_max half-open SAs in all
  UnderLoad,          // aggressive mode first message while the DH queue of new work is deep
  QueueFull,          // the DH queue refused a job (its SA is removed; the peer starts over)
  FragmentSource,     // a new fragment set beyond the source's budget of sets or bytes
  FragmentEvicted,    // the oldest set in reassembly made room for a new one (fragment_sets_max)
  kCount
};
constexpr size_t kDropRules = size_t(DropRule::kCount);
const char* name(DropRule);         // "per_source_half_open", ... (JSON and metrics keys)
const char* describe(DropRule);     // for the log

struct AdmissionSettings {
  size_t half_open_per_source = 5;
  size_t half_open_max = 4000;
  size_t dh_queue_new = 64;
  size_t dh_queue_proven = 4096;
  size_t fragment_sets_per_source = 4;
  size_t fragment_bytes_per_source = 131072;
  size_t fragment_sets_max = 1024;
};
// The DH queue's hard bound for new work: beyond dh_queue_new only addresses without a half-open SA are admitted,
// beyond this nobody.
constexpr size_t dh_queue_new_max(const AdmissionSettings& s) { return 4 * s.dh_queue_new; }
struct QueueBounds {
  size_t soft, hard;
};
// The bounds in force: the settings', lowered to 0.1 s / 0.5 s of the measured rate (at least 8 / 16 jobs).
QueueBounds new_work_bounds(const AdmissionSettings& s, double dh_jobs_per_second);
// The config's limits with its zeros (defaults) sized from the number of DH threads.
AdmissionSettings admission_settings(const config::AdmissionLimits& limits, unsigned dh_threads);

class Admission {
 public:
  static constexpr Seconds kWindow{10};

  Admission(Logger& log, const TimeSource& time, AdmissionSettings settings, Seconds pressure_hold);
  void reconfigure(AdmissionSettings settings) { settings_ = settings; }
  const AdmissionSettings& settings() const { return settings_; }

  // The checks of a first message, before anything is allocated for it; nullopt: admitted.
  // `dh_jobs_per_second`: the workers' measured rate (0: unknown); the queue of new work accepted is then also
  // bounded to what they finish in 0.1 s (soft) and 0.5 s (hard), so a busy machine keeps the wait short.
  std::optional<DropRule> check_first(bool needs_dh_now, size_t half_open, size_t half_open_from_source,
                                      size_t dh_queued_new, double dh_jobs_per_second = 0) const;
  // Counts a drop; the first of a rule that was quiet in the last window is logged with the peer's address.
  void drop(DropRule rule, const Endpoint& from);
  void started() { ++window_started_; }
  void expired() { ++window_expired_; }
  // Drops happened within the hold time (twice the half-open timeout: until the flood's SAs have expired).
  bool under_pressure() const;
  // Once a second: when a window has ended, the summary line (if anything was dropped or counted under pressure).
  void tick(size_t half_open, size_t dh_queued);

  uint64_t dropped(DropRule rule) const { return totals_[size_t(rule)]; }
  uint64_t dropped_total() const;

 private:
  Logger& log_;
  const TimeSource& time_;
  AdmissionSettings settings_;
  Seconds pressure_hold_;
  std::array<uint64_t, kDropRules> totals_{}, window_{}, previous_window_{};
  uint64_t window_started_ = 0, window_expired_ = 0;
  TimePoint window_start_{};
  std::optional<TimePoint> last_drop_;
};

// Wraps the responder's logger: while admission is under pressure, Info lines of the categories a peer drives
// (isakmp, ipsec) are written at Debug, so a flood of half-open negotiations leaves summaries, not a line each.
// Notice and above (phase 1 established, tunnels, failures) pass unchanged.
class PressureLogger final : public Logger {
 public:
  PressureLogger(Logger& inner, const Admission& admission) : inner_(inner), admission_(admission) {}
  bool enabled(LogLevel level, LogCategory category) const override {
    return inner_.enabled(effective(level, category), category);
  }
  void write(LogLevel level, LogCategory category, std::string_view message) override {
    inner_.write(effective(level, category), category, message);
  }
  void write_event(LogLevel level, LogCategory category, std::string_view kind, std::string_view message) override {
    inner_.write_event(effective(level, category), category, kind, message);
  }
  void flush_summaries() override { inner_.flush_summaries(); }

 private:
  LogLevel effective(LogLevel level, LogCategory category) const {
    const bool peer_driven = category == LogCategory::Isakmp || category == LogCategory::Ipsec;
    return level == LogLevel::Info && peer_driven && admission_.under_pressure() ? LogLevel::Debug : level;
  }
  Logger& inner_;
  const Admission& admission_;
};

}  // namespace ravpn::ike
