#include "xauth/radius_accounting.hpp"

#include <algorithm>
#include <limits>

#include <botan/hash.h>

#include "xauth/radius_attributes.hpp"

namespace ravpn::xauth::radius {
namespace {

uint32_t saturated(uint64_t v) { return uint32_t(std::min<uint64_t>(v, std::numeric_limits<uint32_t>::max())); }

void set_length(Bytes& p) {
  p[2] = uint8_t(p.size() >> 8);
  p[3] = uint8_t(p.size());
}

// RFC 2866 3: MD5(code, identifier, length, 16 zero octets, attributes, secret).
Authenticator request_authenticator(std::span<const uint8_t> packet, std::string_view secret) {
  auto md5 = Botan::HashFunction::create_or_throw("MD5");
  md5->update(packet.data(), 4);
  const uint8_t zeros[16] = {};
  md5->update(zeros, sizeof zeros);
  md5->update(packet.data() + kHeaderLength, packet.size() - kHeaderLength);
  md5->update(as_bytes(secret).data(), secret.size());
  Authenticator out;
  md5->final(out.data());
  return out;
}

// The packet cut to its length field, after the checks every RADIUS packet needs.
std::expected<std::span<const uint8_t>, std::string> framed(std::span<const uint8_t> packet) {
  if (packet.size() < kHeaderLength) return std::unexpected("shorter than a RADIUS header");
  const size_t length = size_t(packet[2]) << 8 | packet[3];
  if (length < kHeaderLength || length > packet.size() || length > kMaxPacketLength)
    return std::unexpected("length field does not match the datagram");
  return packet.first(length);  // octets past the length are padding (RFC 2865 3)
}

}  // namespace

std::expected<Bytes, std::string> build_accounting_request(const AccountingRequestData& r, std::string_view secret) {
  const auto& rec = r.record;
  const auto& s = rec.session;
  if (s.id.empty()) return std::unexpected("empty Acct-Session-Id");
  for (const std::string* text : {&s.id, &s.user, &r.nas_identifier})
    if (text->size() > kMaxStringLength) return std::unexpected("a field is longer than a RADIUS attribute holds");
  for (const auto& c : s.classes)
    if (c.size() > kMaxStringLength) return std::unexpected("a Class is longer than a RADIUS attribute holds");

  Bytes p;
  p.reserve(256);
  p.push_back(AccountingRequest);
  p.push_back(r.identifier);
  p.insert(p.end(), 2 + 16, 0);  // length and Request Authenticator, set below
  put_u32(p, AcctStatusType, uint32_t(rec.kind));
  put_string(p, AcctSessionId, s.id);
  if (!s.user.empty()) put_string(p, UserName, s.user);
  put_u32(p, NasIpAddress, r.nas_address.value);
  if (!r.nas_identifier.empty()) put_string(p, NasIdentifier, r.nas_identifier);
  put_u32(p, NasPortType, kNasPortTypeVirtual);
  put_u32(p, ServiceType, kServiceTypeFramed);
  put_u32(p, FramedProtocol, kFramedProtocolPpp);
  put_string(p, CallingStationId, s.peer.str());
  if (s.address) put_u32(p, FramedIpAddress, s.address->value);
  for (const auto& c : s.classes) put_string(p, Class, c);
  put_u32(p, AcctAuthentic, r.radius_authenticated ? kAcctAuthenticRadius : kAcctAuthenticLocal);
  put_u32(p, EventTimestamp, uint32_t(rec.event_unix));
  put_u32(p, AcctDelayTime, r.delay_seconds);
  if (rec.kind != accounting::Kind::Start) {
    const auto& t = rec.traffic;
    put_u32(p, AcctSessionTime, rec.session_seconds);
    put_u32(p, AcctInputOctets, uint32_t(t.bytes_in));
    put_u32(p, AcctInputGigawords, saturated(t.bytes_in >> 32));
    put_u32(p, AcctOutputOctets, uint32_t(t.bytes_out));
    put_u32(p, AcctOutputGigawords, saturated(t.bytes_out >> 32));
    put_u32(p, AcctInputPackets, saturated(t.packets_in));
    put_u32(p, AcctOutputPackets, saturated(t.packets_out));
  }
  if (rec.kind == accounting::Kind::Stop) put_u32(p, AcctTerminateCause, uint32_t(rec.cause));
  if (p.size() > kMaxPacketLength) return std::unexpected("Accounting-Request longer than RADIUS allows");
  set_length(p);
  const Authenticator a = request_authenticator(p, secret);
  std::copy(a.begin(), a.end(), p.begin() + 4);
  return p;
}

std::expected<AccountingRequestData, std::string> parse_accounting_request(std::span<const uint8_t> packet,
                                                                           std::string_view secret) {
  auto f = framed(packet);
  if (!f) return std::unexpected(f.error());
  packet = *f;
  if (packet[0] != AccountingRequest) return std::unexpected("not an Accounting-Request");
  const Authenticator expected = request_authenticator(packet, secret);
  if (!std::equal(expected.begin(), expected.end(), packet.begin() + 4))
    return std::unexpected("Request Authenticator does not match (wrong key?)");

  AccountingRequestData r;
  r.identifier = packet[1];
  auto& rec = r.record;
  uint32_t in_giga = 0, out_giga = 0, in_low = 0, out_low = 0;
  std::optional<uint32_t> status;
  auto walked = walk_attributes(packet, kHeaderLength, [&](uint8_t type, std::span<const uint8_t> v,
                                                           size_t) -> std::expected<void, std::string> {
    const std::string text(v.begin(), v.end());
    const auto n = u32_value(v);
    switch (type) {
      case AcctStatusType: status = n; break;
      case AcctSessionId: rec.session.id = text; break;
      case UserName: rec.session.user = text; break;
      case NasIpAddress: if (n) r.nas_address = Ipv4{*n}; break;
      case NasIdentifier: r.nas_identifier = text; break;
      case CallingStationId: if (auto a = Ipv4::parse(text)) rec.session.peer = *a; break;
      case FramedIpAddress: if (n) rec.session.address = Ipv4{*n}; break;
      case Class: rec.session.classes.push_back(text); break;
      case AcctAuthentic: r.radius_authenticated = n == kAcctAuthenticRadius; break;
      case EventTimestamp: if (n) rec.event_unix = *n; break;
      case AcctDelayTime: if (n) r.delay_seconds = *n; break;
      case AcctSessionTime: if (n) rec.session_seconds = *n; break;
      case AcctInputOctets: if (n) in_low = *n; break;
      case AcctOutputOctets: if (n) out_low = *n; break;
      case AcctInputGigawords: if (n) in_giga = *n; break;
      case AcctOutputGigawords: if (n) out_giga = *n; break;
      case AcctInputPackets: if (n) rec.traffic.packets_in = *n; break;
      case AcctOutputPackets: if (n) rec.traffic.packets_out = *n; break;
      case AcctTerminateCause: if (n) rec.cause = accounting::Cause(*n); break;
      default: break;
    }
    return {};
  });
  if (!walked) return std::unexpected(walked.error());
  if (!status || *status < 1 || *status > 3) return std::unexpected("no usable Acct-Status-Type");
  rec.kind = accounting::Kind(*status);
  rec.traffic.bytes_in = uint64_t(in_giga) << 32 | in_low;
  rec.traffic.bytes_out = uint64_t(out_giga) << 32 | out_low;
  return r;
}

Bytes build_accounting_response(std::span<const uint8_t> request, std::string_view secret) {
  Bytes p(kHeaderLength, 0);
  p[0] = AccountingResponse;
  p[1] = request.size() > 1 ? request[1] : 0;
  set_length(p);
  if (request.size() >= kHeaderLength) {
    const Authenticator a = response_authenticator(p, request, secret);
    std::copy(a.begin(), a.end(), p.begin() + 4);
  }
  return p;
}

std::expected<void, std::string> check_accounting_response(std::span<const uint8_t> packet,
                                                           std::span<const uint8_t> request, std::string_view secret) {
  if (request.size() < kHeaderLength) return std::unexpected("no request to match");
  auto f = framed(packet);
  if (!f) return std::unexpected(f.error());
  packet = *f;
  if (packet[1] != request[1]) return std::unexpected("identifier of another request");
  if (packet[0] != AccountingResponse)
    return std::unexpected("code " + std::to_string(packet[0]) + " does not answer an Accounting-Request");
  auto walked = walk_attributes(packet, kHeaderLength,
                                [](uint8_t, std::span<const uint8_t>, size_t) -> std::expected<void, std::string> {
                                  return {};
                                });
  if (!walked) return std::unexpected(walked.error());
  if (!response_authenticator_matches(packet, request, secret))
    return std::unexpected("Response Authenticator does not match (wrong key?)");
  return {};
}

}  // namespace ravpn::xauth::radius
