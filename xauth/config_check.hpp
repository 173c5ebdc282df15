// The AAA part of `ravpnd --check-config`, of starting and reloading, and of `ravpn-convert --report`: every
// `crypto map M client authentication LIST|TAG` must lead to a backend that can check users at run time. What would
// not (an unsupported method, a tag or group with no server, a server without its key) is an error at the crypto
// map's line, so a migrated config that cannot authenticate anyone never starts. The config reader cannot do this
// itself: the choice lives here (backend_choice.cpp), above the config library.
#pragma once
#include "daemon/config/model.hpp"

namespace ravpn::xauth {

// Adds an Error diagnostic per crypto map whose Xauth backend cannot be built, and a Partial one per method a list
// names that will never be asked (make_backend's warnings).
void check_authentication(config::Config& config);

}  // namespace ravpn::xauth
