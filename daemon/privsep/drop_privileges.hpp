// The IKE process's drop from root to an unprivileged account once its sockets are bound: supplementary groups,
// group and user changed, no new privileges, and a check that no capability is left (it refuses to go on
// otherwise: a process that parses packets from the internet must not keep CAP_NET_ADMIN by accident).
#pragma once
#include <sys/types.h>

#include <expected>
#include <string>

namespace ravpn::privsep {

struct Account {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

// NAME's uid and primary group, or why not.
std::expected<Account, std::string> find_account(const std::string& name);

// Throws std::runtime_error when a step fails or a capability survives.
void drop_privileges(const Account& account);

// The effective capability mask of this process (/proc/self/status CapEff), 0 when none.
std::expected<unsigned long long, std::string> effective_capabilities();

}  // namespace ravpn::privsep
