// NAT steps both dialect readers share.
#pragma once
#include <string>
#include <vector>

#include "daemon/config/diagnostics.hpp"
#include "daemon/config/model.hpp"

namespace ravpn::config::detail {

// Static NAT written with `interface` as the mapped address (PIX `static (R,M) [tcp|udp] interface ...`, IOS
// `ip nat inside source static ... interface IF ...`) maps to that interface's configured address, known once the
// whole file is read. INDEXES point into config.static_nats; a static whose interface has no static address is
// reported Partial (under COMMAND) and dropped; one naming an unknown interface is left for validate to report.
void resolve_interface_statics(Config& config, Reporter& rep, std::vector<size_t> indexes,
                               const std::string& command);

}  // namespace ravpn::config::detail
