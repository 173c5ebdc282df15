// Secrets files replace masked values; JSON output never carries a secret.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/config/fixtures.hpp"

using namespace ravpn::config;
using namespace ravpn::config::test;
using K = Diagnostic::Kind;

TEST_CASE("secrets file supplies the masked keys") {
  Config c = load(fixture_path("ios-masked.cfg"), fixture_path("ios-masked.secrets"));
  for (const auto* d : of_kind(c, K::Error)) MESSAGE(d->origin.file << ":" << d->origin.line << ": " << d->message);
  CHECK_FALSE(c.has_errors());
  const auto* wild = c.key_for_peer(ip("192.0.2.200"));
  REQUIRE(wild);
  CHECK(wild->key == "cisco1234");
  CHECK_FALSE(wild->masked);
  CHECK(wild->origin.line == 7);  // still points at the config line
  CHECK(c.key_for_peer(ip("198.51.100.7"))->key == "s2s-known");
  CHECK(c.client_groups.at("vpn3000").key == "grouppass123");
  CHECK_FALSE(c.client_groups.at("vpn3000").key_masked);
  CHECK(c.aaa_servers.at(0).key == "radius secret 99");
  CHECK_FALSE(c.aaa_servers.at(0).key_masked);
}

TEST_CASE("secrets for nothing, masked secrets and non-secret lines are errors against the secrets file") {
  Config c = parse_ios(read_fixture("ios-masked.cfg"), "ios-masked.cfg");
  apply_secrets(c,
                "crypto isakmp key other address 203.0.113.0 255.255.255.0\n"  // 1: no such peer
                "crypto isakmp client configuration group nogroup\n"           // 2
                " key k\n"                                                     // 3
                "crypto isakmp key ******** address 0.0.0.0 0.0.0.0\n"         // 4: still masked
                "hostname x\nip subnet-zero\n"                                 // 5, 6
                "radius-server host 10.9.9.9 key k\n",                         // 7
                "s.txt");
  std::vector<std::pair<int, std::string>> errors;
  for (const auto* d : of_kind(c, K::Error)) {
    CHECK(d->origin.file == "s.txt");
    errors.emplace_back(d->origin.line, d->message);
  }
  CHECK(has_error(c, 1, "no key for 203.0.113.0/24"));
  CHECK(has_error(c, 2, "no group nogroup"));
  CHECK(has_error(c, 4, "must hold the clear key"));
  CHECK(has_error(c, 6, "not a secret line"));
  CHECK(has_error(c, 7, "no radius server 10.9.9.9"));
  CHECK(errors.size() == 5);
  validate(c);
  CHECK(c.isakmp_keys.at(0).masked);  // nothing was applied to it
}

TEST_CASE("JSON: the whole model, no secret anywhere") {
  Config c = load(fixture_path("ios-easyvpn.cfg"));
  std::string dump = to_json(c).dump();
  for (const char* secret : {"cisco1234", "grouppass123", "doe\"", "password ww", "\"ww\""})
    CHECK_MESSAGE(dump.find(secret) == std::string::npos, secret);

  auto j = to_json(c);
  CHECK(j["hostname"] == "goss-e4-3660");
  CHECK(j["dialect"] == "ios");
  CHECK(j["isakmp"]["policies"].size() == 2);
  CHECK(j["isakmp"]["policies"][1]["encryption"] == "3des");
  CHECK(j["isakmp"]["keys"][0]["key"] == "<set>");
  CHECK(j["isakmp"]["keys"][0]["peer"] == "0.0.0.0/0");
  CHECK(j["isakmp"]["client_groups"]["vpn3000"]["key"] == "<set>");
  CHECK(j["isakmp"]["client_groups"]["vpn3000"]["dns"][0] == "10.21.1.10");
  CHECK(j["aaa"]["users"]["john"]["password"] == "<set>");
  CHECK(j["ipsec"]["crypto_maps"]["test"]["isakmp_authorization"] == "grouplist");
  CHECK(j["network"]["pools"]["ourpool"]["ranges"][0][1] == "10.2.1.254");
  CHECK(j["ike_addresses"][0] == "192.0.2.1");
  CHECK(j["xauth_enabled"] == true);
  const auto& nat = j["filtering"]["dynamic_nats"];
  REQUIRE(nat.size() == 1);
  CHECK(nat[0]["route_map"] == "nonat");
  CHECK(nat[0]["nat_pool"] == "outsidepool");
  CHECK(nat[0]["mapped_ranges"][0][0] == "192.0.2.50");
  CHECK(nat[0]["mapped_ranges"][0][1] == "192.0.2.60");
  const auto& acl = j["network"]["access_lists"]["101"];
  CHECK(acl[0]["match"]["protocol"] == "ip");
  CHECK(acl[0]["match"]["source"] == "10.21.1.0/24");
  CHECK(acl[0]["match"]["destination_ports"].is_null());

  const auto& diag = j["diagnostics"];
  CHECK(diag["errors"].empty());
  CHECK(diag["partial"].empty());
  CHECK(diag["ignored"]["line"].size() == 5);
  CHECK(diag["ignored"]["service"].size() == 3);
  CHECK(diag["ignored"]["line"][4].get<std::string>().ends_with(":96: password <redacted>"));
}

TEST_CASE("JSON: masked values without secrets say so, and errors are file:line: message") {
  Config c = load(fixture_path("ios-masked.cfg"));
  auto j = to_json(c);
  CHECK(j["isakmp"]["keys"][0]["key"] == "<masked, no value>");
  CHECK(j["isakmp"]["keys"][1]["key"] == "<set>");
  CHECK(j["isakmp"]["client_groups"]["vpn3000"]["key"] == "<masked, no value>");
  CHECK(j["aaa"]["servers"][0]["key"] == "<masked, no value>");
  REQUIRE(j["diagnostics"]["errors"].size() == 3);
  CHECK(j["diagnostics"]["errors"][0].get<std::string>().starts_with(fixture_path("ios-masked.cfg") + ":7: "));
  CHECK(j.dump().find("s2s-known") == std::string::npos);

  Config s = load(fixture_path("ios-masked.cfg"), fixture_path("ios-masked.secrets"));
  std::string dump = to_json(s).dump();
  for (const char* secret : {"cisco1234", "grouppass123", "radius secret 99", "s2s-known"})
    CHECK_MESSAGE(dump.find(secret) == std::string::npos, secret);
  CHECK(to_json(s)["isakmp"]["keys"][0]["key"] == "<set>");
}
