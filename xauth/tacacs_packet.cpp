#include "xauth/tacacs_packet.hpp"

#include <memory>
#include <stdexcept>

#include <botan/hash.h>
#include <fmt/format.h>

#include "ike/wire/reader.hpp"

namespace ravpn::xauth::tacacs {
namespace {

void put8(Bytes& out, uint8_t v) { out.push_back(v); }
void put16(Bytes& out, uint16_t v) {
  out.push_back(uint8_t(v >> 8));
  out.push_back(uint8_t(v));
}
void put32(Bytes& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t(v >> shift));
}
template <class Range>
void append(Bytes& out, const Range& r) {
  out.insert(out.end(), r.begin(), r.end());
}

std::string text(ByteView b) { return std::string(b.begin(), b.end()); }
Bytes secure(ByteView b) { return Bytes(b.begin(), b.end()); }

// One length octet per field (RFC 8907 5.1): too long is an error, never a silent cut.
std::expected<uint8_t, std::string> length8(size_t n, const char* field) {
  if (n > 255) return std::unexpected(fmt::format("{} is {} bytes, TACACS+ carries at most 255", field, n));
  return uint8_t(n);
}
std::expected<uint16_t, std::string> length16(size_t n, const char* field) {
  if (n > 65535) return std::unexpected(fmt::format("{} is {} bytes, TACACS+ carries at most 65535", field, n));
  return uint16_t(n);
}

std::string failure(const ike::Reader& r) { return r.error().what; }

}  // namespace

void write_header(const Header& h, Bytes& out) {
  put8(out, h.version);
  put8(out, uint8_t(h.type));
  put8(out, h.sequence);
  put8(out, h.flags);
  put32(out, h.session_id);
  put32(out, h.length);
}

std::expected<Header, std::string> parse_header(ByteView bytes) {
  ike::Reader r(bytes, "TACACS+ header");
  Header h;
  h.version = r.u8();
  uint8_t type = r.u8();
  h.sequence = r.u8();
  h.flags = r.u8();
  h.session_id = r.u32();
  h.length = r.u32();
  if (!r.ok() || !r.expect_done()) return std::unexpected(failure(r));
  if (h.version >> 4 != kMajorVersion)
    return std::unexpected(fmt::format("not TACACS+: major version {:#x}, expected 0xc", h.version >> 4));
  if (type < 1 || type > 3) return std::unexpected(fmt::format("unknown packet type {}", type));
  h.type = PacketType(type);
  if (h.length > kMaxBodyLength)
    return std::unexpected(fmt::format("body length {} is more than the {} this client reads", h.length,
                                       kMaxBodyLength));
  return h;
}

void obfuscate(const Header& h, std::string_view key, std::span<uint8_t> body) {
  if (key.empty()) return;
  auto md5 = Botan::HashFunction::create_or_throw("MD5");
  uint8_t prefix[4] = {uint8_t(h.session_id >> 24), uint8_t(h.session_id >> 16), uint8_t(h.session_id >> 8),
                       uint8_t(h.session_id)};
  Bytes pad;
  for (size_t at = 0; at < body.size(); at += pad.size()) {
    md5->update(prefix, sizeof prefix);
    md5->update(reinterpret_cast<const uint8_t*>(key.data()), key.size());
    md5->update(h.version);
    md5->update(h.sequence);
    if (at) md5->update(pad);  // MD5_n chains MD5_{n-1}
    pad = md5->final();
    for (size_t i = 0; i < pad.size() && at + i < body.size(); ++i) body[at + i] ^= pad[i];
  }
}

std::expected<Bytes, std::string> serialise(const AuthenStart& s) {
  auto user = length8(s.user.size(), "user");
  auto port = length8(s.port.size(), "port");
  auto remote = length8(s.remote_address.size(), "rem_addr");
  auto data = length8(s.data.size(), "data");
  for (auto* l : {&user, &port, &remote, &data})
    if (!*l) return std::unexpected(l->error());
  Bytes out;
  for (uint8_t v : {s.action, s.privilege, uint8_t(s.type), s.service, *user, *port, *remote, *data}) put8(out, v);
  append(out, s.user);
  append(out, s.port);
  append(out, s.remote_address);
  append(out, s.data);
  return out;
}

std::expected<AuthenStart, std::string> parse_authen_start(ByteView body) {
  ike::Reader r(body, "authentication START");
  AuthenStart s;
  s.action = r.u8();
  s.privilege = r.u8();
  s.type = AuthenType(r.u8());
  s.service = r.u8();
  size_t user = r.u8(), port = r.u8(), remote = r.u8(), data = r.u8();
  s.user = text(r.bytes(user));
  s.port = text(r.bytes(port));
  s.remote_address = text(r.bytes(remote));
  s.data = secure(r.bytes(data));
  if (!r.ok() || !r.expect_done()) return std::unexpected(failure(r));
  return s;
}

Bytes serialise(const AuthenReply& reply) {
  Bytes out;
  put8(out, uint8_t(reply.status));
  put8(out, reply.flags);
  if (reply.server_message.size() > 65535 || reply.data.size() > 65535)
    throw std::length_error("TACACS+ REPLY field longer than 65535 bytes");
  put16(out, uint16_t(reply.server_message.size()));
  put16(out, uint16_t(reply.data.size()));
  append(out, reply.server_message);
  append(out, reply.data);
  return out;
}

std::expected<AuthenReply, std::string> parse_authen_reply(ByteView body) {
  ike::Reader r(body, "authentication REPLY");
  AuthenReply reply;
  uint8_t status = r.u8();
  reply.flags = r.u8();
  size_t message = r.u16(), data = r.u16();
  reply.server_message = text(r.bytes(message));
  reply.data = secure(r.bytes(data));
  if (!r.ok() || !r.expect_done()) return std::unexpected(failure(r));
  if ((status < 1 || status > 7) && status != 0x21) return std::unexpected(fmt::format("unknown status {:#x}", status));
  reply.status = AuthenStatus(status);
  return reply;
}

std::expected<Bytes, std::string> serialise(const AuthenContinue& c) {
  auto message = length16(c.user_message.size(), "user_msg");
  if (!message) return std::unexpected(message.error());
  auto data = length16(c.data.size(), "data");
  if (!data) return std::unexpected(data.error());
  Bytes out;
  put16(out, *message);
  put16(out, *data);
  put8(out, c.flags);
  append(out, c.user_message);
  append(out, c.data);
  return out;
}

std::expected<AuthenContinue, std::string> parse_authen_continue(ByteView body) {
  ike::Reader r(body, "authentication CONTINUE");
  AuthenContinue c;
  size_t message = r.u16(), data = r.u16();
  c.flags = r.u8();
  c.user_message = secure(r.bytes(message));
  c.data = secure(r.bytes(data));
  if (!r.ok() || !r.expect_done()) return std::unexpected(failure(r));
  return c;
}

Bytes seal(Header h, ByteView body, std::string_view key) {
  h.length = uint32_t(body.size());
  Bytes out;
  out.reserve(kHeaderLength + body.size());
  write_header(h, out);
  append(out, body);
  obfuscate(h, key, std::span<uint8_t>(out).subspan(kHeaderLength));
  return out;
}

std::expected<Opened, std::string> open(ByteView packet, std::string_view key) {
  if (packet.size() < kHeaderLength)
    return std::unexpected(fmt::format("{} bytes, shorter than the TACACS+ header", packet.size()));
  auto h = parse_header(packet.first(kHeaderLength));
  if (!h) return std::unexpected(h.error());
  if (packet.size() - kHeaderLength != h->length)
    return std::unexpected(
        fmt::format("header says {} body bytes, {} follow", h->length, packet.size() - kHeaderLength));
  Opened o{*h, secure(packet.subspan(kHeaderLength))};
  if (!(h->flags & Unencrypted)) obfuscate(*h, key, o.body);
  return o;
}

std::string_view status_name(AuthenStatus s) {
  switch (s) {
    case AuthenStatus::Pass: return "PASS";
    case AuthenStatus::Fail: return "FAIL";
    case AuthenStatus::GetData: return "GETDATA";
    case AuthenStatus::GetUser: return "GETUSER";
    case AuthenStatus::GetPass: return "GETPASS";
    case AuthenStatus::Restart: return "RESTART";
    case AuthenStatus::Error: return "ERROR";
    case AuthenStatus::Follow: return "FOLLOW";
  }
  return "unknown";
}

}  // namespace ravpn::xauth::tacacs
