// Readiness for systemd (Type=notify): READY=1 once the IKE sockets are bound, STOPPING=1 on the way out, RELOADING=1 during a reload, STATUS=
// lines an operator sees in `systemctl status`. Without NOTIFY_SOCKET (not under systemd) these do nothing.
#pragma once
#include <string>

namespace ravpn::daemon {

void notify_ready(const std::string& status);
void notify_status(const std::string& status);
void notify_stopping();
void notify_reloading();  // RELOADING=1; READY=1 (notify_ready) says the reload is over

}  // namespace ravpn::daemon
