#include "xauth/tacacs_accounting.hpp"

#include <botan/system_rng.h>
#include <fmt/format.h>

#include "ike/log_text.hpp"
#include "ike/wire/reader.hpp"
#include "xauth/tacacs_tcp.hpp"

namespace ravpn::xauth::tacacs {
namespace {

ByteView view(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
std::string text(ByteView b) { return std::string(b.begin(), b.end()); }

}  // namespace

std::expected<Bytes, std::string> serialise(const AcctRequest& r) {
  for (const std::string* f : {&r.user, &r.port, &r.remote_address})
    if (f->size() > 255) return std::unexpected("a TACACS+ accounting field is longer than 255 bytes");
  if (r.args.size() > 255) return std::unexpected("more than 255 TACACS+ arguments");
  for (const auto& a : r.args)
    if (a.size() > 255) return std::unexpected("a TACACS+ argument is longer than 255 bytes");
  ike::Writer w;
  w.u8(r.flags);
  w.u8(r.authen_method);
  w.u8(r.privilege);
  w.u8(uint8_t(r.authen_type));
  w.u8(r.authen_service);
  w.u8(uint8_t(r.user.size()));
  w.u8(uint8_t(r.port.size()));
  w.u8(uint8_t(r.remote_address.size()));
  w.u8(uint8_t(r.args.size()));
  for (const auto& a : r.args) w.u8(uint8_t(a.size()));
  w.bytes(view(r.user));
  w.bytes(view(r.port));
  w.bytes(view(r.remote_address));
  for (const auto& a : r.args) w.bytes(view(a));
  const auto& d = w.data();
  return Bytes(d.begin(), d.end());
}

std::expected<AcctRequest, std::string> parse_acct_request(ByteView body) {
  ike::Reader r(body, "TACACS+ accounting REQUEST");
  AcctRequest out;
  out.flags = r.u8();
  out.authen_method = r.u8();
  out.privilege = r.u8();
  out.authen_type = AuthenType(r.u8());
  out.authen_service = r.u8();
  const uint8_t user = r.u8(), port = r.u8(), rem = r.u8(), count = r.u8();
  std::vector<uint8_t> lengths;
  for (int i = 0; i < count; ++i) lengths.push_back(r.u8());
  out.user = text(r.bytes(user));
  out.port = text(r.bytes(port));
  out.remote_address = text(r.bytes(rem));
  for (uint8_t l : lengths) out.args.push_back(text(r.bytes(l)));
  if (!r.ok() || !r.expect_done()) return std::unexpected(r.error().what);
  return out;
}

Bytes serialise(const AcctReply& reply) {
  ike::Writer w;
  w.u16(ike::checked_u16(reply.server_message.size(), "server_msg"));
  w.u16(ike::checked_u16(reply.data.size(), "data"));
  w.u8(uint8_t(reply.status));
  w.bytes(view(reply.server_message));
  w.bytes(view(reply.data));
  const auto& d = w.data();
  return Bytes(d.begin(), d.end());
}

std::expected<AcctReply, std::string> parse_acct_reply(ByteView body) {
  ike::Reader r(body, "TACACS+ accounting REPLY");
  AcctReply out;
  const uint16_t message = r.u16(), data = r.u16();
  out.status = AcctStatus(r.u8());
  out.server_message = text(r.bytes(message));
  out.data = text(r.bytes(data));
  if (!r.ok() || !r.expect_done()) return std::unexpected(r.error().what);
  return out;
}

AcctRequest acct_request_for(const accounting::Record& rec) {
  using accounting::Kind;
  AcctRequest r;
  r.flags = rec.kind == Kind::Start ? AcctStart : rec.kind == Kind::Stop ? AcctStop : AcctWatchdog;
  r.user = rec.session.user;
  r.port = "ravpn";
  r.remote_address = rec.session.peer.str();
  r.args = {"task_id=" + rec.session.id, fmt::format("start_time={}", rec.session.start_unix), "timezone=UTC",
            "service=ppp", "protocol=ip"};
  if (rec.session.address) r.args.push_back("addr=" + rec.session.address->str());
  if (rec.kind != Kind::Start) {
    const auto& t = rec.traffic;
    r.args.push_back(fmt::format("elapsed_time={}", rec.session_seconds));
    r.args.push_back(fmt::format("bytes_in={}", t.bytes_in));
    r.args.push_back(fmt::format("bytes_out={}", t.bytes_out));
    r.args.push_back(fmt::format("paks_in={}", t.packets_in));
    r.args.push_back(fmt::format("paks_out={}", t.packets_out));
  }
  if (rec.kind == Kind::Stop) {
    r.args.push_back(fmt::format("stop_time={}", rec.event_unix));
    r.args.push_back(fmt::format("disc-cause={}", uint32_t(rec.cause)));
  }
  return r;
}

}  // namespace ravpn::xauth::tacacs

namespace ravpn::xauth::accounting {

Delivery tacacs_accounting_exchange(const Server& server, const Record& record, uint32_t) {
  using namespace tacacs;
  auto body = serialise(acct_request_for(record));
  if (!body) return {Answer::Error, body.error()};
  Header h;
  h.type = PacketType::Accounting;
  Botan::System_RNG rng;
  rng.randomize(reinterpret_cast<uint8_t*>(&h.session_id), sizeof h.session_id);
  const auto deadline = Clock::now() + std::chrono::seconds(server.timeout_seconds);
  auto c = connect_to(server.address, server.port, deadline);
  if (!c) return {Answer::Timeout, c.error()};
  Bytes packet = seal(h, *body, server.key);
  if (auto why = send_all(c->fd(), packet, deadline); !why.empty()) return {Answer::Error, why};
  auto answer = receive_packet(c->fd(), deadline);
  if (!answer) return {Answer::Error, answer.error()};
  auto opened = open(*answer, server.key);
  if (!opened) return {Answer::Error, opened.error()};
  if (opened->header.type != PacketType::Accounting || opened->header.sequence != 2 ||
      opened->header.session_id != h.session_id)
    return {Answer::Error, "the answer is not the REPLY to this REQUEST"};
  auto reply = parse_acct_reply(opened->body);
  if (!reply) return {Answer::Error, "garbage (wrong key?): " + reply.error()};
  if (reply->status != AcctStatus::Success)
    return {Answer::Error, fmt::format("status {:#x}: {}", uint8_t(reply->status), peer_text(reply->server_message))};
  return {Answer::Acknowledged, ""};
}

}  // namespace ravpn::xauth::accounting
