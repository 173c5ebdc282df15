#include "ike/fragments.hpp"

#include "ike/wire/reader.hpp"

namespace ravpn::ike {

std::optional<Bytes> FragmentReassembler::add(const Endpoint& from, const Header& header, ByteView datagram,
                                              TimePoint now) {
  Reader r(datagram.subspan(kHeaderSize), "fragment");
  const uint8_t next = r.u8();
  r.u8();  // reserved
  const uint16_t length = r.u16();
  if (!r.ok() || next != 0 || length < 8 || length != datagram.size() - kHeaderSize) return std::nullopt;
  const uint16_t id = r.u16();
  const uint8_t number = r.u8();
  const uint8_t flags = r.u8();
  ByteView data = r.rest();
  if (!r.ok() || number == 0 || number > kMaxFragments || data.empty()) return std::nullopt;

  Key key{from, header.initiator_cookie, id};
  auto it = pending_.find(key);
  if (it == pending_.end()) {
    if (pending_.size() >= kMaxPending) return std::nullopt;
    it = pending_.emplace(key, Partial{{}, std::nullopt, 0, now}).first;
  }
  Partial& p = it->second;
  if (p.pieces.count(number)) return std::nullopt;  // a retransmitted fragment adds nothing
  if (p.bytes + data.size() > kMaxBytes) {
    pending_.erase(it);
    return std::nullopt;
  }
  p.pieces.emplace(number, Bytes(data.begin(), data.end()));
  p.bytes += data.size();
  if (flags & 0x01) p.last = number;
  if (!p.last || p.pieces.size() != *p.last || p.pieces.rbegin()->first != *p.last) return std::nullopt;

  Bytes whole;
  whole.reserve(p.bytes);
  for (const auto& [n, piece] : p.pieces) whole.insert(whole.end(), piece.begin(), piece.end());
  pending_.erase(it);
  return whole;
}

void FragmentReassembler::expire(TimePoint now) {
  std::erase_if(pending_, [&](const auto& kv) { return now - kv.second.started >= kTimeout; });
}

}  // namespace ravpn::ike
