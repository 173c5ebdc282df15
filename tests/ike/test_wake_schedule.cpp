// The responder's timer heap (ike/wake_schedule.hpp) and its secondary SA indexes (ike/sa_index.hpp), then the
// whole responder: a quiet established session is not looked at every second, only when something is due.
#include <doctest/doctest.h>

#include "ike/sa_index.hpp"
#include "ike/wake_schedule.hpp"
#include "phase2_initiator.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;

namespace {

Cookie cookie(uint8_t n) {
  Cookie c;
  c.bytes[7] = n;
  return c;
}

TimePoint at(int seconds) { return TimePoint{} + Seconds(seconds); }

}  // namespace

TEST_CASE("wake schedule: due in time order, once; an earlier time wins; forgotten SAs never come back") {
  WakeSchedule w;
  w.at(cookie(1), at(10));
  w.at(cookie(2), at(5));
  w.at(cookie(3), at(20));
  w.at(cookie(1), at(30));  // later than what is set: ignored
  CHECK(w.due(at(4)).empty());
  CHECK(w.due(at(10)) == std::vector<Cookie>{cookie(2), cookie(1)});
  CHECK(w.due(at(10)).empty());  // each once
  w.at(cookie(3), at(12));       // earlier: the entry at 20 is superseded
  CHECK(w.due(at(12)) == std::vector<Cookie>{cookie(3)});
  CHECK(w.due(at(25)).empty());  // the superseded entry at 20 is skipped
  w.at(cookie(4), at(40));
  w.forget(cookie(4));
  CHECK(w.due(at(50)).empty());
  CHECK(w.scheduled() == 0);
}

TEST_CASE("wake schedule: superseded entries do not pile up") {
  WakeSchedule w;
  for (int round = 0; round < 100; ++round)
    for (uint8_t n = 0; n < 50; ++n) w.at(cookie(n), at(100000 - round));  // always earlier: a new entry each time
  CHECK(w.scheduled() == 50);
  CHECK(w.heap_entries() <= 2 * 50 + 1024 + 1);
  CHECK(w.due(at(100000)).size() == 50);
}

TEST_CASE("wake schedule: after a flood of half-open SAs the heap gives its memory back") {
  WakeSchedule w;
  for (uint32_t n = 0; n < 20000; ++n) {
    Cookie c;
    c.bytes[4] = uint8_t(n >> 16);
    c.bytes[5] = uint8_t(n >> 8);
    c.bytes[6] = uint8_t(n);
    w.at(c, at(1));
  }
  CHECK(w.heap_capacity() >= 20000);
  CHECK(w.due(at(1)).size() == 20000);
  CHECK(w.scheduled() == 0);
  CHECK(w.heap_capacity() <= 4096);
}

TEST_CASE("SA index: lookups in cookie order; stale entries leave when used") {
  SaIndex<std::string> idx;
  idx.add("john", cookie(9));
  idx.add("john", cookie(3));
  idx.add("john", cookie(3));  // no duplicate
  idx.add("jane", cookie(4));
  CHECK(idx.size() == 3);
  CHECK(idx.find("john", [](const Cookie&) { return true; }) == std::vector<Cookie>{cookie(3), cookie(9)});
  CHECK(idx.find("john", [](const Cookie& c) { return c != cookie(9); }) == std::vector<Cookie>{cookie(3)});
  CHECK(idx.size() == 2);  // cookie 9 failed the check and is gone
  idx.erase("jane", cookie(4));
  CHECK(idx.find("jane", [](const Cookie&) { return true; }).empty());
  CHECK(idx.size() == 1);
}

TEST_CASE("responder: a quiet established session wakes the tick only when a check is due") {
  Phase2Harness h("crypto isakmp keepalive 60 2\n" + fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());  // announces DPD
  const Ipv4 address = main_mode_with_address(h, c);
  quick_mode(h, c, address);
  // The first 70 s prune the finished exchanges and the handshake's inputs; count from then on.
  uint64_t before = 0;
  int probes = 0;
  for (int i = 0; i < 670; ++i) {
    if (i == 70) before = h.responder.stats().tick_visits;
    h.advance(Seconds(1));
    for (const auto& d : to_client(h.tick(), c)) {
      auto chain = c.ini.open_informational(d);
      REQUIRE(chain);
      for (const auto& p : chain->payloads)
        if (const auto* n = std::get_if<NotifyPayload>(&p.body)) {
          if (n->type != notify::DpdRUThere) continue;
          ++probes;
          NotifyPayload ack;
          ack.protocol = ProtocolId::Isakmp;
          ack.type = notify::DpdRUThereAck;
          ack.spi = n->spi;
          ack.data = n->data;
          h.feed(c.ini.informational({ack}, 0x22220000u + uint32_t(probes)));
        }
    }
  }
  const uint64_t visits = h.responder.stats().tick_visits - before;
  // 600 s of a silent peer that answers each R-U-THERE: a check every 15 s (a quarter of the keepalive), a probe
  // after 60 s of silence and its answer; not 600 visits.
  CHECK(probes >= 8);
  CHECK(visits < 120);  // 50 when written
  CHECK(h.responder.sa_count() == 1);
  MESSAGE("tick visits in 600 s: " << visits << ", R-U-THEREs answered: " << probes);
}

TEST_CASE("responder: the counters of the liveness checks due in one tick are asked for in one prefetch") {
  Phase2Harness h("crypto isakmp keepalive 60 2\n" + fixture("ios-easyvpn.cfg"));
  Client first(vpn_client11_options("198.51.100.7", 7));
  Client second(vpn_client11_options("198.51.100.9", 9));
  const Ipv4 a = main_mode_with_address(h, first);
  quick_mode(h, first, a, 0x9bde2875);
  const Ipv4 b = main_mode_with_address(h, second);
  quick_mode(h, second, b, 0x9bde2876);
  REQUIRE(h.kernel.sas().size() == 4);
  h.tick();
  CHECK(h.kernel.count_calls("prefetch_counters") == 0);  // one pair per tick: read as before
  h.advance(Seconds(100));  // both sessions' checks fall due in the same tick: one request for both pairs
  h.tick();
  std::vector<std::string> prefetches;
  for (const auto& c : h.kernel.calls())
    if (c.method == "prefetch_counters") prefetches.push_back(c.detail);
  CHECK(prefetches == std::vector<std::string>{"4", "0"});  // both pairs, then the tick's end of the prefetch
}
