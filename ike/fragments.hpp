// Cisco IKE fragmentation (the "Cisco fragmentation" vendor ID 4048b7d5...): a large IKEv1 message is sent as
// several datagrams, each an ISAKMP header followed by one fragment payload (type 132):
//   generic header | fragment ID (2) | fragment number (1, from 1) | flags (1, 0x01 = last) | data
// The data of fragments 1..N, in order, is the original message, header included.
#pragma once
#include <map>
#include <optional>

#include "ike/clock.hpp"
#include "ike/endpoint.hpp"
#include "ike/wire/message.hpp"

namespace ravpn::ike {

constexpr uint8_t kFragmentPayloadType = 132;

class FragmentReassembler {
 public:
  // Bounds: a message of at most 16 fragments and 64 KiB; at most 256 messages in reassembly at once.
  static constexpr size_t kMaxFragments = 16, kMaxBytes = 65535, kMaxPending = 256;
  static constexpr Seconds kTimeout{10};

  // Feed a datagram whose header says next payload 132. Returns the whole message when it is complete,
  // nullopt while fragments are missing or when the fragment is malformed (dropped).
  std::optional<Bytes> add(const Endpoint& from, const Header& header, ByteView datagram, TimePoint now);
  void expire(TimePoint now);
  size_t pending() const { return pending_.size(); }

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
  };
  std::map<Key, Partial> pending_;
};

}  // namespace ravpn::ike
