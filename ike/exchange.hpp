// What an exchange handler returns to the responder, and what it may use.
#pragma once
#include <string>

#include "daemon/config/model.hpp"
#include "ike/crypto/crypto.hpp"
#include "ike/log.hpp"
#include "ike/wire/message.hpp"

namespace ravpn::ike {

struct ExchangeContext {
  const config::Config& config;
  crypto::Rng& rng;
  Logger& log;
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
