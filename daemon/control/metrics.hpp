// `ravpnctl metrics`: the control socket's answers (status, sas, pools) in the Prometheus text exposition format
// (version 0.0.4: `# HELP` / `# TYPE` lines, then `name{label="value"} number` samples), for node_exporter's
// textfile collector or any scraper. Counters are the daemon's since its start; byte counts are those of the
// IPsec SAs that exist now (the kernel's counters go with an SA).
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace ravpn::control {

// `status`, `sas` and `pools` are the daemon's responses to those requests (any may lack fields: they are skipped).
std::string metrics_text(const nlohmann::json& status, const nlohmann::json& sas, const nlohmann::json& pools);

// A label value escaped as the format asks: backslash, double quote and newline.
std::string metric_label_value(const std::string& value);

}  // namespace ravpn::control
