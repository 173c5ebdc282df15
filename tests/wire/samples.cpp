#include "tests/wire/samples.hpp"

#include <stdexcept>

namespace ravpn::ike::samples {

Bytes hex(std::string_view t) {
  Bytes out;
  int hi = -1;
  for (char c : t) {
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else if (c == ' ' || c == '\n') continue;
    else throw std::invalid_argument("hex: bad character");
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  if (hi >= 0) throw std::invalid_argument("hex: odd length");
  return out;
}

Bytes seq(size_t n, uint8_t first) {
  Bytes out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(first + i);
  return out;
}

Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }

Cookie initiator_cookie() { return Cookie{{0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18}}; }
Cookie responder_cookie() { return Cookie{{0x5e, 0x6f, 0x70, 0x81, 0x92, 0xa3, 0xb4, 0xc5}}; }

namespace {

constexpr uint32_t kVpncLifetime = 2147483;  // vpnc's default, needs a 4-byte TLV (RFC 2408 §3.3)

Transform ike_transform(uint8_t number, uint16_t enc, uint16_t key_len, uint16_t hash, uint16_t auth) {
  Transform t{number, 1 /* KEY_IKE */, {}};
  t.attributes.push_back(DataAttribute::tv(ike_attr::EncryptionAlgorithm, enc));
  if (key_len) t.attributes.push_back(DataAttribute::tv(ike_attr::KeyLength, key_len));
  t.attributes.push_back(DataAttribute::tv(ike_attr::HashAlgorithm, hash));
  t.attributes.push_back(DataAttribute::tv(ike_attr::GroupDescription, 2));
  t.attributes.push_back(DataAttribute::tv(ike_attr::AuthenticationMethod, auth));
  t.attributes.push_back(DataAttribute::tv(ike_attr::LifeType, life_type::Seconds));
  t.attributes.push_back(DataAttribute::number(ike_attr::LifeDuration, kVpncLifetime));
  return t;
}

SaPayload sa_of(std::vector<Transform> transforms) {
  return SaPayload{kDoiIpsec, kSituationIdentityOnly, {Proposal{1, ProtocolId::Isakmp, {}, std::move(transforms)}}};
}

VendorIdPayload vid(std::string_view h) { return VendorIdPayload{hex(h)}; }
const char* kVidXauth = "09002689dfd6b712";
const char* kVidUnity = "12f5f28c457168a9702d9fe274cc0100";
const char* kVidDpd = "afcad71368a1f1c96b8696fc77570100";
const char* kVidNattRfc = "4a131c81070358455c5728f20e95452f";
const char* kVidNattDraft02n = "90cb80913ebb696e086381b5ec427b1f";

Header header(ExchangeType ex, bool responder_known, uint32_t message_id) {
  Header h;
  h.initiator_cookie = initiator_cookie();
  if (responder_known) h.responder_cookie = responder_cookie();
  h.exchange = ex;
  h.message_id = MessageId{message_id};
  return h;
}

}  // namespace

Header aggressive1_header() { return header(ExchangeType::Aggressive, false, 0); }

std::vector<PayloadBody> aggressive1_payloads() {
  return {
      sa_of({ike_transform(1, ike_enc::Aes, 256, ike_hash::Sha1, ike_auth::XauthInitPreShared),
             ike_transform(2, ike_enc::TripleDes, 0, ike_hash::Md5, ike_auth::XauthInitPreShared),
             ike_transform(3, ike_enc::TripleDes, 0, ike_hash::Sha1, ike_auth::PreShared)}),
      KePayload{seq(128, 0x00)},
      NoncePayload{seq(20, 0x80)},
      IdPayload{id_type::KeyId, 17, 500, text("vpn3000")},
      vid(kVidXauth), vid(kVidUnity), vid(kVidDpd), vid(kVidNattRfc), vid(kVidNattDraft02n),
  };
}

Bytes aggressive1_bytes() {
  // RFC 2408 §3.1 header: cookies, next payload SA(1), version 1.0, exchange 4, flags 0, message ID 0, length 423.
  Bytes m = hex("a1b2c3d4e5f60718 0000000000000000 01 10 04 00 00000000 000001a7");
  auto add = [&m](const Bytes& b) { m.insert(m.end(), b.begin(), b.end()); };
  // SA: next KE(4), length 132; DOI 1, SIT_IDENTITY_ONLY.
  add(hex("04 00 0084 00000001 00000001"));
  // Proposal 1 (last: next 0), length 120, ISAKMP, SPI size 0, 3 transforms.
  add(hex("00 00 0078 01 01 00 03"));
  // Transform 1 (next 3), length 40, KEY_IKE: AES, key length 256, SHA1, group 2, auth 65001 (fde9),
  // life type seconds, life duration as TLV (AF=0, type 12, length 4, 0x0020c49b = 2147483).
  add(hex("03 00 0028 01 01 0000 80010007 800e0100 80020002 80040002 8003fde9 800b0001 000c0004 0020c49b"));
  // Transform 2: 3DES, MD5, group 2, 65001, seconds, 2147483.
  add(hex("03 00 0024 02 01 0000 80010005 80020001 80040002 8003fde9 800b0001 000c0004 0020c49b"));
  // Transform 3 (last: next 0): 3DES, SHA1, group 2, pre-shared key (1), seconds, 2147483.
  add(hex("00 00 0024 03 01 0000 80010005 80020002 80040002 80030001 800b0001 000c0004 0020c49b"));
  add(hex("0a 00 0084"));  // KE: next NONCE(10), length 4+128
  add(seq(128, 0x00));
  add(hex("05 00 0018"));  // NONCE: next ID(5), length 4+20
  add(seq(20, 0x80));
  // ID: next VID(13), length 15, ID_KEY_ID(11), protocol UDP(17), port 500, "vpn3000".
  add(hex("0d 00 000f 0b 11 01f4 76706e33303030"));
  add(hex("0d 00 000c 09002689dfd6b712"));                  // VID Xauth
  add(hex("0d 00 0014 12f5f28c457168a9702d9fe274cc0100"));  // VID Cisco Unity 1.0
  add(hex("0d 00 0014 afcad71368a1f1c96b8696fc77570100"));  // VID DPD (RFC 3706)
  add(hex("0d 00 0014 4a131c81070358455c5728f20e95452f"));  // VID RFC 3947
  add(hex("00 00 0014 90cb80913ebb696e086381b5ec427b1f"));  // VID draft-ietf-ipsec-nat-t-ike-02\n (last)
  return m;
}

std::vector<Sample> all_samples() {
  std::vector<Sample> out;

  // Main mode 1 (RFC 2409 §5): SA with two transforms, vendor IDs.
  out.push_back({"main-mode-1",
                 serialize_message(header(ExchangeType::IdentityProtection, false, 0),
                                   {sa_of({ike_transform(1, ike_enc::Aes, 128, ike_hash::Sha1, ike_auth::PreShared),
                                           ike_transform(2, ike_enc::TripleDes, 0, ike_hash::Sha1,
                                                         ike_auth::PreShared)}),
                                    vid(kVidDpd), vid(kVidNattRfc)})});

  out.push_back({"aggressive-1", serialize_message(aggressive1_header(), aggressive1_payloads())});

  // Aggressive mode 2 (responder): chosen transform, KE, NONCE, ID_IPV4_ADDR, HASH_R, VIDs, NAT-D x2 (RFC 3947).
  out.push_back(
      {"aggressive-2",
       serialize_message(header(ExchangeType::Aggressive, true, 0),
                         {sa_of({ike_transform(1, ike_enc::Aes, 256, ike_hash::Sha1, ike_auth::XauthInitPreShared)}),
                          KePayload{seq(128, 0x40)}, NoncePayload{seq(20, 0xc0)},
                          IdPayload{id_type::Ipv4Addr, 17, 500, hex("c0000201")}, HashPayload{seq(20, 0x10)},
                          vid(kVidUnity), vid(kVidXauth), vid(kVidDpd), vid(kVidNattRfc),
                          NatDPayload{seq(20, 0x20)}, NatDPayload{seq(20, 0x30)}})});

  // Aggressive mode 3 (initiator): HASH_I and NAT-D with the draft payload number 130.
  out.push_back({"aggressive-3-draft-natd",
                 serialize_message(header(ExchangeType::Aggressive, true, 0),
                                   {HashPayload{seq(20, 0x50)}, NatDPayload{seq(20, 0x60)}, NatDPayload{seq(20, 0x70)}},
                                   true)});

  // Informational: NOTIFY NO-PROPOSAL-CHOSEN, SPI = the two cookies (RFC 2408 §3.14).
  Bytes cookies = hex("a1b2c3d4e5f60718 5e6f708192a3b4c5");
  NotifyPayload no_proposal{kDoiIpsec, ProtocolId::Isakmp, notify::NoProposalChosen, cookies, {}};
  out.push_back({"info-no-proposal-chosen",
                 serialize_message(header(ExchangeType::Informational, true, 0x5c1f00aa), {no_proposal})});

  // Transaction: Xauth request (draft-beaulieu-ike-xauth-02 §4) after the mode-config HASH.
  AttributePayload xauth{cfg_type::Request, 0x1f2e, {}};
  xauth.attributes = {DataAttribute::tv(cfg_attr::XauthType, 0), DataAttribute::tlv(cfg_attr::XauthUserName, {}),
                      DataAttribute::tlv(cfg_attr::XauthUserPassword, {}),
                      DataAttribute::tlv(cfg_attr::XauthMessage, text("Enter Username and Password."))};
  out.push_back({"transaction-xauth",
                 serialize_message(header(ExchangeType::Transaction, true, 0x12345678),
                                   {HashPayload{seq(20, 0x90)}, xauth})});

  // Informational: DELETE of the ISAKMP SA and a DPD R-U-THERE (RFC 3706) with its sequence number.
  out.push_back({"info-delete-dpd",
                 serialize_message(header(ExchangeType::Informational, true, 0x0badcafe),
                                   {HashPayload{seq(20, 0xa0)},
                                    DeletePayload{kDoiIpsec, ProtocolId::Isakmp, 16, {cookies}},
                                    NotifyPayload{kDoiIpsec, ProtocolId::Isakmp, notify::DpdRUThere, cookies,
                                                  hex("00000042")}})});
  return out;
}

std::vector<Sample> extra_fuzz_seeds() {
  std::vector<Sample> out;
  Transform esp{1, esp_id::Aes, {DataAttribute::tv(ipsec_attr::SaLifeType, life_type::Seconds),
                                 DataAttribute::number(ipsec_attr::SaLifeDuration, 28800),
                                 DataAttribute::tv(ipsec_attr::EncapsulationMode, encaps::UdpTunnelDraft),
                                 DataAttribute::tv(ipsec_attr::AuthenticationAlgorithm, ipsec_auth::HmacSha1),
                                 DataAttribute::tv(ipsec_attr::KeyLength, 128)}};
  SaPayload sa{kDoiIpsec, kSituationIdentityOnly, {Proposal{1, ProtocolId::IpsecEsp, hex("c0ffee01"), {esp}}}};
  out.push_back({"quick-mode-nat-oa",
                 serialize_message(header(ExchangeType::QuickMode, true, 0x01020304),
                                   {HashPayload{seq(20, 1)}, sa, NoncePayload{seq(16, 2)},
                                    IdPayload{id_type::Ipv4Addr, 0, 0, hex("0a0a0001")},
                                    IdPayload{id_type::Ipv4AddrSubnet, 0, 0, hex("00000000 00000000")},
                                    NatOaPayload{id_type::Ipv4Addr, hex("c0a80102")}},
                                   true)});
  out.push_back({"main-mode-5-cert",
                 serialize_message(header(ExchangeType::IdentityProtection, true, 0),
                                   {IdPayload{id_type::Fqdn, 17, 500, text("vpn.example.net")},
                                    OpaquePayload{hex("04 30820100"), PayloadType::Cert},
                                    OpaquePayload{hex("04"), PayloadType::CertReq}, SignaturePayload{seq(64, 3)},
                                    NatOaPayload{id_type::Ipv6Addr, seq(16, 4)}})});
  Header enc = header(ExchangeType::Transaction, true, 0x0a0b0c0d);
  enc.flags = flags::Encryption;
  AttributePayload reply{cfg_type::Reply, 1,
                         {DataAttribute::tlv(cfg_attr::XauthUserName, text("u")),
                          DataAttribute::tlv(cfg_attr::XauthUserPassword, text("p"))}};
  Bytes padded = serialize_message(enc, {HashPayload{seq(20, 5)}, reply});
  padded.insert(padded.end(), {0, 0, 0, 3});
  for (size_t i = 0; i < 4; ++i) padded[24 + i] = static_cast<uint8_t>(padded.size() >> (24 - 8 * i));
  out.push_back({"transaction-padded", padded});
  return out;
}

}  // namespace ravpn::ike::samples
