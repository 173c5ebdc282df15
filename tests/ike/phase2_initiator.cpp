#include "phase2_initiator.hpp"

namespace ravpn::ike::test {

// ---- harness ----

PoolSet pools_of(const config::Config& config) {
  PoolSet pools;
  for (const auto& [name, p] : config.pools) pools.emplace(name, pool::AddressPool(name, p.ranges));
  return pools;
}

namespace {
ResponderServices services_for(ravpn::testing::FakeKernel& kernel, PoolSet& pools, xauth::Backend* xauth,
                               const RoutePlacement& routes) {
  ResponderServices s;
  s.routes = &routes;
  s.kernel = &kernel;
  s.pools = &pools;
  s.xauth = xauth;
  return s;
}
}  // namespace

Phase2Harness::Phase2Harness(std::string config_text, uint64_t seed, ResponderSettings settings)
    : Phase2Harness(config::parse_ios(config_text, "test.cfg"), seed, settings) {}

Phase2Harness::Phase2Harness(config::Config parsed, uint64_t seed, ResponderSettings settings)
    : config(std::move(parsed)),
      xauth(xauth::make_local_backend(config.users)),
      pools(pools_of(config)),
      rng(crypto::make_deterministic_rng(seed)),
      dh_rng(crypto::make_deterministic_rng(seed + 1)),
      responder(config, *rng, *dh_rng, time, worker, log, sender, settings, services_for(kernel, pools, xauth.get(), routes)),
      pull_window(settings.pull_window) {}

Phase2Harness::~Phase2Harness() {
  for (const auto& s : secrets()) CHECK_MESSAGE(!log.contains(s), "secret '" << s << "' in the log");
  // Xauth passwords of the fixture never reach the log either.
  for (const char* p : {"secret2", "wrongpass"}) CHECK_MESSAGE(!log.contains(p), "password '" << p << "' in the log");
}

std::vector<Datagram> Phase2Harness::feed(const Datagram& d) {
  const size_t before = sender.sent.size();
  responder.receive(d);
  return {sender.sent.begin() + long(before), sender.sent.end()};
}

Datagram Phase2Harness::one(const Datagram& d) {
  auto r = feed(d);
  REQUIRE_MESSAGE(r.size() == 1, "expected one reply, got " << r.size() << "\nlog:\n" << log.text());
  return r[0];
}

std::vector<Datagram> Phase2Harness::tick() {
  const size_t before = sender.sent.size();
  responder.tick();
  return {sender.sent.begin() + long(before), sender.sent.end()};
}

bool Phase2Harness::kernel_errors_logged() const {
  return log.contains(": removing ") || log.contains("installing IPsec SAs failed");
}

uint32_t u32_of(ByteView b) {
  REQUIRE(b.size() == 4);
  return uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3];
}

// ---- flows ----

InitiatorOptions vpn_client11_options(const char* self, uint64_t seed) {
  InitiatorOptions o = mm_options({des_md5_g1()}, "cisco1234", seed);
  o.self = Endpoint{ip(self), 500};
  return o;
}

InitiatorOptions unity_options(const char* self, uint64_t seed) {
  InitiatorOptions o = am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}, "grouppass123", seed);
  o.self = Endpoint{ip(self), 500};
  return o;
}

std::vector<Datagram> run_main_mode(Phase2Harness& h, Client& c) {
  Initiator& ini = c.ini;
  c.phase1_replies.push_back(h.one(ini.mm1()));
  REQUIRE_MESSAGE(ini.take_mm2(c.phase1_replies.back()), ini.error());
  c.phase1_replies.push_back(h.one(ini.mm3()));
  const Datagram mm4 = c.phase1_replies.back();
  REQUIRE_MESSAGE(ini.take_mm4(mm4), ini.error());
  auto last = h.feed(ini.mm5(c.initial_contact));
  REQUIRE_MESSAGE(!last.empty(), "MM5 not answered\nlog:\n" << h.log.text());
  REQUIRE_MESSAGE(ini.take_mm6(last[0]), ini.error() << "\nlog:\n" << h.log.text());
  c.phase1_replies.insert(c.phase1_replies.end(), last.begin(), last.end());
  c.p2 = std::make_unique<Phase2Initiator>(ini, c.options, mm4);
  REQUIRE_MESSAGE(c.p2->ok(), c.p2->error());
  return {last.begin() + 1, last.end()};
}

std::vector<Datagram> run_aggressive_mode(Phase2Harness& h, Client& c) {
  Initiator& ini = c.ini;
  c.phase1_replies.push_back(h.one(ini.am1()));
  const Datagram am2 = c.phase1_replies.back();
  REQUIRE_MESSAGE(ini.take_am2(am2), ini.error() << "\nlog:\n" << h.log.text());
  auto r = h.feed(ini.am3(true));
  c.phase1_replies.insert(c.phase1_replies.end(), r.begin(), r.end());
  c.p2 = std::make_unique<Phase2Initiator>(ini, c.options, am2);
  REQUIRE_MESSAGE(c.p2->ok(), c.p2->error());
  return r;
}

Phase2Initiator::Transaction expect_xauth_request(Client& c, const Datagram& d) {
  auto req = c.p2->open_transaction(d);
  REQUIRE_MESSAGE(req, c.p2->error());
  CHECK(req->attributes.type == cfg_type::Request);
  const auto* type = req->attributes.find(cfg_attr::XauthType);
  REQUIRE(type);
  CHECK(type->basic);
  CHECK(req->attributes.find(cfg_attr::XauthUserName));
  CHECK(req->attributes.find(cfg_attr::XauthUserPassword));
  return *req;
}

std::vector<Datagram> xauth_answer(Phase2Harness& h, Client& c, const Phase2Initiator::Transaction& request,
                                   const std::string& user, const std::string& password) {
  return h.feed(c.p2->xauth_reply(request, user, password));
}

std::vector<Datagram> xauth_login(Phase2Harness& h, Client& c, const Datagram& request, const std::string& user,
                                  const std::string& password) {
  auto req = expect_xauth_request(c, request);
  auto sent = xauth_answer(h, c, req, user, password);
  REQUIRE_MESSAGE(sent.size() == 1, "Xauth REPLY answered by " << sent.size() << "\nlog:\n" << h.log.text());
  auto set = c.p2->open_transaction(sent[0]);
  REQUIRE_MESSAGE(set, c.p2->error());
  CHECK(set->attributes.type == cfg_type::Set);
  // draft-beaulieu-ike-xauth-02 §4.1: the status is a new exchange (SET/ACK) with a fresh message ID; the
  // initiator opened it with an IV from the phase 1 chain, not from the REQUEST's.
  CHECK(set->message_id() != req.message_id());
  const auto* status = set->attributes.find(cfg_attr::XauthStatus);
  REQUIRE(status);
  REQUIRE_MESSAGE(status->as_u32() == 1u, "Xauth refused\nlog:\n" << h.log.text());
  return h.feed(c.p2->ack(*set));
}

std::vector<Datagram> after_pull_window(Phase2Harness& h) {
  h.advance(h.pull_window - Seconds(1));
  REQUIRE_MESSAGE(h.tick().empty(), "sent before the pull window was over");
  h.advance(Seconds(1));
  return h.tick();
}

Phase2Initiator::Transaction mode_config_request(Phase2Harness& h, Client& c, const std::vector<uint16_t>& types,
                                                 uint32_t message_id) {
  AttributePayload a;
  a.type = cfg_type::Request;
  a.identifier = 0x1234;
  for (uint16_t t : types) a.attributes.push_back(DataAttribute::tlv(t, {}));
  auto sent = to_client(h.feed(c.p2->transaction(message_id, a)), c);
  REQUIRE_MESSAGE(!sent.empty(), "mode-config REQUEST not answered\nlog:\n" << h.log.text());
  auto reply = c.p2->open_transaction(sent[0]);
  REQUIRE_MESSAGE(reply, c.p2->error());
  CHECK(reply->attributes.type == cfg_type::Reply);
  CHECK(reply->attributes.identifier == 0x1234);
  CHECK(reply->message_id() == message_id);
  return *reply;
}

// What the responder sent to this client (a newer login of the same user also deletes the older client's SA).
std::vector<Datagram> to_client(const std::vector<Datagram>& sent, const Client& c) {
  std::vector<Datagram> out;
  for (const auto& d : sent)
    if (d.to == c.p2->self()) out.push_back(d);
  return out;
}

std::optional<Ipv4> address_in(const AttributePayload& a) {
  const auto* x = a.find(cfg_attr::InternalIp4Address);
  if (!x || x->basic || x->data.size() != 4) return std::nullopt;
  return Ipv4::from_bytes(x->data.data());
}

Ipv4 main_mode_with_address(Phase2Harness& h, Client& c, const std::string& user, const std::string& password) {
  auto extra = run_main_mode(h, c);
  REQUIRE_MESSAGE(extra.size() == 1, "MM5 should bring MM6 and the Xauth REQUEST\nlog:\n" << h.log.text());
  CHECK(to_client(xauth_login(h, c, extra[0], user, password), c).empty());  // it may pull first
  auto after_ack = to_client(after_pull_window(h), c);
  REQUIRE_MESSAGE(after_ack.size() == 1, "no mode-config SET after the pull window\nlog:\n" << h.log.text());
  auto set = c.p2->open_transaction(after_ack[0]);
  REQUIRE_MESSAGE(set, c.p2->error());
  REQUIRE(set->attributes.type == cfg_type::Set);
  auto address = address_in(set->attributes);
  REQUIRE(address);
  CHECK(h.feed(c.p2->ack(*set)).empty());
  return *address;
}

Phase2Initiator::Qm2 quick_mode(Phase2Harness& h, Client& c, Ipv4 client_address, uint32_t spi, uint32_t message_id) {
  Phase2Initiator::QuickModeOffer offer;
  offer.message_id = message_id;
  offer.proposals = {esp_proposal(1, spi, {})};
  offer.idci = ipv4_id(client_address.str().c_str());
  offer.idcr = subnet_id("10.21.1.0", "255.255.255.0");
  auto qm2 = c.p2->take_qm2(h.one(c.p2->qm1(offer)));
  REQUIRE_MESSAGE(qm2, c.p2->error());
  const size_t before = h.kernel.count_calls("add_sa");
  CHECK(h.feed(c.p2->qm3()).empty());
  REQUIRE_MESSAGE(h.kernel.count_calls("add_sa") == before + 2, "QM3 did not install the SAs\nlog:\n" << h.log.text());
  return *qm2;
}

}  // namespace ravpn::ike::test
