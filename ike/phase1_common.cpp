#include "ike/phase1_common.hpp"
#include "ike/log_text.hpp"

#include "ike/protection.hpp"

namespace ravpn::ike {

const char* name(Phase1Mode m) { return m == Phase1Mode::Main ? "main mode" : "aggressive mode"; }

const char* name(Phase1State s) {
  switch (s) {
    case Phase1State::SentSa: return "MM_SA_SETUP";
    case Phase1State::Computing: return "COMPUTING";
    case Phase1State::SentKe: return "MM_KEY_EXCH";
    case Phase1State::SentReply: return "AG_INIT_EXCH";
    case Phase1State::Established: return "QM_IDLE";
    case Phase1State::Deleted: return "DELETED";
  }
  return "?";
}

void take_vendor_ids(Phase1Sa& sa, const PayloadChain& chain) {
  for (const auto* e : chain.all(PayloadType::VendorId))
    note_vendor_id(sa.caps, std::get<VendorIdPayload>(e->body).data);
  sa.natt = sa.caps.natt;
}

std::vector<PayloadBody> reply_vendor_ids(const Phase1Sa& sa, bool xauth_on) {
  std::vector<PayloadBody> out;
  if (xauth_on) out.push_back(VendorIdPayload{vid_xauth()});
  if (sa.caps.unity) out.push_back(VendorIdPayload{vid_unity()});
  if (sa.caps.dpd) out.push_back(VendorIdPayload{vid_dpd()});
  if (sa.natt != NattVariant::None) out.push_back(VendorIdPayload{vid_natt(sa.natt)});
  // Fragments of large messages are reassembled (fragments.hpp); our own replies stay small enough to send whole.
  if (sa.caps.cisco_fragmentation) out.push_back(VendorIdPayload{vid_cisco_fragmentation()});
  return out;
}

void take_natd(Phase1Sa& sa, const PayloadChain& chain) {
  if (sa.natt == NattVariant::None) return;
  const auto type = natt_is_draft(sa.natt) ? PayloadType::NatDDraft : PayloadType::NatD;
  sa.hs().peer_natd.clear();
  for (const auto* e : chain.all(type)) sa.hs().peer_natd.push_back(std::get<NatDPayload>(e->body).hash);
}

std::vector<PayloadBody> natd_payloads(const Phase1Sa& sa) {
  if (sa.natt == NattVariant::None) return {};
  return {NatDPayload{natd_hash(sa, sa.peer)}, NatDPayload{natd_hash(sa, sa.local)}};
}

void detect_nat(Phase1Sa& sa, Logger& log) {
  if (sa.natt == NattVariant::None || sa.hs().peer_natd.empty()) return;
  // RFC 3947 §3.2: the first hash is of the destination (us) as the peer addressed it; the others of its source.
  sa.local_behind_nat = !crypto::constant_time_equal(sa.hs().peer_natd[0], natd_hash(sa, sa.local));
  const Bytes peer_seen = natd_hash(sa, sa.peer);
  bool peer_matches = false;
  for (size_t i = 1; i < sa.hs().peer_natd.size(); ++i)
    peer_matches = peer_matches || crypto::constant_time_equal(sa.hs().peer_natd[i], peer_seen);
  sa.peer_behind_nat = !peer_matches;
  log.log(LogLevel::Info, LogCategory::Isakmp, "{}: NAT-T {}: {}", sa.tag(), name(sa.natt),
          sa.peer_behind_nat ? "peer is behind a NAT" : (sa.local_behind_nat ? "we are behind a NAT" : "no NAT"));
}

IdPayload local_identity(const config::Config& config, const Phase1Sa& sa) {
  IdPayload id;
  id.protocol = 17;  // the seed traces: "type : 1 protocol : 17 port : 500 length : 8"
  id.port = kIkePort;
  if (config.isakmp_identity == "hostname" && !config.hostname.empty()) {
    id.type = id_type::Fqdn;
    id.data.assign(config.hostname.begin(), config.hostname.end());
  } else {
    id.type = id_type::Ipv4Addr;
    auto a = sa.local.address.bytes();
    id.data.assign(a.begin(), a.end());
  }
  return id;
}

std::string describe_id(const IdPayload& id) {
  auto text = [&] { return peer_text(id.data); };  // the peer's bytes: escaped and bounded
  switch (id.type) {
    case id_type::Ipv4Addr:
      return id.data.size() == 4 ? "ID_IPV4_ADDR " + Ipv4::from_bytes(id.data.data()).str() : "ID_IPV4_ADDR (bad)";
    case id_type::Fqdn: return "ID_FQDN " + text();
    case id_type::UserFqdn: return "ID_USER_FQDN " + text();
    case id_type::KeyId: return "ID_KEY_ID " + text();
    default: return "ID type " + std::to_string(id.type);
  }
}

void derive_keys(Phase1Sa& sa) {
  const auto& hs = sa.hs();
  crypto::Phase1Inputs in{sa.choice.hash, sa.choice.cipher, hs.psk, hs.ni_b, hs.nr_b, hs.g_xy, hs.g_xi,
                          hs.dh.public_value, sa.icookie.bytes, sa.rcookie.bytes};
  sa.keys = crypto::derive_phase1_psk(in);
  sa.iv = sa.keys.iv;
}

crypto::SecretBytes expected_hash_i(const Phase1Sa& sa) {
  return crypto::hash_i({sa.choice.hash, sa.keys.skeyid, sa.hs().g_xi, sa.hs().dh.public_value, sa.icookie.bytes,
                         sa.rcookie.bytes, sa.hs().sai_b, sa.hs().idii_b});
}

crypto::SecretBytes our_hash_r(const Phase1Sa& sa) {
  return crypto::hash_r({sa.choice.hash, sa.keys.skeyid, sa.hs().g_xi, sa.hs().dh.public_value, sa.icookie.bytes,
                         sa.rcookie.bytes, sa.hs().sai_b, sa.hs().idir_b});
}

void log_negotiated(const Phase1Sa& sa, Logger& log) {
  log.log(LogLevel::Info, LogCategory::Isakmp, "{}: {} proposal accepted: {}; peer supports {}", sa.tag(),
          name(sa.mode), sa.choice.describe(), sa.caps.describe());
}

void log_established(const Phase1Sa& sa, Logger& log) {
  log.log(LogLevel::Notice, LogCategory::Isakmp, "{}: phase 1 established ({}, peer {}, key {}, {}{})", sa.tag(),
          name(sa.mode), describe_id(sa.peer_id), sa.hs().psk_origin, sa.choice.describe(),
          sa.choice.xauth() ? ", Xauth next" : "");
  // Said once the peer has authenticated: an unauthenticated peer (a flood of first messages) writes no warnings.
  if (crypto::is_weak(sa.choice.cipher) || crypto::is_weak(sa.choice.hash) || sa.choice.dh_group < 2)
    log.log(LogLevel::Warning, LogCategory::Isakmp,
            "{}: weak legacy algorithms in use ({}), allowed because the configuration asks for them", sa.tag(),
            sa.choice.describe());
}

Header reply_header(const Phase1Sa& sa, ExchangeType exchange) {
  Header h;
  h.initiator_cookie = sa.icookie;
  h.responder_cookie = sa.rcookie;
  h.exchange = exchange;
  return h;
}

}  // namespace ravpn::ike
