// The privileged half of ravpnd under privilege separation (after OpenBSD iked's parent process): it keeps
// CAP_NET_ADMIN and root's files, parses no packet, and answers the closed set of requests in messages.hpp from
// the unprivileged IKE process: XFRM SAs and policies, routes, counters, re-reading the configuration (whose
// secrets only root reads) with the firewall applied here, and writing the lease file. It forwards the kernel's
// expire events, passes SIGTERM and SIGHUP on to the IKE process, and once that has ended cleans up after it.
#pragma once
#include <sys/types.h>

#include <expected>
#include <functional>
#include <memory>
#include <string>

#include "daemon/privsep/channel.hpp"
#include "ike/log.hpp"

namespace ravpn::privsep {

struct PrivilegedOptions {
  pid_t ike_process = -1;
  int fd = -1;                              // our end of the socketpair (taken)
  std::unique_ptr<kernel::Kernel> kernel;   // null: no XFRM access (every kernel request is refused)
  // Re-reads the files, checks them and applies the firewall; the texts for the IKE process or why not.
  std::function<std::expected<ReloadAnswer, std::string>()> reload;
  std::string lease_path;                   // empty: the lease file is not kept
  // After the IKE process has ended: `crashed` when it did not stop cleanly (its tunnels are dead; remove them).
  std::function<void(bool crashed)> cleanup;
};

class PrivilegedProcess {
 public:
  PrivilegedProcess(PrivilegedOptions options, Logger& log);
  // Serves until the IKE process has gone; returns the exit code for ravpnd.
  int run();

 private:
  // False: the request is malformed (the IKE process is not trusted to go on).
  bool serve(const Frame& frame);
  std::expected<Bytes, std::string> execute(Type type, ByteView body);
  void forward_signal(int signo);

  PrivilegedOptions options_;
  Logger& log_;
  Channel channel_;
  bool stopping_ = false;
};

}  // namespace ravpn::privsep
