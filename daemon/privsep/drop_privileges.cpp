#include "daemon/privsep/drop_privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace ravpn::privsep {

std::expected<Account, std::string> find_account(const std::string& name) {
  std::vector<char> buffer(16384);
  passwd pw{}, *found = nullptr;
  const int error = getpwnam_r(name.c_str(), &pw, buffer.data(), buffer.size(), &found);
  if (error != 0) return std::unexpected("user " + name + ": " + std::strerror(error));
  if (!found) return std::unexpected("user " + name + " does not exist");
  if (pw.pw_uid == 0) return std::unexpected("user " + name + " is root");
  return Account{name, pw.pw_uid, pw.pw_gid};
}

void drop_privileges(const Account& a) {
  auto fail = [&](const char* step) {
    throw std::runtime_error(std::string("dropping privileges to ") + a.name + ": " + step + ": " +
                             std::strerror(errno));
  };
  // Order matters: groups and group while still root, the user last (glibc applies each to every thread).
  const gid_t groups[] = {a.gid};
  if (setgroups(1, groups) != 0) fail("setgroups");
  if (setresgid(a.gid, a.gid, a.gid) != 0) fail("setresgid");
  if (setresuid(a.uid, a.uid, a.uid) != 0) fail("setresuid");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("PR_SET_NO_NEW_PRIVS");
  if (setuid(0) == 0) throw std::runtime_error("dropping privileges to " + a.name + ": root could be regained");
  auto caps = effective_capabilities();
  if (!caps) throw std::runtime_error("dropping privileges: " + caps.error());
  if (*caps != 0) throw std::runtime_error("dropping privileges: capabilities left after the change of user");
}

std::expected<unsigned long long, std::string> effective_capabilities() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("CapEff:", 0) != 0) continue;
    try {
      return std::stoull(line.substr(7), nullptr, 16);
    } catch (const std::exception&) {
      return std::unexpected("cannot read CapEff in /proc/self/status");
    }
  }
  return std::unexpected("no CapEff line in /proc/self/status");
}

}  // namespace ravpn::privsep
