#include "daemon/firewall/ruleset.hpp"

namespace ravpn::firewall {

InterfaceNames map_interfaces(const config::Config& config, const std::vector<netlink::InterfaceAddress>& addresses) {
  InterfaceNames names;
  for (const auto& i : config.interfaces) {
    if (!i.address) continue;
    for (const auto& a : addresses) {
      if (a.address != i.address->address || a.name.empty()) continue;
      names.emplace(i.name, a.name);
      break;
    }
  }
  return names;
}

}  // namespace ravpn::firewall
