#include "ike/main_mode.hpp"

#include <fmt/format.h>

#include "ike/phase1_common.hpp"
#include "ike/protection.hpp"

namespace ravpn::ike::main_mode {
namespace {

Step on_key_exchange(ExchangeContext& ctx, Phase1Sa& sa, const Header& header, ByteView datagram) {
  if (header.flags & flags::Encryption) return Step::fail(notify::InvalidFlags, "MM3 must not be encrypted");
  auto msg = parse_message(datagram);
  if (!msg) return Step::fail(msg.error().notify, "MM3: " + msg.error().what);
  const auto* ke = msg->chain.first_as<KePayload>();
  const auto* nonce = msg->chain.first_as<NoncePayload>();
  if (!ke || !nonce) return Step::fail(notify::PayloadMalformed, "MM3 lacks KE or NONCE");
  if (ke->data.size() != crypto::dh_public_size(sa.choice.dh_group))
    return Step::fail(notify::InvalidKeyInformation,
                      fmt::format("MM3 KE is {} bytes, group {} needs {}", ke->data.size(), sa.choice.dh_group,
                                  crypto::dh_public_size(sa.choice.dh_group)));
  if (nonce->data.size() < 8 || nonce->data.size() > 256)
    return Step::fail(notify::PayloadMalformed, "MM3 nonce length out of 8..256");  // RFC 2409 §5
  sa.hs().g_xi = ke->data;
  sa.hs().ni_b = nonce->data;
  take_natd(sa, msg->chain);
  sa.hs().nr_b = ctx.rng.bytes(kNonceSize);
  sa.state = Phase1State::Computing;
  return Step::need_dh();
}

Step on_identity(ExchangeContext& ctx, Phase1Sa& sa, const Header& header, ByteView datagram) {
  if (!(header.flags & flags::Encryption)) return Step::fail(notify::InvalidFlags, "MM5 must be encrypted");
  Bytes iv = sa.iv;
  auto chain = open_message(header, datagram, sa, iv);
  // Garbage after decryption almost always means the two sides hold different pre-shared keys.
  if (!chain)
    return Step::fail(notify::AuthenticationFailed,
                      "authentication failed: MM5 does not decrypt (pre-shared key mismatch?): " + chain.error().what);
  sa.iv = iv;  // MM5 decrypted: the chain moves on (RFC 2409 appendix B), also for a notify about a bad HASH_I
  const auto* id = chain->first(PayloadType::ID);
  const auto* hash = chain->first_as<HashPayload>();
  if (!id || !hash) return Step::fail(notify::PayloadMalformed, "MM5 lacks ID or HASH");
  sa.peer_id = std::get<IdPayload>(id->body);
  auto idii = chain->body(*id);
  sa.hs().idii_b.assign(idii.begin(), idii.end());
  if (!crypto::constant_time_equal(expected_hash_i(sa), hash->data))
    return Step::fail(notify::AuthenticationFailed,
                      fmt::format("authentication failed: HASH_I mismatch for {} (wrong pre-shared key, {})",
                                  describe_id(sa.peer_id), sa.hs().psk_origin));
  for (const auto* n : chain->all(PayloadType::Notify))
    if (std::get<NotifyPayload>(n->body).type == notify::InitialContact) {
      sa.initial_contact = true;
      ctx.log.log(LogLevel::Info, LogCategory::Isakmp, "{}: INITIAL-CONTACT", sa.tag());
    }

  IdPayload ours = local_identity(ctx.config, sa);
  sa.hs().idir_b = serialize_id(ours);
  const auto hash_r = our_hash_r(sa);
  auto chain_out = serialize_payloads({ours, HashPayload{Bytes(hash_r.begin(), hash_r.end())}});
  Bytes reply = seal_message(reply_header(sa, ExchangeType::IdentityProtection), chain_out, sa, sa.iv);
  sa.phase1_last_block = sa.iv;
  sa.state = Phase1State::Established;
  log_established(sa, ctx.log);
  return Step::reply_with(std::move(reply));
}

}  // namespace

Step on_first(ExchangeContext& ctx, Phase1Sa& sa, const Message& mm1) {
  const auto* sa_entry = mm1.chain.first(PayloadType::SA);
  if (!sa_entry) return Step::fail(notify::PayloadMalformed, "MM1 lacks an SA payload");
  take_vendor_ids(sa, mm1.chain);

  const config::PresharedKey* key = ctx.config.key_for_peer(sa.peer.address);
  if (key && !key->masked) {
    sa.hs().psk.assign(key->key.begin(), key->key.end());
    sa.hs().psk_origin = fmt::format("isakmp key for {} ({}:{})", key->peer.str(), key->origin.file, key->origin.line);
  }
  Phase1Request request;
  request.sa = &std::get<SaPayload>(sa_entry->body);
  request.have_psk = !sa.hs().psk.empty();
  request.xauth_enabled = ctx.config.xauth_enabled() && !(key && key->no_xauth);
  sa.xauth_wanted = request.xauth_enabled;
  auto selection = select_phase1(request, ctx.config.isakmp_policies, ctx.log);
  if (!selection.choice)
    return Step::fail(selection.notify, fmt::format("no proposal chosen: {}{}", selection.reason,
                                                    request.have_psk ? "" : " (no pre-shared key for this peer)"));
  sa.choice = *selection.choice;
  auto sai = mm1.chain.body(*sa_entry);
  sa.hs().sai_b.assign(sai.begin(), sai.end());
  log_negotiated(sa, ctx.log);

  SaPayload reply_sa;
  reply_sa.proposals.push_back(Proposal{sa.choice.proposal_number, ProtocolId::Isakmp, {}, {sa.choice.transform}});
  std::vector<PayloadBody> payloads{reply_sa};
  for (auto& v : reply_vendor_ids(sa, request.xauth_enabled)) payloads.push_back(std::move(v));
  sa.state = Phase1State::SentSa;
  return Step::reply_with(serialize_message(reply_header(sa, ExchangeType::IdentityProtection), payloads));
}

Step on_message(ExchangeContext& ctx, Phase1Sa& sa, const Header& header, ByteView datagram) {
  switch (sa.state) {
    case Phase1State::SentSa: return on_key_exchange(ctx, sa, header, datagram);
    case Phase1State::SentKe: return on_identity(ctx, sa, header, datagram);
    case Phase1State::Computing: return Step::ignore("MM3 still being computed");
    default: return Step::ignore(fmt::format("main mode message in state {}", name(sa.state)));
  }
}

Step after_dh(ExchangeContext& ctx, Phase1Sa& sa) {
  derive_keys(sa);
  detect_nat(sa, ctx.log);
  std::vector<PayloadBody> payloads{KePayload{sa.hs().dh.public_value}, NoncePayload{sa.hs().nr_b}};
  for (auto& n : natd_payloads(sa)) payloads.push_back(std::move(n));
  sa.state = Phase1State::SentKe;
  return Step::reply_with(serialize_message(reply_header(sa, ExchangeType::IdentityProtection), payloads,
                                            natt_is_draft(sa.natt)));
}

}  // namespace ravpn::ike::main_mode
