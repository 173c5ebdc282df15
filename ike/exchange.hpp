// What an exchange handler returns to the responder, and what it may use.
#pragma once
#include <map>
#include <optional>
#include <string>

#include "daemon/config/model.hpp"
#include "ike/clock.hpp"
#include "ike/crypto/crypto.hpp"
#include "ike/log.hpp"
#include "ike/policy/policy.hpp"
#include "ike/wire/message.hpp"
#include "netlink/kernel.hpp"
#include "pool/address_pool.hpp"

namespace ravpn::xauth {
class Backend;
}

namespace ravpn::ike {

using PoolSet = std::map<std::string, pool::AddressPool>;

// Where routes to clients go: the Linux device of each local IKE address, and the inside address traffic to the
// client should leave with (IOS logs "installing route 10.2.1.2 255.255.255.255 <peer>").
struct RoutePlacement {
  std::map<Ipv4, std::string> device_of_local;
  std::optional<Ipv4> preferred_source;
};

struct ExchangeContext {
  const config::Config& config;
  const compiled::Policy& policy;  // `config` compiled (once per load): groups, phase 2 entries
  crypto::Rng& rng;
  Logger& log;
  const TimeSource* time = nullptr;
  kernel::Kernel* kernel = nullptr;      // nullptr: phase 1 only (no IPsec SAs can be installed)
  PoolSet* pools = nullptr;
  xauth::Backend* xauth = nullptr;       // nullptr: Xauth configured but no usable backend
  const RoutePlacement* routes = nullptr;
};

struct Step {
  enum class Kind {
    Reply,   // send `reply` (and remember it for retransmits)
    NeedDh,  // run the Diffie-Hellman job for this SA, then call the exchange's after_dh()
    Fail,    // log `reason`, answer with `notify` (if non-zero) and delete the SA
    Ignore,  // drop the datagram (log `reason` at debug level)
  };
  Kind kind = Kind::Ignore;
  Bytes reply;
  uint16_t notify = 0;
  std::string reason;

  static Step reply_with(Bytes b) { return {Kind::Reply, std::move(b), 0, {}}; }
  static Step need_dh() { return {Kind::NeedDh, {}, 0, {}}; }
  static Step fail(uint16_t notify_type, std::string why) { return {Kind::Fail, {}, notify_type, std::move(why)}; }
  static Step ignore(std::string why) { return {Kind::Ignore, {}, 0, std::move(why)}; }
};

}  // namespace ravpn::ike
