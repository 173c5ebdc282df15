#include "daemon/config/nat_common.hpp"

#include <algorithm>
#include <functional>

namespace ravpn::config::detail {

void resolve_interface_statics(Config& config, Reporter& rep, std::vector<size_t> indexes,
                               const std::string& command) {
  std::sort(indexes.begin(), indexes.end(), std::greater<>());  // erase from the back so indexes stay valid
  indexes.erase(std::unique(indexes.begin(), indexes.end()), indexes.end());
  for (size_t i : indexes) {
    if (i >= config.static_nats.size()) continue;
    StaticNat& s = config.static_nats[i];
    auto it = std::find_if(config.interfaces.begin(), config.interfaces.end(),
                           [&](const Interface& f) { return f.name == s.mapped_interface; });
    if (it == config.interfaces.end()) continue;  // validate reports the unknown interface
    if (it->address) {
      s.mapped = it->address->address;
      continue;
    }
    rep.partial(s.origin.line, command,
                "interface " + s.mapped_interface + " has no static address to map to; static translation not used");
    config.static_nats.erase(config.static_nats.begin() + long(i));
  }
}

}  // namespace ravpn::config::detail
