// The kernel as the IKE side sees it: ESP SAs, XFRM policies, routes to clients, counters and expire events.
// netlink/xfrm_kernel.* implements it over XFRM netlink (libmnl); tests/fakes/ has a fake that fails on double
// installs and unknown deletes (style.md, after strongSwan's mock_ipsec).
#pragma once
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include <botan/secmem.h>

#include "pool/ipv4.hpp"

namespace ravpn::kernel {

using Error = std::string;  // the netlink error text, e.g. "XFRM_MSG_NEWSA: File exists"
template <class T = void>
using Result = std::expected<T, Error>;

struct Spi {
  uint32_t value = 0;  // host byte order
  auto operator<=>(const Spi&) const = default;
};

enum class EspCipher { Null, Des, TripleDes, Aes };  // kernel: ecb(cipher_null), cbc(des), cbc(des3_ede), cbc(aes)
enum class EspAuth { HmacMd5, HmacSha1, HmacSha256, HmacSha384, HmacSha512 };  // hmac(md5)... truncated ICVs:
// 96 bits for MD5/SHA-1 (RFC 2403/2404), 128/192/256 for SHA-2 (RFC 4868)

struct UdpEncap {  // RFC 3948 ESP in UDP (UDP_ENCAP_ESPINUDP)
  uint16_t source_port = 4500;
  uint16_t destination_port = 4500;
  auto operator<=>(const UdpEncap&) const = default;
};

struct Lifetime {
  uint64_t soft_seconds = 0, hard_seconds = 0;  // 0 = none
  uint64_t soft_bytes = 0, hard_bytes = 0;
};

// One tunnel-mode ESP SA (direction is given by source/destination).
struct SaSpec {
  Ipv4 source;
  Ipv4 destination;
  Spi spi;
  uint32_t reqid = 0;
  EspCipher cipher = EspCipher::Aes;
  Botan::secure_vector<uint8_t> cipher_key;
  EspAuth auth = EspAuth::HmacSha1;
  Botan::secure_vector<uint8_t> auth_key;
  Ipv4Net selector_source;       // inner addresses (the SA's selector)
  Ipv4Net selector_destination;
  Lifetime lifetime;
  std::optional<UdpEncap> encap;
};

enum class Direction { In, Out, Forward };

struct PolicySpec {
  Ipv4Net source;        // inner selector
  Ipv4Net destination;
  Direction direction = Direction::Out;
  Ipv4 tunnel_source;    // outer addresses of the ESP template
  Ipv4 tunnel_destination;
  uint32_t reqid = 0;
  uint32_t priority = 0;  // 0 = implementation default
};

struct SaCounters {
  uint64_t bytes = 0;
  uint64_t packets = 0;
  uint64_t add_time = 0;  // seconds since the epoch, from the kernel
};

struct SaCountersEntry {  // one SA of a dump
  Ipv4 destination;
  Spi spi;
  SaCounters counters;
};

struct SaPairCounters {  // an IPsec SA pair's last counters, read just before it left the kernel
  std::optional<SaCounters> in, out;
};

struct ExpireEvent {
  Ipv4 destination;
  Spi spi;
  bool hard = false;
  // Not an expiry: a pipelined install of this SA was refused (the text says why); the pair is gone as after a hard
  // expiry, and the peer is told.
  std::string refused;
};

struct RouteSpec {
  Ipv4Net destination;   // e.g. the client's pool address /32
  std::string device;    // Linux interface name (the outside interface)
  std::optional<Ipv4> preferred_source;  // the inside address, so traffic to the client leaves with it
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  // XFRM_MSG_ALLOCSPI for an inbound SA (source = peer, destination = us), SPI in [0x100, 0xffffffff].
  virtual Result<Spi> allocate_spi(Ipv4 source, Ipv4 destination, uint32_t reqid) = 0;
  // XFRM_MSG_UPDSA when the SPI came from allocate_spi (update = true), XFRM_MSG_NEWSA otherwise.
  virtual Result<> add_sa(const SaSpec& sa, bool update) = 0;
  virtual Result<> delete_sa(Ipv4 destination, Spi spi) = 0;
  virtual Result<> add_policy(const PolicySpec& policy) = 0;
  virtual Result<> delete_policy(const Ipv4Net& source, const Ipv4Net& destination, Direction direction) = 0;
  virtual Result<SaCounters> counters(Ipv4 destination, Spi spi) = 0;
  // Both SAs of a pair out of the kernel, each one's counters read just before it goes (accounting totals, the
  // log line). One request where the kernel is behind a channel; here: two reads, two deletes.
  virtual Result<SaPairCounters> delete_sa_pair(Ipv4 in_destination, Spi in_spi, Ipv4 out_destination, Spi out_spi) {
    SaPairCounters last;
    if (auto c = counters(in_destination, in_spi)) last.in = *c;
    if (auto c = counters(out_destination, out_spi)) last.out = *c;
    auto in = delete_sa(in_destination, in_spi);
    auto out = delete_sa(out_destination, out_spi);
    Error error;
    if (!in) error = "inbound SA: " + in.error();
    if (!out) error += (error.empty() ? "" : "; ") + std::string("outbound SA: ") + out.error();
    if (!error.empty()) return std::unexpected(error);
    return last;
  }
  virtual Result<> add_route(const RouteSpec& route) = 0;
  virtual Result<> delete_route(const RouteSpec& route) = 0;
  // A kernel behind the privilege-separation channel (daemon/privsep/remote_kernel.hpp) pipelines the calls that
  // change state: they return before the kernel has answered and a refused SA comes back as an ExpireEvent with
  // `refused` set. answer_now(true) makes every call wait for its answer (the kernel probe needs the verdict).
  virtual void answer_now(bool) {}
  // Writes out what a pipelining kernel has buffered (the event loop calls it once per round, so the requests of
  // many exchanges share one write).
  virtual void flush() {}
  // Every ESP SA's counters in one dump, for views of thousands of tunnels. Unsupported: an error.
  virtual Result<std::vector<SaCountersEntry>> all_counters() { return std::unexpected(Error("not supported")); }
  // While on, counters() may answer from one all_counters() dump taken at its first use (a control view of every
  // SA costs one request, not two per SA); off drops it.
  virtual void counters_snapshot(bool) {}
  // The counters of these SAs (destination, SPI) are wanted now, one liveness check or interim each: where the
  // kernel is behind a channel, one request reads them all and counters() answers them from it until the next
  // call (an empty list ends it). Here: nothing to gain, counters() reads each.
  virtual void prefetch_counters(const std::vector<std::pair<Ipv4, Spi>>&) {}
  // A file descriptor readable when expire events wait (-1 when the implementation has none), and the events.
  virtual int event_fd() const = 0;
  virtual std::vector<ExpireEvent> read_events() = 0;
};

}  // namespace ravpn::kernel
