// Quick mode (RFC 2409 §5.5) after Xauth and mode-config, into the fake kernel:
//   QM1 HDR*, HASH(1), SA, Ni [, KE], IDci, IDcr -> QM2 HDR*, HASH(2), SA, Nr [, KE], IDci, IDcr [, N] -> QM3 HDR*, HASH(3)
// HASH(2) = prf(SKEYID_a, M-ID | Ni_b | rest), HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b),
// KEYMAT = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b) expanded, computed by the test's initiator and
// compared with what the kernel was given. The proposal walk follows the seed PIX trace (VPN Client 4.x).
#include <doctest/doctest.h>

#include "phase2_initiator.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;
using ravpn::kernel::Direction;
using ravpn::kernel::Spi;

namespace {

const Ipv4 kResponder = ip("192.0.2.1");
const Ipv4Net kInside{ip("10.21.1.0"), ip("255.255.255.0")};

Ipv4Net host(Ipv4 a) { return {a, Ipv4{0xffffffffu}}; }

uint32_t responder_spi(const Phase2Initiator::Qm2& qm2) {
  REQUIRE(qm2.sa.proposals.size() == 1);
  REQUIRE(qm2.sa.proposals[0].spi.size() == 4);
  return u32_of(qm2.sa.proposals[0].spi);
}

const NotifyPayload* find_notify(const Phase2Initiator::Qm2& qm2, uint16_t type) {
  for (const auto& n : qm2.notifies)
    if (n.type == type) return &n;
  return nullptr;
}

std::optional<uint32_t> life_seconds_of(const std::vector<DataAttribute>& attrs, uint16_t type_attr, uint16_t dur_attr) {
  std::optional<uint16_t> type;
  for (const auto& a : attrs) {
    if (a.type == type_attr) type = uint16_t(a.as_u32().value_or(0));
    if (a.type == dur_attr && type == life_type::Seconds) return a.as_u32();
  }
  return std::nullopt;
}

// The two SAs and three policies of one tunnel, with the keys the initiator derives.
void check_installed(Phase2Harness& h, Client& c, Ipv4 client, uint32_t our_spi, uint32_t their_spi) {
  const auto& sas = h.kernel.sas();
  auto in = sas.find({kResponder, Spi{their_spi}});
  auto out = sas.find({c.ini.self().address, Spi{our_spi}});
  REQUIRE(in != sas.end());
  REQUIRE(out != sas.end());
  // Inbound at the responder: peer -> us, the SPI the responder chose; outbound: the initiator's SPI.
  CHECK(in->second.spec.source == c.ini.self().address);
  CHECK(in->second.spec.destination == kResponder);
  CHECK(in->second.spec.selector_source == host(client));
  CHECK(in->second.spec.selector_destination == kInside);
  CHECK(out->second.spec.source == kResponder);
  CHECK(out->second.spec.destination == c.ini.self().address);
  CHECK(out->second.spec.selector_source == kInside);
  CHECK(out->second.spec.selector_destination == host(client));
  for (const auto* s : {&in->second.spec, &out->second.spec}) {
    CHECK(s->cipher == kernel::EspCipher::Des);
    CHECK(s->auth == kernel::EspAuth::HmacMd5);
    CHECK_FALSE(s->encap);
  }
  // RFC 2409 §5.5: the SPI the destination chose keys that direction; encryption key first, then HMAC key.
  auto km_in = c.p2->keymat(their_spi, 8 + 16);
  auto km_out = c.p2->keymat(our_spi, 8 + 16);
  CHECK(to_hex(in->second.spec.cipher_key) == to_hex(Bytes(km_in.begin(), km_in.begin() + 8)));
  CHECK(to_hex(in->second.spec.auth_key) == to_hex(Bytes(km_in.begin() + 8, km_in.end())));
  CHECK(to_hex(out->second.spec.cipher_key) == to_hex(Bytes(km_out.begin(), km_out.begin() + 8)));
  CHECK(to_hex(out->second.spec.auth_key) == to_hex(Bytes(km_out.begin() + 8, km_out.end())));
  CHECK(km_in != km_out);

  CHECK(h.kernel.has_policy(kInside, host(client), Direction::Out));
  CHECK(h.kernel.has_policy(host(client), kInside, Direction::In));
  CHECK(h.kernel.has_policy(host(client), kInside, Direction::Forward));
}

}  // namespace

TEST_CASE("VPN Client 1.1 end to end: main mode, Xauth john/doe, pushed 10.2.1.1, quick mode ESP DES/MD5 into the kernel") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  CHECK(address == ip("10.2.1.1"));
  CHECK(h.kernel.calls().empty());

  // QM1 as the seed IOS trace: src_proxy 10.2.1.1/32 (type 1), dest_proxy 10.21.1.0/24 (type 4), ESP_DES, HMAC-MD5,
  // encaps 1, no lifetime.
  Phase2Initiator::QuickModeOffer offer;
  offer.message_id = 0xbc1fb9f9;
  offer.proposals = {esp_proposal(1, 0x9bde2875, {})};
  offer.idci = ipv4_id("10.2.1.1");
  offer.idcr = subnet_id("10.21.1.0", "255.255.255.0");
  auto qm2_d = h.one(c.p2->qm1(offer));
  auto hd = parse_header(qm2_d.data);
  REQUIRE(hd);
  CHECK(hd->exchange == ExchangeType::QuickMode);
  CHECK(hd->message_id.value == 0xbc1fb9f9);
  CHECK((hd->flags & flags::Encryption) != 0);
  auto qm2 = c.p2->take_qm2(qm2_d);  // HASH(2) checked here
  REQUIRE_MESSAGE(qm2, c.p2->error());
  REQUIRE(qm2->sa.proposals.size() == 1);
  const Proposal& p = qm2->sa.proposals[0];
  CHECK(p.number == 1);
  CHECK(p.protocol == ProtocolId::IpsecEsp);
  REQUIRE(p.transforms.size() == 1);
  CHECK(p.transforms[0].id == esp_id::Des);
  REQUIRE(p.transforms[0].find(ipsec_attr::AuthenticationAlgorithm));
  CHECK(p.transforms[0].find(ipsec_attr::AuthenticationAlgorithm)->as_u32() == ipsec_auth::HmacMd5);
  REQUIRE(p.transforms[0].find(ipsec_attr::EncapsulationMode));
  CHECK(p.transforms[0].find(ipsec_attr::EncapsulationMode)->as_u32() == encaps::Tunnel);
  CHECK_FALSE(qm2->ke);
  REQUIRE(qm2->ids.size() == 2);  // RFC 2409 §5.5: the IDs come back as sent
  CHECK(qm2->ids[0] == *offer.idci);
  CHECK(qm2->ids[1] == *offer.idcr);
  CHECK_FALSE(find_notify(*qm2, notify::ResponderLifetime));  // nothing proposed, nothing lowered
  CHECK(h.kernel.count_calls("allocate_spi") == 1);
  CHECK(h.kernel.sas().empty());

  // QM3 -> the SAs.
  CHECK(h.feed(c.p2->qm3()).empty());
  const uint32_t rspi = responder_spi(*qm2);
  CHECK(rspi == 0xc0000001);  // the fake kernel's first SPI
  CHECK(h.kernel.sas().size() == 2);
  CHECK(h.kernel.policies().size() == 3);
  check_installed(h, c, address, 0x9bde2875, rspi);
  CHECK(h.kernel.sas().at({kResponder, Spi{rspi}}).spec.lifetime.hard_seconds == 3600);
  CHECK(h.responder.stats().tunnels_up == 1);
  CHECK(h.log.contains("tunnel up"));
  CHECK_FALSE(h.kernel_errors_logged());
}

TEST_CASE("quick mode: a QM1 retransmission gets the same QM2 bytes and allocates no second SPI") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  Phase2Initiator::QuickModeOffer offer;
  offer.proposals = {esp_proposal(1, 0x11112222, {})};
  offer.idci = ipv4_id(address.str().c_str());
  offer.idcr = subnet_id("10.21.1.0", "255.255.255.0");
  const Datagram qm1 = c.p2->qm1(offer);
  auto first = h.one(qm1);
  auto second = h.one(qm1);
  CHECK(first.data == second.data);
  CHECK(h.kernel.count_calls("allocate_spi") == 1);
  REQUIRE(c.p2->take_qm2(first));
  CHECK(h.feed(c.p2->qm3()).empty());
  CHECK(h.kernel.sas().size() == 2);
}

TEST_CASE("quick mode: the VPN Client 4.x proposals of the PIX trace, 3DES refused, IPComp ANDed skipped, DES/MD5 chosen") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(unity_options());
  auto r = run_aggressive_mode(h, c);
  REQUIRE(r.size() == 1);
  CHECK(xauth_login(h, c, r[0], "john", "doe").empty());
  auto reply = mode_config_request(h, c, {cfg_attr::InternalIp4Address});
  const auto address = address_in(reply.attributes);
  REQUIRE(address);

  // 2147483 s as a 4-byte TLV, as the trace's "life duration (VPI) of 0x0 0x20 0xc4 0x9b".
  const uint32_t life = 2147483, spi = 0x3d1b35d7;
  using namespace esp_id;
  using namespace ipsec_auth;
  Phase2Initiator::QuickModeOffer offer;
  offer.message_id = 942875080;
  offer.proposals = {
      esp_proposal(1, spi, esp_spec(TripleDes, HmacMd5, life)),
      esp_proposal(2, spi, esp_spec(TripleDes, HmacSha1, life)),
      esp_proposal(3, spi, esp_spec(Des, HmacMd5, life)),
      ipcomp_proposal(3, 0x1234),  // ANDed with proposal 3: "bad SPI size of 2 octets"
      esp_proposal(4, spi, esp_spec(Des, HmacSha1, life)),
      esp_proposal(5, spi, esp_spec(Des, HmacMd5, life)),
  };
  offer.idci = ipv4_id(address->str().c_str());
  offer.idcr = subnet_id("0.0.0.0", "0.0.0.0");
  auto qm2 = c.p2->take_qm2(h.one(c.p2->qm1(offer)));
  REQUIRE_MESSAGE(qm2, c.p2->error());
  REQUIRE(qm2->sa.proposals.size() == 1);
  CHECK(qm2->sa.proposals[0].number == 5);  // RFC 2408 §4.2: the proposal number is retained
  REQUIRE(qm2->sa.proposals[0].transforms.size() == 1);
  const Transform& t = qm2->sa.proposals[0].transforms[0];
  CHECK(t.number == 1);
  CHECK(t.id == Des);
  CHECK(t.find(ipsec_attr::AuthenticationAlgorithm)->as_u32() == HmacMd5);
  CHECK(h.log.contains("ESP_3DES, auth 1) not supported"));
  CHECK(h.log.contains("ESP_3DES, auth 2) not supported"));
  CHECK(h.log.contains("skipping proposal 3"));
  CHECK(h.log.contains("ESP_DES, auth 2) not supported"));
  // The client's 2147483 s is longer than ours: RESPONDER-LIFETIME (RFC 2407 §4.6.3.1).
  CHECK(find_notify(*qm2, notify::ResponderLifetime));
  CHECK(h.feed(c.p2->qm3()).empty());
  CHECK(h.kernel.sas().size() == 2);
  CHECK(h.kernel.has_sa(c.ini.self().address, Spi{spi}));
  CHECK(h.kernel.policies().size() == 3);
  CHECK(h.kernel.has_policy(Ipv4Net{ip("0.0.0.0"), ip("0.0.0.0")}, host(*address), Direction::Out));
}

TEST_CASE("quick mode: the IPComp part of an ANDed proposal alone (2-octet CPI) is refused") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  Phase2Initiator::QuickModeOffer offer;
  offer.proposals = {esp_proposal(1, 0x01010101, {}), ipcomp_proposal(1, 0x4321)};
  offer.idci = ipv4_id(address.str().c_str());
  offer.idcr = subnet_id("10.21.1.0", "255.255.255.0");
  auto sent = h.feed(c.p2->qm1(offer));
  REQUIRE(sent.size() == 1);
  auto chain = c.ini.open_informational(sent[0]);
  REQUIRE_MESSAGE(chain, c.ini.error());
  REQUIRE(chain->first_as<NotifyPayload>());
  CHECK(chain->first_as<NotifyPayload>()->type == notify::NoProposalChosen);
  CHECK(h.kernel.calls().empty());
  CHECK(h.responder.sa_count() == 1);  // the quick mode failed, phase 1 stays
}

TEST_CASE("quick mode: a client proxy ID other than its leased address gets INVALID-ID-INFORMATION, no SAs") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  CHECK(address == ip("10.2.1.1"));
  Phase2Initiator::QuickModeOffer offer;
  offer.proposals = {esp_proposal(1, 0x01010101, {})};
  offer.idci = ipv4_id("10.2.1.99");
  offer.idcr = subnet_id("10.21.1.0", "255.255.255.0");
  auto sent = h.feed(c.p2->qm1(offer));
  REQUIRE(sent.size() == 1);
  auto chain = c.ini.open_informational(sent[0]);
  REQUIRE_MESSAGE(chain, c.ini.error());
  const auto* n = chain->first_as<NotifyPayload>();
  REQUIRE(n);
  CHECK(n->type == notify::InvalidIdInformation);
  CHECK(h.kernel.calls().empty());
  CHECK(h.kernel.empty());
  CHECK(h.log.contains("is not its assigned address 10.2.1.1"));
  CHECK(h.responder.sa_count() == 1);

  // A whole subnet on the client side is not its address either.
  offer.message_id += 1;
  offer.idci = subnet_id("10.2.1.0", "255.255.255.0");
  sent = h.feed(c.p2->qm1(offer));
  REQUIRE(sent.size() == 1);
  chain = c.ini.open_informational(sent[0]);
  REQUIRE_MESSAGE(chain, c.ini.error());
  REQUIRE(chain->first_as<NotifyPayload>());
  CHECK(chain->first_as<NotifyPayload>()->type == notify::InvalidIdInformation);
  CHECK(h.kernel.empty());
}

TEST_CASE("quick mode before Xauth finished is refused: no QM2, no SPI allocated") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  auto extra = run_main_mode(h, c);
  REQUIRE(extra.size() == 1);  // the Xauth REQUEST, left unanswered
  Phase2Initiator::QuickModeOffer offer;
  offer.proposals = {esp_proposal(1, 0x01010101, {})};
  offer.idci = ipv4_id("198.51.100.7");
  offer.idcr = subnet_id("10.21.1.0", "255.255.255.0");
  auto sent = h.feed(c.p2->qm1(offer));
  for (const auto& d : sent) {
    auto hd = parse_header(d.data);
    REQUIRE(hd);
    CHECK(hd->exchange != ExchangeType::QuickMode);
  }
  CHECK(h.kernel.calls().empty());
  CHECK(h.log.contains("quick mode before Xauth finished"));
  CHECK(h.responder.stats().tunnels_up == 0);
}

TEST_CASE("quick mode lifetimes: 28800 s proposed against the default 3600 s -> RESPONDER-LIFETIME 3600, kernel hard 3600") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  Phase2Initiator::QuickModeOffer offer;
  offer.proposals = {esp_proposal(1, 0x0a0b0c0d, esp_spec(esp_id::Des, ipsec_auth::HmacMd5, 28800))};
  offer.idci = ipv4_id(address.str().c_str());
  offer.idcr = subnet_id("10.21.1.0", "255.255.255.0");
  auto qm2 = c.p2->take_qm2(h.one(c.p2->qm1(offer)));
  REQUIRE_MESSAGE(qm2, c.p2->error());
  const uint32_t rspi = responder_spi(*qm2);
  const auto* n = find_notify(*qm2, notify::ResponderLifetime);
  REQUIRE(n);
  CHECK(n->type == 24576);
  CHECK(n->protocol == ProtocolId::IpsecEsp);
  CHECK(n->spi == u32_bytes(rspi));  // RFC 2407 §4.6.3.1: the sender's inbound SPI
  auto attrs = parse_data_attributes(n->data);
  REQUIRE(attrs);
  CHECK(life_seconds_of(*attrs, ipsec_attr::SaLifeType, ipsec_attr::SaLifeDuration) == 3600u);
  CHECK(h.feed(c.p2->qm3()).empty());
  REQUIRE(h.kernel.has_sa(kResponder, Spi{rspi}));
  REQUIRE(h.kernel.has_sa(c.ini.self().address, Spi{0x0a0b0c0d}));
  CHECK(h.kernel.sas().at({kResponder, Spi{rspi}}).spec.lifetime.hard_seconds == 3600);
  CHECK(h.kernel.sas().at({c.ini.self().address, Spi{0x0a0b0c0d}}).spec.lifetime.hard_seconds == 3600);
  CHECK(h.kernel.sas().at({kResponder, Spi{rspi}}).spec.lifetime.soft_seconds < 3600);
}

TEST_CASE("quick mode lifetimes: a shorter proposal (600 s) is taken as is, without RESPONDER-LIFETIME") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  Phase2Initiator::QuickModeOffer offer;
  offer.proposals = {esp_proposal(1, 0x0a0b0c0e, esp_spec(esp_id::Des, ipsec_auth::HmacMd5, 600))};
  offer.idci = ipv4_id(address.str().c_str());
  offer.idcr = subnet_id("10.21.1.0", "255.255.255.0");
  auto qm2 = c.p2->take_qm2(h.one(c.p2->qm1(offer)));
  REQUIRE_MESSAGE(qm2, c.p2->error());
  CHECK_FALSE(find_notify(*qm2, notify::ResponderLifetime));
  CHECK(h.feed(c.p2->qm3()).empty());
  CHECK(h.kernel.sas().at({kResponder, Spi{responder_spi(*qm2)}}).spec.lifetime.hard_seconds == 600);
}

TEST_CASE("quick mode PFS: KE of group 2 and the group attribute -> QM2 carries KE; KEYMAT includes g(qm)^xy") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  const auto dh_jobs = h.responder.stats().dh_jobs;
  Phase2Initiator::QuickModeOffer offer;
  EspSpec spec;
  spec.group = 2;
  offer.proposals = {esp_proposal(1, 0x77665544, spec)};
  offer.pfs_group = 2;
  offer.idci = ipv4_id(address.str().c_str());
  offer.idcr = subnet_id("10.21.1.0", "255.255.255.0");
  auto qm2 = c.p2->take_qm2(h.one(c.p2->qm1(offer)));
  REQUIRE_MESSAGE(qm2, c.p2->error());
  REQUIRE(qm2->ke);
  CHECK(qm2->ke->size() == 128);
  CHECK(c.p2->g_qm_xy().size() == 128);
  CHECK(h.responder.stats().dh_jobs == dh_jobs + 1);
  const Transform& t = qm2->sa.proposals.at(0).transforms.at(0);
  REQUIRE(t.find(ipsec_attr::GroupDescription));
  CHECK(t.find(ipsec_attr::GroupDescription)->as_u32() == 2u);
  CHECK(h.feed(c.p2->qm3()).empty());
  check_installed(h, c, address, 0x77665544, responder_spi(*qm2));
}

TEST_CASE("quick mode PFS: a group attribute without a KE payload is refused") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  Phase2Initiator::QuickModeOffer offer;
  EspSpec spec;
  spec.group = 2;
  offer.proposals = {esp_proposal(1, 0x77665545, spec)};
  offer.idci = ipv4_id(address.str().c_str());
  offer.idcr = subnet_id("10.21.1.0", "255.255.255.0");
  auto sent = h.feed(c.p2->qm1(offer));
  REQUIRE(sent.size() == 1);
  auto chain = c.ini.open_informational(sent[0]);
  REQUIRE_MESSAGE(chain, c.ini.error());
  REQUIRE(chain->first_as<NotifyPayload>());
  CHECK(chain->first_as<NotifyPayload>()->type == notify::NoProposalChosen);
  CHECK(h.kernel.calls().empty());
}

TEST_CASE("quick mode: a QM3 with a bad HASH(3) installs nothing") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  Phase2Initiator::QuickModeOffer offer;
  offer.proposals = {esp_proposal(1, 0x12121212, {})};
  offer.idci = ipv4_id(address.str().c_str());
  offer.idcr = subnet_id("10.21.1.0", "255.255.255.0");
  REQUIRE(c.p2->take_qm2(h.one(c.p2->qm1(offer))));
  Datagram qm3 = c.p2->qm3();
  qm3.data[kHeaderSize + 5] ^= 0x01;
  CHECK(h.feed(qm3).empty());
  CHECK(h.kernel.sas().empty());
  CHECK(h.responder.stats().tunnels_up == 0);
}

TEST_CASE("teardown: DELETE of the ESP SA removes both SAs and the policies; DELETE of the ISAKMP SA frees the lease") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  auto qm2 = quick_mode(h, c, address, 0x9bde2875);
  REQUIRE(h.kernel.sas().size() == 2);
  REQUIRE(h.kernel.policies().size() == 3);

  // The client deletes its inbound SPI (RFC 2408 §3.15), protected (RFC 2409 §5.7).
  DeletePayload del;
  del.protocol = ProtocolId::IpsecEsp;
  del.spi_size = 4;
  del.spis.push_back(u32_bytes(0x9bde2875));
  CHECK(h.feed(c.ini.informational({del}, 0x0e0e0001)).empty());
  CHECK(h.kernel.sas().empty());
  CHECK(h.kernel.policies().empty());
  CHECK(h.responder.sa_count() == 1);
  CHECK(h.pool().leased() == 1);

  // A second quick mode, then the ISAKMP SA goes: everything with it.
  auto qm2b = quick_mode(h, c, address, 0x9bde2876, 0x43e0d0fa);
  CHECK(h.kernel.sas().size() == 2);
  CHECK(h.kernel.policies().size() == 3);
  CHECK(h.feed(c.ini.delete_isakmp(0x0e0e0002)).empty());
  CHECK(h.responder.sa_count() == 0);
  CHECK(h.kernel.empty());
  CHECK(h.pool().leased() == 0);
  CHECK_FALSE(h.kernel_errors_logged());
  CHECK(h.kernel.count_calls("delete_sa") == 4);
  CHECK(h.kernel.count_calls("delete_policy") == 6);
  (void)qm2;
  (void)qm2b;
}

TEST_CASE("teardown: DELETE naming the responder's inbound SPI removes the pair too") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  auto qm2 = quick_mode(h, c, address);
  DeletePayload del;
  del.protocol = ProtocolId::IpsecEsp;
  del.spi_size = 4;
  del.spis.push_back(u32_bytes(responder_spi(qm2)));
  CHECK(h.feed(c.ini.informational({del}, 0x0e0e0003)).empty());
  CHECK(h.kernel.empty());
  CHECK_FALSE(h.kernel_errors_logged());
}

TEST_CASE("teardown: the ISAKMP SA deleted with a tunnel up removes the SAs, the policies and the lease") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  quick_mode(h, c, address);
  CHECK(h.feed(c.ini.delete_isakmp(0x0e0e0004)).empty());
  CHECK(h.kernel.empty());
  CHECK(h.pool().leased() == 0);
  CHECK(h.responder.sa_count() == 0);
  CHECK_FALSE(h.kernel_errors_logged());
  CHECK(h.log.contains("tunnel down"));
}

TEST_CASE("teardown: an unknown ESP SPI in a DELETE changes nothing and causes no kernel call") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  quick_mode(h, c, address);
  const size_t calls = h.kernel.calls().size();
  DeletePayload del;
  del.protocol = ProtocolId::IpsecEsp;
  del.spi_size = 4;
  del.spis.push_back(u32_bytes(0xdeadbeef));
  CHECK(h.feed(c.ini.informational({del}, 0x0e0e0005)).empty());
  CHECK(h.kernel.calls().size() == calls);
  CHECK(h.kernel.sas().size() == 2);
}

TEST_CASE("two clients: john and jane each get a tunnel with their own address and SPIs") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client john(vpn_client11_options("198.51.100.7", 7));
  Client jane(vpn_client11_options("198.51.100.8", 8));
  const Ipv4 a = main_mode_with_address(h, john, "john", "doe");
  const Ipv4 b = main_mode_with_address(h, jane, "jane", "secret2");
  CHECK(a != b);
  auto qa = quick_mode(h, john, a, 0x9bde2875);
  auto qb = quick_mode(h, jane, b, 0x9bde2875);  // the same SPI from two peers: different destinations
  CHECK(responder_spi(qa) != responder_spi(qb));
  CHECK(h.kernel.sas().size() == 4);
  CHECK(h.kernel.policies().size() == 6);
  check_installed(h, john, a, 0x9bde2875, responder_spi(qa));
  check_installed(h, jane, b, 0x9bde2875, responder_spi(qb));
  CHECK(h.feed(john.ini.delete_isakmp(0x0f000001)).empty());
  CHECK(h.kernel.sas().size() == 2);
  CHECK(h.kernel.policies().size() == 3);
  CHECK_FALSE(h.kernel_errors_logged());
}

// A second login of the same user from another peer, without a group (VPN Client 1.1's main mode): the default of
// 3 simultaneous logins lets both in, each with its own lease and its own tunnel in the kernel.
TEST_CASE("same user again from another peer: a second session with its own address, both tunnels in the kernel") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client first(vpn_client11_options("198.51.100.7", 7));
  Client second(vpn_client11_options("198.51.100.9", 9));
  const Ipv4 a = main_mode_with_address(h, first);
  quick_mode(h, first, a, 0x9bde2875);
  const Ipv4 b = main_mode_with_address(h, second);
  CHECK(a != b);
  CHECK(h.pool().lease_of(b)->user == "john #2");
  CHECK_FALSE(h.log.contains("replaced by a newer login"));
  CHECK(h.kernel.policies().size() == 3);  // the first tunnel stays
  Phase2Initiator::QuickModeOffer offer;
  offer.proposals = {esp_proposal(1, 0x9bde2876, {})};
  offer.idci = ipv4_id(b.str().c_str());
  offer.idcr = subnet_id("10.21.1.0", "255.255.255.0");
  auto qm2 = second.p2->take_qm2(h.one(second.p2->qm1(offer)));
  REQUIRE_MESSAGE(qm2, second.p2->error());
  CHECK(h.feed(second.p2->qm3()).empty());
  CHECK(h.responder.stats().tunnels_up == 2);
  CHECK(h.kernel.policies().size() == 6);
  CHECK_FALSE(h.kernel_errors_logged());
  CHECK(h.feed(second.ini.delete_isakmp(0x0f000003)).empty());
  CHECK(h.kernel.policies().size() == 3);
  CHECK(h.pool().leased() == 1);
  CHECK_FALSE(h.kernel_errors_logged());
}

namespace {
Phase2Initiator::Qm2 qm_up_to_qm2(Phase2Harness& h, Client& c, Ipv4 address, uint32_t spi) {
  Phase2Initiator::QuickModeOffer offer;
  offer.proposals = {esp_proposal(1, spi, {})};
  offer.idci = ipv4_id(address.str().c_str());
  offer.idcr = subnet_id("10.21.1.0", "255.255.255.0");
  auto qm2 = c.p2->take_qm2(h.one(c.p2->qm1(offer)));
  REQUIRE_MESSAGE(qm2, c.p2->error());
  return *qm2;
}
}  // namespace

namespace {
// A failed install is told to the client: one protected informational with a Delete of our inbound ESP SPI.
void expect_esp_delete(Client& c, const std::vector<Datagram>& sent, uint32_t our_spi) {
  REQUIRE(sent.size() == 1);
  auto chain = c.ini.open_informational(sent[0]);
  REQUIRE(chain);
  const auto* d = chain->first_as<DeletePayload>();
  REQUIRE(d != nullptr);
  CHECK(d->protocol == ProtocolId::IpsecEsp);
  REQUIRE(d->spis.size() == 1);
  CHECK(d->spis[0] == u32_bytes(our_spi));
}
}  // namespace

// Regression: install() returns at the first failing add_policy without removing the two SAs it added, and
// on_final() then deletes only the inbound one: the outbound SA (to the peer, the peer's SPI) stays in the kernel.
TEST_CASE("quick mode: a policy the kernel refuses at QM3 leaves no SA behind") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  auto qm2 = qm_up_to_qm2(h, c, address, 0x9bde2875);
  h.kernel.fail_next("add_policy", "XFRM_MSG_NEWPOLICY: No buffer space available");
  expect_esp_delete(c, h.feed(c.p2->qm3()), responder_spi(qm2));
  CHECK(h.responder.stats().tunnels_up == 0);
  CHECK(h.log.contains("installing IPsec SAs failed"));
  CHECK(h.kernel.sas().empty());
  CHECK(h.kernel.policies().empty());
}

// Regression: when the outbound add_sa fails, install() deletes the inbound SA and on_final() deletes it a second
// time: an unknown delete the real kernel answers with ESRCH ("XFRM_MSG_DELSA: No such process").
TEST_CASE("quick mode: an outbound SA the kernel refuses at QM3: the inbound one is deleted once") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  auto qm2 = qm_up_to_qm2(h, c, address, 0x9bde2875);
  // Something else already holds (peer, 0x9bde2875): the outbound add_sa gets "File exists".
  kernel::SaSpec other;
  other.source = ip("192.0.2.1");
  other.destination = c.ini.self().address;
  other.spi = Spi{0x9bde2875};
  REQUIRE(h.kernel.add_sa(other, false));
  expect_esp_delete(c, h.feed(c.p2->qm3()), responder_spi(qm2));
  CHECK(h.responder.stats().tunnels_up == 0);
  const std::string inbound = "192.0.2.1 0x" + to_hex(u32_bytes(responder_spi(qm2)));
  size_t deletes = 0;
  for (const auto& call : h.kernel.calls()) deletes += call.method == "delete_sa" && call.detail == inbound;
  CHECK(deletes == 1);
  CHECK_FALSE(h.kernel.has_sa(kResponder, Spi{responder_spi(qm2)}));
  CHECK(h.kernel.has_sa(c.ini.self().address, Spi{0x9bde2875}));  // not ours: untouched
  CHECK(h.kernel.sas().size() == 1);
}

namespace {
// RFC 2409 §5: "Responders cannot modify attributes of an offer, except for attribute encoding"; an initiator that
// finds values changed, attributes added or deleted must reject the response. Compared by type and numeric value.
std::string attribute_difference(const Transform& offered, const Transform& returned) {
  auto key = [](const DataAttribute& a) { return std::to_string(a.type) + "=" + std::to_string(a.as_u32().value_or(~0u)); };
  std::vector<std::string> o, r;
  for (const auto& a : offered.attributes) o.push_back(key(a));
  for (const auto& a : returned.attributes) r.push_back(key(a));
  std::sort(o.begin(), o.end());
  std::sort(r.begin(), r.end());
  if (o == r) return {};
  std::string s = "offered";
  for (const auto& x : o) s += " " + x;
  s += " / returned";
  for (const auto& x : r) s += " " + x;
  return s;
}
}  // namespace

// Regression: build_reply() rebuilds the transform (number 1, SA Life Type/Duration always added, the lifetime
// lowered in place) instead of returning the chosen one as offered; see the report.
TEST_CASE("quick mode: QM2 returns the chosen transform as offered (RFC 2409 §5, RFC 2408 §4.2)") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  uint32_t mid = 0x51000000;
  auto offer_one = [&](const Proposal& p) {
    Phase2Initiator::QuickModeOffer offer;
    offer.message_id = ++mid;
    offer.proposals = {p};
    offer.idci = ipv4_id(address.str().c_str());
    offer.idcr = subnet_id("10.21.1.0", "255.255.255.0");
    auto qm2 = c.p2->take_qm2(h.one(c.p2->qm1(offer)));
    REQUIRE_MESSAGE(qm2, c.p2->error());
    REQUIRE(qm2->sa.proposals.size() == 1);
    REQUIRE(qm2->sa.proposals[0].transforms.size() == 1);
    return qm2->sa.proposals[0].transforms[0];
  };
  SUBCASE("no lifetime offered (VPN Client 1.1, 'SA life: Unspecified'): none may be added") {
    Proposal p = esp_proposal(1, 0x31313131, {});
    auto t = offer_one(p);
    CHECK_MESSAGE(attribute_difference(p.transforms[0], t).empty(), attribute_difference(p.transforms[0], t));
  }
  SUBCASE("28800 s offered: returned unchanged, the shorter lifetime goes in RESPONDER-LIFETIME") {
    Proposal p = esp_proposal(1, 0x32323232, esp_spec(esp_id::Des, ipsec_auth::HmacMd5, 28800));
    auto t = offer_one(p);
    CHECK_MESSAGE(attribute_difference(p.transforms[0], t).empty(), attribute_difference(p.transforms[0], t));
  }
  SUBCASE("the second transform of a proposal is chosen: its number is retained") {
    Proposal p = esp_proposal(1, 0x33333333, esp_spec(esp_id::TripleDes, ipsec_auth::HmacSha1));
    Proposal des = esp_proposal(1, 0x33333333, {});
    des.transforms[0].number = 2;
    p.transforms.push_back(des.transforms[0]);
    auto t = offer_one(p);
    CHECK(t.id == esp_id::Des);
    CHECK(t.number == 2);
  }
}

TEST_CASE("quick mode with the commit bit: after QM3 the responder says CONNECTED (RFC 2408 §3.1, RFC 2409 §5.5)") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  Phase2Initiator::QuickModeOffer offer;
  offer.proposals = {esp_proposal(1, 0x44444444, {})};
  offer.idci = ipv4_id(address.str().c_str());
  offer.idcr = subnet_id("10.21.1.0", "255.255.255.0");
  offer.commit = true;
  auto qm2 = c.p2->take_qm2(h.one(c.p2->qm1(offer)));
  REQUIRE_MESSAGE(qm2, c.p2->error());
  auto sent = h.feed(c.p2->qm3());
  REQUIRE(sent.size() == 1);
  auto hd = parse_header(sent[0].data);
  REQUIRE(hd);
  CHECK(hd->exchange == ExchangeType::Informational);
  CHECK(hd->message_id.value == offer.message_id);
  CHECK(h.kernel.sas().size() == 2);
  CHECK(h.kernel.policies().size() == 3);
}

// Regression: Responder::on_quick_mode() returns on Step::Kind::Reply (the CONNECTED notify) before it looks at
// outcome.installed, so a tunnel set up with the commit bit is never counted in stats().tunnels_up.
TEST_CASE("quick mode with the commit bit: the tunnel is counted in stats().tunnels_up") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  Phase2Initiator::QuickModeOffer offer;
  offer.proposals = {esp_proposal(1, 0x44444445, {})};
  offer.idci = ipv4_id(address.str().c_str());
  offer.idcr = subnet_id("10.21.1.0", "255.255.255.0");
  offer.commit = true;
  REQUIRE(c.p2->take_qm2(h.one(c.p2->qm1(offer))));
  REQUIRE(h.feed(c.p2->qm3()).size() == 1);
  REQUIRE(h.kernel.sas().size() == 2);
  CHECK(h.responder.stats().tunnels_up == 1);
}

TEST_CASE("shutdown: every peer gets a delete, the kernel is left clean, the pool is free") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client john(vpn_client11_options("198.51.100.7", 7));
  const Ipv4 a = main_mode_with_address(h, john);
  quick_mode(h, john, a, 0x9bde2875);
  REQUIRE(h.kernel.policies().size() == 3);
  const size_t sent_before = h.sender.sent.size();
  h.responder.shutdown();
  CHECK(h.sender.sent.size() == sent_before + 1);  // the protected ISAKMP delete
  CHECK(h.kernel.empty());
  CHECK(h.pool().leased() == 0);
  CHECK(h.responder.sa_count() == 0);
  CHECK_FALSE(h.kernel_errors_logged());
}
