// The control socket's requests and JSON views: hand-made SAs for the views, a responder driven by the scripted
// initiator (tests/ike) for status, isakmp and disconnect through handle_line().
#include <fmt/format.h>
#include <doctest/doctest.h>

#include "daemon/control/requests.hpp"
#include "daemon/control/table.hpp"
#include "harness.hpp"
#include "tests/fakes/fake_kernel.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using nlohmann::json;

namespace {

Phase1Sa established_sa(TimePoint at) {
  Phase1Sa sa;
  sa.serial = 7;
  sa.icookie.bytes = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
  sa.rcookie.bytes = {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8};
  sa.peer = {*Ipv4::parse("192.0.2.5"), 500};
  sa.local = {*Ipv4::parse("192.0.2.1"), 500};
  sa.mode = Phase1Mode::Aggressive;
  sa.state = Phase1State::Established;
  sa.created = at;
  sa.established_at = at;
  sa.choice.cipher = crypto::CipherAlg::TripleDes;
  sa.choice.hash = crypto::HashAlg::Md5;
  sa.choice.dh_group = 2;
  sa.choice.auth_method = ike_auth::XauthInitPreShared;
  sa.choice.lifetime_seconds = 86400;
  sa.choice.policy_priority = 20;
  sa.group_name = "vpn3000";
  sa.peer_id = test::key_id("vpn3000");
  const std::string psk = "grouppass123";
  sa.hs().psk.assign(psk.begin(), psk.end());
  sa.hs().psk_origin = "group vpn3000";
  sa.keys.skeyid_a.assign(20, 0xee);
  sa.session.stage = SessionStage::Configured;
  sa.session.xauth.user = "john";
  sa.session.mode_config.address = Ipv4::parse("10.2.1.1");
  sa.session.mode_config.pool = "ourpool";
  return sa;
}

ChildSa child(uint32_t in, uint32_t out, TimePoint at) {
  ChildSa c;
  c.spi_in = {in};
  c.spi_out = {out};
  c.client_net = {*Ipv4::parse("10.2.1.1"), *Ipv4::parse("255.255.255.255")};
  c.protected_net = {*Ipv4::parse("10.21.1.0"), *Ipv4::parse("255.255.255.0")};
  c.reqid = 3;
  c.transform = "esp-3des esp-md5-hmac";
  c.lifetime_seconds = 3600;
  c.installed_at = at;
  return c;
}

kernel::SaSpec spec(const char* src, const char* dst, uint32_t spi) {
  kernel::SaSpec s;
  s.source = *Ipv4::parse(src);
  s.destination = *Ipv4::parse(dst);
  s.spi = {spi};
  s.cipher_key.assign(24, 0x42);
  s.auth_key.assign(16, 0x43);
  return s;
}

}  // namespace

TEST_CASE("isakmp view: addresses, cookies, identity, algorithms, user, lifetime left; no secrets") {
  ManualTime time;
  Phase1Sa sa = established_sa(time.now());
  time.advance(Seconds(100));
  json j = control::isakmp_view(sa, time.now());
  CHECK(j["serial"] == 7);
  CHECK(j["peer"] == "192.0.2.5:500");
  CHECK(j["local"] == "192.0.2.1:500");
  CHECK(j["state"] == "QM_IDLE");
  CHECK(j["mode"] == "aggressive");
  CHECK(j["icookie"] == "0102030405060708");
  CHECK(j["rcookie"] == "a1a2a3a4a5a6a7a8");
  CHECK(j["peer_id"]["type"] == "key-id");
  CHECK(j["peer_id"]["value"] == "vpn3000");
  CHECK(j["group"] == "vpn3000");
  CHECK(j["algorithms"]["cipher"] == "3DES-CBC");
  CHECK(j["algorithms"]["hash"] == "MD5");
  CHECK(j["algorithms"]["dh_group"] == 2);
  CHECK(j["algorithms"]["auth"] == "xauth-init-pre-share");
  CHECK(j["algorithms"]["policy"] == 20);
  CHECK(j["xauth"]["user"] == "john");
  CHECK(j["stage"] == "configured");
  CHECK(j["address"] == "10.2.1.1");
  CHECK(j["established_for"] == 100);
  CHECK(j["lifetime_left"] == 86300);
  const std::string text = control::dump_line(j);
  CHECK(text.find("grouppass123") == std::string::npos);
  CHECK(text.find("eeeeeeee") == std::string::npos);
  CHECK(text.find("psk") == std::string::npos);
}

TEST_CASE("isakmp view: a negotiating SA has no algorithms or lifetime yet") {
  ManualTime time;
  Phase1Sa sa;
  sa.serial = 2;
  sa.state = Phase1State::SentSa;
  sa.created = time.now();
  time.advance(Seconds(3));
  json j = control::isakmp_view(sa, time.now());
  CHECK(j["state"] == "MM_SA_SETUP");
  CHECK(j["mode"] == "main");
  CHECK(j["established"] == false);
  CHECK(j["algorithms"].is_null());
  CHECK(j["lifetime_left"].is_null());
  CHECK(j["age"] == 3);
  CHECK(j["xauth"]["user"].is_null());
  CHECK(control::user_view(sa, time.now()).is_null());
}

TEST_CASE("peer-supplied strings are made printable; invalid UTF-8 never breaks the JSON") {
  ManualTime time;
  Phase1Sa sa = established_sa(time.now());
  sa.session.xauth.user = std::string("jo\xff\n\"x", 6);
  sa.peer_id = test::key_id(std::string("gr\x01p", 4));
  json j = control::isakmp_view(sa, time.now());
  CHECK(j["xauth"]["user"] == "jo\\xff\\x0a\"x");
  CHECK(j["peer_id"]["value"] == "gr\\x01p");
  CHECK_NOTHROW(control::dump_line(j));
  // Invalid UTF-8 inside a JSON string is replaced, not thrown.
  CHECK(control::dump_line(json{{"s", std::string("\xff\xfe")}}).find("\"s\"") != std::string::npos);
}

TEST_CASE("sas view: SPIs in hex, selectors, transform, lifetime, kernel counters per direction") {
  ManualTime time;
  Phase1Sa sa = established_sa(time.now());
  time.advance(Seconds(10));
  sa.session.children.push_back(child(0xc0000001, 0x12345678, time.now()));
  time.advance(Seconds(60));
  testing::FakeKernel k;
  REQUIRE(k.add_sa(spec("192.0.2.5", "192.0.2.1", 0xc0000001), false));
  REQUIRE(k.add_sa(spec("192.0.2.1", "192.0.2.5", 0x12345678), false));
  REQUIRE(k.set_counters(*Ipv4::parse("192.0.2.1"), {0xc0000001}, {1000, 10, 0}));
  REQUIRE(k.set_counters(*Ipv4::parse("192.0.2.5"), {0x12345678}, {2000, 20, 0}));

  json with = control::child_views(sa, time.now(), &k);
  REQUIRE(with.size() == 1);
  const json& c = with[0];
  CHECK(c["spi_in"] == "0xc0000001");
  CHECK(c["spi_out"] == "0x12345678");
  CHECK(c["local_net"] == "10.21.1.0/24");
  CHECK(c["remote_net"] == "10.2.1.1/32");
  CHECK(c["transform"] == "esp-3des esp-md5-hmac");
  CHECK(c["user"] == "john");
  CHECK(c["installed_for"] == 60);
  CHECK(c["lifetime_left"] == 3540);
  CHECK(c["in"]["bytes"] == 1000);
  CHECK(c["in"]["packets"] == 10);
  CHECK(c["out"]["bytes"] == 2000);
  CHECK(c["out"]["packets"] == 20);
  CHECK(control::dump_line(with).find("424242") == std::string::npos);

  json without = control::child_views(sa, time.now(), nullptr);
  CHECK(without[0]["in"].is_null());

  // A kernel that lost the SA: the error is shown, not thrown.
  testing::FakeKernel empty;
  json lost = control::child_views(sa, time.now(), &empty);
  CHECK(lost[0]["in"]["error"].get<std::string>().find("No such process") != std::string::npos);
}

TEST_CASE("users view: like show uauth") {
  ManualTime time;
  Phase1Sa sa = established_sa(time.now());
  time.advance(Seconds(42));
  json u = control::user_view(sa, time.now());
  CHECK(u["user"] == "john");
  CHECK(u["group"] == "vpn3000");
  CHECK(u["address"] == "10.2.1.1");
  CHECK(u["pool"] == "ourpool");
  CHECK(u["peer"] == "192.0.2.5:500");
  CHECK(u["connected_for"] == 42);
  // Xauth not finished and no address: not a user yet.
  sa.session.stage = SessionStage::XauthRequested;
  sa.session.mode_config.address.reset();
  CHECK(control::user_view(sa, time.now()).is_null());
}

TEST_CASE("pools view: size, leased, free") {
  PoolSet pools;
  pools.emplace("ourpool", pool::AddressPool("ourpool", {{*Ipv4::parse("10.2.1.1"), *Ipv4::parse("10.2.1.10")}}));
  REQUIRE(pools.at("ourpool").lease("john"));
  json p = control::pools_view(&pools);
  REQUIRE(p.size() == 1);
  CHECK(p[0] == json{{"name", "ourpool"}, {"size", 10}, {"leased", 1}, {"free", 9}});
  CHECK(control::pools_view(nullptr) == json::array());
}

namespace {

struct Control {
  test::Harness h{test::fixture("ios-easyvpn.cfg")};
  std::vector<std::string> debug_calls;
  control::RequestContext ctx{h.responder, h.time, h.time.now(), "/etc/ravpn/ravpn.cfg",
                              [this](const std::string& c) {
                                debug_calls.push_back(c);
                                return true;
                              },
                              {}};
  json ask(const std::string& line) {
    std::string r = control::handle_line(ctx, line);
    CHECK(r.find('\n') == std::string::npos);
    json j = json::parse(r);
    CHECK(j["version"] == 1);
    return j;
  }
  json ask(const json& req) { return ask(req.dump()); }
  void connect_client() {
    test::Initiator ini(test::am_options({test::tdes_md5_g2(1, ike_auth::XauthInitPreShared)}));
    test::aggressive_mode(h, ini, true);
    REQUIRE(h.responder.sa_count() == 1);
  }
};

json req(const char* what) { return json{{"version", 1}, {"request", what}}; }

}  // namespace

TEST_CASE("requests: status and isakmp of a responder with one aggressive-mode SA") {
  Control c;
  c.connect_client();
  c.h.time.advance(Seconds(5));
  json s = c.ask(req("status"));
  REQUIRE(s["ok"] == true);
  CHECK(s["daemon_version"] == control::version());
  CHECK(s["uptime"] == 5);
  CHECK(s["config"] == "/etc/ravpn/ravpn.cfg");
  CHECK(s["kernel"] == false);
  CHECK(s["sas"]["isakmp"] == 1);
  CHECK(s["sas"]["established"] == 1);
  CHECK(s["counters"]["phase1_established"] == 1);
  CHECK(s["counters"]["dh_jobs"] == 1);
  // Admission control: every drop rule is listed (zero here), with the limits in force.
  CHECK(s["admission"]["dropped"].size() == ike::kDropRules);
  CHECK(s["admission"]["dropped"]["per_source_half_open"] == 0);
  CHECK(s["admission"]["dropped"]["under_load"] == 0);
  CHECK(s["admission"]["half_open"] == 0);
  CHECK(s["admission"]["under_pressure"] == false);
  CHECK(s["admission"]["limits"]["half_open_per_source"] == 5);
  const std::string text = control::render("status", s);
  CHECK(text.find("admission: 0 half-open (at most 4000, 5 per source)") != std::string::npos);
  // The heap as glibc's allocator sees it: something is in use, and the text says how much in KiB. Under
  // AddressSanitizer glibc's malloc counts nothing: no heap, and no line.
#ifndef __SANITIZE_ADDRESS__
  REQUIRE(s["heap"].is_object());
#endif
  if (s["heap"].is_object()) {
    CHECK(s["heap"]["in_use"].get<uint64_t>() > 0);
    CHECK(s["heap"]["free"].is_number_unsigned());
    CHECK(s["heap"]["free_at_top"].get<uint64_t>() <= s["heap"]["free"].get<uint64_t>());
    CHECK(text.find(fmt::format("heap:          {} KiB in use", s["heap"]["in_use"].get<uint64_t>() / 1024)) !=
          std::string::npos);
  } else {
    CHECK(text.find("heap:") == std::string::npos);
  }
  CHECK(text.find("per_source_half_open") != std::string::npos);

  json i = c.ask(req("isakmp"));
  REQUIRE(i["ok"] == true);
  REQUIRE(i["sas"].size() == 1);
  CHECK(i["sas"][0]["mode"] == "aggressive");
  CHECK(i["sas"][0]["group"] == "vpn3000");
  CHECK(i["sas"][0]["established_for"] == 5);
  CHECK(i["sas"][0]["stage"] == "xauth requested");
  const std::string all = control::handle_line(c.ctx, req("isakmp").dump());
  for (const auto& secret : test::secrets()) CHECK(all.find(secret) == std::string::npos);

  json sas = c.ask(req("sas"));
  CHECK(sas["ok"] == true);
  CHECK(sas["sas"].empty());
  json users = c.ask(req("users"));
  CHECK(users["users"].empty());  // Xauth has not finished
  json pools = c.ask(req("pools"));
  CHECK(pools["pools"].empty());  // the harness has no pools
}

TEST_CASE("requests: errors keep the shape {version, ok:false, error}") {
  Control c;
  auto error_of = [&](const std::string& line) {
    json j = c.ask(line);
    CHECK(j["ok"] == false);
    return j["error"].get<std::string>();
  };
  CHECK(error_of(std::string("this is not json")) == "invalid JSON");
  CHECK(error_of(std::string()) == "invalid JSON");
  CHECK(error_of("[1,2]") == "a request is a JSON object");
  CHECK(error_of(R"({"request":"status"})").find("version") != std::string::npos);
  CHECK(error_of(R"({"version":2,"request":"status"})").find("unsupported version 2") != std::string::npos);
  CHECK(error_of(R"({"version":1})") == "missing \"request\"");
  CHECK(error_of(R"({"version":1,"request":"shutdown"})") == "unknown request 'shutdown'");
  CHECK(error_of(R"({"version":1,"request":"reload"})") == "this daemon cannot reload its configuration");
  CHECK(error_of(R"({"version":1,"request":"disconnect"})").find("exactly one") != std::string::npos);
  CHECK(error_of(R"({"version":1,"request":"disconnect","peer":"1.2.3.4","user":"x"})").find("exactly one") !=
        std::string::npos);
  CHECK(error_of(R"({"version":1,"request":"disconnect","peer":"nonsense"})").find("not an IPv4") != std::string::npos);
  CHECK(error_of(R"({"version":1,"request":"disconnect","peer":5})").find("IPv4") != std::string::npos);
  CHECK(error_of(std::string(control::kMaxRequestLine + 1, ' ')).find("longer than") != std::string::npos);
  // A trailing CR (telnet-style clients) is fine.
  CHECK(c.ask(std::string("{\"version\":1,\"request\":\"pools\"}\r"))["ok"] == true);
}

TEST_CASE("requests: a monitoring client reads the views; disconnect, reload and debug need an admin") {
  Control c;
  c.connect_client();
  for (const char* what : {"status", "isakmp", "sas", "users", "pools"})
    CHECK(json::parse(control::handle_line(c.ctx, req(what).dump(), control::Access::Monitor))["ok"] == true);
  json d = req("disconnect");
  d["peer"] = "198.51.100.7";
  json g = req("debug");
  g["categories"] = "isakmp";
  for (const json& r : {d, req("reload"), g}) {
    json a = json::parse(control::handle_line(c.ctx, r.dump(), control::Access::Monitor));
    CHECK(a["ok"] == false);
    CHECK(a["error"].get<std::string>().find("needs root or group ravpn-admin") != std::string::npos);
  }
  CHECK(c.h.responder.sa_count() == 1);  // nothing was disconnected
  json admin = json::parse(control::handle_line(c.ctx, d.dump(), control::Access::Admin));
  CHECK(admin["ok"] == true);
}

TEST_CASE("requests: debug checks every category before turning any on") {
  Control c;
  json ok = c.ask(json{{"version", 1}, {"request", "debug"}, {"categories", "isakmp,ipsec"}});
  CHECK(ok["ok"] == true);
  CHECK(ok["categories"] == "isakmp,ipsec");
  json bad = c.ask(json{{"version", 1}, {"request", "debug"}, {"categories", "isakmp,bogus"}});
  CHECK(bad["ok"] == false);
  CHECK(bad["error"] == "unknown debug category 'bogus'");
  CHECK(c.ask(json{{"version", 1}, {"request", "debug"}})["ok"] == false);
  REQUIRE(c.debug_calls.size() == 1);
  CHECK(c.debug_calls[0] == "isakmp,ipsec");
  c.ctx.set_debug = nullptr;
  CHECK(c.ask(json{{"version", 1}, {"request", "debug"}, {"categories", "all"}})["ok"] == false);
}

TEST_CASE("requests: disconnect by peer, user and address") {
  SUBCASE("peer") {
    Control c;
    c.connect_client();
    json none = c.ask(json{{"version", 1}, {"request", "disconnect"}, {"peer", "192.0.2.99"}});
    CHECK(none["ok"] == true);
    CHECK(none["disconnected"] == 0);
    CHECK(c.h.responder.sa_count() == 1);
    json one = c.ask(json{{"version", 1}, {"request", "disconnect"}, {"peer", "198.51.100.7"}});
    CHECK(one["disconnected"] == 1);
    CHECK(c.h.responder.sa_count() == 0);
    CHECK(c.h.log.contains("disconnected by the operator (peer 198.51.100.7)"));
  }
  SUBCASE("user and address match nothing before Xauth and mode-config") {
    Control c;
    c.connect_client();
    CHECK(c.ask(json{{"version", 1}, {"request", "disconnect"}, {"user", "john"}})["disconnected"] == 0);
    CHECK(c.ask(json{{"version", 1}, {"request", "disconnect"}, {"address", "10.2.1.1"}})["disconnected"] == 0);
    CHECK(c.h.responder.sa_count() == 1);
  }
}

TEST_CASE("requests: reload answers what the daemon's reload says, or its error") {
  Control c;
  int calls = 0;
  std::expected<json, std::string> next = json{{"kept", 2}, {"dropped", 1}};
  c.ctx.reload = [&]() -> std::expected<json, std::string> {
    ++calls;
    return next;
  };
  json ok = c.ask(std::string(R"({"version":1,"request":"reload"})"));
  CHECK(ok["ok"] == true);
  CHECK(ok["kept"] == 2);
  CHECK(ok["dropped"] == 1);
  next = std::unexpected(std::string("ravpn.cfg has errors; the running configuration stays"));
  json refused = c.ask(std::string(R"({"version":1,"request":"reload"})"));
  CHECK(refused["ok"] == false);
  CHECK(refused["error"] == "ravpn.cfg has errors; the running configuration stays");
  CHECK(calls == 2);
}

namespace {
class SilentLogger final : public Logger {
 public:
  bool enabled(LogLevel, LogCategory) const override { return false; }
  void write(LogLevel, LogCategory, std::string_view) override {}
};
}  // namespace

TEST_CASE("xauth lockouts view: user (escaped) and address with the failures and the time left") {
  ManualTime time;
  SilentLogger log;
  xauth::Throttle throttle(time, log, config::XauthThrottle{true, 30, 2, 300});
  const Ipv4 peer = *Ipv4::parse("192.0.2.5");
  for (int i = 0; i < 2; ++i) {
    REQUIRE_FALSE(throttle.admit("jo\n", peer).refused);
    throttle.record("jo\n", peer, xauth::Verdict::Reject);
  }
  time.advance(Seconds(100));
  json v = control::lockouts_view(&throttle, time.now());
  REQUIRE(v.size() == 2);
  CHECK(v[0]["user"] == "jo\\x0a");
  CHECK(v[0]["failures"] == 2);
  CHECK(v[0]["seconds_left"] == 200);
  CHECK(v[1]["address"] == "192.0.2.5");
  CHECK(control::lockouts_view(nullptr, time.now()).empty());
}

TEST_CASE("status: the accounting sender's servers, queue and counters (null without accounting)") {
  Control c;
  CHECK(c.ask(req("status"))["accounting"].is_null());
  xauth::accounting::Settings s;
  s.servers = {{*Ipv4::parse("10.89.129.134"), 1646, "key", 1, 0}, {*Ipv4::parse("10.89.129.135"), 1646, "key", 1, 0}};
  s.interim = Seconds(600);
  s.retry_pause = Seconds(0);
  xauth::accounting::Sender sender(s, [](const xauth::accounting::Server& server, const xauth::accounting::Record&,
                                         uint32_t) {
    if (server.address.str() == "10.89.129.134") return xauth::accounting::Delivery{xauth::accounting::Answer::Timeout, "timed out", 3};
    return xauth::accounting::Delivery{xauth::accounting::Answer::Acknowledged, "", 0};
  });
  c.ctx.accounting = [&sender] { return &sender; };
  xauth::accounting::Record r;
  r.session.id = "5F00000000000001";
  sender.submit(r);
  REQUIRE(sender.drain(std::chrono::seconds(5)));
  json a = c.ask(req("status"))["accounting"];
  CHECK(a["protocol"] == "RADIUS");
  CHECK(a["servers"] == json::array({"10.89.129.134:1646", "10.89.129.135:1646"}));
  CHECK(a["interim_seconds"] == 600);
  CHECK(a["queued"] == 0);
  CHECK(a["sent"] == 1);
  CHECK(a["retransmits"] == 3);
  CHECK(a["last_server"] == "10.89.129.135:1646");
  CHECK(a["dropped"] == 0);
  CHECK(a.dump().find("key") == std::string::npos);  // no secret in the view
}
