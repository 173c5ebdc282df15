#include "daemon/privsep/messages.hpp"


namespace ravpn::privsep {
namespace {

using ike::Reader;
using ike::Writer;

constexpr size_t kMaxKey = 64;          // AES-256 + SHA-512 keys are 32 and 64 bytes
constexpr size_t kMaxDevice = 15;       // IFNAMSIZ - 1
constexpr size_t kMaxError = 4096;
constexpr size_t kMaxPath = 4096;

void u64(Writer& w, uint64_t v) {
  w.u32(uint32_t(v >> 32));
  w.u32(uint32_t(v));
}
uint64_t u64(Reader& r) {
  const uint64_t high = r.u32();
  return high << 32 | r.u32();
}
void text(Writer& w, std::string_view s) {
  w.u32(uint32_t(s.size()));
  w.bytes(ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}
std::string text(Reader& r, size_t max, const char* what) {
  const uint32_t n = r.u32();
  if (n > max) {
    r.fail(std::string(what) + ": " + std::to_string(n) + " bytes, at most " + std::to_string(max));
    return {};
  }
  auto b = r.bytes(n);
  return std::string(b.begin(), b.end());
}
void net(Writer& w, const Ipv4Net& n) {
  w.u32(n.address.value);
  w.u32(n.mask.value);
}
Ipv4Net net(Reader& r) {
  Ipv4Net n;
  n.address = Ipv4{r.u32()};
  n.mask = Ipv4{r.u32()};
  if (r.ok() && !mask_to_prefix(n.mask)) r.fail("netmask is not contiguous");
  return n;
}
void key(Writer& w, const Botan::secure_vector<uint8_t>& k) {
  w.u8(uint8_t(k.size()));
  w.bytes(ByteView(k.data(), k.size()));
}
Botan::secure_vector<uint8_t> key(Reader& r) {
  const uint8_t n = r.u8();
  if (n > kMaxKey) {
    r.fail("key of " + std::to_string(n) + " bytes");
    return {};
  }
  auto b = r.bytes(n);
  return Botan::secure_vector<uint8_t>(b.begin(), b.end());
}
uint8_t bounded(Reader& r, uint8_t last, const char* what) {
  const uint8_t v = r.u8();
  if (v > last) r.fail(std::string(what) + " " + std::to_string(v) + " unknown");
  return v;
}
void direction(Writer& w, kernel::Direction d) { w.u8(uint8_t(d)); }
kernel::Direction direction(Reader& r) {
  return kernel::Direction(bounded(r, uint8_t(kernel::Direction::Forward), "direction"));
}

// Every decoder: the whole body and nothing more.
template <class T, class F>
Decoded<T> decode_all(ByteView body, const char* what, F read) {
  Reader r(body, what);
  T value = read(r);
  if (r.ok() && !r.done()) r.fail(std::string(what) + ": " + std::to_string(r.left()) + " bytes left over");
  if (!r.ok()) return std::unexpected(r.error().what);
  return value;
}

void write_sa(Writer& w, const kernel::SaSpec& sa) {
  w.u32(sa.source.value);
  w.u32(sa.destination.value);
  w.u32(sa.spi.value);
  w.u32(sa.reqid);
  w.u8(uint8_t(sa.cipher));
  key(w, sa.cipher_key);
  w.u8(uint8_t(sa.auth));
  key(w, sa.auth_key);
  net(w, sa.selector_source);
  net(w, sa.selector_destination);
  u64(w, sa.lifetime.soft_seconds);
  u64(w, sa.lifetime.hard_seconds);
  u64(w, sa.lifetime.soft_bytes);
  u64(w, sa.lifetime.hard_bytes);
  w.u8(sa.encap ? 1 : 0);
  if (sa.encap) {
    w.u16(sa.encap->source_port);
    w.u16(sa.encap->destination_port);
  }
}

kernel::SaSpec read_sa(Reader& r) {
  kernel::SaSpec sa;
  sa.source = Ipv4{r.u32()};
  sa.destination = Ipv4{r.u32()};
  sa.spi = kernel::Spi{r.u32()};
  sa.reqid = r.u32();
  sa.cipher = kernel::EspCipher(bounded(r, uint8_t(kernel::EspCipher::Aes), "cipher"));
  sa.cipher_key = key(r);
  sa.auth = kernel::EspAuth(bounded(r, uint8_t(kernel::EspAuth::HmacSha512), "integrity algorithm"));
  sa.auth_key = key(r);
  sa.selector_source = net(r);
  sa.selector_destination = net(r);
  sa.lifetime.soft_seconds = u64(r);
  sa.lifetime.hard_seconds = u64(r);
  sa.lifetime.soft_bytes = u64(r);
  sa.lifetime.hard_bytes = u64(r);
  if (bounded(r, 1, "encapsulation flag")) {
    kernel::UdpEncap e;
    e.source_port = r.u16();
    e.destination_port = r.u16();
    sa.encap = e;
  }
  return sa;
}

void write_sa_ref(Writer& w, const SaRef& s) {
  w.u32(s.destination.value);
  w.u32(s.spi.value);
}
SaRef read_sa_ref(Reader& r) {
  SaRef s;
  s.destination = Ipv4{r.u32()};
  s.spi = kernel::Spi{r.u32()};
  return s;
}

void write_counters(Writer& w, const kernel::SaCounters& c) {
  u64(w, c.bytes);
  u64(w, c.packets);
  u64(w, c.add_time);
}
kernel::SaCounters read_counters(Reader& r) {
  kernel::SaCounters c;
  c.bytes = u64(r);
  c.packets = u64(r);
  c.add_time = u64(r);
  return c;
}

}  // namespace

const char* name(Type t) {
  switch (t) {
    case Type::AllocateSpi: return "allocate-spi";
    case Type::AddSa: return "add-sa";
    case Type::DeleteSa: return "delete-sa";
    case Type::AddPolicy: return "add-policy";
    case Type::DeletePolicy: return "delete-policy";
    case Type::Counters: return "counters";
    case Type::AddRoute: return "add-route";
    case Type::DeleteRoute: return "delete-route";
    case Type::Reload: return "reload";
    case Type::WriteLeases: return "write-leases";
    case Type::DumpCounters: return "dump-counters";
    case Type::DeleteSaPair: return "delete-sa-pair";
    case Type::CountersOf: return "counters-of";
    case Type::Answer: return "answer";
    case Type::Expire: return "expire";
    case Type::Refused: return "refused";
  }
  return "?";
}

bool is_request(Type t) { return uint8_t(t) >= uint8_t(Type::AllocateSpi) && uint8_t(t) <= uint8_t(Type::CountersOf); }

Bytes encode_frame(Type type, uint8_t flags, uint32_t id, ByteView body) {
  Writer w;
  w.u32(uint32_t(body.size()));
  w.u8(uint8_t(type));
  w.u8(flags);
  w.u32(id);
  w.bytes(body);
  return w.take();
}

std::expected<FrameHeader, std::string> decode_header(ByteView data) {
  Reader r(data.first(std::min(data.size(), kHeaderSize)), "frame header");
  FrameHeader h;
  h.length = r.u32();
  const uint8_t type = r.u8();
  h.flags = r.u8();
  h.id = r.u32();
  if (!r.ok()) return std::unexpected(r.error().what);
  h.type = Type(type);
  if (!is_request(h.type) && h.type != Type::Answer && h.type != Type::Expire && h.type != Type::Refused)
    return std::unexpected("frame type " + std::to_string(type) + " unknown");
  if (h.flags & ~kAnswerWanted) return std::unexpected("frame flags " + std::to_string(h.flags) + " unknown");
  if (h.length > kMaxBody) return std::unexpected("frame body of " + std::to_string(h.length) + " bytes");
  return h;
}

Bytes encode(const AllocateSpiRequest& a) {
  Writer w;
  w.u32(a.source.value);
  w.u32(a.destination.value);
  w.u32(a.reqid);
  return w.take();
}
Decoded<AllocateSpiRequest> decode_allocate_spi(ByteView b) {
  return decode_all<AllocateSpiRequest>(b, "allocate-spi", [](Reader& r) {
    AllocateSpiRequest a;
    a.source = Ipv4{r.u32()};
    a.destination = Ipv4{r.u32()};
    a.reqid = r.u32();
    return a;
  });
}

Bytes encode(const SaRef& s) {
  Writer w;
  write_sa_ref(w, s);
  return w.take();
}
Decoded<SaRef> decode_sa_ref(ByteView b) { return decode_all<SaRef>(b, "SA reference", read_sa_ref); }

Bytes encode(const AddSaRequest& a) {
  Writer w;
  write_sa(w, a.sa);
  w.u8(a.update ? 1 : 0);
  return w.take();
}
Decoded<AddSaRequest> decode_add_sa(ByteView b) {
  return decode_all<AddSaRequest>(b, "add-sa", [](Reader& r) {
    AddSaRequest a;
    a.sa = read_sa(r);
    a.update = bounded(r, 1, "update flag") == 1;
    return a;
  });
}

Bytes encode(const kernel::PolicySpec& p) {
  Writer w;
  net(w, p.source);
  net(w, p.destination);
  direction(w, p.direction);
  w.u32(p.tunnel_source.value);
  w.u32(p.tunnel_destination.value);
  w.u32(p.reqid);
  w.u32(p.priority);
  return w.take();
}
Decoded<kernel::PolicySpec> decode_policy(ByteView b) {
  return decode_all<kernel::PolicySpec>(b, "add-policy", [](Reader& r) {
    kernel::PolicySpec p;
    p.source = net(r);
    p.destination = net(r);
    p.direction = direction(r);
    p.tunnel_source = Ipv4{r.u32()};
    p.tunnel_destination = Ipv4{r.u32()};
    p.reqid = r.u32();
    p.priority = r.u32();
    return p;
  });
}

Bytes encode(const DeletePolicyRequest& d) {
  Writer w;
  net(w, d.source);
  net(w, d.destination);
  direction(w, d.direction);
  return w.take();
}
Decoded<DeletePolicyRequest> decode_delete_policy(ByteView b) {
  return decode_all<DeletePolicyRequest>(b, "delete-policy", [](Reader& r) {
    DeletePolicyRequest d;
    d.source = net(r);
    d.destination = net(r);
    d.direction = direction(r);
    return d;
  });
}

Bytes encode(const kernel::RouteSpec& route) {
  Writer w;
  net(w, route.destination);
  text(w, route.device);
  w.u8(route.preferred_source ? 1 : 0);
  if (route.preferred_source) w.u32(route.preferred_source->value);
  return w.take();
}
Decoded<kernel::RouteSpec> decode_route(ByteView b) {
  return decode_all<kernel::RouteSpec>(b, "route", [](Reader& r) {
    kernel::RouteSpec route;
    route.destination = net(r);
    route.device = text(r, kMaxDevice, "interface name");
    if (bounded(r, 1, "preferred source flag")) route.preferred_source = Ipv4{r.u32()};
    return route;
  });
}

Bytes encode(const ReloadAnswer& a) {
  Writer w;
  text(w, a.config_path);
  text(w, a.config_text);
  text(w, a.secrets_path);
  text(w, a.secrets_text);
  return w.take();
}
Decoded<ReloadAnswer> decode_reload_answer(ByteView b) {
  return decode_all<ReloadAnswer>(b, "reload answer", [](Reader& r) {
    ReloadAnswer a;
    a.config_path = text(r, kMaxPath, "config path");
    a.config_text = text(r, kMaxBody, "config text");
    a.secrets_path = text(r, kMaxPath, "secrets path");
    a.secrets_text = text(r, kMaxBody, "secrets text");
    return a;
  });
}

Bytes encode(const AnswerBody& a) {
  Writer w;
  w.u8(a.ok ? 1 : 0);
  if (a.ok) w.bytes(a.payload);
  else text(w, a.error);
  return w.take();
}
Decoded<AnswerBody> decode_answer(ByteView b) {
  return decode_all<AnswerBody>(b, "answer", [](Reader& r) {
    AnswerBody a;
    a.ok = bounded(r, 1, "answer flag") == 1;
    if (a.ok) {
      auto rest = r.rest();
      a.payload.assign(rest.begin(), rest.end());
    } else {
      a.error = text(r, kMaxError, "error text");
    }
    return a;
  });
}

Bytes encode(const RefusedBody& f) {
  Writer w;
  w.u8(uint8_t(f.request));
  write_sa_ref(w, f.sa);
  text(w, f.error);
  return w.take();
}
Decoded<RefusedBody> decode_refused(ByteView b) {
  return decode_all<RefusedBody>(b, "refused", [](Reader& r) {
    RefusedBody f;
    f.request = Type(r.u8());
    if (r.ok() && !is_request(f.request)) r.fail("refused: not a request type");
    f.sa = read_sa_ref(r);
    f.error = text(r, kMaxError, "error text");
    return f;
  });
}

Bytes encode(const kernel::ExpireEvent& e) {
  Writer w;
  w.u32(e.destination.value);
  w.u32(e.spi.value);
  w.u8(e.hard ? 1 : 0);
  return w.take();
}
Decoded<kernel::ExpireEvent> decode_expire(ByteView b) {
  return decode_all<kernel::ExpireEvent>(b, "expire", [](Reader& r) {
    kernel::ExpireEvent e;
    e.destination = Ipv4{r.u32()};
    e.spi = kernel::Spi{r.u32()};
    e.hard = bounded(r, 1, "hard flag") == 1;
    return e;
  });
}

Bytes encode(const kernel::SaCounters& c) {
  Writer w;
  write_counters(w, c);
  return w.take();
}
Decoded<kernel::SaCounters> decode_counters(ByteView b) {
  return decode_all<kernel::SaCounters>(b, "counters", read_counters);
}

Bytes encode(const SaPairRef& p) {
  Writer w;
  write_sa_ref(w, p.in);
  write_sa_ref(w, p.out);
  return w.take();
}
Decoded<SaPairRef> decode_sa_pair_ref(ByteView b) {
  return decode_all<SaPairRef>(b, "SA pair reference", [](Reader& r) {
    SaPairRef p;
    p.in = read_sa_ref(r);
    p.out = read_sa_ref(r);
    return p;
  });
}

Bytes encode(const std::vector<SaRef>& refs) {
  Writer w;
  w.u32(uint32_t(refs.size()));
  for (const auto& ref : refs) write_sa_ref(w, ref);
  return w.take();
}
Decoded<std::vector<SaRef>> decode_sa_refs(ByteView b) {
  return decode_all<std::vector<SaRef>>(b, "SA list", [](Reader& r) {
    std::vector<SaRef> refs;
    const uint32_t n = r.u32();
    if (n > kMaxCountersOf || size_t(n) * 8 != r.left()) {  // 8 bytes each, exactly
      r.fail("SA list: " + std::to_string(n) + " references in " + std::to_string(r.left()) + " bytes");
      return refs;
    }
    refs.reserve(n);
    for (uint32_t i = 0; i < n; ++i) refs.push_back(read_sa_ref(r));
    return refs;
  });
}

namespace {
void write_optional_counters(Writer& w, const std::optional<kernel::SaCounters>& c) {
  w.u8(c ? 1 : 0);
  if (c) write_counters(w, *c);
}
std::optional<kernel::SaCounters> read_optional_counters(Reader& r) {
  if (!bounded(r, 1, "counters flag")) return std::nullopt;
  return read_counters(r);
}
}  // namespace

Bytes encode(const kernel::SaPairCounters& p) {
  Writer w;
  write_optional_counters(w, p.in);
  write_optional_counters(w, p.out);
  return w.take();
}
Decoded<kernel::SaPairCounters> decode_pair_counters(ByteView b) {
  return decode_all<kernel::SaPairCounters>(b, "pair counters", [](Reader& r) {
    kernel::SaPairCounters p;
    p.in = read_optional_counters(r);
    p.out = read_optional_counters(r);
    return p;
  });
}

Bytes encode(const std::vector<kernel::SaCountersEntry>& list) {
  Writer w;
  w.u32(uint32_t(list.size()));
  for (const auto& e : list) {
    write_sa_ref(w, SaRef{e.destination, e.spi});
    write_counters(w, e.counters);
  }
  return w.take();
}
Decoded<std::vector<kernel::SaCountersEntry>> decode_counter_list(ByteView b) {
  return decode_all<std::vector<kernel::SaCountersEntry>>(b, "counter list", [](Reader& r) {
    std::vector<kernel::SaCountersEntry> list;
    const uint32_t n = r.u32();
    if (size_t(n) * 32 > r.left()) {  // each entry is 32 bytes: the count cannot promise more than is there
      r.fail("counter list: " + std::to_string(n) + " entries in " + std::to_string(r.left()) + " bytes");
      return list;
    }
    list.reserve(n);
    for (uint32_t i = 0; i < n && r.ok(); ++i) {
      const SaRef ref = read_sa_ref(r);
      list.push_back({ref.destination, ref.spi, read_counters(r)});
    }
    return list;
  });
}

Bytes encode_string(const std::string& s) {
  Writer w;
  text(w, s);
  return w.take();
}
Decoded<std::string> decode_string(ByteView b, size_t max) {
  return decode_all<std::string>(b, "text", [max](Reader& r) { return text(r, max, "text"); });
}

}  // namespace ravpn::privsep
