#include "xauth/tacacs_login.hpp"

#include <fmt/format.h>

namespace ravpn::xauth::tacacs {
namespace {

// The server's message goes to the log: bytes outside printable ASCII as \xNN, at most 200 of them.
std::string escaped(std::string_view message) {
  std::string out;
  for (unsigned char c : message.substr(0, 200)) {
    if (c >= 0x20 && c < 0x7f && c != '\\') out += char(c);
    else out += fmt::format("\\x{:02x}", c);
  }
  if (message.size() > 200) out += "...";
  return out;
}

}  // namespace

LoginSession::LoginSession(AuthenType type, std::string_view key, const Credentials& credentials,
                           uint32_t session_id, bool single_connect)
    : type_(type), key_(key), credentials_(credentials), session_id_(session_id),
      ask_single_connect_(single_connect) {}

Header LoginSession::next_header() {
  Header h;
  h.version = uint8_t(kMajorVersion << 4 | (type_ == AuthenType::Pap ? kMinorOne : kMinorDefault));
  h.type = PacketType::Authentication;
  h.sequence = sequence_;
  h.session_id = session_id_;
  if (sequence_ == 1 && ask_single_connect_) h.flags |= SingleConnect;  // only the first packet asks (4.3)
  sequence_ += 2;
  return h;
}

std::expected<Bytes, std::string> LoginSession::start() {
  AuthenStart s;
  s.type = type_;
  s.user = credentials_.user;
  // The port names where the user came from, as a Cisco NAS names its line; rem_addr the client's address.
  s.port = "xauth";
  s.remote_address = credentials_.peer.str();
  if (type_ == AuthenType::Pap) s.data = credentials_.password;
  auto body = serialise(s);
  if (!body) return std::unexpected(body.error());
  ++rounds_;
  return seal(next_header(), *body, key_);
}

std::optional<Bytes> LoginSession::finish(Answer answer, std::string detail) {
  outcome_ = Outcome{answer, std::move(detail)};
  return std::nullopt;
}

std::optional<Bytes> LoginSession::send_continue(ByteView answer) {
  if (++rounds_ > kMaxRounds) return finish(Answer::Error, fmt::format("more than {} rounds", kMaxRounds));
  AuthenContinue c;
  c.user_message.assign(answer.begin(), answer.end());
  auto body = serialise(c);
  if (!body) return finish(Answer::Error, body.error());
  return seal(next_header(), *body, key_);
}

std::optional<Bytes> LoginSession::on_packet(ByteView packet) {
  if (outcome_) return std::nullopt;
  auto opened = open(packet, key_);
  if (!opened) return finish(Answer::Error, opened.error());
  const Header& h = opened->header;
  const uint8_t expected_sequence = uint8_t(sequence_ - 1);
  // RFC 8907 4.5: with a key configured, a body sent in the clear is refused.
  if (h.flags & Unencrypted) return finish(Answer::Error, "reply sent unobfuscated although a key is configured");
  if (h.type != PacketType::Authentication)
    return finish(Answer::Error, fmt::format("packet type {} in an authentication session", int(h.type)));
  if (h.session_id != session_id_)
    return finish(Answer::Error, fmt::format("session id {:#x}, expected {:#x}", h.session_id, session_id_));
  if (h.sequence != expected_sequence)
    return finish(Answer::Error, fmt::format("sequence number {}, expected {}", h.sequence, expected_sequence));
  if (expected_sequence == 2) single_connection_ = ask_single_connect_ && (h.flags & SingleConnect);
  auto reply = parse_authen_reply(opened->body);
  // Garbage after deobfuscation: the length fields of a body decoded with another key do not add up.
  if (!reply) return finish(Answer::Error, reply.error() + " (wrong key?)");
  switch (reply->status) {
    case AuthenStatus::Pass:
      return finish(Answer::Pass, escaped(reply->server_message));
    case AuthenStatus::Fail:
      return finish(Answer::Fail, escaped(reply->server_message));
    case AuthenStatus::GetUser:
      if (type_ != AuthenType::Ascii) break;
      return send_continue(std::span(reinterpret_cast<const uint8_t*>(credentials_.user.data()),
                                     credentials_.user.size()));
    case AuthenStatus::GetPass:
      if (type_ != AuthenType::Ascii) break;
      return send_continue(credentials_.password);
    case AuthenStatus::GetData:  // a question (new password, token) Xauth did not ask the user
    case AuthenStatus::Restart:  // the server wants another authen_type
    case AuthenStatus::Error:
    case AuthenStatus::Follow:   // RFC 8907 5.4.3: deprecated; treated as ERROR
      break;
  }
  std::string detail = fmt::format("answered {}", status_name(reply->status));
  if (!reply->server_message.empty()) detail += " (" + escaped(reply->server_message) + ")";
  return finish(Answer::Error, std::move(detail));
}

}  // namespace ravpn::xauth::tacacs
