#include "daemon/control/metrics.hpp"

#include <fmt/format.h>

#include <vector>

namespace ravpn::control {

using nlohmann::json;

namespace {

struct Sample {
  std::string labels;  // `key="value",...` without braces; empty = none
  double value = 0;
};

class Exposition {
 public:
  void family(const std::string& name, const char* type, const char* help, const std::vector<Sample>& samples) {
    if (samples.empty()) return;
    out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    for (const auto& s : samples)
      out_ += fmt::format("{}{} {}\n", name, s.labels.empty() ? "" : "{" + s.labels + "}", s.value);
  }
  void one(const std::string& name, const char* type, const char* help, const json& value) {
    if (value.is_number()) family(name, type, help, {{"", value.get<double>()}});
    else if (value.is_boolean()) family(name, type, help, {{"", value.get<bool>() ? 1.0 : 0.0}});
  }
  std::string str() const { return out_; }

 private:
  std::string out_;
};

const json& field(const json& j, const char* key) {
  static const json none;
  return j.is_object() && j.contains(key) ? j[key] : none;
}

std::string label(const char* key, const std::string& value) {
  return fmt::format("{}=\"{}\"", key, metric_label_value(value));
}

// The responder's failure counters, by the reason a Prometheus user filters on.
constexpr std::pair<const char*, const char*> kFailures[] = {
    {"no_proposal_chosen", "no_proposal_chosen"}, {"auth_failed", "phase1_auth_failed"},
    {"half_open_expired", "half_open_expired"}, {"xauth_failed", "xauth_failed"}, {"dropped", "malformed_or_dropped"}};

}  // namespace

std::string metric_label_value(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string metrics_text(const json& status, const json& sas, const json& pools) {
  Exposition e;
  e.family("ravpn_info", "gauge", "ravpnd version and configuration file.",
           {{label("version", field(status, "daemon_version").is_string() ? field(status, "daemon_version").get<std::string>() : "") +
                 "," + label("config", field(status, "config").is_string() ? field(status, "config").get<std::string>() : ""),
             1}});
  e.one("ravpn_uptime_seconds", "gauge", "Seconds since ravpnd started.", field(status, "uptime"));

  const json& sa = field(status, "sas");
  std::vector<Sample> isakmp;
  for (const char* state : {"established", "negotiating"})
    if (field(sa, state).is_number()) isakmp.push_back({label("state", state), field(sa, state).get<double>()});
  e.family("ravpn_isakmp_sas", "gauge", "ISAKMP (phase 1) SAs by state.", isakmp);
  e.one("ravpn_ipsec_sa_pairs", "gauge", "IPsec SA pairs installed (one per quick mode).", field(sa, "ipsec"));
  e.one("ravpn_users", "gauge", "Connected users (authenticated or holding a pool address).", field(sa, "users"));

  const json& c = field(status, "counters");
  e.one("ravpn_datagrams_total", "counter", "IKE datagrams received.", field(c, "datagrams"));
  e.one("ravpn_retransmits_answered_total", "counter", "Peer retransmits answered with the stored reply.",
        field(c, "retransmits_answered"));
  std::vector<Sample> handshakes;
  for (auto [key, result] : {std::pair{"phase1_started", "started"}, std::pair{"phase1_established", "established"}})
    if (field(c, key).is_number()) handshakes.push_back({label("result", result), field(c, key).get<double>()});
  e.family("ravpn_phase1_handshakes_total", "counter", "Phase 1 handshakes started and established.", handshakes);
  std::vector<Sample> xauth;
  for (auto [key, result] : {std::pair{"xauth_ok", "ok"}, std::pair{"xauth_failed", "failed"}})
    if (field(c, key).is_number()) xauth.push_back({label("result", result), field(c, key).get<double>()});
  e.family("ravpn_xauth_total", "counter", "Xauth authentications by result.", xauth);
  e.one("ravpn_tunnels_up_total", "counter", "IPsec SA pairs installed since start.", field(c, "tunnels_up"));
  e.one("ravpn_dh_jobs_total", "counter", "Diffie-Hellman computations run by the worker pool.", field(c, "dh_jobs"));
  std::vector<Sample> failures;
  for (auto [key, reason] : kFailures)
    if (field(c, key).is_number()) failures.push_back({label("reason", reason), field(c, key).get<double>()});
  e.family("ravpn_failures_total", "counter", "Negotiations that failed or datagrams dropped, by reason.", failures);

  const json& adm = field(status, "admission");
  std::vector<Sample> drops;
  if (field(adm, "dropped").is_object())
    for (const auto& [rule, n] : field(adm, "dropped").items())
      if (n.is_number()) drops.push_back({label("rule", rule), n.get<double>()});
  e.family("ravpn_admission_dropped_total", "counter",
           "First messages and fragments dropped by admission control before any DH, by rule.", drops);
  e.one("ravpn_half_open_sas", "gauge", "Phase 1 negotiations not yet established.", field(adm, "half_open"));
  e.one("ravpn_dh_queue_jobs", "gauge", "Diffie-Hellman jobs waiting for a worker thread.", field(adm, "dh_queued"));
  e.one("ravpn_fragment_sets", "gauge", "Cisco fragment sets in reassembly.", field(adm, "fragment_sets"));
  e.one("ravpn_admission_under_pressure", "gauge", "1 while admission control dropped something in the last minute.",
        field(adm, "under_pressure"));

  // Bytes and packets of the SAs present now, summed per direction.
  double bytes[2] = {0, 0}, packets[2] = {0, 0};
  bool counted = false;
  if (field(sas, "sas").is_array()) {
    for (const auto& child : field(sas, "sas")) {
      int i = 0;
      for (const char* dir : {"in", "out"}) {
        const json& k = field(child, dir);
        if (field(k, "bytes").is_number()) bytes[i] += field(k, "bytes").get<double>(), counted = true;
        if (field(k, "packets").is_number()) packets[i] += field(k, "packets").get<double>();
        ++i;
      }
    }
  }
  if (counted || (field(sas, "sas").is_array() && field(sas, "kernel").is_boolean() && field(sas, "kernel").get<bool>())) {
    e.family("ravpn_ipsec_bytes", "gauge", "Bytes carried by the IPsec SAs that exist now (kernel counters).",
             {{label("direction", "in"), bytes[0]}, {label("direction", "out"), bytes[1]}});
    e.family("ravpn_ipsec_packets", "gauge", "Packets carried by the IPsec SAs that exist now (kernel counters).",
             {{label("direction", "in"), packets[0]}, {label("direction", "out"), packets[1]}});
  }

  std::vector<Sample> size, used, free;
  if (field(pools, "pools").is_array()) {
    for (const auto& p : field(pools, "pools")) {
      if (!field(p, "name").is_string()) continue;
      const std::string l = label("pool", field(p, "name").get<std::string>());
      if (field(p, "size").is_number()) size.push_back({l, field(p, "size").get<double>()});
      if (field(p, "leased").is_number()) used.push_back({l, field(p, "leased").get<double>()});
      if (field(p, "free").is_number()) free.push_back({l, field(p, "free").get<double>()});
    }
  }
  e.family("ravpn_pool_addresses", "gauge", "Addresses in each address pool.", size);
  e.family("ravpn_pool_leased", "gauge", "Addresses leased to clients, by pool.", used);
  e.family("ravpn_pool_free", "gauge", "Addresses free, by pool.", free);

  const json& k = field(status, "kernel_capability");
  e.one("ravpn_kernel_esp", "gauge", "1 when the kernel installed a test ESP SA for every transform the config offers.",
        field(k, "esp"));
  e.one("ravpn_ip_forward", "gauge", "net.ipv4.ip_forward as ravpnd last read it.", field(k, "ip_forward"));
  return e.str();
}

}  // namespace ravpn::control
