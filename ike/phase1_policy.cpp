#include "ike/phase1_policy.hpp"

#include <fmt/format.h>

namespace ravpn::ike {
namespace {

// What one transform asks for, decoded from its attributes (RFC 2409 appendix A).
struct Offer {
  std::optional<uint16_t> cipher, hash, auth, group, key_length;
  std::optional<uint32_t> life_seconds;
  std::string problem;  // an attribute we cannot honour
};

Offer decode(const Transform& t) {
  Offer o;
  if (t.id != 1) o.problem = fmt::format("transform id {} is not KEY_IKE", t.id);  // RFC 2407 §4.4.2
  std::optional<uint16_t> pending_life_type;
  for (const auto& a : t.attributes) {
    auto v = a.as_u32();
    if (!v) {
      o.problem = fmt::format("attribute {} has no numeric value", a.type);
      continue;
    }
    switch (a.type) {
      case ike_attr::EncryptionAlgorithm: o.cipher = uint16_t(*v); break;
      case ike_attr::HashAlgorithm: o.hash = uint16_t(*v); break;
      case ike_attr::AuthenticationMethod: o.auth = uint16_t(*v); break;
      case ike_attr::GroupDescription: o.group = uint16_t(*v); break;
      case ike_attr::GroupType:
        if (*v != 1) o.problem = "group type is not MODP";
        break;
      case ike_attr::KeyLength: o.key_length = uint16_t(*v); break;
      case ike_attr::LifeType: pending_life_type = uint16_t(*v); break;
      case ike_attr::LifeDuration:
        // RFC 2409 appendix A: a duration follows its life type; kilobyte limits are accepted and not enforced.
        // A zero duration means nothing (RFC 2407/2409 define none): the policy's lifetime applies.
        if (pending_life_type == life_type::Seconds && *v > 0) o.life_seconds = *v;
        break;
      default: o.problem = fmt::format("unsupported attribute {}", a.type);
    }
  }
  return o;
}

struct CipherWire {
  uint16_t id;
  uint16_t key_bits;  // 0 = fixed-size cipher, no Key Length attribute
};
CipherWire wire_of(config::Cipher c) {
  switch (c) {
    case config::Cipher::Des: return {ike_enc::Des, 0};
    case config::Cipher::TripleDes: return {ike_enc::TripleDes, 0};
    case config::Cipher::Aes128: return {ike_enc::Aes, 128};
    case config::Cipher::Aes192: return {ike_enc::Aes, 192};
    case config::Cipher::Aes256: return {ike_enc::Aes, 256};
  }
  return {0, 0};
}
uint16_t wire_of(config::Hash h) {
  switch (h) {
    case config::Hash::Md5: return ike_hash::Md5;
    case config::Hash::Sha1: return ike_hash::Sha1;
    case config::Hash::Sha256: return ike_hash::Sha256;
    case config::Hash::Sha384: return ike_hash::Sha384;
    case config::Hash::Sha512: return ike_hash::Sha512;
  }
  return 0;
}

const char* cipher_text(uint16_t id) {
  switch (id) {
    case ike_enc::Des: return "DES-CBC";
    case ike_enc::TripleDes: return "3DES-CBC";
    case ike_enc::Aes: return "AES-CBC";
    default: return "unknown cipher";
  }
}
const char* hash_text(uint16_t id) {
  switch (id) {
    case ike_hash::Md5: return "MD5";
    case ike_hash::Sha1: return "SHA";
    case ike_hash::Sha256: return "SHA256";
    case ike_hash::Sha384: return "SHA384";
    case ike_hash::Sha512: return "SHA512";
    default: return "unknown hash";
  }
}
const char* auth_text(uint16_t id) {
  switch (id) {
    case ike_auth::PreShared: return "pre-share";
    case ike_auth::XauthInitPreShared: return "extended auth pre-share";
    case ike_auth::RsaSig: return "rsa-sig";
    default: return "unsupported auth";
  }
}

// Why a transform does not match one policy; empty when it matches.
std::string mismatch(const Offer& o, const config::IsakmpPolicy& p, const Phase1Request& r) {
  if (!o.problem.empty()) return o.problem;
  auto want = wire_of(p.cipher);
  if (o.cipher != want.id) return "encryption differs";
  // AES without a Key Length attribute is malformed (RFC 3602 §5); fixed ciphers must not carry one.
  if (want.key_bits ? o.key_length != want.key_bits : o.key_length.has_value()) return "key length differs";
  if (o.hash != wire_of(p.hash)) return "hash differs";
  if (o.group != p.dh_group) return "DH group differs";
  if (r.ke_group && o.group != *r.ke_group) return "DH group differs from the KE payload";
  if (p.auth != config::AuthMethod::PreShare) return "policy authentication is not pre-share";
  if (o.auth == ike_auth::XauthInitPreShared) {
    if (!r.xauth_enabled) return "extended auth proposed but Xauth is not configured";
  } else if (o.auth != ike_auth::PreShared) {
    return "authentication method differs";
  }
  if (!r.have_psk) return "no pre-shared key for this peer";
  return {};
}

}  // namespace

std::optional<crypto::CipherAlg> cipher_from_config(config::Cipher c) {
  switch (c) {
    case config::Cipher::Des: return crypto::CipherAlg::Des;
    case config::Cipher::TripleDes: return crypto::CipherAlg::TripleDes;
    case config::Cipher::Aes128: return crypto::CipherAlg::Aes128;
    case config::Cipher::Aes192: return crypto::CipherAlg::Aes192;
    case config::Cipher::Aes256: return crypto::CipherAlg::Aes256;
  }
  return std::nullopt;
}

crypto::HashAlg hash_from_config(config::Hash h) {
  switch (h) {
    case config::Hash::Md5: return crypto::HashAlg::Md5;
    case config::Hash::Sha1: return crypto::HashAlg::Sha1;
    case config::Hash::Sha256: return crypto::HashAlg::Sha256;
    case config::Hash::Sha384: return crypto::HashAlg::Sha384;
    case config::Hash::Sha512: return crypto::HashAlg::Sha512;
  }
  return crypto::HashAlg::Sha1;
}

std::optional<int> dh_group_for_public_size(size_t bytes) {
  for (int g : {1, 2, 5, 14, 15})
    if (crypto::dh_public_size(g) == bytes) return g;
  return std::nullopt;
}

std::string Phase1Choice::describe() const {
  return fmt::format("{}/{}/group {}/{}, {} s (policy {})", crypto::name(cipher), crypto::name(hash), dh_group,
                     auth_text(auth_method), lifetime_seconds, policy_priority);
}

Phase1Selection select_phase1(const Phase1Request& r, const std::vector<config::IsakmpPolicy>& policies,
                              Logger& log) {
  // RFC 2409 §5: phase 1 SA payloads carry exactly one ISAKMP proposal.
  if (!r.sa || r.sa->proposals.size() != 1 || r.sa->proposals[0].protocol != ProtocolId::Isakmp)
    return {std::nullopt, notify::BadProposalSyntax, "phase 1 SA must hold one ISAKMP proposal"};
  const Proposal& proposal = r.sa->proposals[0];

  std::vector<Offer> offers;
  for (const auto& t : proposal.transforms) offers.push_back(decode(t));

  for (const auto& policy : policies) {
    for (size_t i = 0; i < offers.size(); ++i) {
      const Offer& o = offers[i];
      const Transform& t = proposal.transforms[i];
      if (log.enabled(LogLevel::Debug, LogCategory::Isakmp)) {
        log.log(LogLevel::Debug, LogCategory::Isakmp,
                "checking ISAKMP transform {} against priority {} policy: {}{} {} group {} {}", t.number,
                policy.priority, cipher_text(o.cipher.value_or(0)),
                o.key_length ? fmt::format("-{}", *o.key_length) : "", hash_text(o.hash.value_or(0)),
                o.group.value_or(0), auth_text(o.auth.value_or(0)));
      }
      std::string why = mismatch(o, policy, r);
      if (!why.empty()) {
        log.log(LogLevel::Debug, LogCategory::Isakmp, "atts are not acceptable: {}", why);
        continue;
      }
      Phase1Choice c;
      c.proposal_number = proposal.number;
      c.transform = t;
      c.cipher = *cipher_from_config(policy.cipher);
      c.hash = hash_from_config(policy.hash);
      c.dh_group = policy.dh_group;
      c.auth_method = *o.auth;
      // The seed PIX accepts a proposed 2147483 s against its 86400 s policy; IOS documents taking the shorter
      // proposed value. Either way the shorter lifetime wins.
      c.lifetime_seconds = o.life_seconds ? std::min(*o.life_seconds, policy.lifetime_seconds) : policy.lifetime_seconds;
      c.policy_priority = policy.priority;
      log.log(LogLevel::Debug, LogCategory::Isakmp, "atts are acceptable");
      return {c, 0, {}};
    }
  }
  return {std::nullopt, notify::NoProposalChosen, "no policy matches any of the peer's transforms"};
}

}  // namespace ravpn::ike
