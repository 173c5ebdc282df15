#include "daemon/control/table.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ravpn::control {

using nlohmann::json;

namespace {

// A cell from any JSON value: strings as they are, null as "-".
std::string cell(const json& j) {
  if (j.is_null()) return "-";
  if (j.is_string()) return j.get<std::string>();
  if (j.is_boolean()) return j.get<bool>() ? "yes" : "no";
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string cell(const json& obj, const char* key) { return obj.is_object() && obj.contains(key) ? cell(obj[key]) : "-"; }

// A byte count in KiB, "-" when absent.
std::string kib(const json& obj, const char* key) {
  if (!obj.is_object() || !obj.contains(key) || !obj[key].is_number_unsigned()) return "-";
  return std::to_string(obj[key].get<uint64_t>() / 1024);
}

const json& list(const json& r, const char* key) {
  static const json empty = json::array();
  return r.contains(key) && r[key].is_array() ? r[key] : empty;
}

std::string counters_text(const json& c) {
  if (!c.is_object()) return "-";
  if (c.contains("error")) return "? (" + cell(c, "error") + ")";
  return fmt::format("{}/{}", cell(c, "bytes"), cell(c, "packets"));
}

// Admission control: where things stand and what each rule dropped (an older daemon has no "admission").
std::string admission_text(const json& a) {
  if (!a.is_object()) return "";
  const json limits = a.value("limits", json::object());
  std::string s = fmt::format("\nadmission: {} half-open (at most {}, {} per source), {} DH jobs queued, {} fragment "
                              "sets{}\n",
                              cell(a, "half_open"), cell(limits, "half_open_max"), cell(limits, "half_open_per_source"),
                              cell(a, "dh_queued"), cell(a, "fragment_sets"),
                              a.value("under_pressure", false) ? "; UNDER PRESSURE (drops in the last minute)" : "");
  Table t({"dropped by", "count"});
  if (a.contains("dropped") && a["dropped"].is_object())
    for (const auto& [k, v] : a["dropped"].items()) t.add({k, cell(v)});
  return s + t.str();
}

std::string status_text(const json& r) {
  std::string s;
  s += fmt::format("ravpnd {}, up {}\n", cell(r, "daemon_version"), duration_text(r.value("uptime", json())));
  s += fmt::format("configuration: {}\n", cell(r, "config"));
  // The probe's verdict (kernel_probe.hpp); an older daemon only said whether its XFRM socket opened.
  const json k = r.value("kernel_capability", json());
  if (k.is_object()) {
    s += fmt::format("kernel IPsec:  {}\n", cell(k, "summary"));
    const json fwd = k.value("ip_forward", json());
    s += fmt::format("forwarding:    {}\n", fwd.is_boolean() ? (fwd.get<bool>() ? "on (net.ipv4.ip_forward = 1)"
                                                                        : "OFF (net.ipv4.ip_forward = 0)")
                                                           : "unknown");
  } else {
    s += fmt::format("kernel IPsec:  {}\n", r.value("kernel", false) ? "XFRM socket open" : "not available");
  }
  const json sas = r.value("sas", json::object());
  s += fmt::format("ISAKMP SAs: {} ({} established, {} negotiating), IPsec SAs: {}, users: {}\n", cell(sas, "isakmp"),
                   cell(sas, "established"), cell(sas, "negotiating"), cell(sas, "ipsec"), cell(sas, "users"));
  if (const json h = r.value("heap", json()); h.is_object())
    s += fmt::format("heap:          {} KiB in use, {} KiB free inside it ({} KiB at its top)\n", kib(h, "in_use"),
                     kib(h, "free"), kib(h, "free_at_top"));
  Table t({"counter", "value"});
  if (r.contains("counters") && r["counters"].is_object())
    for (const auto& [k, v] : r["counters"].items()) t.add({k, cell(v)});
  s += "\n" + t.str();
  if (const json a = r.value("accounting", json()); a.is_object()) {
    std::string servers;
    for (const auto& v : list(a, "servers")) servers += (servers.empty() ? "" : ", ") + cell(v);
    s += fmt::format("\naccounting:    {} to {}; last answer from {}\n", cell(a, "protocol"), servers,
                     cell(a, "last_server"));
    s += fmt::format("               {} sent, {} queued, {} retransmits, {} failed rounds, {} dropped\n",
                     cell(a, "sent"), cell(a, "queued"), cell(a, "retransmits"), cell(a, "failed_rounds"),
                     cell(a, "dropped"));
    if (a.value("last_error", json()).is_string()) s += fmt::format("               last error: {}\n", cell(a, "last_error"));
  }
  s += admission_text(r.value("admission", json()));
  const json& lockouts = list(r, "xauth_lockouts");
  if (lockouts.empty()) return s;
  Table l({"Xauth lockout", "failures", "left"});
  for (const auto& e : lockouts)
    l.add({e.contains("user") ? "user " + cell(e, "user") : "address " + cell(e, "address"), cell(e, "failures"),
           duration_text(e.value("seconds_left", json()))});
  return s + "\n" + l.str();
}

std::string isakmp_text(const json& r) {
  Table t({"conn", "peer", "local", "state", "mode", "group", "user", "algorithms", "established", "lifetime left"});
  for (const auto& sa : list(r, "sas")) {
    std::string alg = "-";
    if (sa.contains("algorithms") && sa["algorithms"].is_object()) {
      const auto& a = sa["algorithms"];
      alg = fmt::format("{}/{}/group {}/{}", cell(a, "cipher"), cell(a, "hash"), cell(a, "dh_group"), cell(a, "auth"));
    }
    t.add({cell(sa, "serial"), cell(sa, "peer"), cell(sa, "local"), cell(sa, "state"), cell(sa, "mode"),
           cell(sa, "group"), sa.contains("xauth") ? cell(sa["xauth"], "user") : "-", alg,
           duration_text(sa.value("established_for", json())), duration_text(sa.value("lifetime_left", json()))});
  }
  std::string s = t.str();
  for (const auto& sa : list(r, "sas")) {
    std::string carried;
    if (sa.contains("session") && sa["session"].is_object() && !sa["session"].value("carried_from", json()).is_null())
      carried = ", session taken over from conn " + cell(sa["session"], "carried_from");
    if (sa.contains("session") && sa["session"].is_object() && !sa["session"].value("handed_to", json()).is_null())
      carried += ", session handed to conn " + cell(sa["session"], "handed_to");
    if (sa.contains("stage")) carried += ", session " + cell(sa, "stage");
    s += fmt::format("conn {}: cookies {} {}, peer id {}{}\n", cell(sa, "serial"), cell(sa, "icookie"),
                     cell(sa, "rcookie"),
                     sa.contains("peer_id") && sa["peer_id"].is_object()
                         ? cell(sa["peer_id"], "type") + " " + cell(sa["peer_id"], "value")
                         : "-",
                     carried);
  }
  return s + fmt::format("{} ISAKMP SA(s)\n", list(r, "sas").size());
}

std::string sas_text(const json& r) {
  Table t({"conn", "peer", "user", "local net", "remote net", "spi in", "spi out", "state", "transform",
           "in bytes/pkts", "out bytes/pkts", "lifetime left"});
  for (const auto& c : list(r, "sas"))
    t.add({cell(c, "serial"), cell(c, "peer"), cell(c, "user"), cell(c, "local_net"), cell(c, "remote_net"),
           cell(c, "spi_in"), cell(c, "spi_out"), cell(c, "state"), cell(c, "transform"), counters_text(c.value("in", json())),
           counters_text(c.value("out", json())), duration_text(c.value("lifetime_left", json()))});
  std::string s = t.str() + fmt::format("{} IPsec SA pair(s)\n", list(r, "sas").size());
  if (!r.value("kernel", true)) s += "(no kernel XFRM access: no counters)\n";
  return s;
}

std::string users_text(const json& r) {
  Table t({"user", "group", "address", "pool", "peer", "conn", "connected", "idle", "rekeys p1/p2", "dpd",
           "AAA server"});
  for (const auto& u : list(r, "users"))
    t.add({cell(u, "user"), cell(u, "group"), cell(u, "address"), cell(u, "pool"), cell(u, "peer"), cell(u, "serial"),
           duration_text(u.value("connected_for", json())), duration_text(u.value("idle_for", json())),
           cell(u, "phase1_rekeys") + "/" + cell(u, "phase2_rekeys"), cell(u, "dpd"), cell(u, "aaa_server")});
  return t.str() + fmt::format("{} user(s)\n", list(r, "users").size());
}

std::string pools_text(const json& r) {
  Table t({"pool", "size", "leased", "free"});
  for (const auto& p : list(r, "pools")) t.add({cell(p, "name"), cell(p, "size"), cell(p, "leased"), cell(p, "free")});
  return t.str();
}

}  // namespace

std::string Table::str() const {
  std::vector<size_t> width(header_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], row[i].size());
  };
  measure(header_);
  for (const auto& r : rows_) measure(r);
  auto line = [&](const std::vector<std::string>& row) {
    std::string s;
    for (size_t i = 0; i < width.size(); ++i) {
      const std::string& v = i < row.size() ? row[i] : std::string();
      s += v;
      if (i + 1 < width.size()) s += std::string(width[i] - v.size() + 2, ' ');
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s + "\n";
  };
  std::string out = line(header_);
  std::vector<std::string> rule;
  for (auto w : width) rule.push_back(std::string(w, '-'));
  out += line(rule);
  for (const auto& r : rows_) out += line(r);
  return out;
}

std::string duration_text(const json& seconds) {
  if (!seconds.is_number()) return "-";
  const int64_t s = seconds.get<int64_t>();
  if (s < 0) return "-";
  if (s >= 86400) return fmt::format("{}d{:02}h", s / 86400, s % 86400 / 3600);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

std::string render(const std::string& request, const json& r) {
  if (request == "status") return status_text(r);
  if (request == "isakmp") return isakmp_text(r);
  if (request == "sas") return sas_text(r);
  if (request == "users") return users_text(r);
  if (request == "pools") return pools_text(r);
  if (request == "disconnect") return fmt::format("disconnected {} ISAKMP SA(s)\n", cell(r, "disconnected"));
  if (request == "reload")
    return fmt::format("configuration reloaded from {}: {} ISAKMP SA(s) kept, {} dropped\n", cell(r, "config_source"),
                       cell(r, "kept"), cell(r, "dropped"));
  if (request == "debug") return fmt::format("debugging on: {}\n", cell(r, "categories"));
  return r.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace ravpn::control
