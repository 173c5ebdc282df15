#include "ike/quick_mode.hpp"

#include <span>

#include <fmt/format.h>

#include "ike/child_sa.hpp"
#include "ike/esp_transforms.hpp"
#include "ike/informational.hpp"
#include "ike/log_text.hpp"
#include "ike/phase1_common.hpp"
#include "ike/protected_exchange.hpp"
#include "ike/protection.hpp"
#include "ike/wire/be32.hpp"

namespace ravpn::ike::quick_mode {
namespace {

// A quick mode is accepted under one phase 2 entry (crypto map entry -> dynamic map entry): its transforms,
// lifetimes and PFS group.
using Local = compiled::Phase2Entry;

std::string esp_text(uint8_t id, uint16_t key_bits) {
  switch (id) {
    case esp_id::Des: return "ESP_DES";
    case esp_id::TripleDes: return "ESP_3DES";
    case esp_id::Aes: return fmt::format("ESP_AES-{}", key_bits);
    case esp_id::Null: return "ESP_NULL";
    default: return fmt::format("ESP transform {}", id);
  }
}

struct Match {
  const Proposal* proposal = nullptr;
  const Transform* transform = nullptr;
  EspTransform esp;
  uint16_t encapsulation = encaps::Tunnel;
  std::optional<uint32_t> proposed_seconds, proposed_kilobytes;
};

// Why an ESP transform is not acceptable; empty when it is (RFC 2407 §4.5 attributes).
std::string check(const Transform& t, const Local& local, const Phase1Sa& sa, std::optional<int> ke_group, Match& m) {
  uint16_t auth = 0, key_bits = 0, encaps = 0;
  std::optional<uint16_t> group, life_type;
  for (const auto& a : t.attributes) {
    auto v = a.as_u32();
    if (!v) return fmt::format("attribute {} has no numeric value", a.type);
    switch (a.type) {
      case ipsec_attr::SaLifeType: life_type = uint16_t(*v); break;
      case ipsec_attr::SaLifeDuration:
        if (*v == 0) break;  // no limit proposed: ours applies
        if (life_type == life_type::Seconds) m.proposed_seconds = *v;
        else if (life_type == life_type::Kilobytes) m.proposed_kilobytes = *v;
        break;
      case ipsec_attr::GroupDescription: group = uint16_t(*v); break;
      case ipsec_attr::EncapsulationMode: encaps = uint16_t(*v); break;
      case ipsec_attr::AuthenticationAlgorithm: auth = uint16_t(*v); break;
      case ipsec_attr::KeyLength: key_bits = uint16_t(*v); break;
      default: return fmt::format("unsupported attribute {}", a.type);
    }
  }
  const EspTransform* found = nullptr;
  for (const auto& offer : local.transforms)
    if (offer.transform_id == t.id && offer.auth == auth && (offer.transform_id != esp_id::Aes || offer.key_bits == key_bits))
      found = &offer;
  if (!found) return fmt::format("transform proposal ({}, auth {}) not supported", esp_text(t.id, key_bits), auth);
  // RFC 3947 §5.1 / draft-02: UDP-encapsulated tunnel mode when NAT-T is in use, plain tunnel mode otherwise.
  const bool natt = sa.natt != NattVariant::None && (sa.peer_behind_nat || sa.local_behind_nat);
  const bool udp = encaps == encaps::UdpTunnel || encaps == encaps::UdpTunnelDraft;
  if (encaps != encaps::Tunnel && !udp) return fmt::format("encapsulation mode {} is not tunnel", encaps);
  if (udp != natt) return natt ? "NAT detected but plain tunnel mode proposed" : "UDP encapsulation without a NAT";
  if (group != ke_group) return ke_group ? "PFS group differs from the KE payload" : "PFS group without a KE payload";
  if (local.pfs_group && group != local.pfs_group) return fmt::format("PFS group {} required", *local.pfs_group);
  m.esp = *found;
  m.encapsulation = encaps;
  return {};
}

// Why ravpn skips a proposal (its ANDed parts, RFC 2408 §4.2) without looking at its transforms; empty when it is
// ESP alone with a 4-octet SPI. The Cisco VPN Client 4.x ANDs IPComp (2-octet CPI, RFC 2393) to several of its ESP
// proposals; like the seed PIX, ravpn passes over those and takes a later ESP-only one instead of refusing the offer.
std::string skip_reason(std::span<const Proposal> parts) {
  for (const auto& part : parts) {
    if (part.protocol == ProtocolId::IpComp)
      return fmt::format("ANDed IPComp (CPI of {} octets) is not supported", part.spi.size());
    if (part.protocol != ProtocolId::IpsecEsp) return fmt::format("protocol {} is not ESP", int(part.protocol));
    if (part.spi.size() != 4) return fmt::format("bad SPI size of {} octets", part.spi.size());
  }
  if (parts.size() > 1) return "more than one ESP part";
  return {};
}

std::optional<Match> choose(ExchangeContext& ctx, const Phase1Sa& sa, const SaPayload& offer, const Local& local,
                            std::optional<int> ke_group) {
  // Proposals with the same number are ANDed (RFC 2408 §4.2): all must be acceptable, and ravpn does ESP alone.
  for (size_t i = 0; i < offer.proposals.size();) {
    size_t j = i;
    while (j < offer.proposals.size() && offer.proposals[j].number == offer.proposals[i].number) ++j;
    const Proposal& p = offer.proposals[i];
    ctx.log.log(LogLevel::Debug, LogCategory::Ipsec, "{}: checking IPsec proposal {}", sa.tag(), p.number);
    if (auto why = skip_reason(std::span(offer.proposals).subspan(i, j - i)); !why.empty()) {
      ctx.log.log(LogLevel::Debug, LogCategory::Ipsec, "{}: skipping proposal {}: {}", sa.tag(), p.number, why);
    } else {
      for (const auto& t : p.transforms) {
        Match m;
        std::string why = check(t, local, sa, ke_group, m);
        if (why.empty()) {
          m.proposal = &p;
          m.transform = &t;
          return m;
        }
        ctx.log.log(LogLevel::Debug, LogCategory::Ipsec, "{}: proposal {} transform {}: atts not acceptable: {}",
                    sa.tag(), p.number, t.number, why);
      }
    }
    i = j;
  }
  return std::nullopt;
}

// The prefix a range covers exactly (RFC 2407 §4.6.2.7 ID_IPV4_ADDR_RANGE, e.g. 0.0.0.0-255.255.255.255 for "any"),
// or nothing when it is not one prefix.
std::optional<Ipv4Net> range_as_prefix(Ipv4 first, Ipv4 last) {
  const uint32_t span = first.value ^ last.value;
  if ((span & (span + 1)) != 0) return std::nullopt;  // the differing bits must be a run of low bits
  const Ipv4 mask{~span};
  if ((first.value & span) != 0 || (last.value & span) != span) return std::nullopt;
  return Ipv4Net{first, mask};
}

std::optional<Ipv4Net> id_to_net(const IdPayload& id) {
  if (id.type == id_type::Ipv4Addr && id.data.size() == 4)
    return Ipv4Net{Ipv4::from_bytes(id.data.data()), Ipv4{0xffffffffu}};
  if (id.type == id_type::Ipv4AddrSubnet && id.data.size() == 8) {
    Ipv4Net n{Ipv4::from_bytes(id.data.data()), Ipv4::from_bytes(id.data.data() + 4)};
    if (mask_to_prefix(n.mask)) return n;
  }
  if (id.type == id_type::Ipv4AddrRange && id.data.size() == 8)
    return range_as_prefix(Ipv4::from_bytes(id.data.data()), Ipv4::from_bytes(id.data.data() + 4));
  return std::nullopt;
}

Bytes spi_bytes(kernel::Spi s) { return be32_bytes(s.value); }

Outcome fail_qm(ExchangeContext& ctx, Phase1Sa& sa, uint32_t mid, uint16_t notify_type, const std::string& why) {
  sa.session.quick_modes.erase(mid);
  sa.phase2_ivs.erase(mid);
  ctx.log.log(LogLevel::Notice, LogCategory::Ipsec, "{}: quick mode {:08x} refused: {}", sa.tag(), mid, why);
  return {Step::fail(notify_type, why), false};
}

Outcome build_reply(Phase1Sa& sa, uint32_t mid);

Outcome on_first(ExchangeContext& ctx, Phase1Sa& sa, const Header& header, const PayloadChain& chain) {
  const uint32_t mid = header.message_id.value;
  if (!verify_leading_hash(sa, message_id_bytes(header.message_id), chain))
    return {Step::ignore("quick mode HASH(1) does not verify"), false};  // RFC 2409 §5.5: drop
  const auto* offer = chain.first_as<SaPayload>();
  const auto* nonce = chain.first_as<NoncePayload>();
  if (!offer || !nonce) return fail_qm(ctx, sa, mid, notify::PayloadMalformed, "QM1 lacks SA or NONCE");
  if (!authenticated(sa.session.stage))
    return fail_qm(ctx, sa, mid, 0, "quick mode before Xauth finished");
  const auto* ke = chain.first_as<KePayload>();
  std::optional<int> ke_group;
  if (ke) {
    ke_group = dh_group_for_public_size(ke->data.size());
    if (!ke_group) return fail_qm(ctx, sa, mid, notify::InvalidKeyInformation, "QM1 KE fits no supported group");
  }

  QuickModeExchange qm;
  qm.commit = header.flags & flags::Commit;
  qm.ni_b = nonce->data;
  auto ids = chain.all(PayloadType::ID);
  if (ids.size() == 2) {
    qm.idci = std::get<IdPayload>(ids[0]->body);
    qm.idcr = std::get<IdPayload>(ids[1]->body);
    auto client = id_to_net(*qm.idci);
    auto ours = id_to_net(*qm.idcr);
    if (!client || !ours) return fail_qm(ctx, sa, mid, notify::InvalidIdInformation, "unsupported proxy ID types");
    qm.client_net = *client;
    qm.protected_net = *ours;
  } else if (ids.empty()) {
    qm.client_net = {sa.peer.address, Ipv4{0xffffffffu}};
    qm.protected_net = {sa.local.address, Ipv4{0xffffffffu}};
  } else {
    return fail_qm(ctx, sa, mid, notify::InvalidIdInformation, "QM1 must carry no or two ID payloads");
  }
  // A client that got an address from the pool must use it as its side of the tunnel.
  // A client that got an address from the pool must use it as its side of the tunnel; one that did not, its own
  // address (it must not claim another user's pool address or an inside network).
  const auto& leased = sa.session.mode_config.address;
  const Ipv4 expected = leased ? *leased : sa.peer.address;
  if (qm.client_net != Ipv4Net{expected, Ipv4{0xffffffffu}})
    return fail_qm(ctx, sa, mid, notify::InvalidIdInformation,
                   fmt::format("client proxy {} is not its {} {}", qm.client_net.str(),
                               leased ? "assigned address" : "own address", expected.str()));

  // The entries in sequence order; the first whose `match address` permits these proxy IDs and whose transform
  // sets take a proposal wins (IOS walks a crypto map the same way). Proxy IDs outside every entry's ACL are
  // refused with INVALID-ID-INFORMATION (RFC 2407 §4.6.2 IDs, RFC 2408 §3.14.1 notify 18).
  const int id_protocol = qm.idci ? qm.idci->protocol : 0;
  const compiled::Phase2Entry* entry = nullptr;
  std::optional<Match> match;
  bool id_allowed = false;
  for (const auto& e : ctx.policy.phase2) {
    if (!compiled::allows(e, qm.client_net, qm.protected_net, id_protocol)) continue;
    id_allowed = true;
    if ((match = choose(ctx, sa, *offer, e, ke_group))) {
      entry = &e;
      break;
    }
  }
  if (!id_allowed && !ctx.policy.phase2.empty())
    return fail_qm(ctx, sa, mid, notify::InvalidIdInformation,
                   fmt::format("proxy IDs {} <-> {} are outside the match address of every crypto map entry",
                               qm.client_net.str(), qm.protected_net.str()));
  if (!match) return fail_qm(ctx, sa, mid, notify::NoProposalChosen, "no IPsec proposal matches the transform sets");
  const Local& local = *entry;
  qm.proposal_number = match->proposal->number;
  qm.offered = *match->transform;
  qm.transform_name = match->esp.name;
  qm.transform_id = match->esp.transform_id;
  qm.key_bits = match->esp.key_bits;
  qm.auth_alg = match->esp.auth;
  qm.encapsulation = match->encapsulation;
  qm.peer_spi = match->proposal->spi;
  qm.lifetime_seconds = match->proposed_seconds ? std::min(*match->proposed_seconds, local.lifetime_seconds)
                                                : local.lifetime_seconds;
  qm.lifetime_kilobytes = match->proposed_kilobytes ? std::min(*match->proposed_kilobytes, local.lifetime_kilobytes)
                                                    : local.lifetime_kilobytes;
  qm.lifetime_lowered = (match->proposed_seconds && qm.lifetime_seconds < *match->proposed_seconds) ||
                        (match->proposed_kilobytes && qm.lifetime_kilobytes < *match->proposed_kilobytes);
  qm.pfs_group = ke_group;
  if (ke) qm.g_qm_i = ke->data;

  if (!ctx.kernel) return fail_qm(ctx, sa, mid, 0, "no kernel interface: IPsec SAs cannot be installed");
  auto spi = ctx.kernel->allocate_spi(sa.peer.address, sa.local.address, 0);
  if (!spi) return fail_qm(ctx, sa, mid, 0, "cannot allocate an SPI: " + spi.error());
  qm.our_spi = *spi;
  qm.nr_b = ctx.rng.bytes(kNonceSize);
  ctx.log.log(LogLevel::Info, LogCategory::Ipsec,
              "{}: quick mode {:08x}: proposal {} {} accepted by {}, {} <-> {}, spi in {:08x}", sa.tag(), mid,
              qm.proposal_number, match->esp.name, entry->label(), qm.client_net.str(), qm.protected_net.str(),
              qm.our_spi.value);
  qm.state = QuickModeExchange::State::Computing;
  qm.started_at = ctx.time ? ctx.time->now() : TimePoint{};
  sa.session.quick_modes[mid] = std::move(qm);
  if (ke_group) return {Step::need_dh(), false};
  return build_reply(sa, mid);
}

Outcome build_reply(Phase1Sa& sa, uint32_t mid) {
  auto& qm = sa.session.quick_modes.at(mid);
  Proposal p;
  p.number = qm.proposal_number;
  p.protocol = ProtocolId::IpsecEsp;
  p.spi = spi_bytes(qm.our_spi);
  // RFC 2409 §5 / RFC 2408 §4.2: the chosen transform goes back as offered (number and attributes); a shorter
  // lifetime of ours is told in the RESPONDER-LIFETIME notify only.
  p.transforms.push_back(qm.offered);
  SaPayload reply_sa;
  reply_sa.proposals.push_back(std::move(p));

  std::vector<PayloadBody> rest{reply_sa, NoncePayload{qm.nr_b}};
  if (qm.pfs_group) rest.push_back(KePayload{qm.dh.public_value});
  if (qm.idci) rest.push_back(*qm.idci);
  if (qm.idcr) rest.push_back(*qm.idcr);
  if (qm.lifetime_lowered) {
    // RFC 2407 §4.6.3.1: RESPONDER-LIFETIME with our inbound SPI and the lifetimes we chose.
    NotifyPayload n;
    n.protocol = ProtocolId::IpsecEsp;
    n.type = notify::ResponderLifetime;
    n.spi = spi_bytes(qm.our_spi);
    n.data = serialize_data_attributes({DataAttribute::tv(ipsec_attr::SaLifeType, life_type::Seconds),
                                        DataAttribute::number(ipsec_attr::SaLifeDuration, qm.lifetime_seconds),
                                        DataAttribute::tv(ipsec_attr::SaLifeType, life_type::Kilobytes),
                                        DataAttribute::number(ipsec_attr::SaLifeDuration, qm.lifetime_kilobytes)});
    rest.push_back(std::move(n));
  }
  Bytes prefix = message_id_bytes(MessageId{mid});
  prefix.insert(prefix.end(), qm.ni_b.begin(), qm.ni_b.end());
  Header h = reply_header(sa, ExchangeType::QuickMode);
  h.message_id = MessageId{mid};
  qm.reply = seal_phase2(sa, h, chain_with_hash(sa, prefix, serialize_payloads(rest)));

  crypto::Prf prf(sa.choice.hash, sa.keys.skeyid_a);
  auto h3 = prf.update(uint8_t(0)).update(message_id_bytes(MessageId{mid})).update(qm.ni_b).update(qm.nr_b).final();
  qm.hash3_expected.assign(h3.begin(), h3.end());
  qm.state = QuickModeExchange::State::SentReply;
  return {Step::reply_with(qm.reply), false};
}

Outcome on_final(ExchangeContext& ctx, Phase1Sa& sa, uint32_t mid, const PayloadChain& chain) {
  auto& qm = sa.session.quick_modes.at(mid);
  const auto* hash = chain.first_as<HashPayload>();
  if (!hash || !crypto::constant_time_equal(qm.hash3_expected, hash->data))
    return {Step::ignore("quick mode HASH(3) does not verify"), false};
  auto child = child_sa::install(ctx, sa, qm);
  if (!child) {
    // The client believes the tunnel is up once it sent HASH(3): tell it the SA pair is gone, so it does not keep
    // a dead tunnel and can try again (a new quick mode).
    ctx.log.log(LogLevel::Error, LogCategory::Ipsec, "{}: installing IPsec SAs failed: {}; deleting spi {:08x} at the peer",
                sa.tag(), child.error(), qm.our_spi.value);
    const uint32_t spi = qm.our_spi.value;
    sa.session.quick_modes.erase(mid);  // install() removed what it had put in
    sa.phase2_ivs.erase(mid);
    return {Step::reply_with(informational::delete_esp(ctx, sa, {spi})), false};
  }
  qm.state = QuickModeExchange::State::Done;
  qm.finished_at = child->installed_at;
  // Keep only what recognises a late retransmit of QM1; the keying material and the IV chain go.
  qm.g_qm_xy.clear();
  qm.dh = {};
  qm.hash3_expected.clear();
  Outcome out{Step::ignore("quick mode done"), true};
  if (qm.commit) {
    // RFC 2408 §3.1 commit bit: tell the initiator the SAs are in place (CONNECTED, in the QM's message ID).
    NotifyPayload n;
    n.protocol = ProtocolId::IpsecEsp;
    n.type = notify::Connected;
    n.spi = spi_bytes(qm.our_spi);
    Header h = reply_header(sa, ExchangeType::Informational);
    h.message_id = MessageId{mid};
    out.step = Step::reply_with(seal_phase2(sa, h, chain_with_hash(sa, message_id_bytes(h.message_id), serialize_payloads({n}))));
  }
  sa.phase2_ivs.erase(mid);
  return out;
}

}  // namespace

Outcome on_message(ExchangeContext& ctx, Phase1Sa& sa, const Header& header, ByteView datagram) {
  const uint32_t mid = header.message_id.value;
  auto existing = sa.session.quick_modes.find(mid);
  if (existing != sa.session.quick_modes.end() && existing->second.qm1_raw == Bytes(datagram.begin(), datagram.end())) {
    if (!existing->second.reply.empty()) return {Step::reply_with(existing->second.reply), false};
    return {Step::ignore("QM1 retransmit while computing"), false};
  }
  auto chain = open_phase2(sa, header, datagram);
  if (!chain) return {Step::ignore("quick mode message does not decrypt: " + chain.error().what), false};
  if (existing == sa.session.quick_modes.end()) {
    Bytes raw(datagram.begin(), datagram.end());
    auto out = on_first(ctx, sa, header, *chain);
    if (auto it = sa.session.quick_modes.find(mid); it != sa.session.quick_modes.end()) it->second.qm1_raw = raw;
    return out;
  }
  if (existing->second.state == QuickModeExchange::State::SentReply) return on_final(ctx, sa, mid, *chain);
  return {Step::ignore("quick mode message in a finished exchange"), false};
}

Outcome after_dh(ExchangeContext&, Phase1Sa& sa, uint32_t mid) {
  if (!sa.session.quick_modes.count(mid)) return {Step::ignore("quick mode gone"), false};
  return build_reply(sa, mid);
}

void remove_all(ExchangeContext& ctx, Phase1Sa& sa) {
  child_sa::remove_all(ctx, sa);
  abandon_pending(ctx, sa);
  sa.session.quick_modes.clear();
}

void abandon_pending(ExchangeContext& ctx, Phase1Sa& sa) {
  std::erase_if(sa.session.quick_modes, [&](auto& entry) {
    if (entry.second.state == QuickModeExchange::State::Done) return false;
    if (ctx.kernel && entry.second.our_spi.value != 0) (void)ctx.kernel->delete_sa(sa.local.address, entry.second.our_spi);
    return true;
  });
}

}  // namespace ravpn::ike::quick_mode
