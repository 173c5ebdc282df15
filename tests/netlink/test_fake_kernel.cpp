// tests/fakes/fake_kernel: it must refuse what the real kernel refuses (double installs, unknown deletes),
// so daemon tests catch bookkeeping mistakes without a kernel.
#include <doctest/doctest.h>

#include "tests/fakes/fake_kernel.hpp"

using namespace ravpn;
using kernel::Direction;
using kernel::Spi;
using testing::FakeKernel;

namespace {

Ipv4 ip(const char* s) { return *Ipv4::parse(s); }
Ipv4Net net(const char* a, int prefix) { return {ip(a), prefix_to_mask(prefix)}; }

kernel::SaSpec sa(Ipv4 src, Ipv4 dst, Spi spi) {
  kernel::SaSpec s;
  s.source = src;
  s.destination = dst;
  s.spi = spi;
  s.reqid = 1;
  s.cipher = kernel::EspCipher::Des;
  s.cipher_key.assign(8, 0x11);
  s.auth = kernel::EspAuth::HmacMd5;
  s.auth_key.assign(16, 0x22);
  s.selector_source = net("10.2.1.5", 32);
  s.selector_destination = net("10.21.1.0", 24);
  return s;
}

kernel::PolicySpec policy(Direction d) {
  kernel::PolicySpec p;
  p.source = net("10.21.1.0", 24);
  p.destination = net("10.2.1.5", 32);
  p.direction = d;
  p.tunnel_source = ip("192.0.2.1");
  p.tunnel_destination = ip("198.51.100.7");
  p.reqid = 1;
  return p;
}

}  // namespace

TEST_CASE("fake kernel: allocate_spi gives distinct deterministic SPIs and UPDSA consumes them") {
  FakeKernel k;
  auto a = k.allocate_spi(ip("198.51.100.7"), ip("192.0.2.1"), 1);
  auto b = k.allocate_spi(ip("198.51.100.7"), ip("192.0.2.1"), 1);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->value == 0xc0000001u);
  CHECK(b->value == 0xc0000002u);
  CHECK(FakeKernel().allocate_spi(ip("1.1.1.1"), ip("2.2.2.2"), 9)->value == 0xc0000001u);

  CHECK(k.add_sa(sa(ip("198.51.100.7"), ip("192.0.2.1"), *a), true));
  CHECK(k.has_sa(ip("192.0.2.1"), *a));
  // NEWSA over an allocated SPI and a second UPDSA of the same SPI both fail
  CHECK(k.add_sa(sa(ip("198.51.100.7"), ip("192.0.2.1"), *b), false).error() == "XFRM_MSG_NEWSA: File exists");
  CHECK(k.add_sa(sa(ip("198.51.100.7"), ip("192.0.2.1"), *a), true).error() == "XFRM_MSG_UPDSA: File exists");
  // UPDSA of an SPI nobody allocated
  CHECK(k.add_sa(sa(ip("198.51.100.7"), ip("192.0.2.1"), Spi{0x1234}), true).error() ==
        "XFRM_MSG_UPDSA: No such process");
  // an allocated but never installed SPI can be deleted (the kernel's larval SA)
  CHECK(k.delete_sa(ip("192.0.2.1"), *b));
}

TEST_CASE("fake kernel: SA double install, unknown delete, counters") {
  FakeKernel k;
  const auto out = sa(ip("192.0.2.1"), ip("198.51.100.7"), Spi{0x1001});
  REQUIRE(k.add_sa(out, false));
  CHECK(k.add_sa(out, false).error() == "XFRM_MSG_NEWSA: File exists");
  // same SPI towards another destination is another SA
  CHECK(k.add_sa(sa(ip("192.0.2.1"), ip("198.51.100.8"), Spi{0x1001}), false));

  CHECK(k.counters(ip("198.51.100.7"), Spi{0x1001})->bytes == 0);
  CHECK(k.set_counters(ip("198.51.100.7"), Spi{0x1001}, {.bytes = 504, .packets = 6, .add_time = 1700000000}));
  auto c = k.counters(ip("198.51.100.7"), Spi{0x1001});
  REQUIRE(c);
  CHECK(c->bytes == 504);
  CHECK(c->packets == 6);
  CHECK(c->add_time == 1700000000);
  CHECK_FALSE(k.set_counters(ip("198.51.100.7"), Spi{0x9999}, {}));
  CHECK(k.counters(ip("198.51.100.7"), Spi{0x9999}).error() == "XFRM_MSG_GETSA: No such process");

  CHECK(k.delete_sa(ip("198.51.100.7"), Spi{0x1001}));
  CHECK(k.delete_sa(ip("198.51.100.7"), Spi{0x1001}).error() == "XFRM_MSG_DELSA: No such process");
  CHECK_FALSE(k.has_sa(ip("198.51.100.7"), Spi{0x1001}));
  CHECK(k.has_sa(ip("198.51.100.8"), Spi{0x1001}));
}

TEST_CASE("fake kernel: policies are keyed by (source, destination, direction)") {
  FakeKernel k;
  for (auto d : {Direction::Out, Direction::In, Direction::Forward}) REQUIRE(k.add_policy(policy(d)));
  CHECK(k.policies().size() == 3);
  CHECK(k.add_policy(policy(Direction::Out)).error() == "XFRM_MSG_NEWPOLICY: File exists");
  // host bits do not make another selector (the kernel stores masked selectors)
  auto same = policy(Direction::In);
  same.source = net("10.21.1.77", 24);
  CHECK(k.add_policy(same).error() == "XFRM_MSG_NEWPOLICY: File exists");

  CHECK(k.delete_policy(net("10.21.1.0", 24), net("10.2.1.5", 32), Direction::Forward));
  CHECK(k.delete_policy(net("10.21.1.0", 24), net("10.2.1.5", 32), Direction::Forward).error() ==
        "XFRM_MSG_DELPOLICY: No such file or directory");
  CHECK(k.delete_policy(net("10.2.1.5", 32), net("10.21.1.0", 24), Direction::Out).error() ==
        "XFRM_MSG_DELPOLICY: No such file or directory");
  CHECK(k.has_policy(net("10.21.1.0", 24), net("10.2.1.5", 32), Direction::Out));
  CHECK_FALSE(k.has_policy(net("10.21.1.0", 24), net("10.2.1.5", 32), Direction::Forward));
}

TEST_CASE("fake kernel: routes") {
  FakeKernel k;
  kernel::RouteSpec r{net("10.2.1.5", 32), "eth1", ip("10.21.1.1")};
  REQUIRE(k.add_route(r));
  CHECK(k.add_route(r).error() == "RTM_NEWROUTE: File exists");
  CHECK(k.has_route(net("10.2.1.5", 32)));
  CHECK(k.delete_route({net("10.2.1.5", 32), "eth0", std::nullopt}).error() == "RTM_DELROUTE: No such process");
  CHECK(k.delete_route(r));
  CHECK(k.delete_route(r).error() == "RTM_DELROUTE: No such process");
  CHECK(k.empty());
}

TEST_CASE("fake kernel: records calls, injects failures, queues events") {
  FakeKernel k;
  k.fail_next("add_policy", "XFRM_MSG_NEWPOLICY: Cannot allocate memory");
  CHECK(k.add_policy(policy(Direction::Out)).error() == "XFRM_MSG_NEWPOLICY: Cannot allocate memory");
  CHECK(k.add_policy(policy(Direction::Out)));  // only the next call fails
  CHECK(k.count_calls("add_policy") == 2);
  REQUIRE(k.calls().size() == 2);
  CHECK(k.calls()[0].detail == "10.21.1.0/24 -> 10.2.1.5/32 out reqid 1");

  REQUIRE(k.add_sa(sa(ip("192.0.2.1"), ip("198.51.100.7"), Spi{0x1001}), false));
  CHECK(k.calls().back().detail == "192.0.2.1 -> 198.51.100.7 0x00001001");  // no key material

  CHECK(k.event_fd() == -1);
  CHECK(k.read_events().empty());
  k.queue_event({ip("198.51.100.7"), Spi{0x1001}, false, {}});
  k.queue_event({ip("198.51.100.7"), Spi{0x1001}, true, {}});
  auto events = k.read_events();
  REQUIRE(events.size() == 2);
  CHECK_FALSE(events[0].hard);
  CHECK(events[1].hard);
  CHECK(k.read_events().empty());
}
