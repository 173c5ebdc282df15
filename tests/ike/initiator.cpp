#include "initiator.hpp"

#include <algorithm>
#include <initializer_list>
#include <stdexcept>

namespace ravpn::ike::test {

Bytes from_hex(std::string_view hex) {
  auto nibble = [](char c) -> uint8_t {
    if (c >= '0' && c <= '9') return uint8_t(c - '0');
    if (c >= 'a' && c <= 'f') return uint8_t(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return uint8_t(c - 'A' + 10);
    throw std::invalid_argument("bad hex");
  };
  Bytes out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(uint8_t(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  return out;
}

std::string to_hex(ByteView bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  for (uint8_t b : bytes) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

Ipv4 ip(const char* dotted) {
  auto a = Ipv4::parse(dotted);
  if (!a) throw std::invalid_argument(std::string("bad address ") + dotted);
  return *a;
}

Transform make_transform(uint8_t number, const TransformSpec& s) {
  Transform t;
  t.number = number;
  t.id = 1;  // KEY_IKE (RFC 2407 §4.4.2)
  t.attributes.push_back(DataAttribute::tv(ike_attr::EncryptionAlgorithm, s.enc));
  t.attributes.push_back(DataAttribute::tv(ike_attr::HashAlgorithm, s.hash));
  t.attributes.push_back(DataAttribute::tv(ike_attr::GroupDescription, s.group));
  t.attributes.push_back(DataAttribute::tv(ike_attr::AuthenticationMethod, s.auth));
  if (s.key_length) t.attributes.push_back(DataAttribute::tv(ike_attr::KeyLength, *s.key_length));
  if (s.life_seconds) {
    t.attributes.push_back(DataAttribute::tv(ike_attr::LifeType, life_type::Seconds));
    const uint32_t v = *s.life_seconds;
    if (s.life_as_tlv4)
      t.attributes.push_back(DataAttribute::tlv(ike_attr::LifeDuration, Bytes{uint8_t(v >> 24), uint8_t(v >> 16),
                                                                              uint8_t(v >> 8), uint8_t(v)}));
    else
      t.attributes.push_back(DataAttribute::number(ike_attr::LifeDuration, v));
  }
  return t;
}

namespace vid {
Bytes xauth() { return from_hex("09002689dfd6b712"); }
Bytes unity() { return from_hex("12f5f28c457168a9702d9fe274cc0100"); }
Bytes dpd() { return from_hex("afcad71368a1f1c96b8696fc77570100"); }
Bytes natt_rfc3947() { return from_hex("4a131c81070358455c5728f20e95452f"); }
}  // namespace vid

namespace {

Bytes cat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (auto p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes mid_bytes(uint32_t id) { return {uint8_t(id >> 24), uint8_t(id >> 16), uint8_t(id >> 8), uint8_t(id)}; }

std::optional<uint32_t> attr(const Transform& t, uint16_t type) {
  const auto* a = t.find(type);
  if (!a) return std::nullopt;
  return a->as_u32();
}

}  // namespace

Initiator::Initiator(InitiatorOptions options)
    : o_(std::move(options)), rng_(crypto::make_deterministic_rng(o_.seed)) {}

bool Initiator::fail(std::string why) {
  error_ = std::move(why);
  return false;
}

void Initiator::float_to(Endpoint self, Endpoint responder) {
  o_.self = self;
  o_.responder = responder;
}

Header Initiator::header(ExchangeType exchange, uint32_t message_id) const {
  Header h;
  h.initiator_cookie = icookie_;
  h.responder_cookie = rcookie_;
  h.exchange = exchange;
  h.message_id = MessageId{message_id};
  return h;
}

SaPayload Initiator::our_sa() const {
  SaPayload sa;
  Proposal p;
  p.number = 1;
  p.protocol = ProtocolId::Isakmp;
  p.transforms = o_.transforms;
  sa.proposals.push_back(p);
  return sa;
}

bool Initiator::take_chosen_sa(const SaPayload& sa) {
  // RFC 2409 §5: the responder answers with exactly one proposal holding the one transform it chose, unchanged.
  if (sa.proposals.size() != 1) return fail("responder SA has " + std::to_string(sa.proposals.size()) + " proposals");
  const Proposal& p = sa.proposals[0];
  if (p.protocol != ProtocolId::Isakmp || p.number != 1) return fail("responder SA: wrong proposal");
  if (p.transforms.size() != 1) return fail("responder SA must carry exactly one transform");
  const Transform& t = p.transforms[0];
  auto ours = std::find_if(o_.transforms.begin(), o_.transforms.end(),
                           [&](const Transform& x) { return x.number == t.number; });
  if (ours == o_.transforms.end() || !(*ours == t)) return fail("responder's transform is not one we offered as sent");
  chosen_ = t;
  auto enc = attr(t, ike_attr::EncryptionAlgorithm);
  auto hash = attr(t, ike_attr::HashAlgorithm);
  auto group = attr(t, ike_attr::GroupDescription);
  auto key_length = attr(t, ike_attr::KeyLength);
  if (!enc || !hash || !group) return fail("chosen transform lacks enc/hash/group");
  switch (*enc) {
    case ike_enc::Des: cipher_ = crypto::CipherAlg::Des; break;
    case ike_enc::TripleDes: cipher_ = crypto::CipherAlg::TripleDes; break;
    case ike_enc::Aes:
      if (key_length == 128u) cipher_ = crypto::CipherAlg::Aes128;
      else if (key_length == 192u) cipher_ = crypto::CipherAlg::Aes192;
      else if (key_length == 256u) cipher_ = crypto::CipherAlg::Aes256;
      else return fail("AES without a usable key length");
      break;
    default: return fail("unknown cipher " + std::to_string(*enc));
  }
  switch (*hash) {
    case ike_hash::Md5: hash_ = crypto::HashAlg::Md5; break;
    case ike_hash::Sha1: hash_ = crypto::HashAlg::Sha1; break;
    case ike_hash::Sha256: hash_ = crypto::HashAlg::Sha256; break;
    case ike_hash::Sha384: hash_ = crypto::HashAlg::Sha384; break;
    case ike_hash::Sha512: hash_ = crypto::HashAlg::Sha512; break;
    default: return fail("unknown hash " + std::to_string(*hash));
  }
  dh_group_ = int(*group);
  return true;
}

// RFC 2409 §5 (pre-shared keys) and appendix B, computed here from prf/hash only.
void Initiator::derive_keys() {
  auto g_xy = crypto::dh_shared_secret(dh_, g_xr_);
  if (!g_xy) throw std::runtime_error("initiator: responder's DH value is invalid");
  auto prf = [&](ByteView key, std::initializer_list<ByteView> parts) { return crypto::prf(hash_, key, cat(parts)); };
  const Bytes psk(o_.psk.begin(), o_.psk.end());
  const Bytes zero{0}, one{1}, two{2};
  ByteView ci = icookie_.bytes, cr = rcookie_.bytes;
  skeyid_ = prf(psk, {ni_, nr_});
  skeyid_d_ = prf(skeyid_, {*g_xy, ci, cr, zero});
  skeyid_a_ = prf(skeyid_, {skeyid_d_, *g_xy, ci, cr, one});
  skeyid_e_ = prf(skeyid_, {skeyid_a_, *g_xy, ci, cr, two});
  const size_t need = crypto::cipher_key_size(cipher_);
  if (skeyid_e_.size() >= need) {
    enc_key_.assign(skeyid_e_.begin(), skeyid_e_.begin() + long(need));
  } else {  // Ka = K1 | K2 | ..., K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1)
    enc_key_.clear();
    crypto::SecretBytes k = prf(skeyid_e_, {zero});
    while (true) {
      enc_key_.insert(enc_key_.end(), k.begin(), k.end());
      if (enc_key_.size() >= need) break;
      k = prf(skeyid_e_, {k});
    }
    enc_key_.resize(need);
  }
  iv_ = crypto::hash(hash_, cat({dh_.public_value, g_xr_}));
  iv_.resize(crypto::cipher_block_size(cipher_));
  initial_iv_ = iv_;
}

crypto::SecretBytes Initiator::our_hash_i() const {
  auto h = crypto::prf(hash_, skeyid_, cat({dh_.public_value, g_xr_, icookie_.bytes, rcookie_.bytes, sai_b_, idii_b_}));
  if (o_.corrupt_hash_i) h.back() ^= 0x01;
  return h;
}

crypto::SecretBytes Initiator::expected_hash_r() const {
  return crypto::prf(hash_, skeyid_,
                     cat({g_xr_, dh_.public_value, rcookie_.bytes, icookie_.bytes, sai_b_, idir_b_}));
}

Bytes Initiator::natd(const Endpoint& e) const {
  auto a = e.address.bytes();
  Bytes port{uint8_t(e.port >> 8), uint8_t(e.port)};
  return crypto::hash(hash_, cat({icookie_.bytes, rcookie_.bytes, a, port}));
}

Bytes seal_with(crypto::CipherAlg cipher, ByteView key, Header h, const SerializedChain& chain, Bytes& iv) {
  const size_t block = crypto::cipher_block_size(cipher);
  Bytes plain = chain.bytes;
  plain.resize((plain.size() + block - 1) / block * block, 0);
  Bytes c = crypto::cbc_encrypt(cipher, key, iv, plain);
  iv.assign(c.end() - long(block), c.end());
  h.next_payload = chain.first;
  h.flags |= flags::Encryption;
  h.length = uint32_t(kHeaderSize + c.size());
  Bytes out = serialize_header(h);
  out.insert(out.end(), c.begin(), c.end());
  return out;
}

Bytes Initiator::seal(Header h, const SerializedChain& chain, Bytes& iv) const {
  return seal_with(cipher_, enc_key_, h, chain, iv);
}

std::optional<PayloadChain> Initiator::open(const Header& h, ByteView datagram, Bytes& iv) {
  const size_t block = crypto::cipher_block_size(cipher_);
  if (!(h.flags & flags::Encryption)) return fail("message is not encrypted"), std::nullopt;
  ByteView body = datagram.subspan(kHeaderSize);
  if (body.empty() || body.size() % block) return fail("encrypted body is not whole blocks"), std::nullopt;
  auto plain = crypto::cbc_decrypt(cipher_, enc_key_, iv, body);
  if (!plain) return fail("decryption failed"), std::nullopt;
  auto chain = parse_payload_chain(h.next_payload, std::move(*plain), true);
  if (!chain) return fail("decrypted chain does not parse: " + chain.error().what), std::nullopt;
  iv.assign(body.end() - long(block), body.end());
  return std::move(*chain);
}

// ---- main mode ----

Datagram Initiator::mm1() {
  do rng_->fill(icookie_.bytes);
  while (icookie_.is_zero());
  rcookie_ = Cookie{};
  SaPayload sa = our_sa();
  sai_b_ = serialize_sa(sa);
  std::vector<PayloadBody> payloads{sa};
  for (const auto& v : o_.vendor_ids) payloads.push_back(VendorIdPayload{v});
  return out(serialize_message(header(ExchangeType::IdentityProtection), payloads));
}

bool Initiator::take_mm2(const Datagram& d) {
  auto msg = parse_message(d.data);
  if (!msg) return fail("MM2 does not parse: " + msg.error().what);
  const Header& h = msg->header;
  if (h.exchange != ExchangeType::IdentityProtection) return fail("MM2: exchange " + std::to_string(int(h.exchange)));
  if (h.initiator_cookie != icookie_ || h.responder_cookie.is_zero()) return fail("MM2: bad cookies");
  if (h.message_id.value != 0 || h.flags != 0) return fail("MM2: message ID or flags set");
  if (d.from != o_.responder || d.to != o_.self) return fail("MM2 sent between the wrong endpoints");
  rcookie_ = h.responder_cookie;
  const auto* sa = msg->chain.first_as<SaPayload>();
  if (!sa) return fail("MM2 lacks SA");
  if (!take_chosen_sa(*sa)) return false;
  peer_vids_.clear();
  for (const auto* v : msg->chain.all(PayloadType::VendorId))
    peer_vids_.push_back(std::get<VendorIdPayload>(v->body).data);
  return true;
}

Datagram Initiator::mm3() {
  dh_ = crypto::dh_generate(dh_group_, *rng_);
  ni_ = rng_->bytes(o_.nonce_size);
  std::vector<PayloadBody> payloads{KePayload{dh_.public_value}, NoncePayload{ni_}};
  if (o_.natd) {  // RFC 3947 §3.2: first the destination (the responder), then ourselves
    payloads.push_back(NatDPayload{natd(o_.responder)});
    payloads.push_back(NatDPayload{natd(o_.natd_self.value_or(o_.self))});
  }
  return out(serialize_message(header(ExchangeType::IdentityProtection), payloads));
}

bool Initiator::take_mm4(const Datagram& d) {
  auto msg = parse_message(d.data);
  if (!msg) return fail("MM4 does not parse: " + msg.error().what);
  const Header& h = msg->header;
  if (h.exchange != ExchangeType::IdentityProtection || h.initiator_cookie != icookie_ ||
      h.responder_cookie != rcookie_ || h.flags != 0)
    return fail("MM4: bad header");
  const auto* ke = msg->chain.first_as<KePayload>();
  const auto* nonce = msg->chain.first_as<NoncePayload>();
  if (!ke || !nonce) return fail("MM4 lacks KE or NONCE");
  if (ke->data.size() != crypto::dh_public_size(dh_group_)) return fail("MM4 KE has the wrong size");
  if (nonce->data.size() < 8 || nonce->data.size() > 256) return fail("MM4 nonce size");
  g_xr_ = ke->data;
  nr_ = nonce->data;
  derive_keys();
  std::vector<Bytes> natds;
  for (const auto* n : msg->chain.all(PayloadType::NatD)) natds.push_back(std::get<NatDPayload>(n->body).hash);
  responder_natd_ok_ = natds.size() == 2 && natds[1] == natd(o_.responder);
  return true;
}

Datagram Initiator::mm5(bool initial_contact) {
  IdPayload id = o_.id.value_or(IdPayload{id_type::Ipv4Addr, 17, 500, {}});
  if (!o_.id) {
    auto a = o_.self.address.bytes();
    id.data.assign(a.begin(), a.end());
  }
  idii_b_ = serialize_id(id);
  auto h = our_hash_i();
  std::vector<PayloadBody> payloads{id, HashPayload{Bytes(h.begin(), h.end())}};
  if (initial_contact) {
    NotifyPayload n;
    n.type = notify::InitialContact;
    n.spi = cat({icookie_.bytes, rcookie_.bytes});
    payloads.push_back(n);
  }
  return out(seal(header(ExchangeType::IdentityProtection), serialize_payloads(payloads), iv_));
}

bool Initiator::take_mm6(const Datagram& d) {
  auto h = parse_header(d.data);
  if (!h) return fail("MM6 header: " + h.error().what);
  if (h->exchange != ExchangeType::IdentityProtection || h->initiator_cookie != icookie_ ||
      h->responder_cookie != rcookie_ || h->message_id.value != 0)
    return fail("MM6: bad header");
  Bytes iv = iv_;
  auto chain = open(*h, d.data, iv);
  if (!chain) return false;
  const auto* id = chain->first(PayloadType::ID);
  const auto* hash = chain->first_as<HashPayload>();
  if (!id || !hash) return fail("MM6 lacks ID or HASH");
  auto idr = chain->body(*id);
  idir_b_.assign(idr.begin(), idr.end());
  peer_id_ = std::get<IdPayload>(id->body);
  auto expected = expected_hash_r();
  if (!std::equal(expected.begin(), expected.end(), hash->data.begin(), hash->data.end()))
    return fail("MM6: HASH_R does not verify");
  iv_ = iv;
  last_block_ = iv_;  // the last CBC block of phase 1: MM6's last ciphertext block
  return true;
}

// ---- aggressive mode ----

Datagram Initiator::am1() {
  do rng_->fill(icookie_.bytes);
  while (icookie_.is_zero());
  rcookie_ = Cookie{};
  dh_group_ = o_.ke_group;
  dh_ = crypto::dh_generate(dh_group_, *rng_);
  ni_ = rng_->bytes(o_.nonce_size);
  SaPayload sa = our_sa();
  sai_b_ = serialize_sa(sa);
  IdPayload id = o_.id.value_or(IdPayload{id_type::Ipv4Addr, 17, 500, {}});
  if (!o_.id) {
    auto a = o_.self.address.bytes();
    id.data.assign(a.begin(), a.end());
  }
  idii_b_ = serialize_id(id);
  std::vector<PayloadBody> payloads{sa, KePayload{dh_.public_value}, NoncePayload{ni_}, id};
  for (const auto& v : o_.vendor_ids) payloads.push_back(VendorIdPayload{v});
  return out(serialize_message(header(ExchangeType::Aggressive), payloads));
}

bool Initiator::take_am2(const Datagram& d) {
  auto msg = parse_message(d.data);
  if (!msg) return fail("AM2 does not parse: " + msg.error().what);
  const Header& h = msg->header;
  if (h.exchange != ExchangeType::Aggressive) return fail("AM2: exchange " + std::to_string(int(h.exchange)));
  if (h.initiator_cookie != icookie_ || h.responder_cookie.is_zero() || h.message_id.value != 0 || h.flags != 0)
    return fail("AM2: bad header");
  rcookie_ = h.responder_cookie;
  const auto* sa = msg->chain.first_as<SaPayload>();
  const auto* ke = msg->chain.first_as<KePayload>();
  const auto* nonce = msg->chain.first_as<NoncePayload>();
  const auto* id = msg->chain.first(PayloadType::ID);
  const auto* hash = msg->chain.first_as<HashPayload>();
  if (!sa || !ke || !nonce || !id || !hash) return fail("AM2 lacks SA, KE, NONCE, ID or HASH");
  const int ke_group = dh_group_;
  if (!take_chosen_sa(*sa)) return false;
  if (dh_group_ != ke_group) return fail("AM2 chose a group other than our KE's");
  if (ke->data.size() != crypto::dh_public_size(dh_group_)) return fail("AM2 KE has the wrong size");
  g_xr_ = ke->data;
  nr_ = nonce->data;
  peer_vids_.clear();
  for (const auto* v : msg->chain.all(PayloadType::VendorId))
    peer_vids_.push_back(std::get<VendorIdPayload>(v->body).data);
  derive_keys();
  std::vector<Bytes> natds;
  for (const auto* n : msg->chain.all(PayloadType::NatD)) natds.push_back(std::get<NatDPayload>(n->body).hash);
  responder_natd_ok_ = natds.size() == 2 && natds[1] == natd(o_.responder);
  auto idr = msg->chain.body(*id);
  idir_b_.assign(idr.begin(), idr.end());
  peer_id_ = std::get<IdPayload>(id->body);
  auto expected = expected_hash_r();
  if (!std::equal(expected.begin(), expected.end(), hash->data.begin(), hash->data.end()))
    return fail("AM2: HASH_R does not verify");
  return true;
}

Datagram Initiator::am3(bool encrypted, bool initial_contact) {
  auto h = our_hash_i();
  std::vector<PayloadBody> payloads{HashPayload{Bytes(h.begin(), h.end())}};
  if (o_.natd) {
    payloads.push_back(NatDPayload{natd(o_.responder)});
    payloads.push_back(NatDPayload{natd(o_.natd_self.value_or(o_.self))});
  }
  if (initial_contact) {
    NotifyPayload n;
    n.type = notify::InitialContact;
    n.spi = cat({icookie_.bytes, rcookie_.bytes});
    payloads.push_back(n);
  }
  if (!encrypted) {
    last_block_ = iv_;  // nothing was encrypted in phase 1: the initial IV is the base of later IVs
    return out(serialize_message(header(ExchangeType::Aggressive), payloads));
  }
  Bytes bytes = seal(header(ExchangeType::Aggressive), serialize_payloads(payloads), iv_);
  last_block_ = iv_;
  return out(std::move(bytes));
}

// ---- informational ----

Datagram Initiator::informational(const std::vector<PayloadBody>& payloads, uint32_t message_id, bool corrupt_hash) {
  const Bytes m = mid_bytes(message_id);
  SerializedChain rest = serialize_payloads(payloads);
  auto h1 = crypto::prf(hash_, skeyid_a_, cat({m, rest.bytes}));
  if (corrupt_hash) h1[0] ^= 0x80;
  // HASH payload written by hand: generic header (next = the first payload after it) + HASH(1).
  SerializedChain chain;
  chain.first = PayloadType::Hash;
  const size_t len = kGenericHeaderSize + h1.size();
  chain.bytes = {uint8_t(rest.first), 0, uint8_t(len >> 8), uint8_t(len)};
  chain.bytes.insert(chain.bytes.end(), h1.begin(), h1.end());
  chain.bytes.insert(chain.bytes.end(), rest.bytes.begin(), rest.bytes.end());
  Bytes iv = crypto::hash(hash_, cat({last_block_, m}));
  iv.resize(crypto::cipher_block_size(cipher_));
  return out(seal(header(ExchangeType::Informational, message_id), chain, iv));
}

Datagram Initiator::dpd_r_u_there(uint32_t sequence, uint32_t message_id) {
  NotifyPayload n;
  n.protocol = ProtocolId::Isakmp;
  n.type = notify::DpdRUThere;
  n.spi = cat({icookie_.bytes, rcookie_.bytes});
  n.data = mid_bytes(sequence);  // RFC 3706 §5: a 32-bit sequence number
  return informational({n}, message_id);
}

Datagram Initiator::delete_isakmp(uint32_t message_id) {
  DeletePayload d;
  d.protocol = ProtocolId::Isakmp;
  d.spi_size = 16;
  d.spis.push_back(cat({icookie_.bytes, rcookie_.bytes}));
  return informational({d}, message_id);
}

std::optional<PayloadChain> Initiator::open_informational(const Datagram& d, std::optional<Bytes> iv_base) {
  auto h = parse_header(d.data);
  if (!h) return fail("informational header: " + h.error().what), std::nullopt;
  if (h->exchange != ExchangeType::Informational || h->initiator_cookie != icookie_ ||
      h->responder_cookie != rcookie_)
    return fail("not an informational of this SA"), std::nullopt;
  if (h->message_id.value == 0) return fail("informational with message ID 0"), std::nullopt;
  const Bytes m = mid_bytes(h->message_id.value);
  // Before phase 1 finished (a notify answering MM5) the last phase 1 CBC block is the current chain IV.
  const Bytes& base = iv_base ? *iv_base : last_block_.empty() ? iv_ : last_block_;
  Bytes iv = crypto::hash(hash_, cat({base, m}));
  iv.resize(crypto::cipher_block_size(cipher_));
  auto chain = open(*h, d.data, iv);
  if (!chain) return std::nullopt;
  if (chain->payloads.empty() || chain->payloads[0].type != PayloadType::Hash)
    return fail("informational does not start with HASH(1)"), std::nullopt;
  const auto& first = chain->payloads[0];
  const auto& got = std::get<HashPayload>(first.body).data;
  const size_t rest_begin = first.offset + first.length;
  ByteView rest = ByteView(chain->bytes).subspan(rest_begin, chain->end - rest_begin);
  auto expected = crypto::prf(hash_, skeyid_a_, cat({m, rest}));
  if (!std::equal(expected.begin(), expected.end(), got.begin(), got.end()))
    return fail("informational HASH(1) does not verify"), std::nullopt;
  return chain;
}

}  // namespace ravpn::ike::test
