// Header, payload chain and whole-message codec, checked against a hand-written vpnc aggressive mode message.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "ike/wire/message.hpp"
#include "tests/wire/samples.hpp"

using namespace ravpn::ike;
using samples::hex;

TEST_CASE("header round-trips") {
  Header h;
  h.initiator_cookie = samples::initiator_cookie();
  h.responder_cookie = samples::responder_cookie();
  h.next_payload = PayloadType::Hash;
  h.exchange = ExchangeType::QuickMode;
  h.flags = flags::Encryption | flags::Commit;
  h.message_id = MessageId{0xdeadbeef};
  h.length = kHeaderSize;
  Bytes b = serialize_header(h);
  CHECK(b == hex("a1b2c3d4e5f60718 5e6f708192a3b4c5 08 10 20 03 deadbeef 0000001c"));
  auto parsed = parse_header(b);
  REQUIRE(parsed.has_value());
  CHECK(*parsed == h);
}

TEST_CASE("vpnc aggressive mode 1: serialiser matches the hand-written bytes") {
  Bytes expected = samples::aggressive1_bytes();
  REQUIRE(expected.size() == 423);
  CHECK(serialize_message(samples::aggressive1_header(), samples::aggressive1_payloads()) == expected);
}

TEST_CASE("vpnc aggressive mode 1: parser reads the hand-written bytes") {
  Bytes bytes = samples::aggressive1_bytes();
  auto m = parse_message(bytes);
  REQUIRE_MESSAGE(m.has_value(), m.error().what);
  CHECK(m->header.exchange == ExchangeType::Aggressive);
  CHECK(m->header.next_payload == PayloadType::SA);
  CHECK(m->header.length == 423);
  CHECK(m->header.responder_cookie.is_zero());
  const PayloadChain& c = m->chain;
  REQUIRE(c.payloads.size() == 9);
  CHECK(c.end == bytes.size() - kHeaderSize);
  std::vector<PayloadBody> bodies;
  for (const auto& p : c.payloads) bodies.push_back(p.body);
  CHECK(bodies == samples::aggressive1_payloads());

  const SaPayload* sa = c.first_as<SaPayload>();
  REQUIRE(sa);
  REQUIRE(sa->proposals.size() == 1);
  REQUIRE(sa->proposals[0].transforms.size() == 3);
  const Transform& t1 = sa->proposals[0].transforms[0];
  CHECK(t1.find(ike_attr::EncryptionAlgorithm)->value == ike_enc::Aes);
  CHECK(t1.find(ike_attr::KeyLength)->value == 256);
  CHECK(t1.find(ike_attr::AuthenticationMethod)->value == ike_auth::XauthInitPreShared);
  CHECK_FALSE(t1.find(ike_attr::LifeDuration)->basic);
  CHECK(t1.find(ike_attr::LifeDuration)->as_u32() == 2147483u);
  CHECK(sa->proposals[0].transforms[2].find(ike_attr::AuthenticationMethod)->value == ike_auth::PreShared);

  const IdPayload* id = c.first_as<IdPayload>();
  REQUIRE(id);
  CHECK(id->type == id_type::KeyId);
  CHECK(std::string(id->data.begin(), id->data.end()) == "vpn3000");
  CHECK(c.all(PayloadType::VendorId).size() == 5);
  CHECK(c.first(PayloadType::Hash) == nullptr);

  // Raw bytes as sent (RFC 2409 §5: SAi_b is the SA body; HASH computations need it verbatim).
  const PayloadEntry* sa_entry = c.first(PayloadType::SA);
  REQUIRE(sa_entry);
  CHECK(sa_entry->offset == 0);
  CHECK(sa_entry->length == 132);
  ByteView sa_body = c.body(*sa_entry);
  CHECK(Bytes(sa_body.begin(), sa_body.end()) == Bytes(bytes.begin() + 32, bytes.begin() + 160));
  CHECK(c.raw(*sa_entry).size() == 132);
  const PayloadEntry* id_entry = c.first(PayloadType::ID);
  ByteView id_raw = c.raw(*id_entry);
  CHECK(Bytes(id_raw.begin(), id_raw.end()) == hex("0d 00 000f 0b 11 01f4 76706e33303030"));
  PayloadEntry bogus{PayloadType::KE, KePayload{}, 400, 100};
  CHECK(c.raw(bogus).empty());
  CHECK(c.body(bogus).empty());
}

TEST_CASE("every sample message re-parses and re-serialises to the same bytes") {
  for (const auto& s : samples::all_samples()) {
    CAPTURE(s.name);
    auto m = parse_message(s.bytes);
    REQUIRE_MESSAGE(m.has_value(), m.error().what);
    std::vector<PayloadBody> bodies;
    for (const auto& p : m->chain.payloads) bodies.push_back(p.body);
    bool draft = m->chain.first(PayloadType::NatDDraft) != nullptr;
    CHECK(serialize_message(m->header, bodies, draft) == s.bytes);
  }
}

TEST_CASE("extra fuzz seeds: quick mode with NAT-OA, CERT/SIG, a padded encrypted-flag body") {
  for (const auto& s : samples::extra_fuzz_seeds()) {
    CAPTURE(s.name);
    auto h = parse_header(s.bytes);
    REQUIRE(h.has_value());
    bool padded = (h->flags & flags::Encryption) != 0;
    auto chain = parse_payload_chain(h->next_payload, Bytes(s.bytes.begin() + kHeaderSize, s.bytes.end()), padded);
    REQUIRE_MESSAGE(chain.has_value(), chain.error().what);
    CHECK(chain->end + kHeaderSize + (padded ? 4 : 0) == s.bytes.size());
    CHECK(parse_message(s.bytes).has_value() == !padded);
  }
}

TEST_CASE("payload chain: padding after the last payload only when allowed") {
  SerializedChain chain = serialize_payloads({HashPayload{samples::seq(20, 1)}, NoncePayload{samples::seq(16, 2)}});
  CHECK(chain.first == PayloadType::Hash);
  Bytes padded = chain.bytes;
  padded.insert(padded.end(), {0, 0, 0, 0, 0, 0, 0, 7});  // CBC padding of a decrypted body
  auto ok = parse_payload_chain(chain.first, padded, true);
  REQUIRE(ok.has_value());
  CHECK(ok->payloads.size() == 2);
  CHECK(ok->end == chain.bytes.size());
  CHECK(ok->bytes == padded);
  auto bad = parse_payload_chain(chain.first, padded, false);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().notify == notify::PayloadMalformed);
}

TEST_CASE("a plain message padded to 4 bytes as Libreswan sends it: up to 3 trailing bytes, not 4") {
  for (const auto& s : samples::all_samples()) {
    CAPTURE(s.name);
    for (size_t pad = 1; pad <= 4; ++pad) {
      CAPTURE(pad);
      Bytes b = s.bytes;
      b.insert(b.end(), pad, 0);
      const uint32_t length = uint32_t(b.size());  // RFC 2408 §3.1: the header's length counts the padding
      b[24] = uint8_t(length >> 24), b[25] = uint8_t(length >> 16), b[26] = uint8_t(length >> 8), b[27] = uint8_t(length);
      auto m = parse_message(b);
      if (pad > kMaxPlainPadding) {
        REQUIRE_FALSE(m.has_value());
        CHECK(m.error().notify == notify::PayloadMalformed);
        CHECK(m.error().what == std::to_string(pad) + " bytes after the last payload");
        continue;
      }
      REQUIRE_MESSAGE(m.has_value(), m.error().what);
      CHECK(m->header.length == b.size());
      CHECK(m->chain.end + kHeaderSize == s.bytes.size());
      auto whole = parse_message(s.bytes);
      REQUIRE(whole.has_value());
      REQUIRE(m->chain.payloads.size() == whole->chain.payloads.size());
      for (size_t i = 0; i < whole->chain.payloads.size(); ++i)
        CHECK(m->chain.payloads[i].body == whole->chain.payloads[i].body);
    }
  }
}

TEST_CASE("an empty chain") {
  SerializedChain chain = serialize_payloads({});
  CHECK(chain.first == PayloadType::None);
  CHECK(chain.bytes.empty());
  auto parsed = parse_payload_chain(PayloadType::None, {}, false);
  REQUIRE(parsed.has_value());
  CHECK(parsed->payloads.empty());
  Header h;
  Bytes msg = serialize_message(h, {});
  CHECK(msg.size() == kHeaderSize);
  CHECK(parse_message(msg).has_value());
}
