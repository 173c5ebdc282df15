#include "handshake.hpp"

#include <algorithm>

namespace ravpn::loadgen {

namespace {

Bytes be32(uint32_t v) { return {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)}; }

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

ike::IdPayload ipv4_id(Ipv4 a) {
  auto b = a.bytes();
  return ike::IdPayload{ike::id_type::Ipv4Addr, 0, 0, Bytes(b.begin(), b.end())};
}

ike::IdPayload any_subnet() { return ike::IdPayload{ike::id_type::Ipv4AddrSubnet, 0, 0, Bytes(8, 0)}; }

// RFC 2407 §4.5, attributes in the Cisco client's order: auth, encapsulation, life, key length.
ike::Proposal esp_proposal(uint32_t spi, const Suite& s, uint32_t life) {
  ike::Transform t;
  t.number = 1;
  t.id = s.esp_id;
  t.attributes.push_back(ike::DataAttribute::tv(ike::ipsec_attr::AuthenticationAlgorithm, s.esp_auth));
  t.attributes.push_back(ike::DataAttribute::tv(ike::ipsec_attr::EncapsulationMode, ike::encaps::Tunnel));
  t.attributes.push_back(ike::DataAttribute::tv(ike::ipsec_attr::SaLifeType, ike::life_type::Seconds));
  t.attributes.push_back(ike::DataAttribute::tlv(ike::ipsec_attr::SaLifeDuration, be32(life)));
  if (s.esp_key_bits) t.attributes.push_back(ike::DataAttribute::tv(ike::ipsec_attr::KeyLength, s.esp_key_bits));
  ike::Proposal p;
  p.number = 1;
  p.protocol = ike::ProtocolId::IpsecEsp;
  p.spi = be32(spi);
  p.transforms.push_back(std::move(t));
  return p;
}

std::optional<Ipv4> address_in(const AttributePayload& a) {
  const auto* x = a.find(ike::cfg_attr::InternalIp4Address);
  if (!x || x->basic || x->data.size() != 4) return std::nullopt;
  return Ipv4::from_bytes(x->data.data());
}

// ACK of a SET: the same identifier, the attribute types without values (draft-dukes-ike-mode-cfg-02 §3.3).
AttributePayload ack_of(const AttributePayload& set) {
  AttributePayload a;
  a.type = ike::cfg_type::Ack;
  a.identifier = set.identifier;
  for (const auto& x : set.attributes)
    a.attributes.push_back(x.basic ? ike::DataAttribute::tv(x.type, x.value) : ike::DataAttribute::tlv(x.type, {}));
  return a;
}

// strongSwan's charon answers with the transform it rebuilt from its own proposal: the same algorithms, its own
// attribute order and life. The scripted initiator insists on the transform exactly as offered (what ravpnd does),
// so a phase 1 answer whose one transform means the same as ours is rewritten to carry ours. Nothing hashed
// changes: HASH_I/HASH_R cover the initiator's SA (SAi_b), not the responder's (RFC 2409 §5).
std::optional<Bytes> with_our_transform(ByteView datagram, const ike::Transform& ours) {
  auto m = ike::parse_message(datagram);
  if (!m) return std::nullopt;
  std::vector<ike::PayloadBody> payloads;
  bool rewritten = false;
  for (const auto& p : m->chain.payloads) {
    payloads.push_back(p.body);
    auto* sa = std::get_if<ike::SaPayload>(&payloads.back());
    if (!sa || sa->proposals.size() != 1 || sa->proposals[0].transforms.size() != 1) continue;
    ike::Transform& theirs = sa->proposals[0].transforms[0];
    if (theirs == ours) return std::nullopt;  // as offered: nothing to do
    for (uint16_t type : {ike::ike_attr::EncryptionAlgorithm, ike::ike_attr::HashAlgorithm,
                          ike::ike_attr::AuthenticationMethod, ike::ike_attr::GroupDescription,
                          ike::ike_attr::KeyLength}) {
      const auto* a = theirs.find(type);
      const auto* b = ours.find(type);
      if (bool(a) != bool(b) || (a && a->as_u32() != b->as_u32())) return std::nullopt;
    }
    theirs = ours;
    rewritten = true;
  }
  if (!rewritten) return std::nullopt;
  return ike::serialize_message(m->header, payloads);
}

}  // namespace

std::optional<Suite> parse_suite(std::string_view name) {
  Suite s;
  if (name == "aes256-sha1") return s;
  if (name == "aes128-sha1") {
    s.ike_key_bits = s.esp_key_bits = 128;
    return s;
  }
  const bool md5 = name.ends_with("-md5");
  if (!md5 && !name.ends_with("-sha1")) return std::nullopt;
  s.ike_hash = md5 ? ike::ike_hash::Md5 : ike::ike_hash::Sha1;
  s.esp_auth = md5 ? ike::ipsec_auth::HmacMd5 : ike::ipsec_auth::HmacSha1;
  s.ike_key_bits = s.esp_key_bits = 0;
  if (name.starts_with("3des-")) {
    s.ike_enc = ike::ike_enc::TripleDes;
    s.esp_id = ike::esp_id::TripleDes;
  } else if (name.starts_with("des-")) {
    s.ike_enc = ike::ike_enc::Des;
    s.esp_id = ike::esp_id::Des;
  } else {
    return std::nullopt;
  }
  return s;
}

const char* phase_name(size_t phase) {
  static constexpr const char* names[kPhases] = {"phase1", "xauth", "modecfg", "quickmode"};
  return phase < kPhases ? names[phase] : "?";
}

Handshake::Handshake(HandshakeSpec spec, uint64_t seed)
    : spec_(std::move(spec)), rng_(crypto::make_deterministic_rng(seed ^ 0x5bd1e995u)) {
  ike::test::TransformSpec t;
  t.enc = spec_.suite.ike_enc;
  t.hash = spec_.suite.ike_hash;
  t.auth = spec_.auth;
  t.group = uint16_t(spec_.dh_group);
  if (spec_.suite.ike_key_bits) t.key_length = spec_.suite.ike_key_bits;
  t.life_seconds = spec_.life_seconds;
  options_.self = spec_.self;
  options_.responder = spec_.responder;
  options_.psk = spec_.psk;
  options_.transforms = {ike::test::make_transform(1, t)};
  options_.ke_group = spec_.dh_group;
  options_.seed = seed;
  if (spec_.exchange == Exchange::Aggressive) {
    options_.id = ike::IdPayload{ike::id_type::KeyId, 17, 500, Bytes(spec_.group_name.begin(), spec_.group_name.end())};
    options_.vendor_ids = {ike::test::vid::xauth(), ike::test::vid::dpd(), ike::test::vid::unity()};
  } else {
    options_.vendor_ids = {ike::test::vid::xauth(), ike::test::vid::dpd()};  // VPN Client 1.1: no Unity
  }
  ini_ = std::make_unique<ike::test::Initiator>(options_);
  do spi_ = new_message_id();
  while (spi_ < 256);  // RFC 2406 §2.1: SPIs 1-255 are reserved
}

Handshake::~Handshake() = default;

uint32_t Handshake::new_message_id() {
  uint32_t id = 0;
  while (id == 0) {
    auto b = rng_->bytes(4);
    id = uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3];
  }
  return id;
}

ike::Datagram Handshake::in(ByteView datagram) const {
  return ike::Datagram{spec_.responder, spec_.self, Bytes(datagram.begin(), datagram.end())};
}

void Handshake::fail(std::string reason) {
  if (finished()) return;
  failure_ = std::move(reason);
  state_ = State::Failed;
}

std::vector<Bytes> Handshake::failed(std::string reason) {
  fail(std::move(reason));
  return {};
}

void Handshake::phase_done(Phase p, Clock::time_point now) {
  phase_ms_[p] = ms_between(phase_started_, now);
  phase_started_ = now;
}

std::vector<Bytes> Handshake::start(Clock::time_point now) {
  started_ = phase_started_ = now;
  last_sent_ = {spec_.exchange == Exchange::Aggressive ? ini_->am1().data : ini_->mm1().data};
  return last_sent_;
}

std::vector<Bytes> Handshake::receive(ByteView datagram, Clock::time_point now) {
  if (finished()) return {};
  auto same = [&](const Bytes& b) { return std::equal(datagram.begin(), datagram.end(), b.begin(), b.end()); };
  if (!received_.empty() && same(received_.back())) return last_sent_;  // the responder repeated itself: ours was lost
  if (std::any_of(received_.begin(), received_.end(), same)) return {};  // an older repeat: crossed our answer
  auto h = ike::parse_header(datagram);
  if (!h) return {};  // not ISAKMP: not ours to judge
  if (h->initiator_cookie != ini_->icookie()) return {};
  const bool phase1_exchange =
      h->exchange == ike::ExchangeType::IdentityProtection || h->exchange == ike::ExchangeType::Aggressive;
  if (phase1_exchange && state_ != State::Phase1) return {};  // a late phase 1 retransmit
  if (received_.size() == 8) received_.erase(received_.begin());
  received_.emplace_back(datagram.begin(), datagram.end());
  std::vector<Bytes> out;
  if (h->exchange == ike::ExchangeType::Informational) {
    out = take_informational(*h, datagram);
  } else if (state_ == State::Phase1) {
    out = take_phase1(*h, datagram, now);
  } else if (h->exchange == ike::ExchangeType::Transaction && (state_ == State::Xauth || state_ == State::ModeConfig)) {
    out = take_transaction(*h, datagram, now);
  } else if (h->exchange == ike::ExchangeType::QuickMode && state_ == State::QuickMode) {
    out = take_qm2(*h, datagram, now);
  } else {
    return failed("unexpected exchange " + std::to_string(int(h->exchange)) + " in " +
                  phase_name(size_t(state_)));
  }
  if (!out.empty()) last_sent_ = out;
  return out;
}

std::vector<Bytes> Handshake::take_phase1(const Header& h, ByteView received, Clock::time_point now) {
  Bytes reply;
  std::optional<Bytes> normalised;
  if (h.exchange == ike::ExchangeType::Aggressive || (mm_step_ == 2 && !(h.flags & ike::flags::Encryption)))
    normalised = with_our_transform(received, options_.transforms[0]);
  ByteView datagram = normalised ? ByteView(*normalised) : received;
  if (spec_.exchange == Exchange::Aggressive) {
    if (!ini_->take_am2(in(datagram))) return failed("phase1: " + ini_->error());
    reply = ini_->am3(true).data;
  } else if (mm_step_ == 2) {
    if (!ini_->take_mm2(in(datagram))) return failed("phase1: " + ini_->error());
    mm_step_ = 4;
    return {ini_->mm3().data};
  } else if (mm_step_ == 4) {
    if (h.flags & ike::flags::Encryption) return {};  // an MM6 before MM4: reordered, wait for the retransmit
    if (!ini_->take_mm4(in(datagram))) return failed("phase1: " + ini_->error());
    mm_step_ = 6;
    return {ini_->mm5(true).data};
  } else {
    if (!(h.flags & ike::flags::Encryption)) return {};  // a repeated MM4 (our MM5 crossed it)
    if (!ini_->take_mm6(in(datagram))) return failed("phase1: " + ini_->error());
  }
  p2_ = std::make_unique<Phase2Channel>(*ini_);
  phase_done(Phase1, now);
  state_ = State::Xauth;
  if (reply.empty()) return {};
  return {std::move(reply)};
}

std::vector<Bytes> Handshake::take_transaction(const Header& h, ByteView datagram, Clock::time_point now) {
  auto t = p2_->open_transaction(h, datagram);
  if (!t) return failed(std::string(phase_name(size_t(state_))) + ": " + p2_->error());
  const auto& a = t->attributes;
  if (state_ == State::Xauth) {
    if (a.type == ike::cfg_type::Request && a.find(ike::cfg_attr::XauthUserName)) {
      AttributePayload r;
      r.type = ike::cfg_type::Reply;
      r.identifier = a.identifier;
      if (a.find(ike::cfg_attr::XauthType)) r.attributes.push_back(ike::DataAttribute::tv(ike::cfg_attr::XauthType, 0));
      r.attributes.push_back(ike::DataAttribute::tlv(ike::cfg_attr::XauthUserName,
                                                      Bytes(spec_.user.begin(), spec_.user.end())));
      r.attributes.push_back(ike::DataAttribute::tlv(ike::cfg_attr::XauthUserPassword,
                                                      Bytes(spec_.password.begin(), spec_.password.end())));
      return {p2_->transaction(t->message_id, r)};
    }
    const auto* status = a.find(ike::cfg_attr::XauthStatus);
    if (a.type != ike::cfg_type::Set || !status) return failed("xauth: unexpected transaction");
    if (status->as_u32() != 1u) return failed("xauth: refused");
    std::vector<Bytes> out{p2_->transaction(t->message_id, ack_of(a))};
    phase_done(Xauth, now);
    state_ = State::ModeConfig;
    if (spec_.mode_config == ModeConfig::Pull) {
      AttributePayload r;
      r.type = ike::cfg_type::Request;
      r.identifier = uint16_t(new_message_id());
      for (uint16_t type : {ike::cfg_attr::InternalIp4Address, ike::cfg_attr::InternalIp4Netmask,
                            ike::cfg_attr::InternalIp4Dns})
        r.attributes.push_back(ike::DataAttribute::tlv(type, {}));
      modecfg_id_ = new_message_id();
      out.push_back(p2_->transaction(modecfg_id_, r));
    }
    return out;
  }
  // Mode-config: the REPLY to our REQUEST (pull) or the head-end's SET (push).
  std::vector<Bytes> out;
  if (spec_.mode_config == ModeConfig::Pull) {
    if (a.type != ike::cfg_type::Reply || t->message_id != modecfg_id_) return failed("modecfg: not the REPLY");
  } else {
    if (a.type != ike::cfg_type::Set) return failed("modecfg: not a SET");
    out.push_back(p2_->transaction(t->message_id, ack_of(a)));
  }
  address_ = address_in(a);
  if (!address_) return failed("modecfg: no address");
  phase_done(ModeCfg, now);
  auto qm = quick_mode_start(now);
  out.insert(out.end(), qm.begin(), qm.end());
  return out;
}

std::vector<Bytes> Handshake::quick_mode_start(Clock::time_point) {
  state_ = State::QuickMode;
  ike::SaPayload sa;
  sa.proposals.push_back(esp_proposal(spi_, spec_.suite, 28800));
  std::vector<ike::PayloadBody> payloads{sa, ipv4_id(*address_), any_subnet()};
  return {p2_->qm1(new_message_id(), payloads, rng_->bytes(20))};
}

std::vector<Bytes> Handshake::take_qm2(const Header& h, ByteView datagram, Clock::time_point now) {
  auto chain = p2_->open_qm2(h, datagram);
  if (!chain) return failed("quickmode: " + p2_->error());
  const auto* sa = chain->first_as<ike::SaPayload>();
  const auto* nonce = chain->first_as<ike::NoncePayload>();
  if (!sa || !nonce) return failed("quickmode: QM2 lacks SA or NONCE");
  if (sa->proposals.size() != 1 || sa->proposals[0].protocol != ike::ProtocolId::IpsecEsp ||
      sa->proposals[0].spi.size() != 4 || sa->proposals[0].transforms.size() != 1)
    return failed("quickmode: QM2 SA is not one ESP proposal");
  std::vector<Bytes> out{p2_->qm3(nonce->data)};
  phase_done(QuickMode, now);
  total_ms_ = ms_between(started_, now);
  state_ = State::Established;
  if (!spec_.hold) {
    auto d = deletes();
    out.insert(out.end(), d.begin(), d.end());
  }
  return out;
}

std::vector<Bytes> Handshake::deletes() {
  if (state_ != State::Established) return {};
  ike::DeletePayload esp;
  esp.protocol = ike::ProtocolId::IpsecEsp;
  esp.spi_size = 4;
  esp.spis.push_back(be32(spi_));  // RFC 2408 §3.15: the sender's own (inbound) SPI
  return {ini_->informational({esp}, new_message_id()).data, ini_->delete_isakmp(new_message_id()).data};
}

std::vector<Bytes> Handshake::take_informational(const Header& h, ByteView datagram) {
  if (!(h.flags & ike::flags::Encryption)) {
    // Only before keys exist may a notify come in the clear (RFC 2408 §5: e.g. NO-PROPOSAL-CHOSEN).
    auto m = ike::parse_message(datagram);
    if (!m) return {};
    if (const auto* n = m->chain.first_as<ike::NotifyPayload>(); n && n->type < 8192)
      return failed(std::string(phase_name(size_t(state_))) + ": notify " + std::to_string(n->type));
    return {};
  }
  auto chain = ini_->open_informational(in(datagram));
  if (!chain) return failed(std::string(phase_name(size_t(state_))) + ": " + ini_->error());
  if (chain->first(ike::PayloadType::Delete)) return failed(std::string(phase_name(size_t(state_))) + ": deleted by the responder");
  if (const auto* n = chain->first_as<ike::NotifyPayload>(); n && n->type < 8192)
    return failed(std::string(phase_name(size_t(state_))) + ": notify " + std::to_string(n->type));
  return {};  // DPD, INITIAL-CONTACT, lifetimes: nothing to do
}

}  // namespace ravpn::loadgen
