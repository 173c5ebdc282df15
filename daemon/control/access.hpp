// Who may do what on the control socket (issue 10: the monitoring group must not disconnect users or reload).
//   Monitor: the read-only views (status, isakmp, sas, users, pools, metrics): members of group `ravpn`.
//   Admin:   also disconnect, reload and debug: root, the daemon's own user, members of group `ravpn-admin`.
// The server decides it per connection from SO_PEERCRED; the requests refuse what the level does not allow.
#pragma once

namespace ravpn::control {

enum class Access { Monitor, Admin };

}  // namespace ravpn::control
