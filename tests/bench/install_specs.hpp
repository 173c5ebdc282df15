// What bench_kernel_install puts into the kernel for tunnel i: the SA pair, the three policies and the route that
// ravpnd installs for one client (ike/child_sa.cpp), with fixed keys. Addresses: the clients 172.16.0.0/12, their
// pool addresses 10.64.0.0/10, the gateway 192.0.2.1.
#pragma once
#include <array>
#include <optional>

#include "netlink/kernel.hpp"

namespace ravpn::bench {

inline const Ipv4 kLocal{0xc0000201};  // 192.0.2.1
inline const Ipv4Net kAny{Ipv4{0}, Ipv4{0}};
inline Ipv4 peer(uint32_t i) { return Ipv4{0xac100000 + i + 1}; }
inline Ipv4Net client(uint32_t i) { return {Ipv4{0x0a400000 + i + 1}, Ipv4{0xffffffff}}; }
inline kernel::Spi outbound_spi(uint32_t i) { return kernel::Spi{0x10000000 + i}; }

inline kernel::SaSpec sa_spec(Ipv4 source, Ipv4 destination, kernel::Spi spi, Ipv4Net sel_src, Ipv4Net sel_dst,
                              uint32_t reqid) {
  kernel::SaSpec s;
  s.source = source;
  s.destination = destination;
  s.spi = spi;
  s.reqid = reqid;
  s.cipher = kernel::EspCipher::Aes;
  s.cipher_key = Botan::secure_vector<uint8_t>(32, 0x42);
  s.auth = kernel::EspAuth::HmacSha1;
  s.auth_key = Botan::secure_vector<uint8_t>(20, 0x24);
  s.selector_source = sel_src;
  s.selector_destination = sel_dst;
  s.lifetime = {3000, 3600, 0, 0};
  return s;
}

struct PairSpecs {
  kernel::SaSpec in, out;
  std::array<kernel::PolicySpec, 3> policies;  // out, in, fwd
  kernel::RouteSpec route;
};

inline PairSpecs pair_specs(uint32_t i, kernel::Spi inbound) {
  using kernel::Direction;
  const uint32_t reqid = i + 1;
  return {sa_spec(peer(i), kLocal, inbound, client(i), kAny, reqid),
          sa_spec(kLocal, peer(i), outbound_spi(i), kAny, client(i), reqid),
          {kernel::PolicySpec{kAny, client(i), Direction::Out, kLocal, peer(i), reqid, 0},
           kernel::PolicySpec{client(i), kAny, Direction::In, peer(i), kLocal, reqid, 0},
           kernel::PolicySpec{client(i), kAny, Direction::Forward, peer(i), kLocal, reqid, 0}},
          kernel::RouteSpec{client(i), "lo", std::nullopt}};
}

}  // namespace ravpn::bench
