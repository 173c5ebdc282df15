// Accounting from the IKE side (ike/accounting.*) in-process: a Start when the tunnel is up, Interim-Updates on the
// tick with the kernel's counters, totals kept over an IPsec SA that expired (a rekey), RADIUS authorization
// (Framed-IP-Address, Session-Timeout, Class) applied, and a Stop with the cause and the sums.
#include <doctest/doctest.h>

#include "ike/accounting.hpp"
#include "phase2_initiator.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;
using xauth::accounting::Cause;
using xauth::accounting::Kind;
using xauth::accounting::Record;

namespace {

const Ipv4 kGateway = *Ipv4::parse("192.0.2.1");
const kernel::Spi kFirstSpi{0xc0000001};  // the fake kernel's first ALLOCSPI: the first quick mode's inbound SA

// Accepts everyone with what a RADIUS Access-Accept said.
class AuthorizingBackend final : public xauth::Backend {
 public:
  explicit AuthorizingBackend(xauth::Authorization a) : authorization_(std::move(a)) {}
  void authenticate(const xauth::Credentials&, std::function<void(xauth::Result)> done) override {
    done({xauth::Verdict::Accept, "test", authorization_, "RADIUS 10.0.0.1:1645"});
  }
  std::string describe() const override { return "authorizing test backend"; }

 private:
  xauth::Authorization authorization_;
};

struct AccountingHarness {
  explicit AccountingHarness(xauth::Authorization a, Seconds interim = Seconds(60))
      : backend(std::move(a)),
        accounting([this](Record r) { records.push_back(std::move(r)); }, h.time, [this] { return unix_now; },
                   0x5f000000, interim) {
    ResponderServices s;
    s.kernel = &h.kernel;
    s.pools = &h.pools;
    s.xauth = &backend;
    s.routes = &h.routes;
    s.accounting = &accounting;
    h.responder.reconfigure(h.config, s);
  }
  Phase2Harness h{fixture("ios-easyvpn.cfg")};
  AuthorizingBackend backend;
  std::vector<Record> records;
  int64_t unix_now = 1700000000;
  SessionAccounting accounting;
};

}  // namespace

TEST_CASE("accounting: Start when the tunnel is up, Interim-Updates, totals over an expired SA, Stop by peer delete") {
  xauth::Authorization a;
  a.classes = {"ACCT-CLASS"};
  AccountingHarness t(a, Seconds(30));
  auto& h = t.h;
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  CHECK(t.records.empty());  // no tunnel yet
  quick_mode(h, c, address);
  REQUIRE(t.records.size() == 1);
  const Record& start = t.records[0];
  CHECK(start.kind == Kind::Start);
  CHECK(start.session.user == "john");
  CHECK(start.session.address == address);
  CHECK(start.session.peer == c.ini.self().address);
  CHECK(start.session.classes == std::vector<std::string>{"ACCT-CLASS"});
  CHECK(start.session.id == "5F00000000000001");
  CHECK(start.session.start_unix == 1700000000);

  // A second quick mode (the client rekeys) before the first SA expires: both count.
  quick_mode(h, c, address, 0x9bde2876, 0x43e0d0fa);
  CHECK(t.records.size() == 1);  // one Start per session
  const kernel::Spi second{kFirstSpi.value + 1};
  REQUIRE(h.kernel.set_counters(kGateway, kFirstSpi, {1000, 10, 0}));
  REQUIRE(h.kernel.set_counters(c.ini.self().address, kernel::Spi{0x9bde2875}, {2000, 20, 0}));
  for (int i = 0; i < 30; ++i) {
    h.advance(Seconds(1));
    h.tick();
  }
  REQUIRE(t.records.size() == 2);
  CHECK(t.records[1].kind == Kind::Interim);
  CHECK(t.records[1].traffic.bytes_in == 1000);
  CHECK(t.records[1].traffic.bytes_out == 2000);
  CHECK(t.records[1].traffic.packets_in == 10);
  CHECK(t.records[1].session_seconds == 30);

  // The first pair expires (hard): its counts stay in the session's totals.
  h.responder.on_kernel_expire({{kGateway, kFirstSpi, true, {}}});
  REQUIRE(h.kernel.set_counters(kGateway, second, {500, 5, 0}));
  for (int i = 0; i < 30; ++i) {
    h.advance(Seconds(1));
    h.tick();
  }
  REQUIRE(t.records.size() == 3);
  CHECK(t.records[2].traffic.bytes_in == 1500);
  CHECK(t.records[2].traffic.bytes_out == 2000);

  // The client deletes its ISAKMP SA: Stop, User-Request, the totals, the address still named.
  t.unix_now += 75;
  h.advance(Seconds(15));
  h.feed(c.ini.delete_isakmp(0x7a7a7a7a));
  REQUIRE(h.responder.sa_count() == 0);
  REQUIRE(t.records.size() == 4);
  const Record& stop = t.records[3];
  CHECK(stop.kind == Kind::Stop);
  CHECK(stop.cause == Cause::UserRequest);
  CHECK(stop.traffic.bytes_in == 1500);
  CHECK(stop.session_seconds == 75);
  CHECK(stop.event_unix == 1700000075);
  CHECK(stop.session.address == address);
  CHECK(stop.session.classes == std::vector<std::string>{"ACCT-CLASS"});
}

TEST_CASE("accounting: RADIUS Framed-IP-Address and Session-Timeout; the Stop says Session-Timeout") {
  xauth::Authorization a;
  a.framed_address = *Ipv4::parse("10.99.0.7");  // outside the pool
  a.session_timeout = 25;
  AccountingHarness t(a, Seconds(0));
  auto& h = t.h;
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  CHECK(address.str() == "10.99.0.7");
  CHECK(h.pool().leased() == 0);
  quick_mode(h, c, address);
  REQUIRE(t.records.size() == 1);
  int ticks = 0;
  while (h.responder.sa_count() == 1 && ticks < 100) {
    h.advance(Seconds(1));
    h.tick();
    ++ticks;
  }
  CHECK(h.responder.sa_count() == 0);
  CHECK(ticks <= 25);  // counted from phase 1, which main_mode_with_address finished a few seconds ago
  REQUIRE(t.records.size() == 2);  // no Interim-Updates at interval 0
  CHECK(t.records[1].kind == Kind::Stop);
  CHECK(t.records[1].cause == Cause::SessionTimeout);
  CHECK(t.records[1].session.address == address);
  CHECK(h.kernel.sas().empty());
}

TEST_CASE("accounting: 255.255.255.254 means the pool chooses; Acct-Interim-Interval overrides the config") {
  xauth::Authorization a;
  a.framed_address = *Ipv4::parse("255.255.255.254");
  a.interim_interval = 10;
  AccountingHarness t(a, Seconds(600));
  auto& h = t.h;
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  CHECK(h.pool().contains(address));
  CHECK(h.pool().leased() == 1);
  quick_mode(h, c, address);
  for (int i = 0; i < 10; ++i) {
    h.advance(Seconds(1));
    h.tick();
  }
  REQUIRE(t.records.size() == 2);
  CHECK(t.records[1].kind == Kind::Interim);
  h.responder.shutdown();
  REQUIRE(t.records.size() == 3);
  CHECK(t.records[2].cause == Cause::NasReboot);
}

TEST_CASE("accounting: RADIUS Idle-Timeout overrides the group's idle time; the Stop says Idle-Timeout") {
  xauth::Authorization a;
  a.idle_timeout = 40;
  AccountingHarness t(a, Seconds(0));
  auto& h = t.h;
  auto o = vpn_client11_options();
  o.vendor_ids = {vid::xauth()};  // no DPD: only the idle time ends a silent session
  Client c(o);
  const Ipv4 address = main_mode_with_address(h, c);
  quick_mode(h, c, address);
  int ticks = 0;
  while (h.responder.sa_count() == 1 && ticks < 200) {
    h.advance(Seconds(1));
    h.tick();
    ++ticks;
  }
  CHECK(h.responder.sa_count() == 0);
  CHECK(ticks <= 40 + 10);  // counters are read every quarter of the limit
  CHECK(h.log.contains("idle timeout (40 s), user john"));
  REQUIRE(t.records.size() == 2);
  CHECK(t.records[1].cause == Cause::IdleTimeout);
}
