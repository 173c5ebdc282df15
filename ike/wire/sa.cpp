// SA payload with its proposal and transform substructures (RFC 2408 §3.4-3.6, RFC 2407 §4.6.1).
#include "ike/wire/attributes.hpp"

namespace ravpn::ike {

namespace {

constexpr size_t kSubHeader = 4;       // next payload, reserved, length of a proposal/transform
constexpr size_t kProposalFixed = 8;   // generic header + number, protocol, SPI size, # transforms
constexpr size_t kTransformFixed = 8;  // generic header + number, id, RESERVED2
constexpr uint8_t kMoreProposals = 2;  // RFC 2408 §3.5: next payload 2 while proposals follow, else 0
constexpr uint8_t kMoreTransforms = 3; // RFC 2408 §3.6: next payload 3 while transforms follow, else 0

// RFC 2408 §5.5: proposals or transforms "not formed correctly" are BAD-PROPOSAL-SYNTAX.
bool syntax(Reader& r, const std::string& text) { return r.fail(text, notify::BadProposalSyntax); }

// Reads a proposal/transform generic header (next must be 0 or `more`) and returns a reader over the rest of
// the substructure, whose length must lie within what is left of the parent.
Reader read_substructure(Reader& r, const std::string& name, size_t fixed, uint8_t more, uint8_t& next) {
  if (r.ok() && r.left() < fixed)
    syntax(r, name + ": " + std::to_string(r.left()) + " bytes left, need " + std::to_string(fixed));
  next = r.u8();
  uint8_t reserved = r.u8();
  uint16_t length = r.u16();
  if (r.ok() && next != 0 && next != more)
    syntax(r, name + ": next payload " + std::to_string(next) + " (must be 0 or " + std::to_string(more) + ")");
  if (r.ok() && reserved != 0) syntax(r, name + ": RESERVED is not zero");
  if (r.ok() && (length < fixed || length - kSubHeader > r.left()))
    syntax(r, name + ": length " + std::to_string(length) + " with " + std::to_string(r.left() + kSubHeader) +
                  " bytes available");
  if (!r.ok()) return Reader({}, name);
  return r.sub(length - kSubHeader, name);
}

// A failure inside a proposal is BAD-PROPOSAL-SYNTAX unless a more specific notify was chosen.
bool propagate(Reader& parent, const Reader& child) {
  if (child.ok()) return true;
  uint16_t code = child.error().notify;
  if (code == notify::PayloadMalformed) code = notify::BadProposalSyntax;
  return parent.fail(child.error().what, code);
}

bool read_transform(Reader& p, const std::string& name, bool last, Transform& t) {
  uint8_t next = 0;
  Reader r = read_substructure(p, name, kTransformFixed, kMoreTransforms, next);
  if (!p.ok()) return false;
  // The "# of transforms" count and the next-payload chain must agree (RFC 2408 §3.5, §3.6).
  if (next != (last ? 0 : kMoreTransforms))
    return syntax(p, name + ": next payload " + std::to_string(next) + " disagrees with the transform count");
  t.number = r.u8();
  t.id = r.u8();
  uint16_t reserved2 = r.u16();
  if (r.ok() && reserved2 != 0) syntax(r, name + ": RESERVED2 is not zero");
  if (r.ok()) read_data_attributes(r, t.attributes);
  return propagate(p, r);
}

bool read_proposal(Reader& sa, const std::string& name, Proposal& prop, bool& more) {
  uint8_t next = 0;
  Reader r = read_substructure(sa, name, kProposalFixed, kMoreProposals, next);
  if (!sa.ok()) return false;
  more = next == kMoreProposals;
  prop.number = r.u8();
  uint8_t protocol = r.u8();
  uint8_t spi_size = r.u8();
  uint8_t count = r.u8();
  // RFC 2407 §4.4.1: protocol IDs 1-4; anything else is INVALID-PROTOCOL-ID (RFC 2408 §5.5).
  if (r.ok() && (protocol < 1 || protocol > 4))
    r.fail(name + ": protocol " + std::to_string(protocol), notify::InvalidProtocolId);
  if (r.ok() && count == 0) syntax(r, name + ": no transforms");
  prop.protocol = static_cast<ProtocolId>(protocol);
  ByteView spi = r.bytes(spi_size);
  prop.spi.assign(spi.begin(), spi.end());
  for (unsigned i = 0; i < count && r.ok(); ++i) {
    Transform t;
    if (read_transform(r, name + " transform " + std::to_string(i + 1), i + 1 == count, t))
      prop.transforms.push_back(std::move(t));
  }
  if (r.ok() && !r.done()) syntax(r, name + ": " + std::to_string(r.left()) + " bytes after the last transform");
  return propagate(sa, r);
}

}  // namespace

Parsed<SaPayload> parse_sa(ByteView body) {
  Reader r(body, "SA");
  SaPayload sa;
  sa.doi = r.u32();
  sa.situation = r.u32();
  if (!r.ok()) return std::unexpected(r.error());
  // RFC 2408 §5.6: unsupported DOI / situation. Only SIT_IDENTITY_ONLY, which carries no labeled-domain fields
  // (RFC 2407 §4.6.1), so the proposals follow the situation directly.
  if (sa.doi != kDoiIpsec)
    return std::unexpected(ParseError{notify::DoiNotSupported, "SA: DOI " + std::to_string(sa.doi)});
  if (sa.situation != kSituationIdentityOnly)
    return std::unexpected(
        ParseError{notify::SituationNotSupported, "SA: situation " + std::to_string(sa.situation)});
  bool more = true;
  while (more && r.ok()) {
    Proposal p;
    if (read_proposal(r, "SA proposal " + std::to_string(sa.proposals.size() + 1), p, more))
      sa.proposals.push_back(std::move(p));
  }
  if (r.ok() && !r.done()) r.fail("SA: " + std::to_string(r.left()) + " bytes after the last proposal");
  if (!r.ok()) return std::unexpected(r.error());
  return sa;
}

Bytes serialize_sa(const SaPayload& sa) {
  Writer w;
  w.u32(sa.doi);
  w.u32(sa.situation);
  for (size_t i = 0; i < sa.proposals.size(); ++i) {
    const Proposal& p = sa.proposals[i];
    size_t start = w.size();
    w.u8(i + 1 < sa.proposals.size() ? kMoreProposals : 0);
    w.u8(0);
    size_t length_at = w.placeholder16();
    w.u8(p.number);
    w.u8(static_cast<uint8_t>(p.protocol));
    w.u8(checked_u8(p.spi.size(), "SPI size"));
    w.u8(checked_u8(p.transforms.size(), "number of transforms"));
    w.bytes(p.spi);
    for (size_t j = 0; j < p.transforms.size(); ++j) {
      const Transform& t = p.transforms[j];
      size_t tstart = w.size();
      w.u8(j + 1 < p.transforms.size() ? kMoreTransforms : 0);
      w.u8(0);
      size_t tlength_at = w.placeholder16();
      w.u8(t.number);
      w.u8(t.id);
      w.u16(0);
      write_data_attributes(w, t.attributes);
      w.patch_length16(tlength_at, tstart);
    }
    w.patch_length16(length_at, start);
  }
  return w.take();
}

const DataAttribute* Transform::find(uint16_t type) const {
  for (const auto& a : attributes)
    if (a.type == type) return &a;
  return nullptr;
}

}  // namespace ravpn::ike
