// Mode-config (draft-dukes-ike-mode-cfg-02), both directions the seeds use:
//   respond:  client REQUEST -> head-end REPLY   (Cisco VPN Client 3.x/4.x, vpnc, strongSwan in pull mode)
//   initiate: head-end SET   -> client ACK       (Cisco VPN Client 1.1; strongSwan in push mode)
// Attributes from the client group (IOS `crypto isakmp client configuration group`, PIX `vpngroup`): address from
// the pool, netmask, DNS, NBNS, application version, Cisco Unity banner, default domain, split include (from the
// group's ACL), save-password, PFS, backup servers, LOCAL_LAN (`include-local-lan`). The group settings come from the compiled
// policy (ike/policy), never from the config text. Attributes ravpn does not know are left out of the answer, as
// the PIX trace shows ("Unsupported Attr: 5"); they are never fatal.
#pragma once
#include "ike/exchange.hpp"
#include "ike/phase1_sa.hpp"

namespace ravpn::ike::mode_config {

// Lease the client's address (if not yet) from the group's pool or the global one. false when none can be had
// (the reason is logged).
bool ensure_address(ExchangeContext& ctx, Phase1Sa& sa);

// REPLY to the client's REQUEST (message ID of the request).
Bytes reply(ExchangeContext& ctx, Phase1Sa& sa, MessageId id, const AttributePayload& request);
// SET pushing the address (and what the group configures). New message ID.
Bytes push(ExchangeContext& ctx, Phase1Sa& sa, MessageId& id);

// The group a session belongs to (aggressive mode KEY_ID), or nullptr.
const compiled::GroupPolicy* group_of(const compiled::Policy& policy, const Phase1Sa& sa);

// Give the address back (tunnel over).
void release_address(ExchangeContext& ctx, Phase1Sa& sa);

}  // namespace ravpn::ike::mode_config
