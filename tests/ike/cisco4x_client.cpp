#include "cisco4x_client.hpp"

#include <set>

namespace ravpn::ike::test::cisco4x {

// ---- what the 4.x client sends ----

std::vector<Transform> phase1_transforms() {
  using namespace ike_enc;
  using namespace ike_hash;
  constexpr uint16_t xa = ike_auth::XauthInitPreShared, psk = ike_auth::PreShared;
  // Trace: 1 3DES/SHA "extended auth pre-share", 2 3DES/MD5 Xauth, 3 3DES/SHA pre-share, 4 3DES/MD5 pre-share,
  // 5 DES/SHA Xauth, 6 DES/MD5 Xauth (accepted); then the DES pre-share pair.
  const uint16_t specs[8][3] = {{TripleDes, Sha1, xa}, {TripleDes, Md5, xa}, {TripleDes, Sha1, psk},
                                {TripleDes, Md5, psk}, {Des, Sha1, xa},      {Des, Md5, xa},
                                {Des, Sha1, psk},      {Des, Md5, psk}};
  std::vector<Transform> out;
  for (uint8_t i = 0; i < 8; ++i) {
    TransformSpec s;
    s.enc = specs[i][0];
    s.hash = specs[i][1];
    s.auth = specs[i][2];
    s.group = 2;
    s.life_seconds = kLifeSeconds;
    s.life_as_tlv4 = true;  // "life duration (VPI) of 0x0 0x20 0xc4 0x9b"
    out.push_back(make_transform(uint8_t(i + 1), s));
  }
  return out;
}

std::vector<Bytes> vendor_ids() { return {vid::xauth(), vid::dpd(), vid::unity()}; }

std::vector<uint16_t> mode_config_types() {
  using namespace cfg_attr;
  return {InternalIp4Address, InternalIp4Netmask, InternalIp4Dns,  InternalIp4Nbns, InternalAddressExpiry,
          ApplicationVersion, UnityBanner,        UnitySavePasswd, UnityDefDomain,  UnitySplitInclude,
          UnityPfs,           UnityFwType,        UnityNattPort};
}

namespace {

// IPComp (RFC 2393, RFC 2407 §4.4.5 IPCOMP_LZS) with its 2-octet CPI in the SPI field, ANDed with the ESP proposal
// of the same number, carrying the same encapsulation and life as the ESP transform.
Proposal ipcomp(uint8_t number, uint16_t cpi) {
  Proposal p = ipcomp_proposal(number, cpi);
  p.transforms[0].attributes.push_back(DataAttribute::tv(ipsec_attr::SaLifeType, life_type::Seconds));
  p.transforms[0].attributes.push_back(DataAttribute::tlv(ipsec_attr::SaLifeDuration, u32_bytes(kLifeSeconds)));
  return p;
}

}  // namespace

std::vector<Proposal> quick_mode_proposals(uint32_t spi, uint16_t cpi) {
  using namespace esp_id;
  using namespace ipsec_auth;
  auto esp = [&](uint8_t n, uint8_t id, uint16_t auth) { return esp_proposal(n, spi, esp_spec(id, auth, kLifeSeconds)); };
  // Trace: proposals 1, 2 and 6 "skipping next ANDED proposal"; 5 is acceptable as ESP, then "bad SPI size of 2
  // octets" (its IPComp part); 3, 4 and 7 are ESP alone.
  return {esp(1, TripleDes, HmacMd5), ipcomp(1, cpi), esp(2, TripleDes, HmacSha1), ipcomp(2, cpi),
          esp(3, TripleDes, HmacMd5), esp(4, TripleDes, HmacSha1), esp(5, Des, HmacMd5),
          ipcomp(5, cpi),             esp(6, Des, HmacSha1),       ipcomp(6, cpi),
          esp(7, Des, HmacMd5)};
}

InitiatorOptions initiator_options(Endpoint self, Endpoint gateway, const std::string& group, const std::string& key,
                                   uint64_t seed) {
  InitiatorOptions o;
  o.self = self;
  o.responder = gateway;
  o.psk = key;
  o.transforms = phase1_transforms();
  o.ke_group = 2;
  o.id = IdPayload{id_type::KeyId, 17, 500, Bytes(group.begin(), group.end())};
  o.vendor_ids = vendor_ids();
  o.seed = seed;
  return o;
}

std::string xfrm_cipher(uint8_t esp_transform) {
  switch (esp_transform) {
    case esp_id::Des: return "cbc(des)";
    case esp_id::TripleDes: return "cbc(des3_ede)";
    default: return "";
  }
}

std::string xfrm_auth(uint16_t auth) {
  switch (auth) {
    case ipsec_auth::HmacMd5: return "hmac(md5)";
    case ipsec_auth::HmacSha1: return "hmac(sha1)";
    default: return "";
  }
}

// ---- the login ----

Session::Session(LoginOptions o) : options(std::move(o)), ini(options.ike) {}

namespace {

enum class Take { Ignore, Done, Fail };

size_t cipher_key_bytes(uint8_t esp_transform) { return esp_transform == esp_id::TripleDes ? 24 : 8; }
size_t auth_key_bytes(uint16_t auth) { return auth == ipsec_auth::HmacSha1 ? 20 : 16; }

class Driver {
 public:
  Driver(Transport& t, Session& s, LoginResult& r) : t_(t), s_(s), r_(r) {}

  // Sends `d` and waits for a datagram that `take` finishes with; sends `d` again after each silent wait.
  template <class F>
  bool exchange(const Datagram& d, const std::string& what, F take) {
    for (int attempt = 0; attempt <= s_.options.retransmits; ++attempt) {
      t_.send(d);
      auto until = std::chrono::steady_clock::now() + s_.options.wait;
      for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        auto got = t_.receive(left);
        if (!got) break;
        if (!seen_.insert(got->data).second) continue;  // a retransmit of something already handled
        auto h = parse_header(got->data);
        if (!h || h->initiator_cookie != s_.ini.icookie()) continue;
        if (h->exchange == ExchangeType::Informational && refused(*got, what)) return false;
        switch (take(*got, *h)) {
          case Take::Done: return true;
          case Take::Fail: return false;
          case Take::Ignore: break;
        }
      }
    }
    return fail(what + ": no answer after " + std::to_string(s_.options.retransmits + 1) + " tries");
  }

  void send(const Datagram& d) { t_.send(d); }

  bool fail(std::string why) {
    if (r_.error.empty()) r_.error = std::move(why);
    return false;
  }
  void step(std::string line) { r_.steps.push_back(std::move(line)); }

 private:
  // A protected notify (NO-PROPOSAL-CHOSEN, INVALID-ID-INFORMATION, AUTHENTICATION-FAILED...) ends the login.
  bool refused(const Datagram& d, const std::string& what) {
    std::optional<PayloadChain> chain;
    if (auto h = parse_header(d.data); h && !(h->flags & flags::Encryption)) {
      if (auto m = parse_message(d.data)) chain = std::move(m->chain);  // before phase 1 ends (answering AM1)
    } else if (!s_.ini.rcookie().is_zero()) {
      chain = s_.ini.open_informational(d);
    }
    if (!chain) return false;
    const auto* n = chain->first_as<NotifyPayload>();
    if (!n || n->type >= 8192) return false;  // RFC 2408 §3.14.1: below 8192 are errors
    return !fail(what + ": refused with notify " + std::to_string(n->type));
  }

  Transport& t_;
  Session& s_;
  LoginResult& r_;
  std::set<Bytes> seen_;
};

// AM1 -> AM2; builds AM3 (HASH_I, INITIAL-CONTACT) into `am3`, after which the phase 2 side has its keys.
bool phase1(Driver& drv, Session& s, LoginResult& r, Datagram& am3) {
  Datagram am2;
  bool ok = drv.exchange(s.ini.am1(), "aggressive mode", [&](const Datagram& d, const Header& h) {
    if (h.exchange != ExchangeType::Aggressive) return Take::Ignore;
    if (!s.ini.take_am2(d)) return drv.fail("AM2: " + s.ini.error()), Take::Fail;
    am2 = d;
    return Take::Done;
  });
  if (!ok) return false;
  r.phase1_transform = s.ini.chosen().number;
  r.responder_vendor_ids = s.ini.received_vendor_ids();
  drv.step("aggressive mode: the head-end chose transform " + std::to_string(r.phase1_transform));
  am3 = s.ini.am3(true, true);
  s.p2 = std::make_unique<Phase2Initiator>(s.ini, s.options.ike, am2);
  if (!s.p2->ok()) return drv.fail("phase 2 keys: " + s.p2->error());
  return true;
}

bool is_transaction(const Header& h) { return h.exchange == ExchangeType::Transaction; }

bool xauth(Driver& drv, Session& s, const Datagram& am3) {
  Phase2Initiator& p2 = *s.p2;
  std::optional<Phase2Initiator::Transaction> request;
  bool ok = drv.exchange(am3, "Xauth REQUEST after AM3", [&](const Datagram& d, const Header& h) {
    if (!is_transaction(h)) return Take::Ignore;
    auto t = p2.open_transaction(d);
    if (!t || t->attributes.type != cfg_type::Request || !t->attributes.find(cfg_attr::XauthUserName))
      return Take::Ignore;
    request = *t;
    return Take::Done;
  });
  if (!ok) return false;
  drv.step("Xauth: REQUEST, message ID " + std::to_string(request->message_id()));
  std::optional<Phase2Initiator::Transaction> set;
  ok = drv.exchange(p2.xauth_reply(*request, s.options.user, s.options.password), "Xauth status",
                    [&](const Datagram& d, const Header& h) {
                      if (!is_transaction(h)) return Take::Ignore;
                      auto t = p2.open_transaction(d);  // the status may come under any message ID
                      if (t && t->attributes.type == cfg_type::Request)  // asked again: the password was refused
                        return drv.fail("Xauth: the head-end refused the password and asks again"), Take::Fail;
                      if (!t || t->attributes.type != cfg_type::Set) return Take::Ignore;
                      set = *t;
                      return Take::Done;
                    });
  if (!ok) return false;
  const auto* status = set->attributes.find(cfg_attr::XauthStatus);
  if (!status || status->as_u32() != 1u) return drv.fail("Xauth: the head-end refused the user");
  drv.step("Xauth: status OK, message ID " + std::to_string(set->message_id()) + "; ACK");
  // The ACK ends the transaction; nothing answers it.
  drv.send(p2.ack(*set));
  return true;
}

bool mode_config(Driver& drv, Session& s, LoginResult& r) {
  Phase2Initiator& p2 = *s.p2;
  AttributePayload a;
  a.type = cfg_type::Request;
  a.identifier = uint16_t(s.options.ike.seed * 7919 + 1);
  // The trace prints the types only; a REQUEST's attributes carry no values (draft-dukes-ike-mode-cfg-02 §3.2).
  for (uint16_t t : mode_config_types()) a.attributes.push_back(DataAttribute::tlv(t, {}));
  const uint32_t mid = uint32_t(0x6c2e0000u | (s.options.ike.seed & 0xffff)) | 1u;
  bool ok = drv.exchange(p2.transaction(mid, a), "mode-config REPLY", [&](const Datagram& d, const Header& h) {
    if (!is_transaction(h)) return Take::Ignore;
    auto t = p2.open_transaction(d);
    if (!t) return Take::Ignore;
    if (t->attributes.type == cfg_type::Set) return Take::Ignore;  // a push we did not ask for: not ours to take
    if (t->message_id() != mid || t->attributes.type != cfg_type::Reply) return Take::Ignore;
    r.mode_config_reply = t->attributes;
    return Take::Done;
  });
  if (!ok) return false;
  const auto* x = r.mode_config_reply.find(cfg_attr::InternalIp4Address);
  if (!x || x->basic || x->data.size() != 4) return drv.fail("mode-config REPLY without INTERNAL_IP4_ADDRESS");
  r.address = Ipv4::from_bytes(x->data.data());
  drv.step("mode-config: address " + r.address->str() + ", " + std::to_string(r.mode_config_reply.attributes.size()) +
           " attributes");
  return true;
}

std::optional<Ipv4Net> net_of(const IdPayload& id) {
  if (id.type == id_type::Ipv4Addr && id.data.size() == 4)
    return Ipv4Net{Ipv4::from_bytes(id.data.data()), Ipv4{0xffffffffu}};
  if (id.type == id_type::Ipv4AddrSubnet && id.data.size() == 8)
    return Ipv4Net{Ipv4::from_bytes(id.data.data()), Ipv4::from_bytes(id.data.data() + 4)};
  return std::nullopt;
}

bool quick_mode(Driver& drv, Session& s, LoginResult& r, const IdPayload& idcr, uint32_t spi, uint32_t mid) {
  Phase2Initiator& p2 = *s.p2;
  Phase2Initiator::QuickModeOffer offer;
  offer.message_id = mid;
  offer.proposals = quick_mode_proposals(spi);
  offer.idci = ipv4_id(r.address->str().c_str());
  offer.idcr = idcr;
  const std::string what = "quick mode " + std::to_string(mid);
  std::optional<Phase2Initiator::Qm2> qm2;
  bool ok = drv.exchange(p2.qm1(offer), what, [&](const Datagram& d, const Header& h) {
    if (h.exchange != ExchangeType::QuickMode || h.message_id.value != mid) return Take::Ignore;
    qm2 = p2.take_qm2(d);
    if (!qm2) return drv.fail(what + ": " + p2.error()), Take::Fail;
    return Take::Done;
  });
  if (!ok) return false;
  if (qm2->sa.proposals.size() != 1 || qm2->sa.proposals[0].transforms.size() != 1 ||
      qm2->sa.proposals[0].protocol != ProtocolId::IpsecEsp || qm2->sa.proposals[0].spi.size() != 4)
    return drv.fail(what + ": QM2 must carry one ESP proposal with one transform");
  if (qm2->ids.size() != 2 || qm2->ids[0] != *offer.idci || qm2->ids[1] != idcr)
    return drv.fail(what + ": QM2 does not return our proxy IDs");
  const Proposal& p = qm2->sa.proposals[0];
  SaPair pair;
  pair.remote = *net_of(idcr);
  pair.proposal = p.number;
  pair.esp_transform = p.transforms[0].id;
  const auto* auth = p.transforms[0].find(ipsec_attr::AuthenticationAlgorithm);
  pair.auth = auth ? uint16_t(auth->as_u32().value_or(0)) : 0;
  if (xfrm_cipher(pair.esp_transform).empty() || xfrm_auth(pair.auth).empty())
    return drv.fail(what + ": the head-end chose a transform the 4.x client did not offer");
  pair.spi_in = spi;
  pair.spi_out = uint32_t(p.spi[0]) << 24 | uint32_t(p.spi[1]) << 16 | uint32_t(p.spi[2]) << 8 | p.spi[3];
  for (const auto& n : qm2->notifies) pair.responder_lifetime |= n.type == notify::ResponderLifetime;
  const size_t enc = cipher_key_bytes(pair.esp_transform), mac = auth_key_bytes(pair.auth);
  auto split = [&](uint32_t for_spi, crypto::SecretBytes& e, crypto::SecretBytes& a) {
    auto km = p2.keymat(for_spi, enc + mac);  // RFC 2401 convention: cipher key, then the integrity key
    e.assign(km.begin(), km.begin() + long(enc));
    a.assign(km.begin() + long(enc), km.end());
  };
  split(pair.spi_in, pair.enc_in, pair.auth_in);
  split(pair.spi_out, pair.enc_out, pair.auth_out);
  // QM3 ends the exchange; nothing answers it (no commit bit).
  drv.send(p2.qm3());
  drv.step(what + ": proposal " + std::to_string(p.number) + " for " + r.address->str() + " <-> " +
           pair.remote.str());
  r.pairs.push_back(std::move(pair));
  return true;
}

}  // namespace

LoginResult login(Transport& t, Session& s) {
  LoginResult r;
  Driver drv(t, s, r);
  Datagram am3;
  if (!phase1(drv, s, r, am3) || !xauth(drv, s, am3) || !mode_config(drv, s, r)) return r;
  if (!s.options.quick_modes) return r;
  const Ipv4 gateway = s.options.ike.responder.address;
  if (!quick_mode(drv, s, r, ipv4_id(gateway.str().c_str()), kGatewaySpi, kGatewayQmId)) return r;
  quick_mode(drv, s, r, subnet_id("0.0.0.0", "0.0.0.0"), kAnySpi, kAnyQmId);
  return r;
}

}  // namespace ravpn::ike::test::cisco4x
