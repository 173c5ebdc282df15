// xfrm_probe: drives NetlinkKernel from the command line, for the lab test tests/netlink/lab_xfrm_sa.sh.
// One command per invocation, or `xfrm_probe -` to read commands from stdin, one a line, through one
// NetlinkKernel (execs are slow under emulation; the expire test needs the event socket open before the SA).
// A line starting with "! " must fail. Stops at the first unexpected result; exit 0 when all went as expected.
//
//   allocate SRC DST REQID                       prints "spi 0x..." (XFRM_MSG_ALLOCSPI)
//   sa-add SRC DST SPI REQID CIPHER AUTH SELSRC SELDST [update] [encap=SPORT:DPORT] [soft=SEC] [hard=SEC]
//          CIPHER: null des 3des aes128 aes256   AUTH: md5 sha1 sha256 sha384 sha512
//          keys are derived from the SPI, so both ends of a tunnel compute the same ones (test keys only)
//   sa-del DST SPI
//   counters DST SPI                             prints "counters dst=... spi=0x... bytes=N packets=N add_time=N"
//   policy-add in|out|fwd SRCNET DSTNET TUNSRC TUNDST REQID [priority=N]
//   policy-del in|out|fwd SRCNET DSTNET
//   route-add DSTNET DEV [SRC]  /  route-del DSTNET DEV
//   wait-expire DST SPI SECONDS                  waits for a soft and a hard XFRM_MSG_EXPIRE of that SA
//   events SECONDS                               prints "expire dst=... spi=0x... soft|hard" for what comes
//   encap-socket ADDR PORT SECONDS               holds a UDP socket with UDP_ENCAP_ESPINUDP (RFC 3948) open
#include <arpa/inet.h>
#include <linux/udp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "netlink/xfrm_kernel.hpp"

using namespace ravpn;
using kernel::Spi;

namespace {

using Args = std::vector<std::string>;

struct Usage {
  std::string what;
};

uint64_t number(const std::string& s) {
  uint64_t v = 0;
  int base = 10;
  std::string_view t = s;
  if (t.starts_with("0x")) {
    t.remove_prefix(2);
    base = 16;
  }
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v, base);
  if (ec != std::errc{} || p != t.data() + t.size()) throw Usage{"not a number: " + s};
  return v;
}

Ipv4 address(const std::string& s) {
  auto a = Ipv4::parse(s);
  if (!a) throw Usage{"not an IPv4 address: " + s};
  return *a;
}

Ipv4Net network(const std::string& s) {
  auto slash = s.find('/');
  if (slash == std::string::npos) return {address(s), prefix_to_mask(32)};
  return {address(s.substr(0, slash)), prefix_to_mask(int(number(s.substr(slash + 1))))};
}

kernel::Direction direction(const std::string& s) {
  if (s == "in") return kernel::Direction::In;
  if (s == "out") return kernel::Direction::Out;
  if (s == "fwd") return kernel::Direction::Forward;
  throw Usage{"direction must be in, out or fwd: " + s};
}

// Test keys: a function of the SPI only, so the two ends agree without exchanging anything.
Botan::secure_vector<uint8_t> test_key(Spi spi, size_t length, uint8_t salt) {
  Botan::secure_vector<uint8_t> key(length);
  for (size_t i = 0; i < length; ++i) key[i] = uint8_t((spi.value >> (8 * (i % 4))) ^ (i * 0x3b) ^ salt);
  return key;
}

std::string hex(Spi spi) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", spi.value);
  return buf;
}

void need(const Args& a, size_t n, const char* usage) {
  if (a.size() < n) throw Usage{usage};
}

kernel::SaSpec sa_spec(const Args& a, bool& update) {
  need(a, 9, "sa-add SRC DST SPI REQID CIPHER AUTH SELSRC SELDST [update] [encap=S:D] [soft=SEC] [hard=SEC]");
  kernel::SaSpec s;
  s.source = address(a[1]);
  s.destination = address(a[2]);
  s.spi = Spi{uint32_t(number(a[3]))};
  s.reqid = uint32_t(number(a[4]));
  const std::string& c = a[5];
  size_t cipher_bytes = 0;
  if (c == "null") s.cipher = kernel::EspCipher::Null;
  else if (c == "des") { s.cipher = kernel::EspCipher::Des; cipher_bytes = 8; }
  else if (c == "3des") { s.cipher = kernel::EspCipher::TripleDes; cipher_bytes = 24; }
  else if (c == "aes128") { s.cipher = kernel::EspCipher::Aes; cipher_bytes = 16; }
  else if (c == "aes256") { s.cipher = kernel::EspCipher::Aes; cipher_bytes = 32; }
  else throw Usage{"unknown cipher " + c};
  const std::string& h = a[6];
  size_t auth_bytes = 0;
  if (h == "md5") { s.auth = kernel::EspAuth::HmacMd5; auth_bytes = 16; }
  else if (h == "sha1") { s.auth = kernel::EspAuth::HmacSha1; auth_bytes = 20; }
  else if (h == "sha256") { s.auth = kernel::EspAuth::HmacSha256; auth_bytes = 32; }
  else if (h == "sha384") { s.auth = kernel::EspAuth::HmacSha384; auth_bytes = 48; }
  else if (h == "sha512") { s.auth = kernel::EspAuth::HmacSha512; auth_bytes = 64; }
  else throw Usage{"unknown auth " + h};
  s.cipher_key = test_key(s.spi, cipher_bytes, 0x5c);
  s.auth_key = test_key(s.spi, auth_bytes, 0x36);
  s.selector_source = network(a[7]);
  s.selector_destination = network(a[8]);
  update = false;
  for (size_t i = 9; i < a.size(); ++i) {
    const std::string& o = a[i];
    if (o == "update") update = true;
    else if (o.starts_with("encap=")) {
      auto colon = o.find(':');
      if (colon == std::string::npos) throw Usage{"encap=SPORT:DPORT"};
      s.encap = kernel::UdpEncap{uint16_t(number(o.substr(6, colon - 6))), uint16_t(number(o.substr(colon + 1)))};
    } else if (o.starts_with("soft=")) s.lifetime.soft_seconds = number(o.substr(5));
    else if (o.starts_with("hard=")) s.lifetime.hard_seconds = number(o.substr(5));
    else throw Usage{"unknown sa-add option " + o};
  }
  return s;
}

int encap_socket(const Args& a) {
  need(a, 4, "encap-socket ADDR PORT SECONDS");
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(uint16_t(number(a[2])));
  sin.sin_addr.s_addr = htonl(address(a[1]).value);
  int type = UDP_ENCAP_ESPINUDP;  // the kernel hands ESP-in-UDP on this socket to XFRM (RFC 3948)
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof(sin)) != 0 ||
      setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &type, sizeof(type)) != 0) {
    std::perror("encap-socket");
    return 1;
  }
  std::printf("encap-socket %s:%s ready\n", a[1].c_str(), a[2].c_str());
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::seconds(number(a[3])));
  close(fd);
  return 0;
}

// Prints each expire event NetlinkKernel reports ("expire dst=... spi=0x... soft|hard") until `seconds` have passed
// or, after a batch of events, `enough` has said so for one of them; "poll failed" or empty.
using EventCheck = std::function<bool(const kernel::ExpireEvent&)>;
std::string print_events(kernel::Kernel& k, long seconds, const EventCheck& enough) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  bool done = false;
  while (!done && std::chrono::steady_clock::now() < deadline) {
    pollfd p{k.event_fd(), POLLIN, 0};
    if (poll(&p, 1, 500) < 0) return "poll failed";
    for (const auto& e : k.read_events()) {
      std::printf("expire dst=%s spi=%s %s\n", e.destination.str().c_str(), hex(e.spi).c_str(),
                  e.hard ? "hard" : "soft");
      done = enough(e) || done;
    }
  }
  std::fflush(stdout);
  return {};
}

// Returns an empty string on success, else the error text.
std::string wait_expire(kernel::Kernel& k, const Args& a) {
  need(a, 4, "wait-expire DST SPI SECONDS");
  const Ipv4 dst = address(a[1]);
  const Spi spi{uint32_t(number(a[2]))};
  bool soft = false, hard = false;
  auto polled = print_events(k, long(number(a[3])), [&](const kernel::ExpireEvent& e) {
    if (e.destination == dst && e.spi == spi) (e.hard ? hard : soft) = true;
    return hard;
  });
  if (!polled.empty()) return polled;
  if (!soft || !hard) return std::string("expected soft and hard expire events, got") + (soft ? " soft" : "") +
                            (hard ? " hard" : "") + (soft || hard ? "" : " none");
  return {};
}

// Runs one command; returns the error text ("" = success). Output goes to stdout.
std::string run(kernel::Kernel& k, const Args& a) {
  auto text = [](const kernel::Result<>& r) { return r ? std::string() : r.error(); };
  const std::string& cmd = a[0];
  if (cmd == "allocate") {
    need(a, 4, "allocate SRC DST REQID");
    auto spi = k.allocate_spi(address(a[1]), address(a[2]), uint32_t(number(a[3])));
    if (!spi) return spi.error();
    std::printf("spi %s\n", hex(*spi).c_str());
    return {};
  }
  if (cmd == "sa-add") {
    bool update = false;
    auto s = sa_spec(a, update);
    return text(k.add_sa(s, update));
  }
  if (cmd == "sa-del") {
    need(a, 3, "sa-del DST SPI");
    return text(k.delete_sa(address(a[1]), Spi{uint32_t(number(a[2]))}));
  }
  if (cmd == "counters") {
    need(a, 3, "counters DST SPI");
    const Spi spi{uint32_t(number(a[2]))};
    auto c = k.counters(address(a[1]), spi);
    if (!c) return c.error();
    std::printf("counters dst=%s spi=%s bytes=%llu packets=%llu add_time=%llu\n", a[1].c_str(), hex(spi).c_str(),
                (unsigned long long)c->bytes, (unsigned long long)c->packets, (unsigned long long)c->add_time);
    return {};
  }
  if (cmd == "policy-add") {
    need(a, 7, "policy-add in|out|fwd SRCNET DSTNET TUNSRC TUNDST REQID [priority=N]");
    kernel::PolicySpec p;
    p.direction = direction(a[1]);
    p.source = network(a[2]);
    p.destination = network(a[3]);
    p.tunnel_source = address(a[4]);
    p.tunnel_destination = address(a[5]);
    p.reqid = uint32_t(number(a[6]));
    if (a.size() > 7 && a[7].starts_with("priority=")) p.priority = uint32_t(number(a[7].substr(9)));
    return text(k.add_policy(p));
  }
  if (cmd == "policy-del") {
    need(a, 4, "policy-del in|out|fwd SRCNET DSTNET");
    return text(k.delete_policy(network(a[2]), network(a[3]), direction(a[1])));
  }
  if (cmd == "route-add" || cmd == "route-del") {
    need(a, 3, "route-add DSTNET DEV [SRC]");
    kernel::RouteSpec r{network(a[1]), a[2], std::nullopt};
    if (a.size() > 3) r.preferred_source = address(a[3]);
    return text(cmd == "route-add" ? k.add_route(r) : k.delete_route(r));
  }
  if (cmd == "wait-expire") return wait_expire(k, a);
  if (cmd == "events") {
    need(a, 2, "events SECONDS");
    return print_events(k, long(number(a[1])), [](const kernel::ExpireEvent&) { return false; });
  }
  throw Usage{"unknown command " + cmd};
}

Args split(const std::string& line) {
  Args a;
  std::istringstream in(line);
  for (std::string w; in >> w;) a.push_back(w);
  return a;
}

// Runs one line; "! cmd" must fail. Returns false when the result was not the expected one.
bool run_line(kernel::Kernel& k, Args a) {
  bool expect_failure = false;
  if (!a.empty() && a[0] == "!") {
    expect_failure = true;
    a.erase(a.begin());
  }
  if (a.empty()) return true;
  std::string joined;
  for (const auto& w : a) joined += (joined.empty() ? "" : " ") + w;
  const std::string error = run(k, a);
  std::fflush(stdout);
  if (expect_failure) {
    if (error.empty()) {
      std::printf("FAIL %s: succeeded, expected a failure\n", joined.c_str());
      return false;
    }
    std::printf("ok   %s: failed as expected: %s\n", joined.c_str(), error.c_str());
    return true;
  }
  if (!error.empty()) {
    std::printf("FAIL %s: %s\n", joined.c_str(), error.c_str());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Args args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fprintf(stderr, "usage: xfrm_probe COMMAND ARGS... | xfrm_probe -   (see the comment in xfrm_probe.cpp)\n");
    return 2;
  }
  try {
    if (args[0] == "encap-socket") return encap_socket(args);
    auto k = netlink::NetlinkKernel::open();
    if (!k) {
      std::printf("FAIL open: %s\n", k.error().c_str());
      return 1;
    }
    if (args[0] != "-") return run_line(**k, args) ? 0 : 1;
    for (std::string line; std::getline(std::cin, line);) {
      if (line.empty() || line[0] == '#') continue;
      if (!run_line(**k, split(line))) return 1;
    }
    return 0;
  } catch (const Usage& u) {
    std::fprintf(stderr, "xfrm_probe: %s\n", u.what.c_str());
    return 2;
  }
}
