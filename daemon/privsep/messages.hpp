// Privilege separation (after OpenBSD iked's proc.c): the messages between the unprivileged IKE process and the
// privileged one, a closed set of typed, size-checked requests over a socketpair.
//
// Frame: u32 body length (at most kMaxBody), u8 type, u8 flags, u32 request id, then the body. Every body has an
// encode/decode pair; decoding is strict (no bytes left over, lengths and enums checked) and a frame that does not
// decode ends the conversation (the privileged side stops the IKE process rather than guess).
//
// Kernel requests that change state (SAs, policies, routes) are pipelined: sent without waiting, answered only when
// the kernel refuses them (a Refused frame), so the IKE loop never waits for the kernel to program an SA. Requests
// that return something (an SPI, counters, the configuration) carry kAnswerWanted and block for their Answer.
#pragma once
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "ike/wire/reader.hpp"
#include "netlink/kernel.hpp"

namespace ravpn::privsep {

using ike::Bytes;
using ike::ByteView;

enum class Type : uint8_t {
  // IKE process -> privileged process
  AllocateSpi = 1,
  AddSa = 2,
  DeleteSa = 3,
  AddPolicy = 4,
  DeletePolicy = 5,
  Counters = 6,
  AddRoute = 7,
  DeleteRoute = 8,
  Reload = 9,       // read the configuration files again, apply the firewall, send the texts
  WriteLeases = 10, // the lease file's content (pool/lease_file.hpp), written by the privileged side
  DumpCounters = 11,  // every ESP SA's counters (one XFRM dump) for a view of thousands of tunnels
  DeleteSaPair = 12,  // both SAs of a pair out, their last counters in the answer (one wait per pair removed)
  CountersOf = 13,    // the counters of a list of SAs (the liveness checks due in one tick): one wait, not one each
  // privileged process -> IKE process
  Answer = 64,      // to a request with kAnswerWanted, same id
  Expire = 65,      // a kernel expire event (XFRMNLGRP_EXPIRE)
  Refused = 66,     // a pipelined request the kernel (or the file system) refused
};
const char* name(Type);
bool is_request(Type);

constexpr uint8_t kAnswerWanted = 1;
constexpr size_t kHeaderSize = 10;
constexpr size_t kMaxBody = 16u << 20;  // a configuration and its secrets, or 10,000s of leases
constexpr size_t kMaxCountersOf = 65536;  // SAs in one CountersOf request

struct FrameHeader {
  uint32_t length = 0;
  Type type = Type::Answer;
  uint8_t flags = 0;
  uint32_t id = 0;
};
Bytes encode_frame(Type type, uint8_t flags, uint32_t id, ByteView body);
// The header of a frame starting at DATA (at least kHeaderSize bytes); an unknown type, unknown flags or an
// over-long body is an error.
std::expected<FrameHeader, std::string> decode_header(ByteView data);

// ---- bodies --------------------------------------------------------------------------------------------------
struct AllocateSpiRequest {
  Ipv4 source, destination;
  uint32_t reqid = 0;
  bool operator==(const AllocateSpiRequest&) const = default;
};
struct SaRef {  // DeleteSa, Counters
  Ipv4 destination;
  kernel::Spi spi;
  bool operator==(const SaRef&) const = default;
};
struct SaPairRef {  // DeleteSaPair
  SaRef in, out;
  bool operator==(const SaPairRef&) const = default;
};
struct AddSaRequest {
  kernel::SaSpec sa;
  bool update = false;
};
struct DeletePolicyRequest {
  Ipv4Net source, destination;
  kernel::Direction direction = kernel::Direction::Out;
  bool operator==(const DeletePolicyRequest&) const = default;
};
struct ReloadAnswer {  // the texts the privileged side parsed and found good; the IKE side parses the same bytes
  std::string config_path, config_text;
  std::string secrets_path;  // empty: none
  std::string secrets_text;
  bool operator==(const ReloadAnswer&) const = default;
};
struct AnswerBody {  // ok: PAYLOAD is the request's result; else ERROR says why
  bool ok = false;
  Bytes payload;
  std::string error;
  bool operator==(const AnswerBody&) const = default;
};
struct RefusedBody {
  Type request = Type::AddSa;
  SaRef sa;             // AddSa: which SA did not go in; zero otherwise
  std::string error;
  bool operator==(const RefusedBody&) const = default;
};

Bytes encode(const AllocateSpiRequest&);
Bytes encode(const SaRef&);
Bytes encode(const AddSaRequest&);
Bytes encode(const kernel::PolicySpec&);
Bytes encode(const DeletePolicyRequest&);
Bytes encode(const kernel::RouteSpec&);
Bytes encode(const ReloadAnswer&);
Bytes encode(const AnswerBody&);
Bytes encode(const RefusedBody&);
Bytes encode(const kernel::ExpireEvent&);
Bytes encode(const kernel::SaCounters&);
Bytes encode(const SaPairRef&);
Bytes encode(const std::vector<SaRef>&);
Bytes encode(const kernel::SaPairCounters&);
Bytes encode(const std::vector<kernel::SaCountersEntry>&);
Bytes encode_string(const std::string&);  // WriteLeases

template <class T>
using Decoded = std::expected<T, std::string>;
Decoded<AllocateSpiRequest> decode_allocate_spi(ByteView);
Decoded<SaRef> decode_sa_ref(ByteView);
Decoded<AddSaRequest> decode_add_sa(ByteView);
Decoded<kernel::PolicySpec> decode_policy(ByteView);
Decoded<DeletePolicyRequest> decode_delete_policy(ByteView);
Decoded<kernel::RouteSpec> decode_route(ByteView);
Decoded<ReloadAnswer> decode_reload_answer(ByteView);
Decoded<AnswerBody> decode_answer(ByteView);
Decoded<RefusedBody> decode_refused(ByteView);
Decoded<kernel::ExpireEvent> decode_expire(ByteView);
Decoded<kernel::SaCounters> decode_counters(ByteView);
Decoded<SaPairRef> decode_sa_pair_ref(ByteView);
Decoded<std::vector<SaRef>> decode_sa_refs(ByteView);
Decoded<kernel::SaPairCounters> decode_pair_counters(ByteView);
Decoded<std::vector<kernel::SaCountersEntry>> decode_counter_list(ByteView);
Decoded<std::string> decode_string(ByteView, size_t max);

}  // namespace ravpn::privsep
