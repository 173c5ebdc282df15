// The Cisco VPN Client 4.0.5 login of the seed PIX trace (cisco4x_client.hpp) against the responder running the
// seed PIX 6.3 config itself (tests/config/fixtures/pix-seed-radius.cfg with its secrets; Xauth against a local user
// instead of the RADIUS server). The assertions are the choices the PIX made in the trace.
#include <algorithm>
#include <deque>
#include <set>

#include "cisco4x_client.hpp"
#include "phase2_initiator.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;
using kernel::Direction;
using kernel::Spi;

namespace {

// The seed PIX config as the lab runs it, with `crypto map mymap client authentication LOCAL` and a local user.
config::Config seed_pix_local_users() {
  std::string text = fixture("pix-seed-radius.cfg");
  const std::string radius = "crypto map mymap client authentication AuthInbound";
  auto at = text.find(radius);
  REQUIRE(at != std::string::npos);
  text.replace(at, radius.size(), "crypto map mymap client authentication LOCAL");
  text += "username john password doe\n";
  auto c = config::parse_pix(text, "pix-seed-local.cfg");
  config::apply_secrets(c, fixture("pix-seed.secrets"), "pix-seed.secrets");
  config::validate(c);
  REQUIRE_FALSE(c.has_errors());
  return c;
}

// The responder in the same process: what it sends for the client is there at once.
class InProcess final : public cisco4x::Transport {
 public:
  InProcess(Phase2Harness& h, Endpoint client) : h_(h), client_(client) {}
  void send(const Datagram& d) override {
    for (auto& out : h_.feed(d))
      if (out.to == client_) queue_.push_back(std::move(out));
  }
  std::optional<Datagram> receive(std::chrono::milliseconds) override {
    if (queue_.empty()) return std::nullopt;
    Datagram d = std::move(queue_.front());
    queue_.pop_front();
    return d;
  }

 private:
  Phase2Harness& h_;
  Endpoint client_;
  std::deque<Datagram> queue_;
};

const Endpoint kClient{ip("192.0.2.5"), 500}, kGateway{ip("192.0.2.1"), 500};

cisco4x::LoginOptions login_options(uint64_t seed = 41) {
  cisco4x::LoginOptions o;
  o.ike = cisco4x::initiator_options(kClient, kGateway, "vpn3000", "grouppass123", seed);
  o.user = "john";
  o.password = "doe";
  o.retransmits = 0;
  return o;
}

Ipv4Net host(Ipv4 a) { return {a, Ipv4{0xffffffffu}}; }
const Ipv4Net kAny{Ipv4{0}, Ipv4{0}};

}  // namespace

TEST_CASE("Cisco VPN Client 4.x replay against the seed PIX config: the PIX's choices, two SA pairs") {
  Phase2Harness h(seed_pix_local_users());
  h.routes.device_of_local[kGateway.address] = "outside0";
  InProcess t(h, kClient);
  cisco4x::Session s(login_options());
  const auto r = cisco4x::login(t, s);
  REQUIRE_MESSAGE(r.ok(), r.error << "\nlog:\n" << h.log.text());

  // Phase 1: transform 6 (DES/MD5/group 2/XAUTHInitPreShared) against policy 10, as the trace's "atts are acceptable".
  CHECK(r.phase1_transform == 6);
  const Phase1Sa* sa = h.responder.find(s.ini.rcookie());
  REQUIRE(sa);
  CHECK(sa->choice.policy_priority == 10);
  CHECK(sa->choice.cipher == crypto::CipherAlg::Des);
  CHECK(sa->choice.hash == crypto::HashAlg::Md5);
  CHECK(sa->choice.dh_group == 2);
  CHECK(sa->choice.auth_method == ike_auth::XauthInitPreShared);
  std::vector<std::string> checks;
  for (const auto& l : h.log.lines)
    if (l.text.rfind("checking ISAKMP transform", 0) == 0) checks.push_back(l.text);
  REQUIRE(checks.size() == 6);  // transforms 7 and 8 are never looked at
  for (size_t i = 0; i < 6; ++i)
    CHECK(checks[i].find("transform " + std::to_string(i + 1) + " against priority 10") != std::string::npos);
  // The head-end answers the client's Xauth, DPD and Unity vendor IDs.
  CHECK(r.responder_vendor_ids.size() >= 3);

  // Xauth and the mode-config pull: an address from VPNpool, no push for a Unity client.
  CHECK(sa->session.xauth.user == "john");
  REQUIRE(r.address);
  CHECK(*r.address == ip("10.89.129.200"));
  CHECK(r.mode_config_reply.type == cfg_type::Reply);
  CHECK(r.mode_config_reply.find(cfg_attr::InternalIp4Address));
  CHECK_FALSE(h.log.contains("mode-config SET"));

  // Two quick modes, each: 3DES refused, the IPComp ANDed proposals (1, 2, 5, 6) skipped, proposal 7 DES/MD5 taken.
  REQUIRE(r.pairs.size() == 2);
  CHECK(r.pairs[0].remote == host(kGateway.address));
  CHECK(r.pairs[1].remote == kAny);
  for (const auto& p : r.pairs) {
    CHECK(p.proposal == cisco4x::kChosenProposal);
    CHECK(p.esp_transform == esp_id::Des);
    CHECK(p.auth == ipsec_auth::HmacMd5);
    CHECK(p.responder_lifetime);  // 2147483 s is longer than the head-end's lifetime: RESPONDER-LIFETIME
  }
  for (int n : {1, 2, 5, 6})
    CHECK(h.log.contains("skipping proposal " + std::to_string(n) + ": ANDed IPComp (CPI of 2 octets)"));
  CHECK(h.log.contains("proposal 3 transform 1: atts not acceptable"));
  CHECK_FALSE(h.log.contains("refused"));

  // Each pair has its own SAs (with the keys both sides derived), its own policies and its own reqid.
  CHECK(h.kernel.sas().size() == 4);
  CHECK(h.kernel.policies().size() == 6);
  std::set<uint32_t> reqids;
  for (const auto& p : r.pairs) {
    const auto& out = h.kernel.sas().at({kClient.address, Spi{p.spi_in}}).spec;  // head-end -> client
    const auto& in = h.kernel.sas().at({kGateway.address, Spi{p.spi_out}}).spec;
    CHECK(out.selector_source == p.remote);
    CHECK(out.selector_destination == host(*r.address));
    CHECK(std::ranges::equal(out.cipher_key, p.enc_in));
    CHECK(std::ranges::equal(out.auth_key, p.auth_in));
    CHECK(std::ranges::equal(in.cipher_key, p.enc_out));
    CHECK(std::ranges::equal(in.auth_key, p.auth_out));
    CHECK(out.reqid == in.reqid);
    reqids.insert(out.reqid);
    CHECK(h.kernel.has_policy(p.remote, host(*r.address), Direction::Out));
    CHECK(h.kernel.has_policy(host(*r.address), p.remote, Direction::In));
    CHECK(h.kernel.has_policy(host(*r.address), p.remote, Direction::Forward));
    CHECK(h.kernel.policies().at({p.remote, host(*r.address), Direction::Out}).reqid == out.reqid);
  }
  CHECK(reqids.size() == 2);
  // One route to the client for both pairs; no kernel call failed.
  CHECK(h.kernel.routes().size() == 1);
  CHECK(h.kernel.has_route(host(*r.address)));
  CHECK_FALSE(h.kernel_errors_logged());
  CHECK(h.responder.sa_count() == 1);
}

TEST_CASE("Cisco VPN Client 4.x replay: the route to the client stays until its last SA pair goes") {
  Phase2Harness h(seed_pix_local_users());
  h.routes.device_of_local[kGateway.address] = "outside0";
  InProcess t(h, kClient);
  cisco4x::Session s(login_options(43));
  const auto r = cisco4x::login(t, s);
  REQUIRE_MESSAGE(r.ok(), r.error << "\nlog:\n" << h.log.text());
  REQUIRE(r.pairs.size() == 2);
  const Ipv4 address = *r.address;

  // The client deletes its management pair (the one that installed the route): the 0.0.0.0/0 pair keeps it.
  DeletePayload del;
  del.protocol = ProtocolId::IpsecEsp;
  del.spi_size = 4;
  del.spis.push_back(u32_bytes(r.pairs[0].spi_in));
  CHECK(h.feed(s.ini.informational({del}, 0x11112222)).empty());
  CHECK(h.kernel.sas().size() == 2);
  CHECK(h.kernel.has_route(host(address)));
  CHECK_FALSE(h.kernel.has_policy(host(kGateway.address), host(address), Direction::Out));
  CHECK(h.kernel.has_policy(kAny, host(address), Direction::Out));

  // Then the other one: the route goes with it.
  del.spis = {u32_bytes(r.pairs[1].spi_in)};
  CHECK(h.feed(s.ini.informational({del}, 0x11112223)).empty());
  CHECK(h.kernel.empty());
  CHECK_FALSE(h.kernel_errors_logged());
}

TEST_CASE("quick mode: 0.0.0.0-255.255.255.255 as an ID_IPV4_ADDR_RANGE is the 0.0.0.0/0 tunnel; other ranges are refused") {
  Phase2Harness h(seed_pix_local_users());
  InProcess t(h, kClient);
  auto o = login_options(47);
  o.quick_modes = false;
  cisco4x::Session s(o);
  const auto r = cisco4x::login(t, s);
  REQUIRE_MESSAGE(r.ok(), r.error << "\nlog:\n" << h.log.text());
  const Ipv4 address = *r.address;

  auto range = [](const char* first, const char* last) {
    auto a = ip(first).bytes(), b = ip(last).bytes();
    Bytes data(a.begin(), a.end());
    data.insert(data.end(), b.begin(), b.end());
    return IdPayload{id_type::Ipv4AddrRange, 0, 0, data};
  };
  Phase2Initiator::QuickModeOffer offer;
  offer.proposals = cisco4x::quick_mode_proposals(0x01020304);
  offer.idci = ipv4_id(address.str().c_str());
  offer.idcr = range("0.0.0.0", "255.255.255.255");
  auto qm2 = s.p2->take_qm2(h.one(s.p2->qm1(offer)));
  REQUIRE_MESSAGE(qm2, s.p2->error());
  CHECK(qm2->sa.proposals.at(0).number == cisco4x::kChosenProposal);
  REQUIRE(qm2->ids.size() == 2);
  CHECK(qm2->ids[1] == *offer.idcr);  // echoed as sent
  CHECK(h.feed(s.p2->qm3()).empty());
  CHECK(h.kernel.has_policy(kAny, host(address), Direction::Out));

  // A range that is not one prefix has no kernel selector.
  offer.message_id += 1;
  offer.idcr = range("10.89.129.130", "10.89.129.140");
  auto sent = h.feed(s.p2->qm1(offer));
  REQUIRE(sent.size() == 1);
  auto chain = s.ini.open_informational(sent[0]);
  REQUIRE_MESSAGE(chain, s.ini.error());
  REQUIRE(chain->first_as<NotifyPayload>());
  CHECK(chain->first_as<NotifyPayload>()->type == notify::InvalidIdInformation);
  CHECK(h.kernel.sas().size() == 2);
}
