// RADIUS backend without a RADIUS server: which servers a PIX tag or an IOS method list names, the problem texts,
// the order servers are asked in (with a fake exchange), the method-list fallback, the packets against RFC 2865's
// example, and the UDP exchange against a scripted socket in this process (forged and misdirected answers).
// tests/xauth/test_freeradius.sh runs the exchange against FreeRADIUS.
#include <doctest/doctest.h>

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "daemon/config/parse.hpp"
#include "ike/worker.hpp"
#include "xauth/backend.hpp"
#include "xauth/radius_backend.hpp"

using namespace ravpn;
using namespace ravpn::xauth;

namespace {

Ipv4 ip(const char* dotted) { return *Ipv4::parse(dotted); }

config::AaaServer radius_host(const std::string& tag, const char* address, const std::string& key) {
  config::AaaServer s;
  s.tag = tag;
  s.protocol = "radius";
  s.host = ip(address);
  s.key = key;
  return s;
}

// tests/config/fixtures/pix-seed-radius.cfg: `aaa-server AuthInbound protocol radius`,
// `aaa-server AuthInbound (inside) host 10.89.129.134 secretkey timeout 10`, and the predefined tags.
config::Config pix_seed() {
  config::Config c;
  c.dialect = config::Dialect::Pix;
  for (auto [tag, protocol] : {std::pair{"TACACS+", "tacacs+"}, {"RADIUS", "radius"}, {"LOCAL", "local"},
                               {"AuthInbound", "radius"}}) {
    config::AaaServer s;
    s.tag = tag;
    s.protocol = protocol;
    c.aaa_servers.push_back(s);
  }
  auto host = radius_host("AuthInbound", "10.89.129.134", "secretkey");
  host.interface_name = "inside";
  host.timeout_seconds = 10;
  c.aaa_servers.push_back(host);
  return c;
}

// IOS: `radius-server host 10.1.1.1 auth-port 1812 key k1`, `radius-server host 10.1.1.2` + `radius-server key k2`.
config::Config ios_radius() {
  config::Config c;
  c.dialect = config::Dialect::Ios;
  c.aaa_new_model = true;
  c.users["vpnuser"].name = "vpnuser";
  c.users["vpnuser"].password = "s3cr3t-Pass";
  auto a = radius_host("radius", "10.1.1.1", "k1");
  a.auth_port = 1812;
  c.aaa_servers.push_back(a);
  c.aaa_servers.push_back(radius_host("radius", "10.1.1.2", "k2"));
  return c;
}

void add_list(config::Config& c, const std::string& name, std::vector<std::string> methods) {
  c.aaa_authentication_login[name] = config::AaaList{name, std::move(methods), {}};
}

Credentials creds(const std::string& user, const std::string& password) {
  Credentials c;
  c.user = user;
  c.password.assign(password.begin(), password.end());
  c.peer = ip("198.51.100.7");
  return c;
}

// Jobs wait until run() is called, as on the daemon's pool: `done` must not come before.
class QueueWorker final : public Worker {
 public:
  void submit(std::function<void()> job, std::function<void()> done) override {
    queue_.emplace_back(std::move(job), std::move(done));
  }
  size_t pending() const { return queue_.size(); }
  void run() {
    while (!queue_.empty()) {
      auto [job, done] = std::move(queue_.front());
      queue_.pop_front();
      job();
      done();
    }
  }

 private:
  std::deque<std::pair<std::function<void()>, std::function<void()>>> queue_;
};

// A scripted exchange: the answer of each server by address, and the order they were asked in.
struct FakeServers {
  std::map<std::string, RadiusReply> answers;
  std::vector<std::string> asked;
  std::vector<std::string> keys_seen;
  RadiusExchange exchange() {
    return [this](const RadiusServer& s, const Credentials&) {
      asked.push_back(s.address.str());
      keys_seen.push_back(s.key);
      return answers.at(s.address.str());
    };
  }
};

RadiusSettings two_servers() {
  RadiusSettings s;
  s.name = "AuthInbound";
  for (const char* a : {"10.0.0.1", "10.0.0.2"}) {
    RadiusServer r;
    r.address = ip(a);
    r.key = std::string("key-of-") + a;
    s.servers.push_back(r);
  }
  return s;
}

Result run(Backend& backend, QueueWorker& worker, const Credentials& c) {
  std::optional<Result> result;
  backend.authenticate(c, [&](Result r) { result = std::move(r); });
  worker.run();
  REQUIRE(result);
  return *result;
}

// Answers at once with a fixed verdict; counts calls.
class FixedBackend final : public Backend {
 public:
  FixedBackend(Verdict v, std::string reason, int& calls) : verdict_(v), reason_(std::move(reason)), calls_(calls) {}
  void authenticate(const Credentials&, std::function<void(Result)> done) override {
    ++calls_;
    done({verdict_, reason_});
  }
  std::string describe() const override { return "fixed " + reason_; }

 private:
  Verdict verdict_;
  std::string reason_;
  int& calls_;
};

}  // namespace

TEST_CASE("PIX seed: AuthInbound is RADIUS at 10.89.129.134, port 1645, timeout 10, four tries") {
  auto choice = radius_settings(pix_seed(), "AuthInbound", "aaa-server AuthInbound");
  REQUIRE(choice.problem.empty());
  REQUIRE(choice.settings.servers.size() == 1);
  const auto& s = choice.settings.servers[0];
  CHECK(s.address == ip("10.89.129.134"));
  CHECK(s.port == 1645);
  CHECK(s.key == "secretkey");
  CHECK(s.timeout_seconds == 10);
  CHECK(s.retransmits == 3);

  InlineWorker worker;
  auto backend = make_backend(pix_seed(), "AuthInbound", &worker);
  REQUIRE(backend.backend);
  CHECK(backend.problem.empty());
  CHECK(backend.backend->describe() == "RADIUS AuthInbound (10.89.129.134:1645)");
}

TEST_CASE("PIX seed file: the reader's AuthInbound goes to RADIUS") {
  auto c = config::load(RAVPN_CONFIG_FIXTURES "/pix-seed-radius.cfg");
  InlineWorker worker;
  REQUIRE(c.crypto_maps.count("mymap"));
  REQUIRE(c.crypto_maps.at("mymap").client_authentication);
  auto tag = *c.crypto_maps.at("mymap").client_authentication;
  CHECK(tag == "AuthInbound");
  auto choice = make_backend(c, tag, &worker);
  REQUIRE(choice.backend);
  CHECK(choice.backend->describe() == "RADIUS AuthInbound (10.89.129.134:1645)");
  auto settings = radius_settings(c, tag, "aaa-server " + tag);
  REQUIRE(settings.settings.servers.size() == 1);
  CHECK(settings.settings.servers[0].timeout_seconds == 10);
  CHECK(settings.settings.servers[0].key == "secretkey");
}

TEST_CASE("PIX: a RADIUS tag without hosts, TACACS+, no worker") {
  InlineWorker worker;
  auto c = pix_seed();
  auto radius = make_backend(c, "RADIUS", &worker);  // predefined, no host line
  CHECK_FALSE(radius.backend);
  CHECK(radius.problem == "aaa-server RADIUS has no RADIUS host to send users to");

  auto tacacs = make_backend(c, "TACACS+", &worker);
  CHECK_FALSE(tacacs.backend);
  CHECK(tacacs.problem == "aaa-server TACACS+ has no TACACS+ host to send users to");

  auto no_worker = make_backend(c, "AuthInbound");
  CHECK_FALSE(no_worker.backend);
  CHECK(no_worker.problem.find("RADIUS is unavailable") != std::string::npos);
  CHECK(no_worker.problem.find("secretkey") == std::string::npos);

  auto local = make_backend(c, "LOCAL", &worker);
  CHECK(local.backend);
}

TEST_CASE("PIX: keys that cannot be used") {
  InlineWorker worker;
  auto c = pix_seed();
  c.aaa_servers.back().key_masked = true;
  c.aaa_servers.back().key = "********";
  auto masked = make_backend(c, "AuthInbound", &worker);
  CHECK_FALSE(masked.backend);
  CHECK(masked.problem ==
        "aaa-server AuthInbound host 10.89.129.134: the key is masked and no secrets file supplied it");

  c.aaa_servers.back().key_masked = false;
  c.aaa_servers.back().key.clear();
  auto empty = make_backend(c, "AuthInbound", &worker);
  CHECK_FALSE(empty.backend);
  CHECK(empty.problem == "aaa-server AuthInbound host 10.89.129.134 has no key: RADIUS needs the shared secret");
}

TEST_CASE("IOS: radius-server hosts in order, ports and timeouts defaulted") {
  auto c = ios_radius();
  c.aaa_servers[1].timeout_seconds = 2;  // `radius-server timeout 2` filled in by the reader
  auto choice = radius_settings(c, "radius", "radius-server");
  REQUIRE(choice.problem.empty());
  REQUIRE(choice.settings.servers.size() == 2);
  CHECK(choice.settings.servers[0].str() == "10.1.1.1:1812");
  CHECK(choice.settings.servers[0].key == "k1");
  CHECK(choice.settings.servers[0].timeout_seconds == 5);
  CHECK(choice.settings.servers[1].str() == "10.1.1.2:1645");
  CHECK(choice.settings.servers[1].timeout_seconds == 2);

  auto a = radius_host("radius", "10.1.1.3", "k3");
  a.auth_port = 0;  // `auth-port 0`: not for authentication
  c.aaa_servers.push_back(a);
  auto t = radius_host("tacacs+", "10.1.1.9", "tk");
  t.protocol = "tacacs+";
  c.aaa_servers.push_back(t);
  CHECK(radius_settings(c, "radius", "radius-server").settings.servers.size() == 2);
}

TEST_CASE("IOS: group radius, plain radius (12.1), and group radius local") {
  InlineWorker worker;
  auto c = ios_radius();
  add_list(c, "g", {"radius"});  // the reader stores `group radius` and `radius` alike
  add_list(c, "gl", {"radius", "local"});
  auto g = make_backend(c, "g", &worker);
  REQUIRE(g.backend);
  CHECK(g.warnings.empty());
  CHECK(g.backend->describe() == "RADIUS radius (10.1.1.1:1812, 10.1.1.2:1645)");
  auto gl = make_backend(c, "gl", &worker);
  REQUIRE(gl.backend);
  CHECK(gl.backend->describe() == "RADIUS radius (10.1.1.1:1812, 10.1.1.2:1645), then local users (1)");

  auto no_worker = make_backend(c, "gl");
  CHECK_FALSE(no_worker.backend);
  CHECK(no_worker.problem ==
        "aaa authentication login gl: radius-server: RADIUS is unavailable here (no AAA worker pool to run its "
        "requests on)");
}

TEST_CASE("IOS: problems and left-out methods") {
  InlineWorker worker;
  auto c = ios_radius();
  add_list(c, "t", {"tacacs+", "local"});
  add_list(c, "rt", {"radius", "tacacs+", "local"});
  add_list(c, "rn", {"radius", "none"});
  add_list(c, "unknown", {"RAD-GROUP", "local"});
  add_list(c, "local-first", {"local", "radius"});

  auto t = make_backend(c, "t", &worker);
  CHECK_FALSE(t.backend);
  CHECK(t.problem == "aaa authentication login t: tacacs-server has no TACACS+ host to send users to");
  CHECK(make_backend(c, "rt", &worker).problem ==
        "aaa authentication login rt: tacacs-server has no TACACS+ host to send users to");

  auto tacacs = radius_host("tacacs+", "10.1.1.9", "tk");  // `tacacs-server host 10.1.1.9 key tk`
  tacacs.protocol = "tacacs+";
  c.aaa_servers.push_back(tacacs);
  auto rt = make_backend(c, "rt", &worker);
  REQUIRE(rt.backend);
  CHECK(rt.backend->describe() ==
        "RADIUS radius (10.1.1.1:1812, 10.1.1.2:1645), then TACACS+ tacacs+ (10.1.1.9:49), then local users (1)");
  CHECK(rt.warnings.empty());
  c.aaa_servers.pop_back();

  auto rn = make_backend(c, "rn", &worker);
  REQUIRE(rn.backend);
  CHECK(rn.backend->describe() == "RADIUS radius (10.1.1.1:1812, 10.1.1.2:1645)");
  REQUIRE(rn.warnings.size() == 1);
  CHECK(rn.warnings[0].find("method none cannot check Xauth users") != std::string::npos);

  auto unknown = make_backend(c, "unknown", &worker);
  CHECK_FALSE(unknown.backend);
  CHECK(unknown.problem == "aaa authentication login unknown: no RADIUS or TACACS+ server group RAD-GROUP");

  auto lf = make_backend(c, "local-first", &worker);
  REQUIRE(lf.backend);
  CHECK(lf.backend->describe() == "local users (1)");  // local never errors: radius is never asked

  c.aaa_servers.clear();
  add_list(c, "r", {"radius"});
  CHECK(make_backend(c, "r", &worker).problem ==
        "aaa authentication login r: radius-server has no RADIUS host to send users to");
}

TEST_CASE("servers are asked in order; a reject ends the search") {
  QueueWorker worker;
  FakeServers fake;
  auto backend = make_radius_backend(two_servers(), worker, fake.exchange());

  SUBCASE("first accepts") {
    fake.answers["10.0.0.1"] = {RadiusAnswer::Accept, ""};
    auto r = run(*backend, worker, creds("john", "doe"));
    CHECK(r.verdict == Verdict::Accept);
    CHECK(r.reason == "accepted by RADIUS server 10.0.0.1");
    CHECK(fake.asked == std::vector<std::string>{"10.0.0.1"});
    CHECK(fake.keys_seen == std::vector<std::string>{"key-of-10.0.0.1"});
  }
  SUBCASE("first rejects: the second is not asked") {
    fake.answers["10.0.0.1"] = {RadiusAnswer::Reject, ""};
    auto r = run(*backend, worker, creds("john", "wrong"));
    CHECK(r.verdict == Verdict::Reject);
    CHECK(r.reason == "rejected by RADIUS server 10.0.0.1");
    CHECK(fake.asked.size() == 1);
  }
  SUBCASE("first times out: the second answers") {
    fake.answers["10.0.0.1"] = {RadiusAnswer::Timeout, ""};
    fake.answers["10.0.0.2"] = {RadiusAnswer::Accept, ""};
    auto r = run(*backend, worker, creds("john", "doe"));
    CHECK(r.verdict == Verdict::Accept);
    CHECK(r.reason == "accepted by RADIUS server 10.0.0.2");
    CHECK(fake.asked == std::vector<std::string>{"10.0.0.1", "10.0.0.2"});
  }
  SUBCASE("a bad answer counts as no answer") {
    fake.answers["10.0.0.1"] = {RadiusAnswer::Error, "answer failed the authenticator check (wrong key?)"};
    fake.answers["10.0.0.2"] = {RadiusAnswer::Reject, ""};
    CHECK(run(*backend, worker, creds("john", "doe")).reason == "rejected by RADIUS server 10.0.0.2");
  }
  SUBCASE("the server's Reply-Message goes into the reason") {
    fake.answers["10.0.0.1"] = {RadiusAnswer::Reject, "account disabled"};
    CHECK(run(*backend, worker, creds("john", "doe")).reason ==
          "rejected by RADIUS server 10.0.0.1 (account disabled)");
  }
  SUBCASE("a challenge is a reject") {
    fake.answers["10.0.0.1"] = {RadiusAnswer::Challenge, ""};
    auto r = run(*backend, worker, creds("john", "doe"));
    CHECK(r.verdict == Verdict::Reject);
    CHECK(r.reason.find("Access-Challenge") != std::string::npos);
  }
  SUBCASE("none answers: Unavailable, with what each did") {
    fake.answers["10.0.0.1"] = {RadiusAnswer::Timeout, ""};
    fake.answers["10.0.0.2"] = {RadiusAnswer::Error, "answer failed the authenticator check (wrong key?)"};
    auto r = run(*backend, worker, creds("john", "doe"));
    CHECK(r.verdict == Verdict::Unavailable);
    CHECK(r.reason ==
          "no RADIUS server answered: 10.0.0.1:1645 timed out (4 tries of 5 s); 10.0.0.2:1645: answer failed the "
          "authenticator check (wrong key?)");
    CHECK(r.reason.find("key-of") == std::string::npos);
    CHECK(r.reason.find("doe") == std::string::npos);
  }
}

TEST_CASE("done comes back from the worker, not from authenticate()") {
  QueueWorker worker;
  FakeServers fake;
  fake.answers["10.0.0.1"] = {RadiusAnswer::Accept, ""};
  std::optional<Result> result;
  {
    auto backend = make_radius_backend(two_servers(), worker, fake.exchange());
    Credentials c = creds("john", "doe");
    backend->authenticate(c, [&](Result r) { result = std::move(r); });
  }  // the backend and the caller's credentials are gone before the job runs
  CHECK_FALSE(result);
  CHECK(fake.asked.empty());
  CHECK(worker.pending() == 1);
  worker.run();
  REQUIRE(result);
  CHECK(result->verdict == Verdict::Accept);
}

TEST_CASE("passwords longer than PAP carries are refused without asking") {
  QueueWorker worker;
  FakeServers fake;
  auto backend = make_radius_backend(two_servers(), worker, fake.exchange());
  std::optional<Result> result;
  backend->authenticate(creds("john", std::string(129, 'p')), [&](Result r) { result = std::move(r); });
  REQUIRE(result);
  CHECK(result->verdict == Verdict::Reject);
  CHECK(worker.pending() == 0);
  CHECK(fake.asked.empty());
}

TEST_CASE("fallback: the next method only when one is unavailable") {
  int radius_calls = 0, local_calls = 0;
  auto chain = [&](Verdict first) {
    std::vector<std::unique_ptr<Backend>> methods;
    methods.push_back(std::make_unique<FixedBackend>(first, "radius said so", radius_calls));
    methods.push_back(std::make_unique<FixedBackend>(Verdict::Accept, "local password", local_calls));
    return make_fallback_backend(std::move(methods));
  };
  auto ask = [](Backend& b) {
    std::optional<Result> result;
    b.authenticate(creds("john", "doe"), [&](Result r) { result = std::move(r); });
    REQUIRE(result);
    return *result;
  };

  auto unavailable = chain(Verdict::Unavailable);
  CHECK(unavailable->describe() == "fixed radius said so, then fixed local password");
  auto r = ask(*unavailable);
  CHECK(r.verdict == Verdict::Accept);
  CHECK(r.reason == "radius said so; then local password");
  CHECK(local_calls == 1);

  auto rejected = chain(Verdict::Reject);
  r = ask(*rejected);
  CHECK(r.verdict == Verdict::Reject);
  CHECK(r.reason == "radius said so");
  CHECK(local_calls == 1);  // Cisco: a FAIL is final

  auto accepted = chain(Verdict::Accept);
  CHECK(ask(*accepted).verdict == Verdict::Accept);
  CHECK(local_calls == 1);
  CHECK(radius_calls == 3);

  std::vector<std::unique_ptr<Backend>> all_down;
  all_down.push_back(std::make_unique<FixedBackend>(Verdict::Unavailable, "first down", radius_calls));
  all_down.push_back(std::make_unique<FixedBackend>(Verdict::Unavailable, "second down", radius_calls));
  auto down = make_fallback_backend(std::move(all_down));
  r = ask(*down);
  CHECK(r.verdict == Verdict::Unavailable);
  CHECK(r.reason == "first down; then second down");
}

TEST_CASE("fallback: the chain outlives its backend while a request waits (reload)") {
  QueueWorker worker;
  FakeServers fake;
  fake.answers["10.0.0.1"] = {RadiusAnswer::Timeout, ""};
  fake.answers["10.0.0.2"] = {RadiusAnswer::Timeout, ""};
  std::map<std::string, config::LocalUser> users;
  users["john"].name = "john";
  users["john"].password = "local-doe";
  std::optional<Result> result;
  {
    std::vector<std::unique_ptr<Backend>> methods;
    methods.push_back(make_radius_backend(two_servers(), worker, fake.exchange()));
    methods.push_back(make_local_backend(users, UserNameMatch::Exact));
    auto backend = make_fallback_backend(std::move(methods));
    backend->authenticate(creds("john", "local-doe"), [&](Result r) { result = std::move(r); });
  }  // replaced by a reload
  worker.run();
  REQUIRE(result);
  CHECK(result->verdict == Verdict::Accept);
}

TEST_CASE("fallback through the worker: RADIUS unreachable, local users answer") {
  QueueWorker worker;
  FakeServers fake;
  fake.answers["10.0.0.1"] = {RadiusAnswer::Timeout, ""};
  fake.answers["10.0.0.2"] = {RadiusAnswer::Timeout, ""};
  std::map<std::string, config::LocalUser> users;
  users["john"].name = "john";
  users["john"].password = "local-doe";
  std::vector<std::unique_ptr<Backend>> methods;
  methods.push_back(make_radius_backend(two_servers(), worker, fake.exchange()));
  methods.push_back(make_local_backend(users, UserNameMatch::IgnoreCase));
  auto backend = make_fallback_backend(std::move(methods));
  auto r = run(*backend, worker, creds("John", "local-doe"));
  CHECK(r.verdict == Verdict::Accept);
  CHECK(r.reason.find("no RADIUS server answered") == 0);
  CHECK(r.reason.find("local password") != std::string::npos);
  CHECK(run(*backend, worker, creds("john", "doe")).verdict == Verdict::Reject);
}

