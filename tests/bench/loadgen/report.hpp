// What a run measured: completed and failed handshakes (failures by reason), retransmits, the rate, and the
// latency of each phase as percentiles; printed as text or as one JSON object.
#pragma once
#include <array>
#include <map>
#include <string>
#include <vector>

#include "handshake.hpp"

namespace ravpn::loadgen {

struct Tally {
  size_t started = 0, completed = 0, failed = 0, retransmits = 0;
  std::map<std::string, size_t> failures;
  std::array<std::vector<double>, kPhases> phase_ms;
  std::vector<double> total_ms;

  void add(const Handshake& h);
  void merge(const Tally& other);
};

// The q-quantile (0..1) by nearest rank; 0 when empty. Sorts `v`.
double percentile(std::vector<double>& v, double q);

struct RunInfo {
  double seconds = 0;  // first start to last completion
  size_t clients = 0, concurrency = 0;
  double target_rate = 0;
  std::string exchange, mode_config, suite;
  int dh_group = 0;
};

std::string text_report(Tally tally, const RunInfo& info);
std::string json_report(Tally tally, const RunInfo& info);

}  // namespace ravpn::loadgen
