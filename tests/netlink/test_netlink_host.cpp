// NetlinkKernel against this machine's kernel, inside a network namespace of its own (unshare(CLONE_NEWNET)
// at startup, so nothing leaks into the host's tables). This kernel has XFRM policies and routes but no ESP
// (docs: /work/shared/reference/kernel-lab.md): SAs are checked to fail with the kernel's error text; the ESP
// data path runs in the qemu lab (tests/netlink/lab_xfrm_sa.sh). Exit 77 (skipped) when not root or when a
// namespace cannot be made.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <poll.h>
#include <sched.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "netlink/xfrm_kernel.hpp"

using namespace ravpn;
using kernel::Direction;
using kernel::Spi;
using netlink::NetlinkKernel;

namespace {

Ipv4 ip(const char* s) { return *Ipv4::parse(s); }
Ipv4Net net(const char* a, int prefix) { return {ip(a), prefix_to_mask(prefix)}; }

// stdout of a shell command run in this process's namespace.
std::string run(const std::string& command) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen((command + " 2>&1").c_str(), "r"), pclose);
  if (!pipe) return out;
  std::array<char, 512> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), pipe.get())) out.append(buf.data(), n);
  return out;
}

std::unique_ptr<NetlinkKernel> open_kernel() {
  auto k = NetlinkKernel::open();
  REQUIRE_MESSAGE(k.has_value(), (k ? "" : k.error()));
  return std::move(*k);
}

kernel::PolicySpec policy(Direction d) {
  kernel::PolicySpec p;
  p.source = net("10.21.1.0", 24);
  p.destination = net("10.2.1.5", 32);
  if (d != Direction::Out) std::swap(p.source, p.destination);
  p.direction = d;
  p.tunnel_source = d == Direction::Out ? ip("192.0.2.1") : ip("198.51.100.7");
  p.tunnel_destination = d == Direction::Out ? ip("198.51.100.7") : ip("192.0.2.1");
  p.reqid = 7;
  return p;
}

kernel::SaSpec sa() {
  kernel::SaSpec s;
  s.source = ip("192.0.2.1");
  s.destination = ip("198.51.100.7");
  s.spi = Spi{0x1001};
  s.reqid = 7;
  s.cipher = kernel::EspCipher::Des;
  s.cipher_key.assign(8, 0x42);
  s.auth = kernel::EspAuth::HmacMd5;
  s.auth_key.assign(16, 0x24);
  s.selector_source = net("10.21.1.0", 24);
  s.selector_destination = net("10.2.1.5", 32);
  return s;
}

}  // namespace

TEST_CASE("policies: out/in/fwd with ESP tunnel templates, as `ip xfrm policy` shows them") {
  auto k = open_kernel();
  for (auto d : {Direction::Out, Direction::In, Direction::Forward}) {
    auto r = k->add_policy(policy(d));
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error()));
  }
  const std::string shown = run("ip xfrm policy");
  INFO(shown);
  CHECK(shown.find("src 10.21.1.0/24 dst 10.2.1.5/32 \n\tdir out priority 1944") != std::string::npos);
  CHECK(shown.find("src 10.2.1.5/32 dst 10.21.1.0/24 \n\tdir in priority 1944") != std::string::npos);
  CHECK(shown.find("src 10.2.1.5/32 dst 10.21.1.0/24 \n\tdir fwd priority 1944") != std::string::npos);
  CHECK(shown.find("tmpl src 192.0.2.1 dst 198.51.100.7\n\t\tproto esp reqid 7 mode tunnel") != std::string::npos);
  CHECK(shown.find("tmpl src 198.51.100.7 dst 192.0.2.1\n\t\tproto esp reqid 7 mode tunnel") != std::string::npos);

  auto again = k->add_policy(policy(Direction::Out));
  REQUIRE_FALSE(again);
  CHECK(again.error() == "XFRM_MSG_NEWPOLICY: File exists");

  // delete with host bits set: the selector is masked the same way as on add
  CHECK(k->delete_policy(net("10.21.1.99", 24), net("10.2.1.5", 32), Direction::Out));
  CHECK(k->delete_policy(net("10.2.1.5", 32), net("10.21.1.0", 24), Direction::In));
  CHECK(k->delete_policy(net("10.2.1.5", 32), net("10.21.1.0", 24), Direction::Forward));
  auto unknown = k->delete_policy(net("10.2.1.5", 32), net("10.21.1.0", 24), Direction::Forward);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error() == "XFRM_MSG_DELPOLICY: No such file or directory");
  CHECK(run("ip xfrm policy").empty());
}

TEST_CASE("policy with an explicit priority and a 0.0.0.0/0 selector") {
  auto k = open_kernel();
  auto p = policy(Direction::Out);
  p.source = net("0.0.0.0", 0);
  p.priority = 500;
  REQUIRE(k->add_policy(p));
  CHECK(run("ip xfrm policy list dir out").find("src 0.0.0.0/0 dst 10.2.1.5/32 \n\tdir out priority 500") !=
        std::string::npos);
  CHECK(k->delete_policy(p.source, p.destination, Direction::Out));
  CHECK(run("ip xfrm policy").empty());
}

TEST_CASE("routes to a client /32 on a veth, with a preferred source") {
  auto k = open_kernel();
  kernel::RouteSpec r{net("10.2.1.5", 32), "rv-out", ip("192.0.2.1")};
  auto added = k->add_route(r);
  REQUIRE_MESSAGE(added.has_value(), (added ? "" : added.error()));
  const std::string shown = run("ip route show proto 76");
  INFO(shown);
  CHECK(shown == "10.2.1.5 dev rv-out scope link src 192.0.2.1 \n");
  CHECK(k->add_route(r).error() == "RTM_NEWROUTE: File exists");
  CHECK(k->delete_route(r));
  CHECK(k->delete_route(r).error() == "RTM_DELROUTE: No such process");
  CHECK(run("ip route show proto 76").empty());

  kernel::RouteSpec plain{net("10.2.1.0", 28), "rv-out", std::nullopt};
  REQUIRE(k->add_route(plain));
  CHECK(run("ip route show 10.2.1.0/28") == "10.2.1.0/28 dev rv-out proto 76 scope link \n");
  CHECK(k->delete_route(plain));

  auto no_device = k->add_route({net("10.2.1.6", 32), "rv-none", std::nullopt});
  REQUIRE_FALSE(no_device);
  CHECK(no_device.error() == "RTM_NEWROUTE: interface rv-none: No such device");
  // a preferred source that is not one of our addresses: the kernel's EINVAL, with its explanation if any
  auto bad_source = k->add_route({net("10.2.1.6", 32), "rv-out", ip("203.0.113.9")});
  REQUIRE_FALSE(bad_source);
  CHECK(bad_source.error().starts_with("RTM_NEWROUTE: Invalid argument"));
  MESSAGE("kernel text for a foreign preferred source: ", bad_source.error());
}

TEST_CASE("routes: an interface removed and made again under the same name gets its new index") {
  const auto make = [] {
    return run("ip link add rv-again type veth peer name rv-again-p && ip link set rv-again up && "
               "ip link set rv-again-p up && echo made");
  };
  REQUIRE(make().find("made") != std::string::npos);
  auto k = open_kernel();
  kernel::RouteSpec r{net("10.2.7.5", 32), "rv-again", std::nullopt};
  REQUIRE(k->add_route(r));  // the index is looked up and kept
  CHECK(k->delete_route(r));
  REQUIRE(run("ip link del rv-again && echo gone").find("gone") != std::string::npos);
  REQUIRE(make().find("made") != std::string::npos);  // the same name, a new index
  auto again = k->add_route(r);  // the kept index answers ENODEV: looked up again, and the route goes on
  REQUIRE_MESSAGE(again.has_value(), (again ? "" : again.error()));
  CHECK(run("ip route show 10.2.7.5") == "10.2.7.5 dev rv-again proto 76 scope link \n");
  CHECK(k->delete_route(r));
  REQUIRE(run("ip link del rv-again && echo gone").find("gone") != std::string::npos);
  auto gone = k->add_route(r);
  REQUIRE_FALSE(gone);
  CHECK(gone.error() == "RTM_NEWROUTE: interface rv-again: No such device");
}

TEST_CASE("SAs: this kernel has no ESP, add_sa returns the kernel's error instead of crashing") {
  auto k = open_kernel();
  auto r = k->add_sa(sa(), false);
  REQUIRE_FALSE(r);
  MESSAGE("add_sa on this host: ", r.error());
  CHECK(r.error().starts_with("XFRM_MSG_NEWSA: "));
  CHECK(r.error().find("B") == std::string::npos);  // 0x42 ('B'): key bytes never appear in errors

  auto encap = sa();
  encap.encap = kernel::UdpEncap{};
  CHECK(k->add_sa(encap, false).error().starts_with("XFRM_MSG_NEWSA: "));

  CHECK(k->delete_sa(ip("198.51.100.7"), Spi{0x1001}).error() == "XFRM_MSG_DELSA: No such process");
  CHECK(k->counters(ip("198.51.100.7"), Spi{0x1001}).error() == "XFRM_MSG_GETSA: No such process");
}

TEST_CASE("ALLOCSPI: distinct SPIs from the kernel, UPDSA of one fails without ESP, delete frees it") {
  auto k = open_kernel();
  auto a = k->allocate_spi(ip("198.51.100.7"), ip("192.0.2.1"), 3);
  auto b = k->allocate_spi(ip("198.51.100.8"), ip("192.0.2.1"), 4);
  REQUIRE_MESSAGE(a.has_value(), (a ? "" : a.error()));
  REQUIRE(b.has_value());
  CHECK(a->value >= 0x100);
  CHECK(a->value != b->value);
  char spi_text[16];
  std::snprintf(spi_text, sizeof(spi_text), "0x%08x", a->value);
  CHECK(run("ip xfrm state").find(std::string("proto esp spi ") + spi_text + " reqid 3 mode tunnel") !=
        std::string::npos);

  auto s = sa();
  s.source = ip("198.51.100.7");
  s.destination = ip("192.0.2.1");
  s.spi = *a;
  auto updated = k->add_sa(s, true);
  REQUIRE_FALSE(updated);
  MESSAGE("UPDSA on this host: ", updated.error());
  CHECK(updated.error().starts_with("XFRM_MSG_UPDSA: "));

  CHECK(k->delete_sa(ip("192.0.2.1"), *a));
  CHECK(k->delete_sa(ip("192.0.2.1"), *b));
  CHECK(run("ip xfrm state").empty());
}

TEST_CASE("expire events: a pollable descriptor, nothing waiting, read_events does not block") {
  auto k = open_kernel();
  REQUIRE(k->event_fd() >= 0);
  pollfd p{k->event_fd(), POLLIN, 0};
  CHECK(poll(&p, 1, 0) == 0);
  CHECK(k->read_events().empty());
}

TEST_CASE("a spec the kernel cannot take is refused before sending") {
  auto k = open_kernel();
  auto p = policy(Direction::Out);
  p.source.mask = ip("255.0.255.0");
  CHECK(k->add_policy(p).error().starts_with("XFRM_MSG_NEWPOLICY: selector mask is not contiguous"));
}

int main(int argc, char** argv) {
  if (geteuid() != 0) {
    std::puts("netlink-host: needs root (a network namespace, CAP_NET_ADMIN): skipped");
    return 77;
  }
  if (unshare(CLONE_NEWNET) != 0) {
    std::printf("netlink-host: unshare(CLONE_NEWNET): %s: skipped\n", std::strerror(errno));
    return 77;
  }
  // A veth pair whose outside end has 192.0.2.1 (dummy interfaces are not in this kernel).
  const std::string setup = run(
      "ip link set lo up && ip link add rv-out type veth peer name rv-peer && ip link set rv-out up && "
      "ip link set rv-peer up && ip address add 192.0.2.1/24 dev rv-out && echo setup-ok");
  if (setup.find("setup-ok") == std::string::npos) {
    std::printf("netlink-host: namespace setup failed: %s\n", setup.c_str());
    return 1;
  }
  doctest::Context context(argc, argv);
  return context.run();
}
