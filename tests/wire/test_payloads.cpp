// Round trips of every payload type: parse(serialize(x)) == x and serialize(parse(bytes)) == bytes.
#include <doctest/doctest.h>

#include <stdexcept>

#include "ike/wire/message.hpp"
#include "tests/wire/samples.hpp"

using namespace ravpn::ike;
using samples::hex;
using samples::seq;

namespace {

void check_round_trip(const PayloadBody& body, PayloadType type) {
  CAPTURE(static_cast<int>(type));
  Bytes bytes = serialize_payload_body(body);
  auto parsed = parse_payload_body(type, bytes);
  REQUIRE_MESSAGE(parsed.has_value(), parsed.error().what);
  CHECK(*parsed == body);
  CHECK(serialize_payload_body(*parsed) == bytes);
  // And as a one-payload chain with its generic header.
  bool draft = type == PayloadType::NatDDraft || type == PayloadType::NatOADraft;
  CHECK(payload_type_of(body, draft) == type);
  SerializedChain chain = serialize_payloads({body}, draft);
  CHECK(chain.first == type);
  auto reparsed = parse_payload_chain(chain.first, chain.bytes, false);
  REQUIRE(reparsed.has_value());
  REQUIRE(reparsed->payloads.size() == 1);
  CHECK(reparsed->payloads[0].body == body);
  CHECK(reparsed->body(reparsed->payloads[0]).size() == bytes.size());
}

SaPayload phase2_sa() {
  Transform esp{1, esp_id::Aes, {}};
  esp.attributes = {DataAttribute::tv(ipsec_attr::SaLifeType, life_type::Seconds),
                    DataAttribute::number(ipsec_attr::SaLifeDuration, 28800),
                    DataAttribute::tv(ipsec_attr::EncapsulationMode, encaps::UdpTunnel),
                    DataAttribute::tv(ipsec_attr::AuthenticationAlgorithm, ipsec_auth::HmacSha1),
                    DataAttribute::tv(ipsec_attr::KeyLength, 256)};
  Transform esp2{2, esp_id::TripleDes, {DataAttribute::tv(ipsec_attr::AuthenticationAlgorithm, ipsec_auth::HmacMd5)}};
  return SaPayload{kDoiIpsec, kSituationIdentityOnly,
                   {Proposal{1, ProtocolId::IpsecEsp, hex("c0ffee01"), {esp, esp2}},
                    Proposal{2, ProtocolId::IpsecAh, hex("c0ffee02"), {Transform{1, 3, {}}}}}};
}

}  // namespace

TEST_CASE("every payload type round-trips") {
  check_round_trip(std::get<SaPayload>(samples::aggressive1_payloads()[0]), PayloadType::SA);
  check_round_trip(phase2_sa(), PayloadType::SA);
  check_round_trip(KePayload{seq(128, 1)}, PayloadType::KE);
  check_round_trip(IdPayload{id_type::KeyId, 17, 500, samples::text("vpn3000")}, PayloadType::ID);
  check_round_trip(IdPayload{id_type::Ipv4AddrSubnet, 0, 0, hex("0a000000 ffffff00")}, PayloadType::ID);
  check_round_trip(IdPayload{id_type::UserFqdn, 0, 0, samples::text("user@example.net")}, PayloadType::ID);
  check_round_trip(OpaquePayload{hex("04 3082"), PayloadType::Cert}, PayloadType::Cert);
  check_round_trip(OpaquePayload{hex("04"), PayloadType::CertReq}, PayloadType::CertReq);
  check_round_trip(HashPayload{seq(20, 3)}, PayloadType::Hash);
  check_round_trip(SignaturePayload{seq(128, 4)}, PayloadType::Signature);
  check_round_trip(NoncePayload{seq(8, 5)}, PayloadType::Nonce);
  check_round_trip(NoncePayload{seq(256, 5)}, PayloadType::Nonce);
  check_round_trip(NotifyPayload{kDoiIpsec, ProtocolId::Isakmp, notify::NoProposalChosen, seq(16, 6), {}},
                   PayloadType::Notify);
  check_round_trip(NotifyPayload{kDoiIpsec, ProtocolId::IpsecEsp, notify::ResponderLifetime, hex("c0ffee01"),
                                 hex("80010001 00020004 00007080")},
                   PayloadType::Notify);
  check_round_trip(DeletePayload{kDoiIpsec, ProtocolId::IpsecEsp, 4, {hex("c0ffee01"), hex("c0ffee02")}},
                   PayloadType::Delete);
  check_round_trip(VendorIdPayload{hex("09002689dfd6b712")}, PayloadType::VendorId);
  AttributePayload reply{cfg_type::Reply, 7, {}};
  reply.attributes = {DataAttribute::tlv(cfg_attr::InternalIp4Address, hex("0a0a0001")),
                      DataAttribute::tlv(cfg_attr::InternalIp4Netmask, hex("ffffff00")),
                      DataAttribute::tv(cfg_attr::UnitySavePasswd, 0),
                      DataAttribute::tlv(cfg_attr::UnityBanner, samples::text("Welcome"))};
  check_round_trip(reply, PayloadType::Attribute);
  check_round_trip(AttributePayload{cfg_type::Ack, 7, {}}, PayloadType::Attribute);
  check_round_trip(NatDPayload{seq(20, 7)}, PayloadType::NatD);
  check_round_trip(NatDPayload{seq(16, 8)}, PayloadType::NatDDraft);
  check_round_trip(NatOaPayload{id_type::Ipv4Addr, hex("c0a80102")}, PayloadType::NatOA);
  check_round_trip(NatOaPayload{id_type::Ipv6Addr, seq(16, 9)}, PayloadType::NatOADraft);
}

TEST_CASE("data attributes: TV, TLV, number() and as_u32()") {
  CHECK(serialize_data_attributes({DataAttribute::tv(1, 7)}) == hex("8001 0007"));
  CHECK(serialize_data_attributes({DataAttribute::number(12, 2147483)}) == hex("000c 0004 0020c49b"));
  CHECK(DataAttribute::number(12, 28800) == DataAttribute::tv(12, 28800));
  CHECK(DataAttribute::number(12, 2147483).as_u32() == 2147483u);
  CHECK(DataAttribute::tlv(12, hex("0102")).as_u32() == 0x0102u);
  CHECK_FALSE(DataAttribute::tlv(12, hex("0102030405")).as_u32().has_value());
  CHECK_FALSE(DataAttribute::tlv(12, {}).as_u32().has_value());
  auto parsed = parse_data_attributes(hex("8003 fde9 000c 0004 0020c49b 4089 0000"));
  REQUIRE(parsed.has_value());
  REQUIRE(parsed->size() == 3);
  CHECK((*parsed)[0] == DataAttribute::tv(ike_attr::AuthenticationMethod, ike_auth::XauthInitPreShared));
  CHECK((*parsed)[2] == DataAttribute::tlv(cfg_attr::XauthUserName, {}));
  CHECK_THROWS_AS(serialize_data_attributes({DataAttribute::tv(0x8001, 1)}), std::invalid_argument);
}

TEST_CASE("find() helpers and Cookie") {
  const auto sa = std::get<SaPayload>(samples::aggressive1_payloads()[0]);
  const Transform& t = sa.proposals[0].transforms[0];
  REQUIRE(t.find(ike_attr::AuthenticationMethod));
  CHECK(t.find(ike_attr::AuthenticationMethod)->value == ike_auth::XauthInitPreShared);
  CHECK(t.find(ike_attr::LifeDuration)->as_u32() == 2147483u);
  CHECK(t.find(ike_attr::GroupType) == nullptr);
  AttributePayload a{cfg_type::Request, 1, {DataAttribute::tv(cfg_attr::XauthType, 0)}};
  CHECK(a.find(cfg_attr::XauthType) != nullptr);
  CHECK(a.find(cfg_attr::XauthStatus) == nullptr);
  CHECK(Cookie{}.is_zero());
  CHECK_FALSE(samples::initiator_cookie().is_zero());
  CHECK(samples::initiator_cookie().hex() == "a1b2c3d4e5f60718");
}

TEST_CASE("serialising values that do not fit their field is a programmer error") {
  Proposal p{1, ProtocolId::Isakmp, Bytes(256), {Transform{1, 1, {}}}};
  CHECK_THROWS_AS(serialize_sa(SaPayload{1, 1, {p}}), std::length_error);
  CHECK_THROWS_AS(serialize_payloads({VendorIdPayload{Bytes(70000)}}), std::length_error);
  CHECK_THROWS_AS(serialize_delete(DeletePayload{1, ProtocolId::IpsecEsp, 4, {hex("01")}}), std::length_error);
}
