// Config helpers the IKE side uses.
#include <algorithm>
#include <bit>

#include "daemon/config/model.hpp"

namespace ravpn::config {

bool Config::has_errors() const {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.kind == Diagnostic::Kind::Error; });
}

const PresharedKey* Config::key_for_peer(Ipv4 peer) const {
  const PresharedKey* best = nullptr;
  for (const auto& k : isakmp_keys) {
    if (!k.peer.contains(peer)) continue;
    // Most specific mask wins; the wildcard 0.0.0.0 0.0.0.0 has no bits and so comes last.
    if (!best || std::popcount(k.peer.mask.value) > std::popcount(best->peer.mask.value)) best = &k;
  }
  return best;
}

bool Config::xauth_enabled() const {
  return std::any_of(crypto_maps.begin(), crypto_maps.end(),
                     [](const auto& m) { return m.second.client_authentication.has_value(); });
}

std::vector<Ipv4> Config::ike_addresses() const {
  std::vector<Ipv4> out;
  for (const auto& name : isakmp_enabled_interfaces) {
    for (const auto& i : interfaces) {
      if (i.name != name || i.shutdown || !i.address) continue;
      if (std::find(out.begin(), out.end(), i.address->address) == out.end()) out.push_back(i.address->address);
    }
  }
  return out;
}

}  // namespace ravpn::config
