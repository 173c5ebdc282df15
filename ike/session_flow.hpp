// A session's life after phase 1, one explicit state machine: Xauth, then mode-config, then quick modes.
//
//   stage            event                 next stage
//   Phase1           XauthRequestSent      XauthRequested
//   Phase1           NoXauth               Authenticated
//   XauthRequested   Credentials           XauthChecking
//   XauthChecking    AaaAccepted           XauthStatusSent
//   XauthChecking    AaaRefusedRetry       XauthRequested    (a new REQUEST: "try again")
//   XauthChecking    AaaRefusedFinal       XauthFailed
//   XauthStatusSent  XauthAcked            Authenticated
//   XauthFailed      XauthAcked            Ended
//   Authenticated    AddressPulled         Configured
//   Authenticated    AddressPushed         ConfigPushed
//   ConfigPushed     AddressAcked          Configured
//   ConfigPushed     AddressPulled         Configured        (the client asked while our SET was out)
//   Configured       AddressPulled         Configured        (asked again)
//   Configured       AddressAcked          Configured        (the ACK of a SET sent before it asked)
//   Authenticated, ConfigPushed, Configured, Up   ChildInstalled   Up
//   Up               AddressPulled, AddressPushed, AddressAcked    Up
//   any but Ended    End                   Ended
// Up stays Up through later mode-config exchanges and quick modes (rekeys). A takeover (responder_takeover.cpp)
// that brings IPsec SA pairs is ChildInstalled; the address it brings is data, told to the client as usual.
//
// draft-beaulieu-ike-xauth-02 §4: the REQUEST/REPLY and the status SET/ACK are two transaction exchanges, and
// nothing else runs on the ISAKMP SA until the ACK; draft-dukes-ike-mode-cfg-02 §3: mode-config follows Xauth,
// either pulled by the client (REQUEST/REPLY, Cisco `client configuration address respond`) or pushed by the
// head-end (SET/ACK, `initiate`). Quick mode (RFC 2409 §5.5) runs once Xauth is done: clients without
// mode-config (VPN Client 1.1 with its own address) go straight from Authenticated to Up.
// A message the stage does not expect (a REPLY while the backend checks, a mode-config REQUEST before Xauth ended,
// a quick mode before Xauth) is dropped by the caller, which asks `advance` or `authenticated` first.
#pragma once
#include <optional>

namespace ravpn::ike {

enum class SessionStage {
  Phase1,           // the ISAKMP SA is being negotiated: nothing of the session has happened
  XauthRequested,   // our REQUEST (user name, password) is out
  XauthChecking,    // the peer's REPLY is with the AAA backend
  XauthStatusSent,  // status OK sent (SET), waiting for the ACK
  XauthFailed,      // status FAIL sent: the ACK (or the timeout) ends the ISAKMP SA
  Authenticated,    // Xauth done or not required: mode-config and quick mode may run
  ConfigPushed,     // our mode-config SET with the address is out, waiting for the ACK
  Configured,       // the client has its address (it pulled it, or acknowledged the push, or kept it on a takeover)
  Up,               // at least one IPsec SA pair is installed
  Ended,            // the session is over; the ISAKMP SA goes
};

enum class SessionEvent {
  XauthRequestSent,  // Phase1 -> XauthRequested; also a new try after a refusal
  NoXauth,           // Phase1 -> Authenticated (no Xauth configured for this peer)
  Credentials,       // the REPLY carried a user name and password
  AaaAccepted,       // the backend said yes: status OK goes out
  AaaRefusedRetry,   // the backend said no, tries are left: a new REQUEST goes out
  AaaRefusedFinal,   // the backend said no for the last time (or cannot be reached): status FAIL goes out
  XauthAcked,        // the ACK of the status
  AddressPulled,     // the client's mode-config REQUEST was answered with an address
  AddressPushed,     // our SET with an address went out
  AddressAcked,      // the ACK of our SET
  ChildInstalled,    // a quick mode installed an IPsec SA pair
  End,               // deleted, timed out, replaced, dead: from any stage
};

const char* name(SessionStage);
const char* name(SessionEvent);

// The transition table: the next stage, or nothing when `event` is not expected in `stage`.
std::optional<SessionStage> next_stage(SessionStage stage, SessionEvent event);

// Moves `stage` on when `event` is expected there; false (and `stage` unchanged) when it is not.
bool advance(SessionStage& stage, SessionEvent event);

// The stage as it gates work: the Xauth exchanges own the ISAKMP SA until they end.
bool xauth_in_progress(SessionStage);
// Authenticated or later, not Ended: mode-config and quick mode may run.
bool authenticated(SessionStage);

}  // namespace ravpn::ike
