#include "ike/fragments.hpp"

#include "ike/wire/reader.hpp"

namespace ravpn::ike {

std::map<FragmentReassembler::Key, FragmentReassembler::Partial>::iterator FragmentReassembler::erase(
    std::map<Key, Partial>::iterator it) {
  auto use = per_source_.find(it->first.peer.address);
  if (use != per_source_.end()) {
    use->second.bytes -= std::min(use->second.bytes, it->second.bytes);
    if (--use->second.sets == 0) per_source_.erase(use);
  }
  total_bytes_ -= std::min(total_bytes_, it->second.bytes);
  by_age_.erase(it->second.order);
  return pending_.erase(it);
}

std::optional<Bytes> FragmentReassembler::add(const Endpoint& from, const Header& header, ByteView datagram,
                                              TimePoint now) {
  last_drop_ = Drop::Malformed;
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

  last_drop_ = Drop::None;
  Key key{from, header.initiator_cookie, id};
  auto it = pending_.find(key);
  SourceUse& use = per_source_[from.address];  // removed again below when the set is not taken
  if (it == pending_.end()) {
    // Cheap checks before anything is stored: the source's budget first, then room in all.
    if (use.sets >= limits_.sets_per_source || use.bytes + data.size() > limits_.bytes_per_source) {
      if (use.sets == 0) per_source_.erase(from.address);
      last_drop_ = Drop::SourceBudget;
      return std::nullopt;
    }
    if (pending_.size() >= limits_.sets_max && !by_age_.empty()) {
      erase(pending_.find(by_age_.begin()->second));
      last_drop_ = Drop::Evicted;
    }
    SourceUse& fresh = per_source_[from.address];  // erase() may have removed the entry `use` referred to
    ++fresh.sets;
    const uint64_t order = next_order_++;
    it = pending_.emplace(key, Partial{{}, std::nullopt, 0, now, order}).first;
    by_age_.emplace(order, key);
  } else if (use.bytes + data.size() > limits_.bytes_per_source) {
    erase(it);
    last_drop_ = Drop::SourceBudget;
    return std::nullopt;
  }
  Partial& p = it->second;
  if (p.pieces.count(number)) return std::nullopt;  // a retransmitted fragment adds nothing
  if (p.bytes + data.size() > kMaxBytes) {
    erase(it);
    last_drop_ = Drop::Malformed;
    return std::nullopt;
  }
  p.pieces.emplace(number, Bytes(data.begin(), data.end()));
  p.bytes += data.size();
  per_source_[from.address].bytes += data.size();
  total_bytes_ += data.size();
  if (flags & 0x01) p.last = number;
  if (!p.last || p.pieces.size() != *p.last || p.pieces.rbegin()->first != *p.last) return std::nullopt;

  Bytes whole;
  whole.reserve(p.bytes);
  for (const auto& [n, piece] : p.pieces) whole.insert(whole.end(), piece.begin(), piece.end());
  erase(it);
  return whole;
}

void FragmentReassembler::expire(TimePoint now) {
  for (auto it = pending_.begin(); it != pending_.end();)
    it = now - it->second.started >= kTimeout ? erase(it) : std::next(it);
}

}  // namespace ravpn::ike
