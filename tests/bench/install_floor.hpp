// The kernel's own rate for bench_kernel_install's requests (tests/bench/install_specs.hpp): the same netlink
// messages NetlinkKernel builds, sent many to one sendmsg and acknowledged in bulk, so that next to nothing but the
// kernel's work is timed. What ravpnd's path gets is compared with it, as handshakes are with the crypto floor.
#pragma once
#include <cstdint>

namespace ravpn::bench {

// Installs then removes `pairs` tunnels' SA pairs, policies and routes; prints a line per phase. 0: every request
// was acknowledged without error.
int install_floor(uint32_t pairs);

}  // namespace ravpn::bench
