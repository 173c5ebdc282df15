#include "daemon/kernel_access.hpp"

#include "netlink/xfrm_kernel.hpp"

namespace ravpn::daemon {

std::unique_ptr<kernel::Kernel> open_kernel(Logger& log) {
  auto k = netlink::NetlinkKernel::open();
  if (!k) {
    log.log(LogLevel::Warning, LogCategory::Ipsec, "no kernel XFRM access: {}", k.error());
    return nullptr;
  }
  if (auto tuned = (*k)->hash_policies_by_remote_address(); !tuned)
    log.log(LogLevel::Warning, LogCategory::Ipsec, "XFRM policy hash thresholds unchanged ({}): with thousands of "
            "tunnels up, installing and removing policies slows down", tuned.error());
  else
    log.log(LogLevel::Info, LogCategory::Ipsec, "XFRM policy hash thresholds: local 0, remote 32 bits (each client's "
            "policies hashed by its address)");
  return std::move(*k);
}

}  // namespace ravpn::daemon
