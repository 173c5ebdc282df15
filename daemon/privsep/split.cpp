#include "daemon/privsep/split.hpp"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

#include "daemon/privsep/drop_privileges.hpp"
#include "daemon/kernel_access.hpp"

namespace ravpn::privsep {
namespace {

Account ike_account(const std::string& user, Logger& log) {
  auto account = find_account(user);
  if (account) return *account;
  // The package creates the account; a build tree run by hand (or the lab) may not have it.
  auto nobody = find_account("nobody");
  if (!nobody) throw std::runtime_error("privilege separation: " + account.error() + ", and no user nobody");
  log.log(LogLevel::Notice, LogCategory::Daemon, "privilege separation: {}; the IKE process runs as nobody",
          account.error());
  return *nobody;
}

}  // namespace

int run_separated(SplitOptions options, Logger& log) {
  const Account account = ike_account(options.user, log);
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    throw std::runtime_error(std::string("socketpair: ") + std::strerror(errno));
  const pid_t parent = getpid();
  const pid_t child = fork();
  if (child < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));

  if (child == 0) {
    close(fds[0]);
    // Dies with the privileged process (it cannot program the kernel without it); set again after the change of
    // user, which clears it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    SystemTime system_time;
    auto kernel = std::make_unique<RemoteKernel>(fds[1], log, options.time ? *options.time : system_time);
    auto drop = [&account, &log, parent] {
      drop_privileges(account);
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(1);
      log.log(LogLevel::Info, LogCategory::Daemon,
              "privilege separation: IKE process {} runs as {} (uid {}) with no capabilities; process {} programs "
              "the kernel",
              getpid(), account.name, account.uid, parent);
    };
    return options.ike_process(std::move(kernel), drop);
  }

  close(fds[1]);
  PrivilegedOptions p;
  p.ike_process = child;
  p.fd = fds[0];
  p.kernel = daemon::open_kernel(log);
  p.reload = std::move(options.reload);
  p.lease_path = options.lease_path;
  p.cleanup = std::move(options.cleanup);
  return PrivilegedProcess(std::move(p), log).run();
}

}  // namespace ravpn::privsep
