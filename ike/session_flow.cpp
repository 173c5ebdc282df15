// The session's state machine (session_flow.hpp): the transition table and the stage's names.
#include "ike/session_flow.hpp"

namespace ravpn::ike {

const char* name(SessionStage s) {
  switch (s) {
    case SessionStage::Phase1: return "phase 1";
    case SessionStage::XauthRequested: return "xauth requested";
    case SessionStage::XauthChecking: return "xauth checking";
    case SessionStage::XauthStatusSent: return "xauth status sent";
    case SessionStage::XauthFailed: return "xauth failed";
    case SessionStage::Authenticated: return "authenticated";
    case SessionStage::ConfigPushed: return "address pushed";
    case SessionStage::Configured: return "configured";
    case SessionStage::Up: return "up";
    case SessionStage::Ended: return "ended";
  }
  return "?";
}

const char* name(SessionEvent e) {
  switch (e) {
    case SessionEvent::XauthRequestSent: return "Xauth request sent";
    case SessionEvent::NoXauth: return "no Xauth";
    case SessionEvent::Credentials: return "Xauth reply";
    case SessionEvent::AaaAccepted: return "AAA accepted";
    case SessionEvent::AaaRefusedRetry: return "AAA refused, try again";
    case SessionEvent::AaaRefusedFinal: return "AAA refused";
    case SessionEvent::XauthAcked: return "Xauth status acknowledged";
    case SessionEvent::AddressPulled: return "mode-config request";
    case SessionEvent::AddressPushed: return "mode-config set";
    case SessionEvent::AddressAcked: return "mode-config ack";
    case SessionEvent::ChildInstalled: return "IPsec SA pair installed";
    case SessionEvent::End: return "end";
  }
  return "?";
}

std::optional<SessionStage> next_stage(SessionStage stage, SessionEvent event) {
  using S = SessionStage;
  using E = SessionEvent;
  if (stage == S::Ended) return std::nullopt;
  if (event == E::End) return S::Ended;
  switch (stage) {
    case S::Phase1:
      if (event == E::XauthRequestSent) return S::XauthRequested;
      if (event == E::NoXauth) return S::Authenticated;
      break;
    case S::XauthRequested:
      if (event == E::Credentials) return S::XauthChecking;
      break;
    case S::XauthChecking:
      if (event == E::AaaAccepted) return S::XauthStatusSent;
      if (event == E::AaaRefusedRetry) return S::XauthRequested;
      if (event == E::AaaRefusedFinal) return S::XauthFailed;
      break;
    case S::XauthStatusSent:
      if (event == E::XauthAcked) return S::Authenticated;
      break;
    case S::XauthFailed:
      if (event == E::XauthAcked) return S::Ended;
      break;
    case S::Authenticated:
      if (event == E::AddressPulled) return S::Configured;
      if (event == E::AddressPushed) return S::ConfigPushed;
      if (event == E::ChildInstalled) return S::Up;
      break;
    case S::ConfigPushed:
      if (event == E::AddressAcked || event == E::AddressPulled) return S::Configured;
      if (event == E::ChildInstalled) return S::Up;
      break;
    case S::Configured:
      if (event == E::AddressPulled || event == E::AddressAcked) return S::Configured;
      if (event == E::ChildInstalled) return S::Up;
      break;
    case S::Up:
      if (event == E::AddressPulled || event == E::AddressPushed || event == E::AddressAcked ||
          event == E::ChildInstalled)
        return S::Up;
      break;
    case S::Ended: break;
  }
  return std::nullopt;
}

bool advance(SessionStage& stage, SessionEvent event) {
  auto next = next_stage(stage, event);
  if (!next) return false;
  stage = *next;
  return true;
}

bool xauth_in_progress(SessionStage s) {
  return s == SessionStage::XauthRequested || s == SessionStage::XauthChecking ||
         s == SessionStage::XauthStatusSent || s == SessionStage::XauthFailed;
}

bool authenticated(SessionStage s) {
  return s == SessionStage::Authenticated || s == SessionStage::ConfigPushed || s == SessionStage::Configured ||
         s == SessionStage::Up;
}

}  // namespace ravpn::ike
