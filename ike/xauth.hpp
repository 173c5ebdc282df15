// Xauth (draft-beaulieu-ike-xauth-02 §4, as the seeds' traces show it): after phase 1 the head-end sends
//   REQUEST(XAUTH_TYPE, USER_NAME, USER_PASSWORD[, MESSAGE]) -> client REPLY(user, password)
//   SET(XAUTH_STATUS 1|0) -> client ACK
// two transaction exchanges, each with its own message ID and IV chain (§4.1: the status starts a new exchange;
// Libreswan cannot read a SET sent under the REQUEST's ID). A wrong password gets a new REQUEST (again a new
// exchange), up to 3 tries like the Cisco box, then STATUS 0 and a delete.
#pragma once
#include <optional>

#include "ike/exchange.hpp"
#include "ike/phase1_sa.hpp"
#include "xauth/backend.hpp"

namespace ravpn::ike::xauth_exchange {

constexpr int kMaxAttempts = 3;

// The REQUEST (first, or again after a failure with `message`). Sets the session's Xauth state and message ID.
Bytes request(ExchangeContext& ctx, Phase1Sa& sa, const std::string& message = {});
// The SET carrying the verdict: a new exchange (fresh message ID, the session's Xauth message ID follows it).
Bytes status(ExchangeContext& ctx, Phase1Sa& sa, bool ok);

// A transaction message in the Xauth message ID.
struct Received {
  enum class What { Nothing, Credentials, Acknowledged } what = What::Nothing;
  xauth::Credentials credentials;  // when What::Credentials
  std::string problem;             // why nothing came of it (logged)
};
Received on_message(ExchangeContext& ctx, Phase1Sa& sa, const AttributePayload& attributes);

}  // namespace ravpn::ike::xauth_exchange
