#include "ike/policy/policy.hpp"

#include <algorithm>

namespace ravpn::ike::compiled {

Policy compile(const config::Config& config) {
  Policy p;
  p.groups = compile_groups(config);
  p.default_pool = config.client_config_pool;
  p.phase2 = compile_phase2(config);
  return p;
}

const GroupPolicy* Policy::group(const std::string& name) const {
  auto it = groups.find(name);
  return it == groups.end() ? nullptr : &it->second;
}

std::vector<EspTransform> offered_transforms(const Policy& policy) {
  std::vector<EspTransform> out;
  for (const auto& e : policy.phase2)
    for (const auto& t : e.transforms)
      if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  return out;
}

}  // namespace ravpn::ike::compiled
