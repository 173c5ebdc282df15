// Privilege separation (daemon/privsep/): every message's encode/decode pair round-trips, malformed frames and
// bodies are errors (never crashes), and the two processes (the IKE side's RemoteKernel, the privileged side over
// a fake kernel) work together across a real fork and socketpair: pipelined installs, a refused SA coming back as
// an event, answers in order, reload texts, and a malformed request ending the IKE process.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <set>

#include "daemon/privsep/privileged_process.hpp"
#include "daemon/privsep/remote_kernel.hpp"
#include "daemon/privsep/spare_spis.hpp"
#include "tests/fakes/fake_kernel.hpp"

using namespace ravpn;
using namespace ravpn::privsep;

namespace {

class Lines final : public Logger {
 public:
  bool enabled(LogLevel, LogCategory) const override { return true; }
  void write(LogLevel, LogCategory, std::string_view line) override {
    std::lock_guard lock(mutex_);
    text += std::string(line) + "\n";
  }
  std::string text;

 private:
  std::mutex mutex_;
};

Ipv4 ip(const char* s) { return *Ipv4::parse(s); }
Ipv4Net net(const char* a, const char* m) { return {ip(a), ip(m)}; }

kernel::SaSpec sample_sa() {
  kernel::SaSpec sa;
  sa.source = ip("198.51.100.7");
  sa.destination = ip("192.0.2.1");
  sa.spi = kernel::Spi{0xc0ffee01};
  sa.reqid = 7;
  sa.cipher = kernel::EspCipher::Aes;
  sa.cipher_key = Botan::secure_vector<uint8_t>(32, 0x11);
  sa.auth = kernel::EspAuth::HmacSha1;
  sa.auth_key = Botan::secure_vector<uint8_t>(20, 0x22);
  sa.selector_source = net("10.2.1.5", "255.255.255.255");
  sa.selector_destination = net("0.0.0.0", "0.0.0.0");
  sa.lifetime = {100, 200, 3000, 4000};
  sa.encap = kernel::UdpEncap{4500, 61000};
  return sa;
}

bool same(const kernel::SaSpec& a, const kernel::SaSpec& b) {
  return a.source == b.source && a.destination == b.destination && a.spi == b.spi && a.reqid == b.reqid &&
         a.cipher == b.cipher && a.cipher_key == b.cipher_key && a.auth == b.auth && a.auth_key == b.auth_key &&
         a.selector_source == b.selector_source && a.selector_destination == b.selector_destination &&
         a.lifetime.soft_seconds == b.lifetime.soft_seconds && a.lifetime.hard_seconds == b.lifetime.hard_seconds &&
         a.lifetime.soft_bytes == b.lifetime.soft_bytes && a.lifetime.hard_bytes == b.lifetime.hard_bytes &&
         a.encap == b.encap;
}

}  // namespace

TEST_CASE("privsep messages: every body round-trips") {
  AddSaRequest add{sample_sa(), true};
  auto add_back = decode_add_sa(encode(add));
  REQUIRE(add_back);
  CHECK(same(add_back->sa, add.sa));
  CHECK(add_back->update);
  add.sa.encap.reset();
  add_back = decode_add_sa(encode(add));
  REQUIRE(add_back);
  CHECK(!add_back->sa.encap);

  AllocateSpiRequest spi{ip("198.51.100.7"), ip("192.0.2.1"), 9};
  CHECK(decode_allocate_spi(encode(spi)) == spi);
  SaRef ref{ip("192.0.2.1"), kernel::Spi{0x1234}};
  CHECK(decode_sa_ref(encode(ref)) == ref);

  kernel::PolicySpec p{net("10.0.0.0", "255.0.0.0"), net("10.2.1.5", "255.255.255.255"), kernel::Direction::Forward,
                       ip("192.0.2.1"), ip("198.51.100.7"), 7, 1500};
  auto p_back = decode_policy(encode(p));
  REQUIRE(p_back);
  CHECK(p_back->source == p.source);
  CHECK(p_back->destination == p.destination);
  CHECK(p_back->direction == p.direction);
  CHECK(p_back->tunnel_source == p.tunnel_source);
  CHECK(p_back->tunnel_destination == p.tunnel_destination);
  CHECK(p_back->reqid == 7);
  CHECK(p_back->priority == 1500);

  DeletePolicyRequest d{p.source, p.destination, kernel::Direction::In};
  CHECK(decode_delete_policy(encode(d)) == d);

  kernel::RouteSpec route{net("10.2.1.5", "255.255.255.255"), "eth0", ip("10.0.0.1")};
  auto route_back = decode_route(encode(route));
  REQUIRE(route_back);
  CHECK(route_back->destination == route.destination);
  CHECK(route_back->device == "eth0");
  CHECK(route_back->preferred_source == route.preferred_source);

  ReloadAnswer reload{"/etc/ravpn/ravpn.cfg", "crypto isakmp policy 10\n", "/etc/ravpn/secrets.cfg", "key\n"};
  CHECK(decode_reload_answer(encode(reload)) == reload);
  AnswerBody ok{true, {1, 2, 3}, ""}, refused{false, {}, "XFRM_MSG_NEWSA: File exists"};
  CHECK(decode_answer(encode(ok)) == ok);
  CHECK(decode_answer(encode(refused)) == refused);
  RefusedBody r{Type::AddSa, ref, "XFRM_MSG_UPDSA: No such process"};
  CHECK(decode_refused(encode(r)) == r);
  kernel::ExpireEvent e{ip("192.0.2.1"), kernel::Spi{0x99}, true, {}};
  auto e_back = decode_expire(encode(e));
  REQUIRE(e_back);
  CHECK(e_back->destination == e.destination);
  CHECK(e_back->spi == e.spi);
  CHECK(e_back->hard);
  kernel::SaCounters c{1ull << 40, 12345, 1700000000};
  auto c_back = decode_counters(encode(c));
  REQUIRE(c_back);
  CHECK(c_back->bytes == c.bytes);
  CHECK(c_back->packets == c.packets);
  CHECK(c_back->add_time == c.add_time);
  std::vector<SaRef> refs{ref, {ip("198.51.100.7"), kernel::Spi{0x5678}}};
  CHECK(decode_sa_refs(encode(refs)) == refs);
  CHECK(decode_sa_refs(encode(std::vector<SaRef>{})) == std::vector<SaRef>{});
  SaPairRef pair{ref, {ip("198.51.100.7"), kernel::Spi{0x5678}}};
  CHECK(decode_sa_pair_ref(encode(pair)) == pair);
  for (const auto& last : {kernel::SaPairCounters{c, std::nullopt}, kernel::SaPairCounters{std::nullopt, c},
                           kernel::SaPairCounters{}}) {
    auto last_back = decode_pair_counters(encode(last));
    REQUIRE(last_back);
    CHECK(last_back->in.has_value() == last.in.has_value());
    CHECK(last_back->out.has_value() == last.out.has_value());
    if (last.in) CHECK(last_back->in->bytes == c.bytes);
    if (last.out) CHECK(last_back->out->add_time == c.add_time);
  }
  CHECK(decode_string(encode_string("{\"leases\": []}"), 100) == "{\"leases\": []}");
  std::vector<kernel::SaCountersEntry> list{{ip("192.0.2.1"), kernel::Spi{1}, c}, {ip("198.51.100.7"), kernel::Spi{2}, {}}};
  auto list_back = decode_counter_list(encode(list));
  REQUIRE(list_back);
  REQUIRE(list_back->size() == 2);
  CHECK((*list_back)[0].spi == kernel::Spi{1});
  CHECK((*list_back)[0].counters.bytes == c.bytes);
  CHECK((*list_back)[1].destination == ip("198.51.100.7"));

  auto frame = encode_frame(Type::Counters, kAnswerWanted, 42, encode(ref));
  auto h = decode_header(frame);
  REQUIRE(h);
  CHECK(h->type == Type::Counters);
  CHECK(h->flags == kAnswerWanted);
  CHECK(h->id == 42);
  CHECK(h->length == frame.size() - kHeaderSize);
}

TEST_CASE("privsep messages: malformed input is an error, not a crash") {
  const Bytes add = encode(AddSaRequest{sample_sa(), false});
  for (size_t n = 0; n < add.size(); ++n) CHECK(!decode_add_sa(ByteView(add).first(n)));  // every truncation
  Bytes longer = add;
  longer.push_back(0);
  CHECK(!decode_add_sa(longer));  // a byte left over

  Bytes bad_cipher = add;
  bad_cipher[16] = 9;  // after source, destination, SPI, reqid: the cipher
  CHECK(!decode_add_sa(bad_cipher));
  Bytes long_key = add;
  long_key[17] = 200;  // the cipher key's length
  CHECK(!decode_add_sa(long_key));

  Bytes policy = encode(kernel::PolicySpec{net("10.0.0.0", "255.0.0.0"), net("10.2.1.5", "255.255.255.255"),
                                           kernel::Direction::Out, ip("192.0.2.1"), ip("198.51.100.7"), 1, 0});
  policy[7] = 0x0f;  // mask 255.0.0.15: not contiguous
  CHECK(!decode_policy(policy));
  Bytes direction = encode(DeletePolicyRequest{net("10.0.0.0", "255.0.0.0"), net("10.2.1.5", "255.255.255.255"),
                                               kernel::Direction::Out});
  direction.back() = 3;
  CHECK(!decode_delete_policy(direction));
  CHECK(!decode_route(encode(kernel::RouteSpec{net("10.2.1.5", "255.255.255.255"),
                                               "an-interface-name-too-long", std::nullopt})));
  CHECK(!decode_string(encode_string(std::string(101, 'x')), 100));
  Bytes refused = encode(RefusedBody{Type::AddSa, {}, "x"});
  refused[0] = uint8_t(Type::Answer);
  CHECK(!decode_refused(refused));

  CHECK(!decode_header(encode_frame(Type(200), 0, 1, {})));       // unknown type
  CHECK(!decode_header(encode_frame(Type::AddSa, 0x80, 1, {})));  // unknown flag
  Bytes huge = encode_frame(Type::WriteLeases, 0, 1, {});
  huge[0] = 0x7f;  // a body far over kMaxBody
  CHECK(!decode_header(huge));
  CHECK(!decode_header(Bytes{0, 0}));
  Bytes counts = encode(std::vector<kernel::SaCountersEntry>{{ip("192.0.2.1"), kernel::Spi{1}, {}}});
  counts[3] = 200;  // 200 entries promised, one there
  CHECK(!decode_counter_list(counts));
  counts[0] = 0xff;  // four billion
  CHECK(!decode_counter_list(counts));
  const Bytes pair = encode(kernel::SaPairCounters{kernel::SaCounters{1, 2, 3}, std::nullopt});
  for (size_t n = 0; n < pair.size(); ++n) CHECK(!decode_pair_counters(ByteView(pair).first(n)));
  Bytes bad_flag = pair;
  bad_flag[0] = 2;  // present is 0 or 1
  CHECK(!decode_pair_counters(bad_flag));
  CHECK(!decode_sa_pair_ref(encode(SaRef{ip("192.0.2.1"), kernel::Spi{1}})));  // half a pair
  Bytes refs = encode(std::vector<SaRef>{{ip("192.0.2.1"), kernel::Spi{1}}, {ip("192.0.2.1"), kernel::Spi{2}}});
  for (size_t n = 0; n < refs.size(); ++n) CHECK(!decode_sa_refs(ByteView(refs).first(n)));
  refs[3] = 3;  // three promised, two there
  CHECK(!decode_sa_refs(refs));
  refs[3] = 1;  // one promised, a reference left over
  CHECK(!decode_sa_refs(refs));
}

namespace {

// Forks the IKE side (BODY on a RemoteKernel, its clock and its end of the channel; BODY's return value is the
// exit code) and runs the privileged side here over FAKE; returns run()'s code.
template <class Body>
int run_pair(testing::FakeKernel*& fake, Lines& log, PrivilegedOptions options, Body body) {
  int fds[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(fds[0]);
    int code = 1;
    try {
      Lines child_log;
      ManualTime time;
      RemoteKernel remote(fds[1], child_log, time);
      code = body(remote, time, fds[1]);
    } catch (...) {
      code = 3;
    }
    _exit(code);
  }
  close(fds[1]);
  auto k = std::make_unique<testing::FakeKernel>();
  fake = k.get();
  options.ike_process = child;
  options.fd = fds[0];
  options.kernel = std::move(k);
  static std::unique_ptr<PrivilegedProcess> keep;  // the fake kernel lives in it: kept for the checks
  keep = std::make_unique<PrivilegedProcess>(std::move(options), log);
  return keep->run();
}

}  // namespace

TEST_CASE("privsep: pipelined installs, a refusal as an event, answers, reload, clean end") {
  Lines log;
  testing::FakeKernel* fake = nullptr;
  PrivilegedOptions options;
  bool cleaned = false, crashed = true;
  options.reload = [] { return std::expected<ReloadAnswer, std::string>(ReloadAnswer{"a.cfg", "text", "", ""}); };
  options.cleanup = [&](bool c) {
    cleaned = true;
    crashed = c;
  };
  const int code = run_pair(fake, log, std::move(options), [](RemoteKernel& k, ManualTime&, int) {
    auto spi = k.allocate_spi(ip("198.51.100.7"), ip("192.0.2.1"), 7);
    if (!spi) return 10;
    kernel::SaSpec in = sample_sa();
    in.spi = *spi;
    if (!k.add_sa(in, true)) return 11;
    kernel::SaSpec refused = sample_sa();  // NEWSA over the larval SPI: the fake says EEXIST
    refused.spi = *spi;
    if (!k.add_sa(refused, false)) return 12;  // pipelined: "yes" now, the refusal comes later
    kernel::SaSpec out = sample_sa();
    out.source = ip("192.0.2.1");
    out.destination = ip("198.51.100.7");
    out.spi = kernel::Spi{0x5000};
    if (!k.add_sa(out, false)) return 13;
    kernel::PolicySpec p{net("0.0.0.0", "0.0.0.0"), net("10.2.1.5", "255.255.255.255"), kernel::Direction::Out,
                         ip("192.0.2.1"), ip("198.51.100.7"), 7, 0};
    if (!k.add_policy(p)) return 14;
    if (!k.add_route({net("10.2.1.5", "255.255.255.255"), "lo", std::nullopt})) return 15;
    // Answers come in order: by the time counters answers, the refusal has arrived.
    auto c = k.counters(out.destination, out.spi);
    if (!c) return 16;
    if (k.counters(ip("192.0.2.9"), kernel::Spi{1})) return 17;  // no such SA: an error answer
    k.counters_snapshot(true);  // a view: one dump answers both
    if (!k.counters(out.destination, out.spi) || !k.counters(in.destination, in.spi)) return 22;
    if (k.counters(ip("192.0.2.9"), kernel::Spi{1})) return 23;
    k.counters_snapshot(false);
    auto events = k.read_events();
    if (events.size() != 1 || events[0].spi != *spi || events[0].refused.empty() || !events[0].hard) return 18;
    kernel::SaSpec in2 = sample_sa(), out2 = out;  // a second pair, removed with its last counters in one request
    in2.spi = kernel::Spi{0x6000};
    out2.spi = kernel::Spi{0x6001};
    if (!k.add_sa(in2, false) || !k.add_sa(out2, false)) return 24;
    auto last = k.delete_sa_pair(in2.destination, in2.spi, out2.destination, out2.spi);
    if (!last || !last->in || !last->out) return 25;
    if (k.delete_sa_pair(in2.destination, in2.spi, out2.destination, out2.spi)) return 26;  // gone: an error
    // The tick's due liveness checks: one request, then counters() answers from it (an SA not there: an error).
    k.prefetch_counters({{out.destination, out.spi}, {in2.destination, in2.spi}});
    if (!k.counters(out.destination, out.spi) || k.counters(in2.destination, in2.spi)) return 27;
    k.prefetch_counters({});
    auto reload = k.reload();
    if (!reload || reload->config_text != "text") return 19;
    k.answer_now(true);  // the probe's mode: a refusal is the call's own result
    if (k.add_sa(refused, false)) return 20;
    if (!k.delete_sa(out.destination, out.spi)) return 21;
    return 0;
  });
  CHECK(code == 0);
  CHECK(cleaned);
  CHECK(!crashed);
  REQUIRE(fake);
  CHECK(fake->sas().begin()->first.first == ip("192.0.2.1"));
  CHECK(fake->sas().size() == 1);  // the inbound SA; the outbound one was deleted at the end
  CHECK(fake->policies().size() == 1);
  CHECK(fake->has_route(net("10.2.1.5", "255.255.255.255")));
  CHECK(fake->count_calls("all_counters") == 1);
  // 2 read one by one, 2 for each delete_sa_pair (the second finds nothing), 2 for the one prefetch
  CHECK(fake->count_calls("counters") == 8);
}

TEST_CASE("privsep: under a burst of quick modes SPIs come from spares allocated ahead; old ones are deleted") {
  Lines log;
  testing::FakeKernel* fake = nullptr;
  // The fake kernel numbers SPIs 0xc0000001, 0xc0000002, ... in the order the privileged side is asked.
  const int code = run_pair(fake, log, PrivilegedOptions{}, [](RemoteKernel& k, ManualTime& time, int) {
    const Ipv4 peer = ip("198.51.100.7"), local = ip("192.0.2.1");
    auto next = [&] { return k.allocate_spi(peer, local, 0).value_or(kernel::Spi{0}).value; };
    // Three quick modes wait for theirs; the fourth in a second is a burst: 16 spares are asked for before it
    // waits, so they are answered first.
    if (next() != 0xc0000001 || next() != 0xc0000002 || next() != 0xc0000003) return 10;
    if (next() != 0xc0000014) return 11;
    for (uint32_t i = 4; i <= 0x13; ++i)  // without waiting: the spares, oldest first
      if (next() != 0xc0000000 + i) return 12;
    kernel::SaSpec in = sample_sa();  // UPDSA over a spare's larval SA
    in.spi = kernel::Spi{0xc0000004};
    if (!k.add_sa(in, true)) return 13;
    // The 16 asked for as the spares went were not sent yet (no flush): the next waits, and brings them.
    if (next() != 0xc0000025) return 14;
    if (next() != 0xc0000015) return 15;
    // Eleven seconds later the rest are too old; no burst any more: this one waits, and none are asked for.
    time.advance(std::chrono::seconds(11));
    if (next() != 0xc0000027) return 16;  // 0xc0000026: the one asked for after the last spare was taken
    time.advance(std::chrono::seconds(11));
    k.flush();  // each round: spares past their age are deleted
    if (!k.read_events().empty()) return 17;
    k.answer_now(true);  // the kernel probe's mode: each waits, none are asked for ahead, even five in a row
    for (uint32_t i = 0; i < 5; ++i)
      if (next() != 0xc0000028 + i) return 18;
    return 0;
  });
  CHECK(code == 0);
  REQUIRE(fake);
  CHECK(fake->sas().size() == 1);  // the SA installed over a spare
  CHECK(fake->count_calls("add_sa") == 1);
  CHECK(fake->count_calls("allocate_spi") == 0x2c);
  CHECK(fake->count_calls("delete_sa") == 15 + 1);  // the old spares, then the last one asked for
}

TEST_CASE("privsep: spare SPIs are wanted only while quick modes come in a burst, and age out") {
  SpareSpis spares;
  const Ipv4 local = ip("192.0.2.1"), other = ip("192.0.2.2");
  TimePoint now{};
  std::vector<SpareSpis::Ref> expired;
  for (int i = 0; i < 6; ++i) {  // one quick mode every 400 ms: never 4 in a second
    CHECK(!spares.take(local, now, expired));
    CHECK(spares.wanted(local) == 0);
    now += std::chrono::milliseconds(400);
  }
  for (int i = 0; i < 3; ++i) CHECK(!spares.take(local, now, expired));  // three at once: 4 within a second
  REQUIRE(spares.wanted(local) == SpareSpis::kStock);
  CHECK(spares.wanted(other) == 0);  // per address
  for (uint32_t id = 1; id <= SpareSpis::kStock; ++id) spares.asked(id, local);
  CHECK(spares.wanted(local) == 0);  // in flight
  CHECK(!spares.answered(99, kernel::Spi{7}, now));
  CHECK(spares.answered(1, kernel::Spi{0x101}, now));
  CHECK(spares.answered(2, std::nullopt, now));  // refused: not a spare, asked for again
  CHECK(spares.wanted(local) == 1);
  CHECK(spares.take(local, now, expired) == kernel::Spi{0x101});
  CHECK(spares.answered(3, kernel::Spi{0x103}, now));
  CHECK(spares.expire(now + SpareSpis::kMaxAge).empty());
  auto old = spares.expire(now + SpareSpis::kMaxAge + std::chrono::milliseconds(1));
  REQUIRE(old.size() == 1);
  CHECK(old[0].spi == kernel::Spi{0x103});
  CHECK(spares.ready(local) == 0);
  CHECK(spares.answered(4, kernel::Spi{0x104}, now));
  CHECK(spares.take_all().size() == 1);
  CHECK(expired.empty());
}

TEST_CASE("privsep: a malformed request ends the IKE process, and the cleanup says it crashed") {
  Lines log;
  testing::FakeKernel* fake = nullptr;
  PrivilegedOptions options;
  bool crashed = false;
  options.cleanup = [&](bool c) { crashed = c; };
  const int code = run_pair(fake, log, std::move(options), [](RemoteKernel&, ManualTime&, int fd) {
    Bytes body = encode(SaRef{ip("192.0.2.1"), kernel::Spi{1}});
    body.push_back(0);  // one byte too many for a delete-sa
    Bytes frame = encode_frame(Type::DeleteSa, 0, 1, body);
    if (write(fd, frame.data(), frame.size()) != ssize_t(frame.size())) return 2;
    pause();  // the privileged side kills us
    return 0;
  });
  CHECK(code == 1);
  CHECK(crashed);
  CHECK(log.text.find("delete-sa request malformed") != std::string::npos);
  CHECK(log.text.find("cannot be trusted") != std::string::npos);
  REQUIRE(fake);
  CHECK(fake->calls().empty());
}
