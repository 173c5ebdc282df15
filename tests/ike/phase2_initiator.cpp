#include "phase2_initiator.hpp"

#include <algorithm>
#include <initializer_list>

namespace ravpn::ike::test {
namespace {

Bytes cat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (auto p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

bool same(ByteView a, ByteView b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

}  // namespace

// ---- harness ----

PoolSet pools_of(const config::Config& config) {
  PoolSet pools;
  for (const auto& [name, p] : config.pools) pools.emplace(name, pool::AddressPool(name, p.ranges));
  return pools;
}

namespace {
ResponderServices services_for(ravpn::testing::FakeKernel& kernel, PoolSet& pools, xauth::Backend* xauth) {
  ResponderServices s;
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
      responder(config, *rng, *dh_rng, time, worker, log, sender, settings, services_for(kernel, pools, xauth.get())) {}

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

// ---- payload builders ----

IdPayload ipv4_id(const char* address) {
  auto a = ip(address).bytes();
  return IdPayload{id_type::Ipv4Addr, 0, 0, Bytes(a.begin(), a.end())};
}

IdPayload subnet_id(const char* address, const char* mask) {
  auto a = ip(address).bytes();
  auto m = ip(mask).bytes();
  Bytes data(a.begin(), a.end());
  data.insert(data.end(), m.begin(), m.end());
  return IdPayload{id_type::Ipv4AddrSubnet, 0, 0, data};
}

Bytes u32_bytes(uint32_t v) { return {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)}; }

uint32_t u32_of(ByteView b) {
  REQUIRE(b.size() == 4);
  return uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3];
}

Proposal esp_proposal(uint8_t number, uint32_t spi, const EspSpec& spec) {
  Transform t;
  t.number = 1;
  t.id = spec.transform_id;
  if (spec.auth) t.attributes.push_back(DataAttribute::tv(ipsec_attr::AuthenticationAlgorithm, spec.auth));
  t.attributes.push_back(DataAttribute::tv(ipsec_attr::EncapsulationMode, spec.encapsulation));
  if (spec.life_seconds) {
    t.attributes.push_back(DataAttribute::tv(ipsec_attr::SaLifeType, life_type::Seconds));
    t.attributes.push_back(DataAttribute::tlv(ipsec_attr::SaLifeDuration, u32_bytes(*spec.life_seconds)));
  }
  if (spec.group) t.attributes.push_back(DataAttribute::tv(ipsec_attr::GroupDescription, *spec.group));
  if (spec.key_bits) t.attributes.push_back(DataAttribute::tv(ipsec_attr::KeyLength, *spec.key_bits));
  Proposal p;
  p.number = number;
  p.protocol = ProtocolId::IpsecEsp;
  p.spi = u32_bytes(spi);
  p.transforms.push_back(std::move(t));
  return p;
}

Proposal ipcomp_proposal(uint8_t number, uint16_t cpi) {
  Transform t;
  t.number = 1;
  t.id = 3;  // IPCOMP_LZS (RFC 2407 §4.4.5)
  t.attributes.push_back(DataAttribute::tv(ipsec_attr::EncapsulationMode, encaps::Tunnel));
  Proposal p;
  p.number = number;
  p.protocol = ProtocolId::IpComp;
  p.spi = {uint8_t(cpi >> 8), uint8_t(cpi)};
  p.transforms.push_back(std::move(t));
  return p;
}

// ---- Phase2Initiator ----

Phase2Initiator::Phase2Initiator(const Initiator& ini, const InitiatorOptions& options, const Datagram& keying)
    : self_(ini.self()),
      responder_(options.responder),
      icookie_(ini.icookie()),
      rcookie_(ini.rcookie()),
      hash_(ini.hash_alg()),
      cipher_(ini.cipher()),
      enc_key_(ini.enc_key()),
      last_block_(ini.last_phase1_block()),
      rng_(crypto::make_deterministic_rng(options.seed ^ 0x5155494b4d4f4445ull)) {
  // The responder's g^xr and Nr, from MM4 or AM2 (both in the clear).
  auto msg = parse_message(keying.data);
  if (!msg) {
    fail("keying message does not parse: " + msg.error().what);
    return;
  }
  const auto* ke = msg->chain.first_as<KePayload>();
  const auto* nonce = msg->chain.first_as<NoncePayload>();
  if (!ke || !nonce) {
    fail("keying message lacks KE or NONCE");
    return;
  }
  // Replay the Initiator's RNG: mm1/am1 draw the cookie, mm3/am1 the DH key pair and then Ni.
  auto replay = crypto::make_deterministic_rng(options.seed);
  Cookie cookie;
  do replay->fill(cookie.bytes);
  while (cookie.is_zero());
  if (cookie != icookie_) {
    fail("RNG replay: CKY-I differs from the Initiator's");
    return;
  }
  auto dh = crypto::dh_generate(ini.dh_group(), *replay);
  Bytes ni = replay->bytes(options.nonce_size);
  auto g_xy = crypto::dh_shared_secret(dh, ke->data);
  if (!g_xy) {
    fail("responder's g^xr is invalid");
    return;
  }
  const Bytes psk(options.psk.begin(), options.psk.end());
  const Bytes zero{0}, one{1};
  auto skeyid = crypto::prf(hash_, psk, cat({ni, nonce->data}));
  skeyid_d_ = crypto::prf(hash_, skeyid, cat({*g_xy, icookie_.bytes, rcookie_.bytes, zero}));
  skeyid_a_ = crypto::prf(hash_, skeyid, cat({skeyid_d_, *g_xy, icookie_.bytes, rcookie_.bytes, one}));
  if (!same(skeyid_a_, ini.skeyid_a())) fail("RNG replay: SKEYID_a differs from the Initiator's");
  if (last_block_.empty()) fail("phase 1 has not finished (no last CBC block)");
}

bool Phase2Initiator::fail(std::string why) {
  error_ = std::move(why);
  return false;
}

Header Phase2Initiator::header(ExchangeType exchange, uint32_t message_id) const {
  Header h;
  h.initiator_cookie = icookie_;
  h.responder_cookie = rcookie_;
  h.exchange = exchange;
  h.message_id = MessageId{message_id};
  return h;
}

Bytes& Phase2Initiator::iv_for(uint32_t message_id) {
  auto it = ivs_.find(message_id);
  if (it == ivs_.end()) {
    Bytes iv = crypto::hash(hash_, cat({last_block_, u32_bytes(message_id)}));
    iv.resize(crypto::cipher_block_size(cipher_));
    it = ivs_.emplace(message_id, std::move(iv)).first;
  }
  return it->second;
}

SerializedChain Phase2Initiator::with_hash(ByteView hash, const SerializedChain& rest) {
  SerializedChain chain;
  chain.first = PayloadType::Hash;
  const size_t len = kGenericHeaderSize + hash.size();
  chain.bytes = {uint8_t(rest.first), 0, uint8_t(len >> 8), uint8_t(len)};
  chain.bytes.insert(chain.bytes.end(), hash.begin(), hash.end());
  chain.bytes.insert(chain.bytes.end(), rest.bytes.begin(), rest.bytes.end());
  return chain;
}

Datagram Phase2Initiator::seal(Header h, const SerializedChain& chain) {
  return Datagram{self_, responder_, seal_with(cipher_, enc_key_, h, chain, iv_for(h.message_id.value))};
}

std::optional<PayloadChain> Phase2Initiator::open(const Header& h, ByteView datagram) {
  const size_t block = crypto::cipher_block_size(cipher_);
  if (!(h.flags & flags::Encryption)) return fail("message is not encrypted"), std::nullopt;
  if (h.initiator_cookie != icookie_ || h.responder_cookie != rcookie_) return fail("other cookies"), std::nullopt;
  ByteView body = datagram.subspan(kHeaderSize);
  if (body.empty() || body.size() % block) return fail("encrypted body is not whole blocks"), std::nullopt;
  Bytes& iv = iv_for(h.message_id.value);
  auto plain = crypto::cbc_decrypt(cipher_, enc_key_, iv, body);
  if (!plain) return fail("decryption failed"), std::nullopt;
  auto chain = parse_payload_chain(h.next_payload, std::move(*plain), true);
  if (!chain) return fail("decrypted chain does not parse: " + chain.error().what), std::nullopt;
  iv.assign(body.end() - long(block), body.end());
  return std::move(*chain);
}

std::optional<Phase2Initiator::Transaction> Phase2Initiator::open_transaction(const Datagram& d) {
  auto h = parse_header(d.data);
  if (!h) return fail("transaction header: " + h.error().what), std::nullopt;
  if (h->exchange != ExchangeType::Transaction) return fail("not a transaction exchange"), std::nullopt;
  if (h->message_id.value == 0) return fail("transaction with message ID 0"), std::nullopt;
  if (d.from != responder_ || d.to != self_) return fail("transaction between the wrong endpoints"), std::nullopt;
  auto chain = open(*h, d.data);
  if (!chain) return std::nullopt;
  if (chain->payloads.size() != 2 || chain->payloads[0].type != PayloadType::Hash ||
      chain->payloads[1].type != PayloadType::Attribute)
    return fail("transaction is not HASH, ATTR"), std::nullopt;
  const auto& first = chain->payloads[0];
  const size_t rest_begin = first.offset + first.length;
  ByteView rest = ByteView(chain->bytes).subspan(rest_begin, chain->end - rest_begin);
  auto expected = crypto::prf(hash_, skeyid_a_, cat({u32_bytes(h->message_id.value), rest}));
  if (!same(expected, std::get<HashPayload>(first.body).data)) return fail("transaction HASH does not verify"), std::nullopt;
  return Transaction{*h, std::get<AttributePayload>(chain->payloads[1].body)};
}

Datagram Phase2Initiator::transaction(uint32_t message_id, const AttributePayload& attributes) {
  SerializedChain rest = serialize_payloads({attributes});
  auto hash = crypto::prf(hash_, skeyid_a_, cat({u32_bytes(message_id), rest.bytes}));
  return seal(header(ExchangeType::Transaction, message_id), with_hash(hash, rest));
}

Datagram Phase2Initiator::xauth_reply(const Transaction& request, const std::string& user, const std::string& password) {
  AttributePayload a;
  a.type = cfg_type::Reply;
  a.identifier = request.attributes.identifier;
  a.attributes.push_back(DataAttribute::tv(cfg_attr::XauthType, 0));
  a.attributes.push_back(DataAttribute::tlv(cfg_attr::XauthUserName, Bytes(user.begin(), user.end())));
  a.attributes.push_back(DataAttribute::tlv(cfg_attr::XauthUserPassword, Bytes(password.begin(), password.end())));
  return transaction(request.message_id(), a);
}

Datagram Phase2Initiator::ack(const Transaction& set) {
  AttributePayload a;
  a.type = cfg_type::Ack;
  a.identifier = set.attributes.identifier;
  for (const auto& x : set.attributes.attributes)
    a.attributes.push_back(x.basic ? DataAttribute::tv(x.type, x.value) : DataAttribute::tlv(x.type, {}));
  return transaction(set.message_id(), a);
}

Datagram Phase2Initiator::qm1(const QuickModeOffer& offer) {
  qm_id_ = offer.message_id;
  ni_ = rng_->bytes(20);
  nr_.clear();
  g_qm_xy_.clear();
  qm_dh_.reset();
  SaPayload sa;
  sa.proposals = offer.proposals;
  std::vector<PayloadBody> payloads{sa, NoncePayload{ni_}};
  if (offer.pfs_group) {
    qm_dh_ = crypto::dh_generate(*offer.pfs_group, *rng_);
    payloads.push_back(KePayload{qm_dh_->public_value});
  }
  if (offer.idci) payloads.push_back(*offer.idci);
  if (offer.idcr) payloads.push_back(*offer.idcr);
  SerializedChain rest = serialize_payloads(payloads);
  // HASH(1) = prf(SKEYID_a, M-ID | SA | Ni [ | KE ] [ | IDci | IDcr ])
  auto h1 = crypto::prf(hash_, skeyid_a_, cat({u32_bytes(qm_id_), rest.bytes}));
  Header h = header(ExchangeType::QuickMode, qm_id_);
  if (offer.commit) h.flags |= flags::Commit;
  return seal(h, with_hash(h1, rest));
}

std::optional<Phase2Initiator::Qm2> Phase2Initiator::take_qm2(const Datagram& d) {
  auto h = parse_header(d.data);
  if (!h) return fail("QM2 header: " + h.error().what), std::nullopt;
  if (h->exchange != ExchangeType::QuickMode || h->message_id.value != qm_id_)
    return fail("not QM2 of this exchange"), std::nullopt;
  auto chain = open(*h, d.data);
  if (!chain) return std::nullopt;
  if (chain->payloads.empty() || chain->payloads[0].type != PayloadType::Hash)
    return fail("QM2 does not start with HASH(2)"), std::nullopt;
  const auto& first = chain->payloads[0];
  const size_t rest_begin = first.offset + first.length;
  ByteView rest = ByteView(chain->bytes).subspan(rest_begin, chain->end - rest_begin);
  // HASH(2) = prf(SKEYID_a, M-ID | Ni_b | SA | Nr [ | KE ] [ | IDci | IDcr ])
  auto expected = crypto::prf(hash_, skeyid_a_, cat({u32_bytes(qm_id_), ni_, rest}));
  if (!same(expected, std::get<HashPayload>(first.body).data)) return fail("QM2 HASH(2) does not verify"), std::nullopt;
  Qm2 out;
  const auto* sa = chain->first_as<SaPayload>();
  const auto* nonce = chain->first_as<NoncePayload>();
  if (!sa || !nonce) return fail("QM2 lacks SA or NONCE"), std::nullopt;
  out.sa = *sa;
  out.nr = nonce->data;
  nr_ = nonce->data;
  if (const auto* ke = chain->first_as<KePayload>()) {
    out.ke = ke->data;
    if (!qm_dh_) return fail("QM2 carries KE without PFS asked"), std::nullopt;
    auto shared = crypto::dh_shared_secret(*qm_dh_, ke->data);
    if (!shared) return fail("QM2 KE is invalid"), std::nullopt;
    g_qm_xy_ = *shared;
  } else if (qm_dh_) {
    return fail("QM2 lacks the KE PFS needs"), std::nullopt;
  }
  for (const auto* id : chain->all(PayloadType::ID)) out.ids.push_back(std::get<IdPayload>(id->body));
  for (const auto* n : chain->all(PayloadType::Notify)) out.notifies.push_back(std::get<NotifyPayload>(n->body));
  return out;
}

Datagram Phase2Initiator::qm3() {
  const Bytes zero{0};
  auto h3 = crypto::prf(hash_, skeyid_a_, cat({zero, u32_bytes(qm_id_), ni_, nr_}));
  SerializedChain none;
  none.first = PayloadType::None;
  return seal(header(ExchangeType::QuickMode, qm_id_), with_hash(h3, none));
}

crypto::SecretBytes Phase2Initiator::keymat(uint32_t spi, size_t length) const {
  // K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b), Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] ...)
  const Bytes protocol{uint8_t(ProtocolId::IpsecEsp)};
  const Bytes spi_b = u32_bytes(spi);
  crypto::SecretBytes out, k;
  while (out.size() < length) {
    k = crypto::prf(hash_, skeyid_d_, cat({k, g_qm_xy_, protocol, spi_b, ni_, nr_}));
    out.insert(out.end(), k.begin(), k.end());
  }
  out.resize(length);
  return out;
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
  auto last = h.feed(ini.mm5(true));
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
  CHECK(set->message_id() == req.message_id());  // one transaction exchange: REQUEST/REPLY/SET/ACK
  const auto* status = set->attributes.find(cfg_attr::XauthStatus);
  REQUIRE(status);
  REQUIRE_MESSAGE(status->as_u32() == 1u, "Xauth refused\nlog:\n" << h.log.text());
  return h.feed(c.p2->ack(*set));
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
  auto after_ack = to_client(xauth_login(h, c, extra[0], user, password), c);
  REQUIRE_MESSAGE(after_ack.size() == 1, "no mode-config SET after the Xauth ACK\nlog:\n" << h.log.text());
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
