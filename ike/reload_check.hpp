// Configuration reload: does a running tunnel survive the new configuration? A tunnel stays unless the new config
// takes away something it stands on (cisco-config.md: a PIX keeps SAs across most changes; ravpn drops exactly the
// tunnels whose group, key, user, address or transform is gone).
#pragma once
#include <map>
#include <optional>
#include <string>

#include "daemon/config/model.hpp"
#include "ike/phase1_sa.hpp"

namespace ravpn::ike {

// Why `sa` may not stay under `next`, or nullopt. `local_users` is the new user list when the new Xauth backend is
// the local one (a user removed there loses the tunnel); nullptr when users are checked elsewhere (RADIUS).
std::optional<std::string> reload_objection(const config::Config& next, const Phase1Sa& sa,
                                            const std::map<std::string, config::LocalUser>* local_users);

}  // namespace ravpn::ike
