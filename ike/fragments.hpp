// Cisco IKE fragmentation (the "Cisco fragmentation" vendor ID 4048b7d5...): a large IKEv1 message is sent as
// several datagrams, each an ISAKMP header followed by one fragment payload (type 132):
//   generic header | fragment ID (2) | fragment number (1, from 1) | flags (1, 0x01 = last) | data
// The data of fragments 1..N, in order, is the original message, header included.
// Fragments arrive before anything is authenticated, from any source address, so reassembly is bounded three ways:
// per message (16 fragments, 64 KiB), per source address (a few sets and their bytes: a spoofed flood from one
// address cannot hold more), and in all (when full, the oldest set makes room: a real client sends its fragments
// back to back, a set left half-done by a flood is the one to go).
#pragma once
#include <map>
#include <optional>

#include "ike/clock.hpp"
#include "ike/endpoint.hpp"
#include "ike/wire/message.hpp"

namespace ravpn::ike {

constexpr uint8_t kFragmentPayloadType = 132;

struct FragmentLimits {
  size_t sets_per_source = 4;
  size_t bytes_per_source = 131072;
  size_t sets_max = 1024;
};

class FragmentReassembler {
 public:
  // Bounds of one message: at most 16 fragments and 64 KiB.
  static constexpr size_t kMaxFragments = 16, kMaxBytes = 65535;
  static constexpr Seconds kTimeout{10};
  enum class Drop { None, Malformed, SourceBudget, Evicted };

  explicit FragmentReassembler(FragmentLimits limits = {}) : limits_(limits) {}
  void set_limits(FragmentLimits limits) { limits_ = limits; }

  // Feed a datagram whose header says next payload 132. Returns the whole message when it is complete,
  // nullopt while fragments are missing or when the fragment is dropped (last_drop() says why).
  std::optional<Bytes> add(const Endpoint& from, const Header& header, ByteView datagram, TimePoint now);
  // Why the last add() dropped something (Evicted: it was taken, an older set made room).
  Drop last_drop() const { return last_drop_; }
  void expire(TimePoint now);
  size_t pending() const { return pending_.size(); }
  size_t pending_bytes() const { return total_bytes_; }

 private:
  struct Key {
    Endpoint peer;
    Cookie icookie;
    uint16_t id;
    auto operator<=>(const Key&) const = default;
  };
  struct Partial {
    std::map<uint8_t, Bytes> pieces;
    std::optional<uint8_t> last;
    size_t bytes = 0;
    TimePoint started{};
    uint64_t order = 0;  // arrival of its first fragment: the oldest set goes first
  };
  struct SourceUse {
    size_t sets = 0, bytes = 0;
  };
  std::map<Key, Partial>::iterator erase(std::map<Key, Partial>::iterator it);

  FragmentLimits limits_;
  std::map<Key, Partial> pending_;
  std::map<uint64_t, Key> by_age_;
  std::map<Ipv4, SourceUse> per_source_;
  uint64_t next_order_ = 0;
  size_t total_bytes_ = 0;
  Drop last_drop_ = Drop::None;
};

}  // namespace ravpn::ike
