#include "ike/informational.hpp"

#include <fmt/format.h>

#include "ike/phase1_common.hpp"
#include "ike/protected_exchange.hpp"
#include "ike/protection.hpp"
#include "ike/wire/be32.hpp"

namespace ravpn::ike::informational {
namespace {

Bytes isakmp_spi(const Phase1Sa& sa) {
  Bytes spi(sa.icookie.bytes.begin(), sa.icookie.bytes.end());
  spi.insert(spi.end(), sa.rcookie.bytes.begin(), sa.rcookie.bytes.end());
  return spi;
}

Outcome ignored(std::string why) {
  Outcome out;
  out.step = Step::ignore(std::move(why));
  return out;
}

bool has_keys(const Phase1Sa& sa) { return !sa.keys.skeyid_a.empty() && !sa.keys.enc_key.empty(); }

Bytes protect(ExchangeContext& ctx, Phase1Sa& sa, const PayloadBody& payload) {
  MessageId mid = new_message_id(ctx.rng, sa);
  Header h = reply_header(sa, ExchangeType::Informational);
  h.message_id = mid;
  Bytes out = seal_phase2(sa, h, chain_with_hash(sa, message_id_bytes(mid), serialize_payloads({payload})));
  sa.phase2_ivs.erase(mid.value);  // a one-message exchange: its IV chain ends here
  return out;
}

}  // namespace

Bytes notify(ExchangeContext& ctx, Phase1Sa& sa, uint16_t type, Bytes data) {
  NotifyPayload n;
  n.protocol = ProtocolId::Isakmp;
  n.type = type;
  n.spi = isakmp_spi(sa);
  n.data = std::move(data);
  if (has_keys(sa)) return protect(ctx, sa, n);
  Header h = reply_header(sa, ExchangeType::Informational);
  h.message_id = new_message_id(ctx.rng, sa);
  return serialize_message(h, {n});
}

Bytes clear_notify(const Header& request, const Cookie& rcookie, uint16_t type, MessageId id) {
  Header h;
  h.initiator_cookie = request.initiator_cookie;
  h.responder_cookie = rcookie;
  h.exchange = ExchangeType::Informational;
  h.message_id = id;
  NotifyPayload n;
  n.protocol = ProtocolId::Isakmp;
  n.type = type;
  return serialize_message(h, {n});
}

Bytes delete_isakmp(ExchangeContext& ctx, Phase1Sa& sa) {
  DeletePayload d;
  d.protocol = ProtocolId::Isakmp;
  d.spi_size = 16;
  d.spis.push_back(isakmp_spi(sa));
  return protect(ctx, sa, d);
}

Bytes r_u_there(ExchangeContext& ctx, Phase1Sa& sa, uint32_t sequence) {
  return notify(ctx, sa, notify::DpdRUThere, be32_bytes(sequence));
}

Bytes delete_esp(ExchangeContext& ctx, Phase1Sa& sa, const std::vector<uint32_t>& our_inbound_spis) {
  DeletePayload d;
  d.protocol = ProtocolId::IpsecEsp;
  d.spi_size = 4;
  for (uint32_t spi : our_inbound_spis) d.spis.push_back(be32_bytes(spi));
  return protect(ctx, sa, d);
}

Outcome on_message(ExchangeContext& ctx, Phase1Sa& sa, const Header& header, ByteView datagram) {
  Parsed<PayloadChain> chain = std::unexpected(ParseError{});
  if (header.flags & flags::Encryption) {
    if (!has_keys(sa)) return ignored("encrypted informational before keys exist");
    chain = open_phase2(sa, header, datagram);
    sa.phase2_ivs.erase(header.message_id.value);  // a one-message exchange
    if (!chain) return ignored("informational does not decrypt: " + chain.error().what);
    // RFC 2409 §5.7: HASH(1) must lead and verify, else the message is dropped.
    if (!verify_leading_hash(sa, message_id_bytes(header.message_id), *chain))
      return ignored("informational HASH(1) does not verify");
  } else {
    if (has_keys(sa))
      return ignored("clear informational once keys exist (RFC 2409 §5.7 wants it protected)");
    auto msg = parse_message(datagram);
    if (!msg) return ignored("informational: " + msg.error().what);
    chain = std::move(msg->chain);
  }

  Outcome out = ignored("informational processed");
  out.authenticated = (header.flags & flags::Encryption) != 0;
  for (const auto& p : chain->payloads) {
    if (const auto* n = std::get_if<NotifyPayload>(&p.body)) {
      if (n->type == notify::DpdRUThere && sa.established()) {
        // RFC 3706 §5: answer R-U-THERE with R-U-THERE-ACK carrying the same sequence number.
        ctx.log.log(LogLevel::Debug, LogCategory::Isakmp, "{}: DPD R-U-THERE", sa.tag());
        out.step = Step::reply_with(notify(ctx, sa, notify::DpdRUThereAck, n->data));
      } else if (n->type == notify::DpdRUThereAck) {
        ctx.log.log(LogLevel::Debug, LogCategory::Isakmp, "{}: DPD R-U-THERE-ACK", sa.tag());
        if (n->data.size() == 4)
          out.dpd_ack = be32_of(n->data);
      } else {
        ctx.log.log(n->type < 8192 ? LogLevel::Warning : LogLevel::Info, LogCategory::Isakmp,
                    "{}: peer sent notify {}", sa.tag(), n->type);
      }
    } else if (const auto* d = std::get_if<DeletePayload>(&p.body)) {
      if (d->protocol == ProtocolId::Isakmp) {
        // RFC 2408 §3.15: the SPI of an ISAKMP SA is CKY-I | CKY-R; a delete naming another SA is not ours.
        const Bytes ours = isakmp_spi(sa);
        bool names_us = false;
        for (const auto& spi : d->spis) names_us = names_us || spi == ours;
        if (!names_us) {
          ctx.log.log(LogLevel::Info, LogCategory::Isakmp, "{}: ignoring a delete for another ISAKMP SA", sa.tag());
          continue;
        }
        ctx.log.log(LogLevel::Info, LogCategory::Isakmp, "{}: peer deleted the ISAKMP SA", sa.tag());
        out.delete_isakmp = true;
      } else {
        ctx.log.log(LogLevel::Info, LogCategory::Ipsec, "{}: peer deleted {} IPsec SA(s)", sa.tag(), d->spis.size());
        for (const auto& spi : d->spis)
          if (spi.size() == 4)
            out.deleted_ipsec_spis.push_back(be32_of(spi));
      }
    }
  }
  return out;
}

}  // namespace ravpn::ike::informational
