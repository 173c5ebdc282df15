// Phase 1 proposal selection: the seed PIX trace's policy walk end to end, and select_phase1() directly.
#include <doctest/doctest.h>

#include "harness.hpp"
#include "ike/phase1_policy.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;

TEST_CASE("policy walk of the seed PIX trace: VPN Client 4.x transforms 1..6 against policy 10, 6 is chosen") {
  Harness h(kSeedPixAsIos);
  REQUIRE(h.config.isakmp_policies.size() == 2);
  REQUIRE(h.config.xauth_enabled());
  auto o = am_options(vpn_client4_transforms());
  Initiator ini(o);
  // The 4-byte TLV life duration goes out exactly as the trace shows it: 0x0 0x20 0xc4 0x9b.
  const auto* life = o.transforms[0].find(ike_attr::LifeDuration);
  REQUIRE(life);
  CHECK_FALSE(life->basic);
  CHECK(life->data == Bytes{0x00, 0x20, 0xc4, 0x9b});

  aggressive_mode(h, ini, true);
  CHECK(ini.chosen().number == 6);
  const Phase1Sa* sa = h.responder.find(ini.rcookie());
  REQUIRE(sa);
  CHECK(sa->established());
  CHECK(sa->choice.transform.number == 6);
  CHECK(sa->choice.policy_priority == 10);
  CHECK(sa->choice.cipher == crypto::CipherAlg::Des);
  CHECK(sa->choice.hash == crypto::HashAlg::Md5);
  CHECK(sa->choice.dh_group == 2);
  CHECK(sa->choice.auth_method == ike_auth::XauthInitPreShared);
  CHECK(sa->choice.lifetime_seconds == 86400);  // min(2147483, 86400)

  // The debug walk follows the trace: transforms 1..5 are not acceptable against policy 10, 6 is.
  std::vector<std::string> checks;
  for (const auto& l : h.log.lines)
    if (l.text.rfind("checking ISAKMP transform", 0) == 0) checks.push_back(l.text);
  REQUIRE(checks.size() == 6);
  for (size_t i = 0; i < 6; ++i) {
    CHECK(checks[i].find("transform " + std::to_string(i + 1) + " against priority 10") != std::string::npos);
  }
  CHECK(h.log.contains("atts are acceptable"));
}

namespace {

SaPayload one_proposal(std::vector<Transform> transforms) {
  SaPayload sa;
  sa.proposals.push_back(Proposal{1, ProtocolId::Isakmp, {}, std::move(transforms)});
  return sa;
}

config::IsakmpPolicy policy(int priority, config::Cipher c, config::Hash hash, int group,
                            config::AuthMethod auth = config::AuthMethod::PreShare, uint32_t life = 86400) {
  config::IsakmpPolicy p;
  p.priority = priority;
  p.cipher = c;
  p.hash = hash;
  p.dh_group = group;
  p.auth = auth;
  p.lifetime_seconds = life;
  return p;
}

Phase1Selection select(const SaPayload& sa, const std::vector<config::IsakmpPolicy>& policies, bool xauth = true,
                       std::optional<int> ke_group = std::nullopt, bool have_psk = true) {
  CapturingLogger log;
  Phase1Request r;
  r.sa = &sa;
  r.have_psk = have_psk;
  r.xauth_enabled = xauth;
  r.ke_group = ke_group;
  return select_phase1(r, policies, log);
}

}  // namespace

TEST_CASE("select_phase1: the defaults of an absent policy line are DES, SHA, rsa-sig, group 1") {
  // `crypto isakmp policy 10` with no sub-lines.
  auto cfg = config::parse_ios("crypto isakmp policy 10\n", "t.cfg");
  REQUIRE(cfg.isakmp_policies.size() == 1);
  const auto& p = cfg.isakmp_policies[0];
  CHECK(p.cipher == config::Cipher::Des);
  CHECK(p.hash == config::Hash::Sha1);
  CHECK(p.auth == config::AuthMethod::RsaSig);
  CHECK(p.dh_group == 1);
  CHECK(p.lifetime_seconds == 86400);

  // A pre-share proposal with exactly those algorithms does not match: the policy authenticates with rsa-sig.
  auto sa = one_proposal({make_transform(1, ike_enc::Des, ike_hash::Sha1, ike_auth::PreShared, 1)});
  auto s = select(sa, cfg.isakmp_policies);
  CHECK_FALSE(s.choice);
  CHECK(s.notify == notify::NoProposalChosen);

  // With `authentication pre-share` it does.
  auto cfg2 = config::parse_ios("crypto isakmp policy 10\n authentication pre-share\n", "t.cfg");
  auto s2 = select(sa, cfg2.isakmp_policies);
  REQUIRE(s2.choice);
  CHECK(s2.choice->cipher == crypto::CipherAlg::Des);
  CHECK(s2.choice->hash == crypto::HashAlg::Sha1);
  CHECK(s2.choice->dh_group == 1);
}

TEST_CASE("select_phase1: 65001 (XAUTHInitPreShared) only when Xauth is on") {
  const std::vector<config::IsakmpPolicy> policies{policy(10, config::Cipher::Des, config::Hash::Md5, 2)};
  auto sa = one_proposal({make_transform(1, ike_enc::Des, ike_hash::Md5, ike_auth::XauthInitPreShared, 2)});
  auto off = select(sa, policies, false);
  CHECK_FALSE(off.choice);
  CHECK(off.notify == notify::NoProposalChosen);
  auto on = select(sa, policies, true);
  REQUIRE(on.choice);
  CHECK(on.choice->auth_method == ike_auth::XauthInitPreShared);
  CHECK(on.choice->xauth());

  // With Xauth off, a client that offers 65001 first and plain pre-share second gets the second.
  auto both = one_proposal({make_transform(1, ike_enc::Des, ike_hash::Md5, ike_auth::XauthInitPreShared, 2),
                            make_transform(2, ike_enc::Des, ike_hash::Md5, ike_auth::PreShared, 2)});
  auto s = select(both, policies, false);
  REQUIRE(s.choice);
  CHECK(s.choice->transform.number == 2);
  CHECK(s.choice->auth_method == ike_auth::PreShared);
}

TEST_CASE("select_phase1: other authentication methods and a missing key do not match") {
  const std::vector<config::IsakmpPolicy> policies{policy(10, config::Cipher::Des, config::Hash::Md5, 2)};
  auto rsa = one_proposal({make_transform(1, ike_enc::Des, ike_hash::Md5, ike_auth::RsaSig, 2)});
  CHECK_FALSE(select(rsa, policies).choice);
  auto psk = one_proposal({make_transform(1, ike_enc::Des, ike_hash::Md5, ike_auth::PreShared, 2)});
  CHECK_FALSE(select(psk, policies, true, std::nullopt, false).choice);
}

TEST_CASE("select_phase1: AES needs a Key Length equal to the policy's; fixed ciphers must not carry one") {
  const std::vector<config::IsakmpPolicy> aes256{policy(10, config::Cipher::Aes256, config::Hash::Sha1, 2)};
  auto t = [](std::optional<uint16_t> kl, uint16_t enc = ike_enc::Aes) {
    return one_proposal({make_transform(1, enc, ike_hash::Sha1, ike_auth::PreShared, 2, kl)});
  };
  auto ok = select(t(256), aes256);
  REQUIRE(ok.choice);
  CHECK(ok.choice->cipher == crypto::CipherAlg::Aes256);
  CHECK_FALSE(select(t(128), aes256).choice);
  CHECK_FALSE(select(t(std::nullopt), aes256).choice);  // RFC 3602 §5: AES without Key Length

  const std::vector<config::IsakmpPolicy> aes128{policy(10, config::Cipher::Aes128, config::Hash::Sha1, 2)};
  auto ok128 = select(t(128), aes128);
  REQUIRE(ok128.choice);
  CHECK(ok128.choice->cipher == crypto::CipherAlg::Aes128);

  const std::vector<config::IsakmpPolicy> tdes{policy(10, config::Cipher::TripleDes, config::Hash::Sha1, 2)};
  CHECK(select(t(std::nullopt, ike_enc::TripleDes), tdes).choice);
  CHECK_FALSE(select(t(192, ike_enc::TripleDes), tdes).choice);
}

TEST_CASE("select_phase1: in aggressive mode the KE payload fixes the group") {
  const std::vector<config::IsakmpPolicy> policies{policy(10, config::Cipher::Des, config::Hash::Md5, 1),
                                                   policy(20, config::Cipher::Des, config::Hash::Md5, 2)};
  auto both = one_proposal({make_transform(1, ike_enc::Des, ike_hash::Md5, ike_auth::PreShared, 1),
                            make_transform(2, ike_enc::Des, ike_hash::Md5, ike_auth::PreShared, 2)});
  // Without a KE (main mode) policy 10 / transform 1 wins.
  auto mm = select(both, policies);
  REQUIRE(mm.choice);
  CHECK(mm.choice->policy_priority == 10);
  // A group 2 KE: only transform 2 can match, policy 20.
  auto am = select(both, policies, true, 2);
  REQUIRE(am.choice);
  CHECK(am.choice->transform.number == 2);
  CHECK(am.choice->policy_priority == 20);
  CHECK(am.choice->dh_group == 2);
  // A group 5 KE: nothing.
  CHECK_FALSE(select(both, policies, true, 5).choice);

  CHECK(dh_group_for_public_size(96) == 1);
  CHECK(dh_group_for_public_size(128) == 2);
  CHECK(dh_group_for_public_size(192) == 5);
  CHECK(dh_group_for_public_size(256) == 14);
  CHECK_FALSE(dh_group_for_public_size(100));
}

TEST_CASE("select_phase1: aggressive mode end to end, a group 1 KE with group 2 transforms is refused") {
  Harness h(fixture("ios-easyvpn.cfg"));
  auto o = am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)});
  o.ke_group = 1;
  Initiator ini(o);
  auto r = h.one(ini.am1());
  auto msg = parse_message(r.data);
  REQUIRE(msg);
  const auto* n = msg->chain.first_as<NotifyPayload>();
  REQUIRE(n);
  CHECK(n->type == notify::NoProposalChosen);
  CHECK(h.responder.sa_count() == 0);
}

TEST_CASE("select_phase1: lifetime is the shorter of proposed and configured; kilobytes are not a time") {
  const std::vector<config::IsakmpPolicy> policies{policy(10, config::Cipher::Des, config::Hash::Md5, 2,
                                                          config::AuthMethod::PreShare, 86400)};
  auto with_life = [](uint32_t s, bool tlv) {
    return one_proposal({make_transform(1, ike_enc::Des, ike_hash::Md5, ike_auth::PreShared, 2, std::nullopt, s, tlv)});
  };
  CHECK(select(with_life(2147483, true), policies).choice->lifetime_seconds == 86400);
  CHECK(select(with_life(3600, false), policies).choice->lifetime_seconds == 3600);
  CHECK(select(with_life(28800, true), policies).choice->lifetime_seconds == 28800);  // TLV of a small value
  auto none = one_proposal({make_transform(1, ike_enc::Des, ike_hash::Md5, ike_auth::PreShared, 2)});
  CHECK(select(none, policies).choice->lifetime_seconds == 86400);

  // Life type kilobytes followed by a duration: not a lifetime in seconds.
  Transform kb = make_transform(1, ike_enc::Des, ike_hash::Md5, ike_auth::PreShared, 2);
  kb.attributes.push_back(DataAttribute::tv(ike_attr::LifeType, life_type::Kilobytes));
  kb.attributes.push_back(DataAttribute::tv(ike_attr::LifeDuration, 100));
  auto s = select(one_proposal({kb}), policies);
  REQUIRE(s.choice);
  CHECK(s.choice->lifetime_seconds == 86400);
}

TEST_CASE("select_phase1: malformed SA payloads") {
  const std::vector<config::IsakmpPolicy> policies{policy(10, config::Cipher::Des, config::Hash::Md5, 2)};
  SaPayload empty;
  CHECK(select(empty, policies).notify == notify::BadProposalSyntax);
  auto two = one_proposal({make_transform(1, ike_enc::Des, ike_hash::Md5, ike_auth::PreShared, 2)});
  two.proposals.push_back(two.proposals[0]);
  CHECK(select(two, policies).notify == notify::BadProposalSyntax);
  auto esp = one_proposal({make_transform(1, ike_enc::Des, ike_hash::Md5, ike_auth::PreShared, 2)});
  esp.proposals[0].protocol = ProtocolId::IpsecEsp;
  CHECK(select(esp, policies).notify == notify::BadProposalSyntax);
  // Transform ID other than KEY_IKE, unknown attribute: not acceptable.
  auto bad_id = one_proposal({make_transform(1, ike_enc::Des, ike_hash::Md5, ike_auth::PreShared, 2)});
  bad_id.proposals[0].transforms[0].id = 3;
  CHECK_FALSE(select(bad_id, policies).choice);
  auto unknown = one_proposal({make_transform(1, ike_enc::Des, ike_hash::Md5, ike_auth::PreShared, 2)});
  unknown.proposals[0].transforms[0].attributes.push_back(DataAttribute::tv(99, 1));
  CHECK_FALSE(select(unknown, policies).choice);
}
