// Robustness: whatever arrives, receive() neither crashes nor throws (style.md: the part that parses packets from the
// internet must survive them). Random bytes, every truncation of every valid message (with the header length left
// alone and patched to match), bit flips, lying header and payload lengths, unknown cookies.
#include <doctest/doctest.h>

#include <functional>
#include <sstream>

#include "harness.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;

namespace {

const config::Config& easyvpn() {
  static const config::Config c = config::parse_ios(fixture("ios-easyvpn.cfg"), "ios-easyvpn.cfg");
  return c;
}

// A responder driven to just before one message, and that message.
struct Prepared {
  std::unique_ptr<Harness> h;
  std::unique_ptr<Initiator> ini;
  Datagram next;
};
using Target = std::function<Prepared()>;

Prepared fresh(InitiatorOptions o) {
  Prepared p;
  p.h = std::make_unique<Harness>(easyvpn(), 77);
  p.ini = std::make_unique<Initiator>(std::move(o));
  return p;
}

InitiatorOptions mm_g1() { return mm_options({des_md5_g1()}, "cisco1234", 3); }
InitiatorOptions am_g2() {
  auto o = am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}, "grouppass123", 4);
  o.vendor_ids.push_back(vid::natt_rfc3947());
  o.natd = true;
  return o;
}

Prepared mm1() {
  auto p = fresh(mm_g1());
  p.next = p.ini->mm1();
  return p;
}
Prepared mm3() {
  auto p = fresh(mm_g1());
  REQUIRE(p.ini->take_mm2(p.h->one(p.ini->mm1())));
  p.next = p.ini->mm3();
  return p;
}
Prepared mm5() {
  auto p = fresh(mm_g1());
  REQUIRE(p.ini->take_mm2(p.h->one(p.ini->mm1())));
  REQUIRE(p.ini->take_mm4(p.h->one(p.ini->mm3())));
  p.next = p.ini->mm5(true);
  return p;
}
Prepared dpd() {
  auto p = fresh(mm_g1());
  main_mode(*p.h, *p.ini);
  p.next = p.ini->dpd_r_u_there(7, 0x0a0b0c0d);
  return p;
}
Prepared am1() {
  auto p = fresh(am_g2());
  p.next = p.ini->am1();
  return p;
}
Prepared am3_encrypted() {
  auto p = fresh(am_g2());
  REQUIRE(p.ini->take_am2(p.h->one(p.ini->am1())));
  p.next = p.ini->am3(true);
  return p;
}
Prepared am3_clear() {
  auto p = fresh(am_g2());
  REQUIRE(p.ini->take_am2(p.h->one(p.ini->am1())));
  p.next = p.ini->am3(false);
  return p;
}

struct Outcome {
  size_t inputs = 0;
  size_t exceptions = 0;
  std::string first_exception;
};

// Feed `mutated` to a freshly prepared responder, then let time pass; count exceptions.
void run(const Target& target, const Bytes& mutated, Outcome& out, const std::string& what) {
  ++out.inputs;
  auto p = target();
  Datagram d = p.next;
  d.data = mutated;
  try {
    p.h->responder.receive(d);
    p.h->responder.receive(d);  // and its retransmit
    p.h->time.advance(std::chrono::seconds(40));
    p.h->responder.tick();
    p.h->time.advance(std::chrono::seconds(200));
    p.h->responder.tick();
  } catch (const std::exception& e) {
    if (!out.exceptions++) out.first_exception = what + ": " + e.what();
  } catch (...) {
    if (!out.exceptions++) out.first_exception = what + ": unknown exception";
  }
}

void set_length(Bytes& m, uint32_t len) {
  if (m.size() < kHeaderSize) return;
  m[24] = uint8_t(len >> 24);
  m[25] = uint8_t(len >> 16);
  m[26] = uint8_t(len >> 8);
  m[27] = uint8_t(len);
}

// Offsets of the generic payload headers of a clear message.
std::vector<size_t> payload_offsets(const Bytes& m) {
  std::vector<size_t> out;
  auto msg = parse_message(m);
  if (!msg) return out;
  for (const auto& p : msg->chain.payloads) out.push_back(kHeaderSize + p.offset);
  return out;
}

void fuzz_target(const char* name, const Target& target, bool every_bit) {
  const std::string label = name;
  CAPTURE(label);
  const Bytes valid = target().next.data;
  Outcome out;
  // Every truncation, header length as it was (dropped at the header) and patched to the new size (parsed on).
  for (size_t n = 0; n < valid.size(); ++n) {
    Bytes t(valid.begin(), valid.begin() + long(n));
    run(target, t, out, "truncated to " + std::to_string(n));
    if (n >= kHeaderSize) {
      set_length(t, uint32_t(n));
      run(target, t, out, "truncated to " + std::to_string(n) + ", length patched");
    }
  }
  // Bit flips: every bit, or one bit per byte (rotating) for the long messages.
  for (size_t i = 0; i < valid.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      if (!every_bit && bit != int(i % 8)) continue;
      Bytes f = valid;
      f[i] ^= uint8_t(1 << bit);
      run(target, f, out, "bit " + std::to_string(bit) + " of byte " + std::to_string(i));
    }
  }
  // A header whose length lies.
  for (uint32_t len : {0u, 1u, 27u, 28u, uint32_t(valid.size() - 1), uint32_t(valid.size() + 1),
                       uint32_t(valid.size() + 4096), 0x7fffffffu, 0xffffffffu}) {
    Bytes l = valid;
    set_length(l, len);
    run(target, l, out, "header length " + std::to_string(len));
  }
  // Payload lengths that lie (clear messages: the generic headers are visible).
  for (size_t off : payload_offsets(valid)) {
    for (uint16_t len : {0, 1, 3, 4, 5, 8, 0x7fff, 0xffff}) {
      Bytes l = valid;
      l[off + 2] = uint8_t(len >> 8);
      l[off + 3] = uint8_t(len);
      run(target, l, out, "payload at " + std::to_string(off) + " length " + std::to_string(len));
    }
    // An unknown next-payload type and a non-zero RESERVED.
    Bytes np = valid;
    np[off] = 200;
    run(target, np, out, "payload at " + std::to_string(off) + " next 200");
    Bytes rs = valid;
    rs[off + 1] = 1;
    run(target, rs, out, "payload at " + std::to_string(off) + " reserved 1");
  }
  // Appended garbage with the length patched.
  Bytes longer = valid;
  longer.insert(longer.end(), 37, 0xa5);
  set_length(longer, uint32_t(longer.size()));
  run(target, longer, out, "37 bytes appended");

  MESSAGE(label << ": " << out.inputs << " inputs");
  CHECK_MESSAGE(out.exceptions == 0, out.exceptions << " inputs threw; first: " << out.first_exception);
}

}  // namespace

TEST_CASE("robustness: truncations, bit flips and lying lengths of MM1") { fuzz_target("MM1", mm1, true); }
TEST_CASE("robustness: truncations, bit flips and lying lengths of MM3") { fuzz_target("MM3", mm3, true); }
TEST_CASE("robustness: truncations, bit flips and lying lengths of MM5") { fuzz_target("MM5", mm5, true); }
TEST_CASE("robustness: truncations, bit flips and lying lengths of a DPD R-U-THERE") { fuzz_target("DPD", dpd, true); }
TEST_CASE("robustness: truncations, bit flips and lying lengths of AM1") { fuzz_target("AM1", am1, true); }
TEST_CASE("robustness: truncations, bit flips and lying lengths of AM3 (encrypted)") {
  fuzz_target("AM3", am3_encrypted, true);
}
TEST_CASE("robustness: truncations, bit flips and lying lengths of AM3 (clear)") { fuzz_target("AM3 clear", am3_clear, true); }

TEST_CASE("robustness: random datagrams, with and without a plausible header") {
  auto rng = crypto::make_deterministic_rng(4242);
  auto u32 = [&] {
    auto b = rng->bytes(4);
    return uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3];
  };
  Harness h(easyvpn(), 78);
  // An established SA whose cookies the random messages may use.
  Initiator ini(mm_g1());
  main_mode(h, ini);
  const uint8_t exchanges[] = {0, 1, 2, 4, 5, 6, 32, 33, 255};
  size_t exceptions = 0;
  std::string first;
  for (int i = 0; i < 6000; ++i) {
    Bytes data = rng->bytes(u32() % 700);
    const int mode = i % 4;
    if (mode >= 1 && data.size() >= kHeaderSize) {
      data[16] = 0;  // next payload: None or random below
      if (u32() % 2) data[16] = uint8_t(u32() % 14);
      data[17] = 0x10;
      data[18] = exchanges[u32() % sizeof exchanges];
      data[19] = uint8_t(u32() % 8);
      set_length(data, uint32_t(data.size()));
      if (mode == 1) std::fill(data.begin() + 8, data.begin() + 16, 0);  // a first message
      if (mode >= 2) {  // our SA's cookies: the deeper paths (decryption, transactions, quick mode)
        std::copy(ini.icookie().bytes.begin(), ini.icookie().bytes.end(), data.begin());
        std::copy(ini.rcookie().bytes.begin(), ini.rcookie().bytes.end(), data.begin() + 8);
      }
      if (mode == 3) std::fill(data.begin() + 20, data.begin() + 24, 0);  // message ID 0
    }
    Datagram d{ini.self(), Endpoint{ip("192.0.2.1"), 500}, data};
    if (i % 7 == 0) d.to.port = 4500;
    try {
      h.responder.receive(d);
      if (i % 500 == 0) {
        h.time.advance(std::chrono::seconds(11));
        h.responder.tick();
      }
    } catch (const std::exception& e) {
      if (!exceptions++) first = e.what();
    } catch (...) {
      if (!exceptions++) first = "unknown exception";
    }
  }
  CHECK_MESSAGE(exceptions == 0, exceptions << " datagrams threw; first: " << first);
  CHECK(h.responder.stats().datagrams >= 6000);
}

TEST_CASE("robustness: a datagram with unknown cookies is dropped silently") {
  Harness h(easyvpn(), 79);
  Initiator ini(mm_g1());
  main_mode(h, ini);
  const auto sent = h.sender.sent.size();
  const auto dropped = h.responder.stats().dropped;

  // A well-formed DPD of our SA, but with a responder cookie nobody issued.
  auto d = ini.dpd_r_u_there(1, 0x55555555);
  for (int i = 8; i < 16; ++i) d.data[size_t(i)] ^= 0x5a;
  h.responder.receive(d);
  // The right responder cookie with another initiator cookie.
  auto e = ini.dpd_r_u_there(2, 0x66666666);
  e.data[0] ^= 1;
  h.responder.receive(e);
  // An MM3 for a negotiation that never existed.
  Initiator other(mm_options({des_md5_g1()}, "cisco1234", 1234));
  other.mm1();
  Bytes mm3 = serialize_message(
      [&] {
        Header hd;
        hd.initiator_cookie = other.icookie();
        hd.responder_cookie.bytes = {1, 2, 3, 4, 5, 6, 7, 8};
        hd.exchange = ExchangeType::IdentityProtection;
        return hd;
      }(),
      {KePayload{Bytes(96, 7)}, NoncePayload{Bytes(16, 1)}});
  h.responder.receive(Datagram{other.self(), Endpoint{ip("192.0.2.1"), 500}, mm3});

  CHECK(h.sender.sent.size() == sent);  // no INVALID-COOKIE, nothing at all (RFC 2408 §5.2 allows silence)
  CHECK(h.responder.stats().dropped == dropped + 3);
  CHECK(h.responder.stats().dh_jobs == 1);
  CHECK(h.responder.sa_count() == 1);
  CHECK(h.responder.find(ini.rcookie())->established());
}

TEST_CASE("robustness: a first message that does not parse gets a clear notify, and no SA") {
  Harness h(easyvpn(), 80);
  Initiator ini(mm_g1());
  Bytes m = ini.mm1().data;
  m[kHeaderSize + 1] = 1;  // SA payload RESERVED not zero
  auto r = h.feed(Datagram{ini.self(), Endpoint{ip("192.0.2.1"), 500}, m});
  CHECK(h.responder.sa_count() == 0);
  CHECK(r.size() <= 1);
  if (r.size() == 1) {
    auto msg = parse_message(r[0].data);
    REQUIRE(msg);
    CHECK(msg->header.exchange == ExchangeType::Informational);
  }
}
