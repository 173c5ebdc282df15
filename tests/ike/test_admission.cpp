// Admission control before any DH (ike/admission.hpp): per-source and global half-open limits, the DH queue's
// under-load check and priorities, the fragment budgets, the counters by drop rule and the rate-limited log, all
// with the injected clock and a worker whose queue the test holds.
#include <doctest/doctest.h>

#include <deque>

#include "harness.hpp"
#include "ike/admission.hpp"
#include "ike/fragments.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;

namespace {

// Keeps the jobs until the test runs them; bounded like the daemon's ThreadPool.
class HeldWorker final : public Worker {
 public:
  struct Job {
    std::function<void()> job, done;
    JobPriority priority;
  };
  void submit(std::function<void()> job, std::function<void()> done) override {
    jobs.push_back({std::move(job), std::move(done), JobPriority::Proven});
  }
  bool try_submit(std::function<void()> job, std::function<void()> done, JobPriority p) override {
    if (queued(p) >= (p == JobPriority::Proven ? proven_limit : new_limit)) return false;
    jobs.push_back({std::move(job), std::move(done), p});
    return true;
  }
  size_t queued(JobPriority p) const override {
    size_t n = 0;
    for (const auto& j : jobs) n += j.priority == p;
    return n;
  }
  // Runs what a pool thread would take next: proven work first.
  std::optional<JobPriority> run_one() {
    if (jobs.empty()) return std::nullopt;
    auto it = std::find_if(jobs.begin(), jobs.end(), [](const Job& j) { return j.priority == JobPriority::Proven; });
    if (it == jobs.end()) it = jobs.begin();
    Job j = std::move(*it);
    jobs.erase(it);
    j.job();
    j.done();
    return j.priority;
  }
  std::deque<Job> jobs;
  size_t proven_limit = 100, new_limit = 100;
};

config::Config easyvpn(std::function<void(config::AdmissionLimits&)> change = {}) {
  auto c = config::parse_ios(fixture("ios-easyvpn.cfg"), "ios-easyvpn.cfg");
  if (change) change(c.admission);
  return c;
}

struct Rig {
  explicit Rig(config::Config c) : config(std::move(c)) {}
  std::vector<Datagram> feed(const Datagram& d) {
    const size_t before = sender.sent.size();
    responder.receive(d);
    return {sender.sent.begin() + long(before), sender.sent.end()};
  }
  size_t lines_with(std::string_view needle) const {
    size_t n = 0;
    for (const auto& l : log.lines) n += l.text.find(needle) != std::string::npos;
    return n;
  }
  RecordingXauth xauth;
  config::Config config;
  std::unique_ptr<crypto::Rng> rng = crypto::make_deterministic_rng(5), dh_rng = crypto::make_deterministic_rng(6);
  ManualTime time;
  HeldWorker worker;
  CapturingLogger log;
  CapturingSender sender;
  ResponderServices services() {
    ResponderServices s;
    s.xauth = &xauth;
    return s;
  }
  Responder responder{config, *rng, *dh_rng, time, worker, log, sender, {}, services()};
};

Initiator aggressive_from(const std::string& address, uint64_t seed) {
  auto o = am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}, "grouppass123", seed);
  o.self = Endpoint{ip(address.c_str()), 500};
  return Initiator(o);
}

Initiator main_from(const std::string& address, uint64_t seed) {
  auto o = mm_options({des_md5_g1()}, "cisco1234", seed);
  o.self = Endpoint{ip(address.c_str()), 500};
  return Initiator(o);
}

// One Cisco fragment datagram (ike/fragments.hpp): header with next payload 132, the fragment payload.
Datagram fragment(const std::string& address, uint8_t cookie, uint16_t id, uint8_t number, bool last, size_t size) {
  Header h;
  h.initiator_cookie.bytes[0] = cookie;
  h.initiator_cookie.bytes[7] = 1;
  h.next_payload = PayloadType(kFragmentPayloadType);
  h.exchange = ExchangeType::Aggressive;
  h.length = uint32_t(kHeaderSize + 8 + size);
  Bytes b = serialize_header(h);
  const uint16_t len = uint16_t(8 + size);
  for (uint8_t x : {uint8_t(0), uint8_t(0), uint8_t(len >> 8), uint8_t(len), uint8_t(id >> 8), uint8_t(id), number,
                    uint8_t(last ? 1 : 0)})
    b.push_back(x);
  b.resize(b.size() + size, 0xab);
  return Datagram{Endpoint{ip(address.c_str()), 500}, Endpoint{ip("192.0.2.1"), 500}, b};
}

}  // namespace

TEST_CASE("admission: the checks run cheapest first and name the rule") {
  ManualTime time;
  CapturingLogger log;
  Admission a(log, time, AdmissionSettings{}, Seconds(60));
  CHECK_FALSE(a.check_first(true, 0, 0, 0));
  CHECK(a.check_first(true, 0, 5, 0) == DropRule::PerSourceHalfOpen);
  CHECK(a.check_first(true, 4000, 4, 1000) == DropRule::GlobalHalfOpen);
  CHECK(a.check_first(true, 10, 1, 64) == DropRule::UnderLoad);
  CHECK_FALSE(a.check_first(true, 10, 0, 64));  // no half-open SA from this address: still admitted ...
  CHECK(a.check_first(true, 10, 0, 256) == DropRule::UnderLoad);  // ... up to the hard bound
  // A slow machine (300 DH/s measured): the queue accepted is what it finishes in 0.1 s / 0.5 s.
  CHECK(a.check_first(true, 10, 1, 30, 300.0) == DropRule::UnderLoad);
  CHECK_FALSE(a.check_first(true, 10, 0, 149, 300.0));
  CHECK(a.check_first(true, 10, 0, 150, 300.0) == DropRule::UnderLoad);
  CHECK_FALSE(a.check_first(true, 10, 1, 29, 300.0));
  const auto fast = new_work_bounds(AdmissionSettings{}, 100000.0);  // never above the configured numbers
  CHECK(fast.soft == 64);
  CHECK(fast.hard == 256);
  CHECK_FALSE(a.check_first(false, 10, 1, 64));  // main mode message 1 needs no DH
}

TEST_CASE("admission: defaults sized from the DH threads, the config's numbers win") {
  config::AdmissionLimits l;
  auto s = admission_settings(l, 2);
  CHECK(s.half_open_per_source == 5);
  CHECK(s.half_open_max == 8000);
  CHECK(s.dh_queue_new == 128);
  l.half_open_max = 50;
  l.dh_queue_new = 7;
  s = admission_settings(l, 2);
  CHECK(s.half_open_max == 50);
  CHECK(s.dh_queue_new == 7);
}

TEST_CASE("admission: a flood of drops is one line, then one summary per window") {
  ManualTime time;
  CapturingLogger log;
  Admission a(log, time, AdmissionSettings{}, Seconds(60));
  for (int i = 0; i < 5000; ++i) a.drop(DropRule::PerSourceHalfOpen, Endpoint{ip("198.51.100.7"), 500});
  for (int i = 0; i < 100; ++i) a.drop(DropRule::UnderLoad, Endpoint{ip("203.0.113.9"), 500});
  CHECK(log.lines.size() == 2);
  CHECK(a.dropped(DropRule::PerSourceHalfOpen) == 5000);
  CHECK(a.dropped_total() == 5100);
  CHECK(a.under_pressure());
  time.advance(Seconds(5));
  a.tick(3, 0);
  CHECK(log.lines.size() == 2);  // the window is not over
  time.advance(Seconds(5));
  a.tick(3, 0);
  REQUIRE(log.lines.size() == 3);
  CHECK(log.lines.back().text.find("5,100 dropped (per-source half-open limit 5,000, DH queue under load 100)") !=
        std::string::npos);
  // The rule fired in the last window: going on does not log a first line again, only the next summary.
  a.drop(DropRule::PerSourceHalfOpen, Endpoint{ip("198.51.100.7"), 500});
  CHECK(log.lines.size() == 3);
  time.advance(Seconds(10));
  a.tick(0, 0);
  CHECK(log.lines.size() == 4);
  // Quiet windows write nothing; pressure ends after the hold.
  time.advance(Seconds(10));
  a.tick(0, 0);
  CHECK(log.lines.size() == 4);
  time.advance(Seconds(60));
  CHECK_FALSE(a.under_pressure());
}

TEST_CASE("admission: per-source half-open limit, then the global cap; a timeout frees the slots") {
  Rig r(easyvpn([](auto& a) { a.half_open_max = 7; }));
  r.worker.new_limit = 1000;
  for (uint64_t i = 0; i < 6; ++i) {
    auto ini = main_from("198.51.100.7", 100 + i);
    CHECK(r.feed(ini.mm1()).size() == (i < 5 ? 1u : 0u));
  }
  CHECK(r.responder.half_open() == 5);
  CHECK(r.responder.admission().dropped(DropRule::PerSourceHalfOpen) == 1);
  // Another address still gets in, until the global cap.
  for (uint64_t i = 0; i < 3; ++i) {
    auto ini = main_from("203.0.113.9", 200 + i);
    CHECK(r.feed(ini.mm1()).size() == (i < 2 ? 1u : 0u));
  }
  CHECK(r.responder.admission().dropped(DropRule::GlobalHalfOpen) == 1);
  CHECK(r.lines_with("admission: dropping from 198.51.100.7:500: per-source half-open limit") == 1);
  CHECK(r.lines_with("admission: dropping from 203.0.113.9:500: global half-open cap") == 1);
  // The half-open SAs time out (30 s): both sources are admitted again.
  r.time.advance(Seconds(31));
  r.responder.tick();
  CHECK(r.responder.half_open() == 0);
  auto again = main_from("198.51.100.7", 300);
  CHECK(r.feed(again.mm1()).size() == 1);
}

TEST_CASE("admission: a deep DH queue drops new aggressive mode first messages, main mode message 1 still answered") {
  Rig r(easyvpn([](auto& a) { a.dh_queue_new = 2; }));
  for (uint64_t i = 0; i < 3; ++i) {
    auto ini = aggressive_from("198.51.100.10", 10 + i);
    r.feed(ini.am1());
  }
  CHECK(r.worker.queued(JobPriority::New) == 2);
  CHECK(r.responder.half_open() == 2);  // the third got no SA
  CHECK(r.responder.admission().dropped(DropRule::UnderLoad) == 1);
  auto mm = main_from("198.51.100.50", 50);
  CHECK(r.feed(mm.mm1()).size() == 1);
  // Under load an address without a half-open SA (a client's first try) still gets in, up to 4 x dh_queue_new.
  for (uint64_t i = 0; i < 7; ++i) {
    auto ini = aggressive_from("203.0.113." + std::to_string(10 + i), 20 + i);
    r.feed(ini.am1());
  }
  CHECK(r.worker.queued(JobPriority::New) == 8);
  CHECK(r.responder.admission().dropped(DropRule::UnderLoad) == 2);
  // The queue drains: a retransmit of the dropped message is admitted.
  while (r.worker.run_one()) {}
  auto late = aggressive_from("198.51.100.10", 12);
  r.feed(late.am1());
  CHECK(r.worker.queued(JobPriority::New) == 1);
}

TEST_CASE("admission: main mode message 3 is proven work and runs before queued aggressive mode first messages") {
  Rig r(easyvpn());
  auto mm = main_from("198.51.100.50", 50);
  auto mm2 = r.feed(mm.mm1());
  REQUIRE(mm2.size() == 1);
  REQUIRE(mm.take_mm2(mm2[0]));
  for (uint64_t i = 0; i < 3; ++i) {
    auto ini = aggressive_from("203.0.113." + std::to_string(10 + i), 10 + i);
    r.feed(ini.am1());
  }
  r.feed(mm.mm3());
  REQUIRE(r.worker.jobs.size() == 4);
  const size_t before = r.sender.sent.size();
  CHECK(r.worker.run_one() == JobPriority::Proven);
  REQUIRE(r.sender.sent.size() == before + 1);
  CHECK(mm.take_mm4(r.sender.sent.back()));  // message 4 went out before any aggressive mode answer
  CHECK(r.worker.run_one() == JobPriority::New);
}

TEST_CASE("admission: a job the DH queue refuses removes its SA; the peer's retransmit starts over") {
  Rig r(easyvpn());
  r.worker.proven_limit = 0;
  auto mm = main_from("198.51.100.50", 50);
  auto mm2 = r.feed(mm.mm1());
  REQUIRE(mm.take_mm2(mm2.at(0)));
  CHECK(r.feed(mm.mm3()).empty());
  CHECK(r.responder.sa_count() == 0);
  CHECK(r.responder.half_open() == 0);
  CHECK(r.responder.admission().dropped(DropRule::QueueFull) == 1);
  CHECK(r.responder.stats().dh_jobs == 0);
}

TEST_CASE("admission: fragments have a per-source budget; when all sets are taken the oldest goes") {
  Rig r(easyvpn([](auto& a) {
    a.fragment_sets_per_source = 2;
    a.fragment_bytes_per_source = 3000;
    a.fragment_sets_max = 4;
  }));
  for (uint16_t id = 1; id <= 3; ++id) r.feed(fragment("198.51.100.7", 1, id, 1, false, 500));
  CHECK(r.responder.fragments().pending() == 2);
  CHECK(r.responder.admission().dropped(DropRule::FragmentSource) == 1);
  // Bytes: a set may grow only within the source's budget.
  r.feed(fragment("198.51.100.7", 1, 1, 2, false, 1500));
  CHECK(r.responder.fragments().pending_bytes() == 2500);
  r.feed(fragment("198.51.100.7", 1, 1, 3, false, 1000));
  CHECK(r.responder.fragments().pending() == 1);  // that set went over the budget and was dropped
  CHECK(r.responder.admission().dropped(DropRule::FragmentSource) == 2);
  // Global: four sets from other sources fill it; the next one evicts the oldest.
  for (int s = 0; s < 4; ++s) r.feed(fragment("203.0.113." + std::to_string(s + 1), 2, 1, 1, false, 100));
  CHECK(r.responder.fragments().pending() == 4);
  CHECK(r.responder.admission().dropped(DropRule::FragmentEvicted) == 1);
  // A message from a fresh source still completes (its fragments come back to back).
  r.feed(fragment("203.0.113.99", 3, 9, 1, false, 100));
  r.feed(fragment("203.0.113.99", 3, 9, 2, true, 100));
  CHECK(r.responder.stats().reassembled == 1);
  // Sets time out and give their budget back.
  r.time.advance(Seconds(11));
  r.responder.tick();
  CHECK(r.responder.fragments().pending() == 0);
  CHECK(r.responder.fragments().pending_bytes() == 0);
}

TEST_CASE("admission: under pressure the per-negotiation Info lines become debug, summaries count them") {
  Rig r(easyvpn([](auto& a) { a.half_open_per_source = 1; }));
  auto level_of_start = [&](const std::string& peer) {
    for (const auto& l : r.log.lines)
      if (l.text.find("peer " + peer) != std::string::npos && l.text.find("new main mode negotiation") != std::string::npos)
        return l.level;
    FAIL("no 'new main mode negotiation' line for " << peer);
    return LogLevel::Error;
  };
  auto first = main_from("198.51.100.7", 1);
  r.feed(first.mm1());
  CHECK(level_of_start("198.51.100.7") == LogLevel::Info);
  auto second = main_from("198.51.100.7", 2);
  r.feed(second.mm1());  // dropped: pressure from now on
  auto third = main_from("198.51.100.8", 3);
  r.feed(third.mm1());
  CHECK(level_of_start("198.51.100.8") == LogLevel::Debug);
  r.time.advance(Seconds(31));
  r.responder.tick();
  CHECK(r.lines_with("admission, last 31 s: 1 dropped (per-source half-open limit 1); 2 negotiations started, "
                     "2 half-open timed out") == 1);
}
