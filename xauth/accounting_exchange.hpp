// The network side of accounting: one record to one server, blocking (the sender's thread calls it).
#pragma once
#include "xauth/accounting_sender.hpp"

namespace ravpn::xauth::accounting {

// RADIUS (RFC 2866): an Accounting-Request from a socket of its own, 1 + retransmits tries of timeout_seconds, the
// same packet each time; only an Accounting-Response whose Response Authenticator checks counts. `nas_identifier`:
// the hostname, or "" to leave NAS-Identifier out.
Delivery radius_accounting_exchange(const Server& server, const Record& record, uint32_t delay_seconds,
                                    const std::string& nas_identifier);

// The exchange for `settings` (its protocol).
Exchange exchange_for(const Settings& settings);

}  // namespace ravpn::xauth::accounting
