#include "ike/aggressive_mode.hpp"

#include <fmt/format.h>

#include "ike/phase1_common.hpp"
#include "ike/protection.hpp"

namespace ravpn::ike::aggressive_mode {
namespace {

struct KeyLookup {
  const std::string* key = nullptr;
  bool masked = false;
  bool no_xauth = false;
  std::string origin;
  std::string group;
};

KeyLookup find_key(const config::Config& config, const IdPayload& id, Ipv4 source) {
  KeyLookup out;
  if (id.type == id_type::KeyId || id.type == id_type::Fqdn || id.type == id_type::UserFqdn) {
    std::string name(id.data.begin(), id.data.end());
    auto it = config.client_groups.find(name);
    if (it != config.client_groups.end() && it->second.key) {
      out.key = &*it->second.key;
      out.masked = it->second.key_masked;
      out.origin = "group " + name;
      out.group = name;
    }
    return out;
  }
  Ipv4 who = source;
  if (id.type == id_type::Ipv4Addr && id.data.size() == 4) who = Ipv4::from_bytes(id.data.data());
  if (const auto* k = config.key_for_peer(who)) {
    out.key = &k->key;
    out.masked = k->masked;
    out.no_xauth = k->no_xauth;
    out.origin = fmt::format("isakmp key for {} ({}:{})", k->peer.str(), k->origin.file, k->origin.line);
  }
  return out;
}

Step on_final(ExchangeContext& ctx, Phase1Sa& sa, const Header& header, ByteView datagram) {
  // The peer cannot know the decoy key: it fails here as a wrong group key would (same notify, same protection).
  if (sa.decoy)
    return Step::fail(notify::AuthenticationFailed,
                      fmt::format("authentication failed: {} has no pre-shared key (decoy answer sent)",
                                  describe_id(sa.peer_id)));
  // RFC 2409 §5.4 leaves AM3 clear or encrypted; Cisco clients and vpnc encrypt it.
  Bytes iv = sa.iv;
  Parsed<PayloadChain> chain = std::unexpected(ParseError{});
  if (header.flags & flags::Encryption) {
    chain = open_message(header, datagram, sa, iv);
  } else {
    auto msg = parse_message(datagram);
    if (msg) chain = std::move(msg->chain);
    else chain = std::unexpected(msg.error());
  }
  if (!chain)
    return Step::fail(notify::AuthenticationFailed,
                      "authentication failed: AM3 does not parse (pre-shared key mismatch?): " + chain.error().what);
  sa.iv = iv;  // decrypted (or clear): the chain moves on, also for a notify about a bad HASH_I
  const auto* hash = chain->first_as<HashPayload>();
  if (!hash) return Step::fail(notify::PayloadMalformed, "AM3 lacks HASH");
  take_natd(sa, *chain);
  if (!crypto::constant_time_equal(expected_hash_i(sa), hash->data))
    return Step::fail(notify::AuthenticationFailed,
                      fmt::format("authentication failed: HASH_I mismatch for {} ({})", describe_id(sa.peer_id),
                                  sa.hs().psk_origin));
  detect_nat(sa, ctx.log);
  for (const auto* n : chain->all(PayloadType::Notify))
    if (std::get<NotifyPayload>(n->body).type == notify::InitialContact) {
      sa.initial_contact = true;
      ctx.log.log(LogLevel::Info, LogCategory::Isakmp, "{}: INITIAL-CONTACT", sa.tag());
    }
  sa.phase1_last_block = sa.iv;
  sa.state = Phase1State::Established;
  log_established(sa, ctx.log);
  return Step::reply_with({});
}

}  // namespace

Step on_first(ExchangeContext& ctx, Phase1Sa& sa, const Message& am1) {
  const auto* sa_entry = am1.chain.first(PayloadType::SA);
  const auto* ke = am1.chain.first_as<KePayload>();
  const auto* nonce = am1.chain.first_as<NoncePayload>();
  const auto* id_entry = am1.chain.first(PayloadType::ID);
  if (!sa_entry || !ke || !nonce || !id_entry)
    return Step::fail(notify::PayloadMalformed, "AM1 needs SA, KE, NONCE and ID");
  if (nonce->data.size() < 8 || nonce->data.size() > 256)
    return Step::fail(notify::PayloadMalformed, "AM1 nonce length out of 8..256");  // RFC 2409 §5
  take_vendor_ids(sa, am1.chain);
  sa.peer_id = std::get<IdPayload>(id_entry->body);

  auto ke_group = dh_group_for_public_size(ke->data.size());
  if (!ke_group)
    return Step::fail(notify::InvalidKeyInformation,
                      fmt::format("AM1 KE of {} bytes fits no supported group", ke->data.size()));

  KeyLookup key = find_key(ctx.config, sa.peer_id, sa.peer.address);
  if (!key.key || key.masked) {
    // No group-name oracle: INVALID-ID-INFORMATION for an unknown group let ike-scan list the valid ones (Cisco
    // changed its head-ends the same way). The answer is built as for a known group, HASH_R under a random key
    // nobody holds, so it has the same payloads and sizes and psk-crack has nothing to find; AM3 then fails.
    ctx.log.log(LogLevel::Warning, LogCategory::Isakmp,
                "{}: aggressive mode for unknown identity {}{}: decoy answer, the exchange will fail at AM3", sa.tag(),
                describe_id(sa.peer_id), key.masked ? " (key masked in the config, no secret supplied)" : "");
    auto random_key = ctx.rng.bytes(kNonceSize);
    sa.hs().psk.assign(random_key.begin(), random_key.end());
    sa.hs().psk_origin = "none (decoy)";
    sa.decoy = true;
  } else {
    sa.hs().psk.assign(key.key->begin(), key.key->end());
    sa.hs().psk_origin = key.origin;
    sa.group_name = key.group;
  }

  Phase1Request request;
  request.sa = &std::get<SaPayload>(sa_entry->body);
  request.have_psk = true;
  request.xauth_enabled = ctx.config.xauth_enabled() && !key.no_xauth;
  request.ke_group = ke_group;
  sa.xauth_wanted = request.xauth_enabled;
  auto selection = select_phase1(request, ctx.config.isakmp_policies, ctx.log);
  if (!selection.choice) return Step::fail(selection.notify, "no proposal chosen: " + selection.reason);
  sa.choice = *selection.choice;
  log_negotiated(sa, ctx.log);

  auto sai = am1.chain.body(*sa_entry);
  sa.hs().sai_b.assign(sai.begin(), sai.end());
  auto idii = am1.chain.body(*id_entry);
  sa.hs().idii_b.assign(idii.begin(), idii.end());
  sa.hs().g_xi = ke->data;
  sa.hs().ni_b = nonce->data;
  sa.hs().nr_b = ctx.rng.bytes(kNonceSize);
  sa.state = Phase1State::Computing;
  if (sa.decoy) {
    // No DH for a decoy: a random value of the group's size looks like g^y (a real one is uniform below p, and
    // p's leading bits are all ones, so only a value above p, with odds near 2^-64, would tell), and the shared
    // secret only feeds keys nobody can check. The decoy costs no DH work.
    sa.hs().dh.group = sa.choice.dh_group;
    sa.hs().dh.public_value = ctx.rng.bytes(ke->data.size());
    auto shared = ctx.rng.bytes(ke->data.size());
    sa.hs().g_xy.assign(shared.begin(), shared.end());
    return after_dh(ctx, sa);
  }
  return Step::need_dh();
}

Step on_message(ExchangeContext& ctx, Phase1Sa& sa, const Header& header, ByteView datagram) {
  switch (sa.state) {
    case Phase1State::SentReply: return on_final(ctx, sa, header, datagram);
    case Phase1State::Computing: return Step::ignore("AM1 still being computed");
    default: return Step::ignore(fmt::format("aggressive mode message in state {}", name(sa.state)));
  }
}

Step after_dh(ExchangeContext& ctx, Phase1Sa& sa) {
  derive_keys(sa);
  IdPayload ours = local_identity(ctx.config, sa);
  sa.hs().idir_b = serialize_id(ours);
  const auto hash_r = our_hash_r(sa);

  SaPayload reply_sa;
  reply_sa.proposals.push_back(Proposal{sa.choice.proposal_number, ProtocolId::Isakmp, {}, {sa.choice.transform}});
  std::vector<PayloadBody> payloads{reply_sa, KePayload{sa.hs().dh.public_value}, NoncePayload{sa.hs().nr_b}, ours,
                                    HashPayload{Bytes(hash_r.begin(), hash_r.end())}};
  for (auto& v : reply_vendor_ids(sa, sa.choice.xauth() || ctx.config.xauth_enabled())) payloads.push_back(std::move(v));
  for (auto& n : natd_payloads(sa)) payloads.push_back(std::move(n));
  sa.state = Phase1State::SentReply;
  return Step::reply_with(serialize_message(reply_header(sa, ExchangeType::Aggressive), payloads,
                                            natt_is_draft(sa.natt)));
}

}  // namespace ravpn::ike::aggressive_mode
