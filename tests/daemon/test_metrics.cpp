// `ravpnctl metrics`: the Prometheus text format from the control socket's answers (daemon/control/metrics.hpp).
// tests/daemon/test_control_socket.sh parses a live daemon's output with python3-prometheus-client.
#include <doctest/doctest.h>

#include "daemon/control/metrics.hpp"

using namespace ravpn::control;
using nlohmann::json;

namespace {
bool has(const std::string& text, const std::string& line) { return text.find(line + "\n") != std::string::npos; }
}  // namespace

TEST_CASE("metrics: sessions, handshakes, failures by reason, bytes, pools, kernel") {
  json status = json::parse(R"({"ok":true,"daemon_version":"0.1","uptime":42,"config":"/etc/ravpn/ravpn.cfg",
    "sas":{"isakmp":3,"established":2,"negotiating":1,"ipsec":2,"users":2},
    "counters":{"datagrams":100,"dropped":4,"retransmits_answered":1,"phase1_started":5,"phase1_established":2,
                "no_proposal_chosen":1,"auth_failed":2,"half_open_expired":0,"dh_jobs":9,"reassembled":0,
                "xauth_ok":2,"xauth_failed":1,"tunnels_up":2},
    "kernel_capability":{"xfrm":true,"esp":false,"ip_forward":true},
    "admission":{"dropped":{"per_source_half_open":5312,"under_load":7},"under_pressure":true,"half_open":12,
                 "dh_queued":3,"fragment_sets":1}})");
  json sas = json::parse(R"({"ok":true,"kernel":true,"sas":[
    {"in":{"bytes":100,"packets":2},"out":{"bytes":200,"packets":3}},
    {"in":{"bytes":5,"packets":1},"out":{"error":"XFRM_MSG_GETSA: No such process"}}]})");
  json pools = json::parse(R"({"ok":true,"pools":[{"name":"VPN\"pool","size":5,"leased":2,"free":3}]})");
  std::string m = metrics_text(status, sas, pools);
  CHECK(has(m, "# TYPE ravpn_failures_total counter"));
  CHECK(has(m, "ravpn_failures_total{reason=\"phase1_auth_failed\"} 2"));
  CHECK(has(m, "ravpn_failures_total{reason=\"malformed_or_dropped\"} 4"));
  CHECK(has(m, "ravpn_isakmp_sas{state=\"negotiating\"} 1"));
  CHECK(has(m, "ravpn_phase1_handshakes_total{result=\"established\"} 2"));
  CHECK(has(m, "ravpn_ipsec_bytes{direction=\"in\"} 105"));
  CHECK(has(m, "ravpn_ipsec_bytes{direction=\"out\"} 200"));
  CHECK(has(m, "ravpn_pool_leased{pool=\"VPN\\\"pool\"} 2"));
  CHECK(has(m, "ravpn_kernel_esp 0"));
  CHECK(has(m, "ravpn_ip_forward 1"));
  CHECK(has(m, "ravpn_uptime_seconds 42"));
  CHECK(has(m, "# TYPE ravpn_admission_dropped_total counter"));
  CHECK(has(m, "ravpn_admission_dropped_total{rule=\"per_source_half_open\"} 5312"));
  CHECK(has(m, "ravpn_admission_dropped_total{rule=\"under_load\"} 7"));
  CHECK(has(m, "ravpn_half_open_sas 12"));
  CHECK(has(m, "ravpn_dh_queue_jobs 3"));
  CHECK(has(m, "ravpn_fragment_sets 1"));
  CHECK(has(m, "ravpn_admission_under_pressure 1"));
  CHECK(has(m, "ravpn_info{version=\"0.1\",config=\"/etc/ravpn/ravpn.cfg\"} 1"));
}

TEST_CASE("metrics: missing fields are left out, not printed as garbage") {
  std::string m = metrics_text(json::object(), json::object(), json::object());
  CHECK(m.find("ravpn_failures_total") == std::string::npos);
  CHECK(m.find("ravpn_ipsec_bytes") == std::string::npos);
  CHECK(metric_label_value("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
}
