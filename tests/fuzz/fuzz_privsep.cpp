// libFuzzer target for the privileged process's side of privilege separation (daemon/privsep/messages.*): the
// bytes a compromised IKE process could write into the socketpair. The input is a stream of frames cut as the
// privileged process cuts them (header, then the length it announces). Properties beyond "no crash": a frame
// header that decodes names a known type with known flags and a body within kMaxBody, and every body that decodes
// encodes back to exactly its bytes (one encoding per value: what the privileged process acts on is what was sent).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "daemon/privsep/messages.hpp"

using namespace ravpn;
using namespace ravpn::privsep;

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_privsep: property violated: %s\n", what);
    std::abort();
  }
}

template <class T>
void round_trip(const Decoded<T>& decoded, ByteView body, const char* what) {
  if (!decoded) return;
  const Bytes again = encode(*decoded);
  check(again.size() == body.size() && std::memcmp(again.data(), body.data(), body.size()) == 0, what);
}

void body(Type type, ByteView b) {
  switch (type) {
    case Type::AllocateSpi: return round_trip(decode_allocate_spi(b), b, "allocate-spi round trip");
    case Type::AddSa: return round_trip(decode_add_sa(b), b, "add-sa round trip");
    case Type::DeleteSa:
    case Type::Counters: return round_trip(decode_sa_ref(b), b, "SA reference round trip");
    case Type::DeleteSaPair: return round_trip(decode_sa_pair_ref(b), b, "SA pair reference round trip");
    case Type::CountersOf: return round_trip(decode_sa_refs(b), b, "SA list round trip");
    case Type::AddPolicy: return round_trip(decode_policy(b), b, "add-policy round trip");
    case Type::DeletePolicy: return round_trip(decode_delete_policy(b), b, "delete-policy round trip");
    case Type::AddRoute:
    case Type::DeleteRoute: return round_trip(decode_route(b), b, "route round trip");
    case Type::WriteLeases:
      if (auto s = decode_string(b, kMaxBody)) check(encode_string(*s) == Bytes(b.begin(), b.end()), "text round trip");
      return;
    case Type::Answer:  // the IKE process's own reader, fed the same way
      round_trip(decode_answer(b), b, "answer round trip");
      round_trip(decode_reload_answer(b), b, "reload answer round trip");
      round_trip(decode_counter_list(b), b, "counter list round trip");
      round_trip(decode_counters(b), b, "counters round trip");
      round_trip(decode_pair_counters(b), b, "pair counters round trip");
      return;
    case Type::Expire: return round_trip(decode_expire(b), b, "expire round trip");
    case Type::Refused: return round_trip(decode_refused(b), b, "refused round trip");
    case Type::Reload:
    case Type::DumpCounters: return;  // no body
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView in(data, size);
  while (in.size() >= kHeaderSize) {
    auto h = decode_header(in);
    if (!h) return 0;  // the privileged process stops the IKE process here
    check(h->length <= kMaxBody, "body length bounded");
    check(is_request(h->type) || h->type == Type::Answer || h->type == Type::Expire || h->type == Type::Refused,
          "known type");
    if (in.size() - kHeaderSize < h->length) return 0;  // incomplete: waits for more
    body(h->type, in.subspan(kHeaderSize, h->length));
    in = in.subspan(kHeaderSize + h->length);
  }
  return 0;
}
