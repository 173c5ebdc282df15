// libFuzzer target for the ISAKMP parser (style.md: every parser of untrusted input is fuzzed).
// Properties checked beyond "no crash": whatever parses re-serialises to the same bytes (RFC 2408 leaves no
// freedom the parser accepts but the serialiser would not reproduce, except mixing RFC and draft NAT-T payload
// numbers), and the re-serialised bytes parse to the same values.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "ike/wire/message.hpp"

using namespace ravpn::ike;

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_message: property violated: %s\n", what);
    std::abort();
  }
}

struct Bodies {
  std::vector<PayloadBody> bodies;
  bool draft = false;  // NAT-D / NAT-OA sent with the draft numbers 130/131
  bool mixed = false;  // both numberings in one chain: cannot be reproduced by one natt_draft flag
};

Bodies bodies_of(const PayloadChain& chain) {
  Bodies b;
  bool rfc = false;
  for (const auto& p : chain.payloads) {
    b.bodies.push_back(p.body);
    if (p.type == PayloadType::NatDDraft || p.type == PayloadType::NatOADraft) b.draft = true;
    if (p.type == PayloadType::NatD || p.type == PayloadType::NatOA) rfc = true;
  }
  b.mixed = b.draft && rfc;
  return b;
}

void check_chain(const PayloadChain& chain) {
  Bodies b = bodies_of(chain);
  SerializedChain out = serialize_payloads(b.bodies, b.draft);
  if (!b.mixed) {
    check(out.bytes.size() == chain.end, "re-serialised chain has the parsed length");
    check(std::equal(out.bytes.begin(), out.bytes.end(), chain.bytes.begin()), "re-serialised chain is identical");
  }
  auto again = parse_payload_chain(out.first, out.bytes, false);
  check(again.has_value(), "re-serialised chain parses");
  check(bodies_of(*again).bodies == b.bodies, "re-parsed chain has the same bodies");
  for (const auto& p : chain.payloads) {
    check(chain.raw(p).size() == p.length, "raw() covers the payload");
    check(chain.body(p).size() + kGenericHeaderSize == p.length, "body() is the payload minus its header");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView in(data, size);

  if (auto m = parse_message(in)) {
    check_chain(m->chain);
    check(m->chain.bytes.size() - m->chain.end <= kMaxPlainPadding, "at most a few bytes of plain padding");
    Bodies b = bodies_of(m->chain);
    if (!b.mixed) {  // the same bytes without the padding (serialize_message writes no padding)
      Bytes unpadded(in.begin(), in.begin() + long(kHeaderSize + m->chain.end));
      const auto length = uint32_t(unpadded.size());
      for (int i = 0; i < 4; ++i) unpadded[24 + i] = uint8_t(length >> (24 - 8 * i));
      check(serialize_message(m->header, b.bodies, b.draft) == unpadded, "re-serialised message is identical");
    }
  }

  // The chain parser on its own, even when the header is rejected: first payload and padding mode come from the
  // header's next-payload and encryption-flag bytes, so message seeds drive the chain parser too.
  (void)parse_header(in);
  if (size >= kHeaderSize) {
    auto first = static_cast<PayloadType>(data[16]);
    bool allow_padding = (data[19] & flags::Encryption) != 0;
    Bytes rest(in.begin() + kHeaderSize, in.end());
    for (bool padding : {allow_padding, !allow_padding}) {
      auto chain = parse_payload_chain(first, rest, padding);
      if (chain) {
        check(padding || rest.size() - chain->end <= kMaxPlainPadding, "no more than a few bytes without padding");
        check_chain(*chain);
      }
    }
  }

  if (auto attrs = parse_data_attributes(in)) {
    check(serialize_data_attributes(*attrs) == Bytes(in.begin(), in.end()), "attributes re-serialise identically");
  }
  return 0;
}
