#include "ike/xauth.hpp"

#include "ike/protected_exchange.hpp"

namespace ravpn::ike::xauth_exchange {

Bytes request(ExchangeContext& ctx, Phase1Sa& sa, const std::string& message) {
  auto& x = sa.session.xauth;
  x.message_id = new_message_id(ctx.rng, sa).value;
  AttributePayload a;
  a.type = cfg_type::Request;
  a.identifier = random_identifier(ctx.rng);
  a.attributes.push_back(DataAttribute::tv(cfg_attr::XauthType, 0));  // generic (draft-beaulieu-ike-xauth-02 §6.2)
  a.attributes.push_back(DataAttribute::tlv(cfg_attr::XauthUserName, {}));
  a.attributes.push_back(DataAttribute::tlv(cfg_attr::XauthUserPassword, {}));
  if (!message.empty()) a.attributes.push_back(DataAttribute::tlv(cfg_attr::XauthMessage, Bytes(message.begin(), message.end())));
  return transaction_message(sa, MessageId{x.message_id}, a);
}

Bytes status(ExchangeContext& ctx, Phase1Sa& sa, bool ok) {
  auto& x = sa.session.xauth;
  // draft-beaulieu-ike-xauth-02 §4.1: the status is a new SET/ACK exchange, so a fresh message ID, whose IV starts
  // from the phase 1 chain (RFC 2409 appendix B), not from the REQUEST/REPLY exchange's.
  x.message_id = new_message_id(ctx.rng, sa).value;
  AttributePayload a;
  a.type = cfg_type::Set;
  a.identifier = random_identifier(ctx.rng);
  a.attributes.push_back(DataAttribute::tv(cfg_attr::XauthStatus, ok ? 1 : 0));
  return transaction_message(sa, MessageId{x.message_id}, a);
}

Received on_message(ExchangeContext&, Phase1Sa& sa, const AttributePayload& a) {
  auto& x = sa.session.xauth;
  Received r;
  if (a.type == cfg_type::Reply && sa.session.stage == SessionStage::XauthRequested) {
    const auto* user = a.find(cfg_attr::XauthUserName);
    const auto* password = a.find(cfg_attr::XauthUserPassword);
    if (!user || !password || user->basic || password->basic) {
      r.problem = "Xauth REPLY without user name and password";
      return r;
    }
    r.what = Received::What::Credentials;
    r.credentials.user.assign(user->data.begin(), user->data.end());
    r.credentials.password.assign(password->data.begin(), password->data.end());
    r.credentials.peer = sa.peer.address;
    r.credentials.group = sa.group_name;
    x.user = r.credentials.user;
    return r;
  }
  if (a.type == cfg_type::Ack &&
      (sa.session.stage == SessionStage::XauthStatusSent || sa.session.stage == SessionStage::XauthFailed)) {
    r.what = Received::What::Acknowledged;
    return r;
  }
  r.problem = "unexpected Xauth message type " + std::to_string(a.type) + " in session stage " + name(sa.session.stage);
  return r;
}

}  // namespace ravpn::ike::xauth_exchange
