// Starting ravpnd as two processes (privilege separation): the caller, root, forks; the parent becomes the
// privileged process (privileged_process.hpp) and the child the IKE process, which builds its service while still
// root (sockets on UDP 500/4500, the control socket, the lease file read), then drops to ACCOUNT with no
// capabilities before it reads a packet. The IKE process dies with the parent (PR_SET_PDEATHSIG): kill -9 of
// ravpnd is a crash of both, and a restart sweeps what they left in the kernel.
#pragma once
#include <expected>
#include <functional>
#include <memory>
#include <string>

#include "daemon/privsep/privileged_process.hpp"
#include "daemon/privsep/remote_kernel.hpp"

namespace ravpn::privsep {

struct SplitOptions {
  std::string user;           // the IKE process's account; `nobody` when it does not exist (said in the log)
  std::string lease_path;     // written by the privileged process; empty: none
  std::function<std::expected<ReloadAnswer, std::string>()> reload;  // privileged side (PrivilegedOptions)
  std::function<void(bool crashed)> cleanup;                          // privileged side, at the end
  const TimeSource* time = nullptr;  // the IKE process's clock (its loop's) for RemoteKernel; null: the system's
  // The IKE process: build the service on KERNEL, call DROP once it is set up (before the first packet is read),
  // run it; the exit code.
  std::function<int(std::unique_ptr<RemoteKernel> kernel, std::function<void()> drop)> ike_process;
};

// Returns in both processes: the parent's code once the IKE process has ended, the child's own.
int run_separated(SplitOptions options, Logger& log);

}  // namespace ravpn::privsep
