#include "ike/admission.hpp"

#include <algorithm>
#include <numeric>

#include "ike/log_limiter.hpp"

namespace ravpn::ike {

const char* name(DropRule rule) {
  switch (rule) {
    case DropRule::PerSourceHalfOpen: return "per_source_half_open";
    case DropRule::GlobalHalfOpen: return "global_half_open";
    case DropRule::UnderLoad: return "under_load";
    case DropRule::QueueFull: return "dh_queue_full";
    case DropRule::FragmentSource: return "fragment_source_budget";
    case DropRule::FragmentEvicted: return "fragment_evicted";
    case DropRule::kCount: break;
  }
  return "unknown";
}

const char* describe(DropRule rule) {
  switch (rule) {
    case DropRule::PerSourceHalfOpen: return "per-source half-open limit";
    case DropRule::GlobalHalfOpen: return "global half-open cap";
    case DropRule::UnderLoad: return "DH queue under load";
    case DropRule::QueueFull: return "DH queue full";
    case DropRule::FragmentSource: return "per-source fragment budget";
    case DropRule::FragmentEvicted: return "fragment sets evicted";
    case DropRule::kCount: break;
  }
  return "unknown";
}

AdmissionSettings admission_settings(const config::AdmissionLimits& l, unsigned dh_threads) {
  const size_t threads = std::max(1u, dh_threads);
  AdmissionSettings s;
  s.half_open_per_source = l.half_open_per_source ? l.half_open_per_source : 5;
  s.half_open_max = l.half_open_max ? l.half_open_max : 4000 * threads;
  s.dh_queue_new = l.dh_queue_new ? l.dh_queue_new : 64 * threads;
  s.dh_queue_proven = l.dh_queue_proven ? l.dh_queue_proven : 4096;
  s.fragment_sets_per_source = l.fragment_sets_per_source ? l.fragment_sets_per_source : 4;
  s.fragment_bytes_per_source = l.fragment_bytes_per_source ? l.fragment_bytes_per_source : 131072;
  s.fragment_sets_max = l.fragment_sets_max ? l.fragment_sets_max : 1024;
  return s;
}

Admission::Admission(Logger& log, const TimeSource& time, AdmissionSettings settings, Seconds pressure_hold)
    : log_(log), time_(time), settings_(settings), pressure_hold_(pressure_hold), window_start_(time.now()) {}

QueueBounds new_work_bounds(const AdmissionSettings& s, double rate) {
  QueueBounds b{s.dh_queue_new, dh_queue_new_max(s)};
  if (rate > 0) {
    b.soft = std::min(b.soft, std::max<size_t>(8, size_t(rate * 0.1)));
    b.hard = std::min(b.hard, std::max<size_t>(std::max<size_t>(16, 2 * b.soft), size_t(rate * 0.5)));
  }
  return b;
}

std::optional<DropRule> Admission::check_first(bool needs_dh_now, size_t half_open, size_t half_open_from_source,
                                               size_t dh_queued_new, double dh_jobs_per_second) const {
  if (half_open_from_source >= settings_.half_open_per_source) return DropRule::PerSourceHalfOpen;
  if (half_open >= settings_.half_open_max) return DropRule::GlobalHalfOpen;
  // Under load (WireGuard's under-load mode, without its cookies: IKEv1 has none before aggressive mode's DH): only an
  // address that holds no half-open SA still gets in, up to the queue's hard bound. A spoofed flood's addresses
  // each hold one after their first packet; a client trying for the first time holds none.
  if (!needs_dh_now) return std::nullopt;
  const QueueBounds b = new_work_bounds(settings_, dh_jobs_per_second);
  if (dh_queued_new >= b.soft && (half_open_from_source > 0 || dh_queued_new >= b.hard)) return DropRule::UnderLoad;
  return std::nullopt;
}

void Admission::drop(DropRule rule, const Endpoint& from) {
  const size_t i = size_t(rule);
  ++totals_[i];
  last_drop_ = time_.now();
  if (window_[i]++ == 0 && previous_window_[i] == 0)
    log_.log(LogLevel::Notice, LogCategory::Isakmp,
             "admission: dropping from {}: {}; further drops are summarised every {} s", from.str(), describe(rule),
             kWindow.count());
}

bool Admission::under_pressure() const { return last_drop_ && time_.now() - *last_drop_ < pressure_hold_; }

uint64_t Admission::dropped_total() const { return std::accumulate(totals_.begin(), totals_.end(), uint64_t{0}); }

void Admission::tick(size_t half_open, size_t dh_queued) {
  const TimePoint now = time_.now();
  if (now - window_start_ < kWindow) return;
  const uint64_t dropped = std::accumulate(window_.begin(), window_.end(), uint64_t{0});
  const bool counted = window_started_ || window_expired_;
  if (dropped || (counted && under_pressure())) {
    std::string rules;
    for (size_t i = 0; i < kDropRules; ++i)
      if (window_[i])
        rules += (rules.empty() ? "" : ", ") + std::string(describe(DropRule(i))) + " " + with_thousands(window_[i]);
    log_.log(LogLevel::Notice, LogCategory::Isakmp,
             "admission, last {} s: {} dropped{}{}{}; {} negotiations started, {} half-open timed out; now {} "
             "half-open, {} DH jobs queued",
             std::chrono::duration_cast<Seconds>(now - window_start_).count(), with_thousands(dropped),
             rules.empty() ? "" : " (", rules, rules.empty() ? "" : ")", with_thousands(window_started_),
             with_thousands(window_expired_), with_thousands(half_open), dh_queued);
  }
  previous_window_ = window_;
  window_ = {};
  window_started_ = window_expired_ = 0;
  window_start_ = now;
}

}  // namespace ravpn::ike
