#include "report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace ravpn::loadgen {

void Tally::add(const Handshake& h) {
  if (h.state() == Handshake::State::Established) {
    ++completed;
    for (size_t p = 0; p < kPhases; ++p) phase_ms[p].push_back(h.phase_ms()[p]);
    total_ms.push_back(h.total_ms());
  } else {
    ++failed;
    ++failures[h.failure().substr(0, 120)];
  }
}

void Tally::merge(const Tally& o) {
  started += o.started;
  completed += o.completed;
  failed += o.failed;
  retransmits += o.retransmits;
  for (const auto& [k, v] : o.failures) failures[k] += v;
  for (size_t p = 0; p < kPhases; ++p) phase_ms[p].insert(phase_ms[p].end(), o.phase_ms[p].begin(), o.phase_ms[p].end());
  total_ms.insert(total_ms.end(), o.total_ms.begin(), o.total_ms.end());
}

double percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = size_t(std::ceil(q * double(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

namespace {

double rate(const Tally& t, const RunInfo& info) { return info.seconds > 0 ? double(t.completed) / info.seconds : 0; }

nlohmann::json quantiles(std::vector<double>& v) {
  return {{"p50", percentile(v, 0.50)}, {"p95", percentile(v, 0.95)}, {"p99", percentile(v, 0.99)}};
}

}  // namespace

std::string text_report(Tally t, const RunInfo& info) {
  std::string s;
  char line[256];
  std::snprintf(line, sizeof line, "%s mode, mode-config %s, %s, modp group %d: %zu clients, concurrency %zu\n",
                info.exchange.c_str(), info.mode_config.c_str(), info.suite.c_str(), info.dh_group, info.clients,
                info.concurrency);
  s += line;
  std::snprintf(line, sizeof line, "completed %zu, failed %zu, retransmits %zu in %.2f s: %.1f handshakes/s\n",
                t.completed, t.failed, t.retransmits, info.seconds, rate(t, info));
  s += line;
  for (const auto& [reason, n] : t.failures) s += "  failed " + std::to_string(n) + "x: " + reason + "\n";
  s += "latency ms        p50       p95       p99\n";
  auto row = [&](const char* name, std::vector<double>& v) {
    std::snprintf(line, sizeof line, "  %-10s %9.1f %9.1f %9.1f\n", name, percentile(v, 0.5), percentile(v, 0.95),
                  percentile(v, 0.99));
    s += line;
  };
  for (size_t p = 0; p < kPhases; ++p) row(phase_name(p), t.phase_ms[p]);
  row("total", t.total_ms);
  return s;
}

std::string json_report(Tally t, const RunInfo& info) {
  nlohmann::json j;
  j["exchange"] = info.exchange;
  j["mode_config"] = info.mode_config;
  j["suite"] = info.suite;
  j["dh_group"] = info.dh_group;
  j["clients"] = info.clients;
  j["concurrency"] = info.concurrency;
  j["target_rate"] = info.target_rate;
  j["started"] = t.started;
  j["completed"] = t.completed;
  j["failed"] = t.failed;
  j["failures"] = t.failures;
  j["retransmits"] = t.retransmits;
  j["seconds"] = info.seconds;
  j["handshakes_per_s"] = rate(t, info);
  nlohmann::json lat;
  for (size_t p = 0; p < kPhases; ++p) lat[phase_name(p)] = quantiles(t.phase_ms[p]);
  lat["total"] = quantiles(t.total_ms);
  j["latency_ms"] = lat;
  return j.dump() + "\n";
}

}  // namespace ravpn::loadgen
