// The compiled phase 2 policy: crypto map and dynamic map entries in sequence order, one transform vocabulary, and
// `match address` enforced on the quick mode proxy IDs (INVALID-ID-INFORMATION outside every entry).
#include <doctest/doctest.h>

#include "daemon/config/parse.hpp"
#include "daemon/config/transforms.hpp"
#include "ike/policy/policy.hpp"
#include "phase2_initiator.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;

namespace {

// ios-easyvpn.cfg with its dynamic map and crypto map entry replaced by `maps`, plus `extra` lines.
std::string easyvpn_maps(const std::string& maps, const std::string& extra = "") {
  std::string text = fixture("ios-easyvpn.cfg");
  for (const std::string line : {"crypto dynamic-map dyna 10\n set transform-set mypolicy\n",
                                 "crypto map test 5 ipsec-isakmp dynamic dyna\n"}) {
    auto at = text.find(line);
    REQUIRE(at != std::string::npos);
    text.erase(at, line.size());
  }
  auto at = text.find("interface FastEthernet0/0");
  text.insert(at, maps);
  at = text.rfind("end");
  text.insert(at, extra);
  return text;
}

const NotifyPayload* notify_in(Client& c, const std::vector<Datagram>& sent) {
  REQUIRE(sent.size() == 1);
  static std::optional<PayloadChain> chain;
  chain = c.ini.open_informational(sent[0]);
  REQUIRE_MESSAGE(chain, c.ini.error());
  return chain->first_as<NotifyPayload>();
}

size_t lines_containing(const CapturingLogger& log, std::string_view needle) {
  size_t n = 0;
  for (const auto& l : log.lines) n += l.text.find(needle) != std::string::npos;
  return n;
}

}  // namespace

TEST_CASE("transform vocabulary: every token and PIX alias round-trips through the one table and the ESP side") {
  for (const auto& t : config::transform_tokens()) {
    CAPTURE(t.token);
    CHECK(config::find_transform(t.token) == &t);
    CHECK(config::canonical_transform(t.token) == t.token);
    if (!t.pix_alias.empty()) {
      CHECK(config::find_transform(t.pix_alias) == &t);
      CHECK(config::canonical_transform(t.pix_alias) == t.token);
    }
    config::TransformSet set{"s", {std::string(t.token)}, "tunnel", {}};
    if (t.kind == config::TransformToken::Kind::EspCipher) set.transforms.push_back("esp-sha-hmac");
    auto esp = esp_from_transform_set(set);
    if (t.kind == config::TransformToken::Kind::Unsupported || t.kind == config::TransformToken::Kind::EspAuth) {
      CHECK_FALSE(esp);  // AH / IPComp / SEAL never offered; an authenticator alone is no ESP transform
      continue;
    }
    REQUIRE(esp);
    CHECK(esp->transform_id == t.esp_id);
    CHECK(esp->key_bits == t.key_bits);
    CHECK(esp->auth == ipsec_auth::HmacSha1);
    CHECK(esp->name == std::string(t.token) + " esp-sha-hmac");
  }
  CHECK_FALSE(config::find_transform("esp-rot13"));
  CHECK(config::canonical_transform("esp-rot13") == "esp-rot13");
  // The PIX reader stores the model's spelling, validate knows it, and ESP reads it back as AES-256.
  auto pix = config::parse_pix("crypto ipsec transform-set big esp-aes-256 esp-sha-hmac\n", "t.cfg");
  REQUIRE(pix.transform_sets.count("big"));
  CHECK(pix.transform_sets.at("big").transforms == std::vector<std::string>{"esp-aes 256", "esp-sha-hmac"});
  auto esp = esp_from_transform_set(pix.transform_sets.at("big"));
  REQUIRE(esp);
  CHECK(esp->key_bits == 256);
}

TEST_CASE("phase 2 entries: crypto map entries and dynamic map entries in sequence order, lifetimes and PFS per entry") {
  auto c = config::parse_ios(easyvpn_maps("crypto ipsec transform-set strong esp-3des esp-sha-hmac\n"
                                          "crypto dynamic-map late 10\n set transform-set mypolicy\n"
                                          "crypto dynamic-map early 20\n set transform-set strong\n set pfs group2\n"
                                          "crypto dynamic-map early 10\n set transform-set mypolicy strong\n"
                                          " set security-association lifetime seconds 1800\n"
                                          "crypto map test 30 ipsec-isakmp dynamic late\n"
                                          "crypto map test 7 ipsec-isakmp dynamic early\n",
                                          "crypto ipsec security-association lifetime seconds 7200\n"),
                             "t.cfg");
  auto p = compiled::compile(c);
  REQUIRE(p.phase2.size() == 3);
  CHECK(p.phase2[0].label() == "crypto map test 7 -> dynamic-map early 10");
  CHECK(p.phase2[1].label() == "crypto map test 7 -> dynamic-map early 20");
  CHECK(p.phase2[2].label() == "crypto map test 30 -> dynamic-map late 10");
  REQUIRE(p.phase2[0].transforms.size() == 2);
  CHECK(p.phase2[0].transforms[0].name == "esp-des esp-md5-hmac");
  CHECK(p.phase2[0].transforms[1].name == "esp-3des esp-sha-hmac");
  CHECK(p.phase2[0].lifetime_seconds == 1800);
  CHECK(p.phase2[1].lifetime_seconds == 7200);  // the global lifetime where the entry sets none
  CHECK(p.phase2[1].pfs_group == 2);
  CHECK_FALSE(p.phase2[0].pfs_group);
  CHECK(compiled::offered_transforms(p).size() == 2);
}

TEST_CASE("quick mode: the first entry in sequence order whose transforms fit wins (not the first dynamic map)") {
  // Entry 5 wants PFS group 2, which the client does not do; entry 10 takes the proposal without PFS.
  Phase2Harness h(easyvpn_maps("crypto dynamic-map dyna 10\n set transform-set mypolicy\n"
                               "crypto dynamic-map dynb 10\n set transform-set mypolicy\n set pfs group2\n"
                               "crypto map test 10 ipsec-isakmp dynamic dyna\n"
                               "crypto map test 5 ipsec-isakmp dynamic dynb\n"));
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  quick_mode(h, c, address);
  CHECK(h.log.contains("accepted by crypto map test 10 -> dynamic-map dyna 10"));
}

TEST_CASE("quick mode: proxy IDs outside the dynamic map's match address get INVALID-ID-INFORMATION and one log line") {
  Phase2Harness h(easyvpn_maps("crypto dynamic-map dyna 10\n set transform-set mypolicy\n match address 120\n"
                               "crypto map test 5 ipsec-isakmp dynamic dyna\n",
                               "access-list 120 deny ip host 10.21.1.99 any\n"
                               "access-list 120 permit ip 10.21.1.0 0.0.0.255 10.2.1.0 0.0.0.255\n"));
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  Phase2Initiator::QuickModeOffer offer;
  offer.proposals = {esp_proposal(1, 0x01010101, {})};
  offer.idci = ipv4_id(address.str().c_str());

  SUBCASE("a protected network the ACL does not cover") {
    offer.idcr = subnet_id("10.99.0.0", "255.255.0.0");
    const auto* n = notify_in(c, h.feed(c.p2->qm1(offer)));
    REQUIRE(n);
    CHECK(n->type == notify::InvalidIdInformation);
    CHECK(h.kernel.empty());
    CHECK(lines_containing(h.log, "outside the match address of every crypto map entry") == 1);
    CHECK(h.responder.sa_count() == 1);  // the ISAKMP SA stays
  }
  SUBCASE("a wider protected side than the ACL's (0.0.0.0/0, as the 4.x client's second quick mode)") {
    offer.idcr = subnet_id("0.0.0.0", "0.0.0.0");
    const auto* n = notify_in(c, h.feed(c.p2->qm1(offer)));
    REQUIRE(n);
    CHECK(n->type == notify::InvalidIdInformation);
  }
  SUBCASE("a host the deny line before the permit takes out") {
    offer.idcr = ipv4_id("10.21.1.99");
    const auto* n = notify_in(c, h.feed(c.p2->qm1(offer)));
    REQUIRE(n);
    CHECK(n->type == notify::InvalidIdInformation);
  }
  SUBCASE("inside the ACL: accepted and installed") {
    quick_mode(h, c, address);
    CHECK(h.log.contains("accepted by crypto map test 5 -> dynamic-map dyna 10"));
  }
}

TEST_CASE("quick mode: match address of an earlier entry refuses, a later entry without one accepts") {
  Phase2Harness h(easyvpn_maps("crypto dynamic-map dyna 10\n set transform-set mypolicy\n match address 120\n"
                               "crypto dynamic-map dyna 20\n set transform-set mypolicy\n",
                               "access-list 120 permit ip 10.50.0.0 0.0.255.255 any\n"
                               "crypto map test 5 ipsec-isakmp dynamic dyna\n"));
  Client c(vpn_client11_options());
  quick_mode(h, c, main_mode_with_address(h, c));
  CHECK(h.log.contains("accepted by crypto map test 5 -> dynamic-map dyna 20"));
}

TEST_CASE("max-users and max-logins are reported Partial with what differs; include-local-lan is not") {
  auto c = config::parse_ios("crypto isakmp client configuration group g\n max-users 5\n max-logins 2\n"
                             " include-local-lan\n",
                             "t.cfg");
  std::vector<std::string> partial;
  for (const auto& d : c.diagnostics)
    if (d.kind == config::Diagnostic::Kind::Partial) partial.push_back(d.command + ": " + d.message);
  REQUIRE(partial.size() == 2);
  CHECK(partial[0].starts_with("max-users: "));
  CHECK(partial[1].find("idle the longest is logged off") != std::string::npos);
  auto p = compiled::compile(c);
  REQUIRE(p.group("g"));
  CHECK(p.group("g")->include_local_lan);
  CHECK(p.group("g")->max_users == 5u);
  CHECK(p.group("g")->max_logins == 2u);
}
