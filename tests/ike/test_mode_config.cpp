// Mode-config (draft-dukes-ike-mode-cfg-02) after Xauth: the pull side of Unity clients (REQUEST -> REPLY, as the
// seed PIX trace's 4.x client does, with attributes ravpn does not know left out) and the push side of VPN Client
// 1.1 (SET -> ACK); address pools shared per user, exhausted pools.
#include <doctest/doctest.h>

#include "phase2_initiator.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;

namespace {

std::string text_of(const DataAttribute& a) { return std::string(a.data.begin(), a.data.end()); }

// Aggressive mode + Xauth as `user`; the client then asks for its address.
Ipv4 unity_login(Phase2Harness& h, Client& c, const std::string& user, const std::string& password) {
  auto r = run_aggressive_mode(h, c);
  REQUIRE(r.size() == 1);
  CHECK(to_client(xauth_login(h, c, r[0], user, password), c).empty());  // a replaced login gets a delete
  auto reply = mode_config_request(h, c, {cfg_attr::InternalIp4Address, cfg_attr::InternalIp4Netmask});
  auto a = address_in(reply.attributes);
  REQUIRE_MESSAGE(a, "no address in the REPLY\nlog:\n" << h.log.text());
  return *a;
}

std::string with_pool_of_one(std::string text) {
  const std::string from = "ip local pool ourpool 10.2.1.1 10.2.1.254";
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), "ip local pool ourpool 10.2.1.1 10.2.1.1");
  return text;
}

void check_isakmp_delete(Client& c, const Datagram& d) {
  auto chain = c.ini.open_informational(d);
  REQUIRE_MESSAGE(chain, c.ini.error());
  const auto* del = chain->first_as<DeletePayload>();
  REQUIRE(del);
  CHECK(del->protocol == ProtocolId::Isakmp);
}

}  // namespace

TEST_CASE("mode-config pull (vpnc, Unity VID): REPLY with address, DNS and domain; unknown attributes left out") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(unity_options());
  auto r = run_aggressive_mode(h, c);
  REQUIRE(r.size() == 1);
  // No SET pushed to a Unity client after the Xauth ACK, and nothing outstanding later either.
  CHECK(xauth_login(h, c, r[0], "john", "doe").empty());
  h.advance(Seconds(10));
  CHECK(h.tick().empty());

  auto reply = mode_config_request(h, c,
                                   {cfg_attr::InternalIp4Address, cfg_attr::InternalIp4Netmask, cfg_attr::InternalIp4Dns,
                                    cfg_attr::UnityDefDomain, cfg_attr::UnityBanner, cfg_attr::UnityFwType /* 28680 */,
                                    cfg_attr::InternalAddressExpiry /* 5 */});
  const auto& a = reply.attributes;
  CHECK(address_in(a) == ip("10.2.1.1"));
  REQUIRE(a.find(cfg_attr::InternalIp4Netmask));
  REQUIRE(a.find(cfg_attr::InternalIp4Dns));
  CHECK(a.find(cfg_attr::InternalIp4Dns)->data == Bytes{10, 21, 1, 10});
  REQUIRE(a.find(cfg_attr::UnityDefDomain));
  CHECK(text_of(*a.find(cfg_attr::UnityDefDomain)) == "example.com");
  // The group has no banner; 28680 and ADDRESS_EXPIRY are not supplied ("Unsupported Attr" in the PIX trace).
  CHECK_FALSE(a.find(cfg_attr::UnityBanner));
  CHECK_FALSE(a.find(cfg_attr::UnityFwType));
  CHECK_FALSE(a.find(cfg_attr::InternalAddressExpiry));
  CHECK(a.attributes.size() == 4);
  CHECK(h.log.contains("unsupported mode-config attribute 28680"));
  CHECK(h.pool().leased() == 1);
  CHECK(h.pool().lease_of(ip("10.2.1.1"))->user == "john");
  CHECK(h.responder.sa_count() == 1);
  h.advance(Seconds(10));
  CHECK(h.tick().empty());  // no SET pushed
}

TEST_CASE("mode-config pull: a retransmitted REQUEST gets the same REPLY bytes, and no second lease") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(unity_options());
  auto r = run_aggressive_mode(h, c);
  REQUIRE(r.size() == 1);
  CHECK(xauth_login(h, c, r[0], "john", "doe").empty());
  AttributePayload ask;
  ask.type = cfg_type::Request;
  ask.identifier = 7;
  ask.attributes.push_back(DataAttribute::tlv(cfg_attr::InternalIp4Address, {}));
  const Datagram request = c.p2->transaction(0x0badcafe, ask);
  auto first = h.one(request);
  const auto answered_before = h.responder.stats().retransmits_answered;
  auto second = h.one(request);
  CHECK(second.data == first.data);
  CHECK(h.responder.stats().retransmits_answered == answered_before + 1);
  CHECK(h.pool().leased() == 1);
  auto reply = c.p2->open_transaction(first);
  REQUIRE_MESSAGE(reply, c.p2->error());
  CHECK(address_in(reply->attributes) == ip("10.2.1.1"));
}

TEST_CASE("mode-config pull: a REQUEST before Xauth finished is dropped, no address is leased") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(unity_options());
  auto r = run_aggressive_mode(h, c);
  REQUIRE(r.size() == 1);
  AttributePayload ask;
  ask.type = cfg_type::Request;
  ask.attributes.push_back(DataAttribute::tlv(cfg_attr::InternalIp4Address, {}));
  CHECK(h.feed(c.p2->transaction(0x01020304, ask)).empty());
  CHECK(h.pool().leased() == 0);
  CHECK(h.log.contains("mode-config request in session stage 'xauth requested', dropped"));
}

TEST_CASE("pool exhaustion (pull): with a 1-address pool the second client gets a REPLY without an address, then a DELETE") {
  Phase2Harness h(with_pool_of_one(fixture("ios-easyvpn.cfg")));
  Client john(unity_options("198.51.100.7", 11));
  CHECK(unity_login(h, john, "john", "doe") == ip("10.2.1.1"));

  Client jane(unity_options("198.51.100.8", 12));
  auto r = run_aggressive_mode(h, jane);
  REQUIRE(r.size() == 1);
  CHECK(xauth_login(h, jane, r[0], "jane", "secret2").empty());
  AttributePayload ask;
  ask.type = cfg_type::Request;
  ask.identifier = 9;
  ask.attributes.push_back(DataAttribute::tlv(cfg_attr::InternalIp4Address, {}));
  ask.attributes.push_back(DataAttribute::tlv(cfg_attr::InternalIp4Dns, {}));
  auto sent = h.feed(jane.p2->transaction(0x22334455, ask));
  REQUIRE(sent.size() == 2);  // REPLY, DELETE
  auto reply = jane.p2->open_transaction(sent[0]);
  REQUIRE_MESSAGE(reply, jane.p2->error());
  CHECK(reply->attributes.type == cfg_type::Reply);
  CHECK_FALSE(address_in(reply->attributes));
  check_isakmp_delete(jane, sent[1]);
  CHECK(h.log.contains("address pool ourpool exhausted"));
  CHECK(h.responder.sa_count() == 1);  // john's stays
  CHECK(h.pool().leased() == 1);
  CHECK(h.pool().lease_of(ip("10.2.1.1"))->user == "john");
}

TEST_CASE("pool exhaustion (push): VPN Client 1.1 gets no SET but a DELETE after its Xauth ACK") {
  Phase2Harness h(with_pool_of_one(fixture("ios-easyvpn.cfg")));
  Client john(vpn_client11_options("198.51.100.7", 7));
  CHECK(main_mode_with_address(h, john) == ip("10.2.1.1"));
  Client jane(vpn_client11_options("198.51.100.8", 8));
  auto extra = run_main_mode(h, jane);
  REQUIRE(extra.size() == 1);
  CHECK(xauth_login(h, jane, extra[0], "jane", "secret2").empty());
  auto after_ack = after_pull_window(h);
  REQUIRE(after_ack.size() == 1);
  check_isakmp_delete(jane, after_ack[0]);
  CHECK(h.log.contains("exhausted"));
  CHECK(h.responder.sa_count() == 1);
}

TEST_CASE("pools: john and jane get different addresses; john's newer login takes over his address") {
  Phase2Harness h(easyvpn_one_login_per_user());
  Client john(unity_options("198.51.100.7", 11));
  Client jane(unity_options("198.51.100.8", 12));
  Client john2(unity_options("198.51.100.9", 13));
  const Ipv4 a_john = unity_login(h, john, "john", "doe");
  const Ipv4 a_jane = unity_login(h, jane, "jane", "secret2");
  CHECK(a_john == ip("10.2.1.1"));
  CHECK(a_jane == ip("10.2.1.2"));
  CHECK(h.pool().leased() == 2);

  // One lease per user: john logging in again gets the same address, and his older SA is deleted (its tunnel
  // would hold the same selectors in the kernel).
  const Ipv4 a_john2 = unity_login(h, john2, "john", "doe");
  CHECK(a_john2 == a_john);
  CHECK(h.pool().leased() == 2);
  REQUIRE(h.pool().lease_of(a_john));
  CHECK(h.pool().lease_of(a_john)->holders == 1);
  CHECK(h.responder.sa_count() == 2);
  CHECK(h.log.contains("replaced by a newer login"));

  CHECK(h.feed(john2.ini.delete_isakmp(0x0d0d0002)).empty());
  CHECK_FALSE(h.pool().lease_of(a_john));
  CHECK(h.pool().leased() == 1);
  CHECK(h.responder.sa_count() == 1);
}

TEST_CASE("simultaneous logins: a shared account logs in 3 times by default; the 4th logs off the oldest") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  std::vector<std::unique_ptr<Client>> logins;
  std::vector<Ipv4> addresses;
  for (int i = 0; i < 3; ++i) {
    logins.push_back(std::make_unique<Client>(unity_options(("198.51.100." + std::to_string(20 + i)).c_str(), 20 + i)));
    addresses.push_back(unity_login(h, *logins.back(), "john", "doe"));
    h.advance(Seconds(5));
  }
  CHECK(addresses == std::vector<Ipv4>{ip("10.2.1.1"), ip("10.2.1.2"), ip("10.2.1.3")});
  CHECK(h.responder.sa_count() == 3);
  CHECK(h.pool().lease_of(ip("10.2.1.2"))->user == "john #2");
  CHECK_FALSE(h.log.contains("replaced by a newer login"));

  // The 4th: all equally idle, so the oldest login goes, and its slot (and address) is the new one's.
  Client fourth(unity_options("198.51.100.30", 30));
  CHECK(unity_login(h, fourth, "john", "doe") == ip("10.2.1.1"));
  CHECK(h.responder.sa_count() == 3);
  CHECK(h.responder.find(logins[0]->ini.rcookie()) == nullptr);
  CHECK(h.log.contains("replaced by a newer login of the same user (3 simultaneous logins allowed"));
  CHECK(h.responder.stats().logins_replaced == 1);
  CHECK(h.pool().leased() == 3);
}

TEST_CASE("pools (push): two VPN Client 1.1 users get 10.2.1.1 and 10.2.1.2") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client john(vpn_client11_options("198.51.100.7", 7));
  Client jane(vpn_client11_options("198.51.100.8", 8));
  CHECK(main_mode_with_address(h, john, "john", "doe") == ip("10.2.1.1"));
  CHECK(main_mode_with_address(h, jane, "jane", "secret2") == ip("10.2.1.2"));
  CHECK(h.pool().lease_of(ip("10.2.1.2"))->user == "jane");
}

TEST_CASE("mode-config initiate + respond: a client without Unity that pulls (strongSwan, Libreswan) is not pushed") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  auto extra = run_main_mode(h, c);
  REQUIRE(extra.size() == 1);
  CHECK(xauth_login(h, c, extra[0], "john", "doe").empty());
  h.advance(Seconds(1));  // within the pull window
  CHECK(h.tick().empty());
  auto reply = mode_config_request(h, c, {cfg_attr::InternalIp4Address, cfg_attr::InternalIp4Netmask});
  CHECK(address_in(reply.attributes) == ip("10.2.1.1"));
  // The window ends, and later still: no SET, nothing outstanding.
  for (int i = 0; i < 10; ++i) {
    h.advance(Seconds(1));
    CHECK(h.tick().empty());
  }
  CHECK(h.pool().leased() == 1);
  CHECK(h.responder.find(c.ini.rcookie())->session.stage == SessionStage::Configured);  // pulled, never pushed
  CHECK_FALSE(h.log.contains("pushing"));
}

TEST_CASE("mode-config initiate + respond: a client without Unity that does not pull is pushed when the window ends") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  auto extra = run_main_mode(h, c);
  REQUIRE(extra.size() == 1);
  CHECK(xauth_login(h, c, extra[0], "john", "doe").empty());
  auto sent = after_pull_window(h);  // nothing before the window ends
  REQUIRE(sent.size() == 1);
  auto set = c.p2->open_transaction(sent[0]);
  REQUIRE_MESSAGE(set, c.p2->error());
  CHECK(set->attributes.type == cfg_type::Set);
  CHECK(address_in(set->attributes) == ip("10.2.1.1"));
  CHECK(h.log.contains("did not ask for an address, pushing one"));
  CHECK(h.feed(c.p2->ack(*set)).empty());
  CHECK(h.log.contains("peer accepted the address 10.2.1.1"));
}

TEST_CASE("mode-config initiate only: a client without Unity is pushed right after the Xauth ACK") {
  std::string text = fixture("ios-easyvpn.cfg");
  const std::string respond = "client configuration address respond";
  for (auto at = text.find(respond); at != std::string::npos; at = text.find(respond)) {
    auto end = text.find('\n', at);
    auto begin = text.rfind('\n', at);
    text.erase(begin, end - begin);
  }
  Phase2Harness h(text);
  Client c(vpn_client11_options());
  auto extra = run_main_mode(h, c);
  REQUIRE(extra.size() == 1);
  auto after_ack = xauth_login(h, c, extra[0], "john", "doe");
  REQUIRE(after_ack.size() == 1);
  auto set = c.p2->open_transaction(after_ack[0]);
  REQUIRE_MESSAGE(set, c.p2->error());
  CHECK(address_in(set->attributes) == ip("10.2.1.1"));
}
