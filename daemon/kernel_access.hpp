// ravpnd's own access to XFRM and routes: NetlinkKernel, opened once in the process that programs the kernel (the
// privileged process, or ravpnd itself with --no-privsep), with the policy hash tuned for remote-access tunnels.
#pragma once
#include <memory>

#include "daemon/logger.hpp"
#include "netlink/kernel.hpp"

namespace ravpn::daemon {

// nullptr (and a warning saying why) without CAP_NET_ADMIN or XFRM support: phase 1 still runs, quick mode says
// why it cannot.
std::unique_ptr<kernel::Kernel> open_kernel(Logger& log);

}  // namespace ravpn::daemon
