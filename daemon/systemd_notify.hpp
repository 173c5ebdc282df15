// Readiness for systemd (Type=notify): READY=1 once the IKE sockets are bound, STOPPING=1 on the way out, STATUS=
// lines an operator sees in `systemctl status`. Without NOTIFY_SOCKET (not under systemd) these do nothing.
#pragma once
#include <string>

namespace ravpn::daemon {

void notify_ready(const std::string& status);
void notify_status(const std::string& status);
void notify_stopping();

}  // namespace ravpn::daemon
