#include "xauth/radius_packet.hpp"

#include <algorithm>
#include <optional>

#include <botan/hash.h>
#include <botan/mac.h>
#include <botan/mem_ops.h>

#include "ike/log_text.hpp"
#include "xauth/radius_attributes.hpp"

namespace ravpn::xauth::radius {
namespace {

Bytes hmac_md5(std::string_view secret, std::span<const uint8_t> data) {
  auto mac = Botan::MessageAuthenticationCode::create_or_throw("HMAC(MD5)");
  mac->set_key(as_bytes(secret).data(), secret.size());
  mac->update(data.data(), data.size());
  return mac->final();
}

}  // namespace

Authenticator response_authenticator(std::span<const uint8_t> packet, std::span<const uint8_t> request,
                                     std::string_view secret) {
  auto md5 = Botan::HashFunction::create_or_throw("MD5");
  md5->update(packet.data(), 4);
  md5->update(request.data() + 4, 16);
  md5->update(packet.data() + kHeaderLength, packet.size() - kHeaderLength);
  md5->update(as_bytes(secret).data(), secret.size());
  Authenticator out;
  md5->final(out.data());
  return out;
}

bool response_authenticator_matches(std::span<const uint8_t> packet, std::span<const uint8_t> request,
                                    std::string_view secret) {
  const Authenticator expected = response_authenticator(packet, request, secret);
  return Botan::constant_time_compare(expected.data(), packet.data() + 4, 16);
}

Bytes hide_password(std::span<const uint8_t> password, std::string_view secret, const Authenticator& request) {
  size_t padded = std::max<size_t>(16, (password.size() + 15) / 16 * 16);
  Bytes out(padded, 0);
  std::copy(password.begin(), password.end(), out.begin());
  auto md5 = Botan::HashFunction::create_or_throw("MD5");
  std::span<const uint8_t> previous = request;
  for (size_t block = 0; block < padded; block += 16) {
    md5->update(as_bytes(secret).data(), secret.size());
    md5->update(previous.data(), previous.size());
    Bytes b = md5->final();
    for (size_t i = 0; i < 16; ++i) out[block + i] ^= b[i];
    previous = std::span<const uint8_t>(out).subspan(block, 16);
  }
  return out;
}

std::expected<Bytes, std::string> build_access_request(const Request& r, std::string_view secret) {
  if (r.user.empty()) return std::unexpected("empty user name");
  if (r.user.size() > kMaxStringLength) return std::unexpected("user name longer than a RADIUS attribute holds");
  if (r.password.size() > kMaxPasswordLength) return std::unexpected("password longer than RADIUS PAP carries");
  if (r.calling_station.size() > kMaxStringLength) return std::unexpected("Calling-Station-Id too long");

  Bytes p;
  p.reserve(kHeaderLength + 18 + r.user.size() + 2 + kMaxPasswordLength + 64);
  p.push_back(AccessRequest);
  p.push_back(r.identifier);
  p.push_back(0);  // length, set below
  p.push_back(0);
  p.insert(p.end(), r.authenticator.begin(), r.authenticator.end());
  const size_t message_authenticator = p.size() + 2;
  put_attribute(p, MessageAuthenticator, std::array<uint8_t, 16>{});
  put_string(p, UserName, r.user);
  put_attribute(p, UserPassword, hide_password(r.password, secret, r.authenticator));
  put_u32(p, NasIpAddress, r.nas_address.value);
  put_u32(p, ServiceType, kServiceTypeLogin);
  put_u32(p, NasPortType, kNasPortTypeVirtual);
  if (!r.calling_station.empty()) put_string(p, CallingStationId, r.calling_station);
  p[2] = uint8_t(p.size() >> 8);
  p[3] = uint8_t(p.size());
  Bytes mac = hmac_md5(secret, p);  // over the whole request, the attribute's value still zero
  std::copy(mac.begin(), mac.end(), p.begin() + long(message_authenticator));
  return p;
}

std::expected<Reply, std::string> check_reply(std::span<const uint8_t> packet, std::span<const uint8_t> request,
                                              std::string_view secret) {
  if (request.size() < kHeaderLength) return std::unexpected("no request to match");
  if (packet.size() < kHeaderLength) return std::unexpected("shorter than a RADIUS header");
  const size_t length = size_t(packet[2]) << 8 | packet[3];
  if (length < kHeaderLength || length > packet.size() || length > kMaxPacketLength)
    return std::unexpected("length field does not match the datagram");
  packet = packet.first(length);  // octets past the length are padding (RFC 2865 3)
  if (packet[1] != request[1]) return std::unexpected("identifier of another request");
  const uint8_t code = packet[0];
  if (code != AccessAccept && code != AccessReject && code != AccessChallenge)
    return std::unexpected("code " + std::to_string(code) + " does not answer an Access-Request");

  Reply reply;
  reply.code = Code(code);
  std::optional<size_t> message_authenticator;
  auto walked = walk_attributes(packet, kHeaderLength, [&](uint8_t type, std::span<const uint8_t> value,
                                                           size_t offset) -> std::expected<void, std::string> {
    switch (type) {
      case MessageAuthenticator:
        if (value.size() != 16 || message_authenticator) return std::unexpected("malformed Message-Authenticator");
        message_authenticator = offset;
        break;
      case ReplyMessage:
        if (!reply.reply_message.empty()) reply.reply_message += ' ';
        reply.reply_message += peer_text(value, 200);  // for the log and the user: escaped and bounded
        break;
      // RFC 2865 5.8, 5.27, 5.28, 5.25; RFC 2869 5.16. A wrong length makes the attribute malformed: ignored.
      case FramedIpAddress:
        if (auto v = u32_value(value)) reply.authorization.framed_address = Ipv4{*v};
        break;
      case SessionTimeout:
        if (auto v = u32_value(value)) reply.authorization.session_timeout = *v;
        break;
      case IdleTimeout:
        if (auto v = u32_value(value)) reply.authorization.idle_timeout = *v;
        break;
      case AcctInterimInterval:
        if (auto v = u32_value(value)) reply.authorization.interim_interval = *v;
        break;
      case Class:
        if (reply.authorization.classes.size() < kMaxClasses)
          reply.authorization.classes.emplace_back(value.begin(), value.end());
        break;
      default:
        break;  // unknown attributes are ignored (RFC 2865 5)
    }
    return {};
  });
  if (!walked) return std::unexpected(walked.error());

  if (!response_authenticator_matches(packet, request, secret))
    return std::unexpected("Response Authenticator does not match (wrong key?)");

  if (message_authenticator) {
    Bytes copy(packet.begin(), packet.end());
    std::copy(request.begin() + 4, request.begin() + 20, copy.begin() + 4);
    std::fill_n(copy.begin() + long(*message_authenticator), 16, 0);
    Bytes mac = hmac_md5(secret, copy);
    if (!Botan::constant_time_compare(mac.data(), packet.data() + *message_authenticator, 16))
      return std::unexpected("Message-Authenticator does not match (wrong key?)");
  }
  return reply;
}

}  // namespace ravpn::xauth::radius
