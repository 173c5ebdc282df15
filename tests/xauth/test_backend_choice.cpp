#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <utility>

#include "ike/worker.hpp"
#include "xauth/accounting_settings.hpp"
#include "xauth/backend.hpp"

using namespace ravpn;
using namespace ravpn::xauth;

namespace {

config::Config ios_config() {
  config::Config c;
  c.dialect = config::Dialect::Ios;
  c.aaa_new_model = true;
  c.users["vpnuser"].name = "vpnuser";
  c.users["vpnuser"].password = "s3cr3t-Pass";
  return c;
}

void add_list(config::Config& c, const std::string& name, std::vector<std::string> methods) {
  c.aaa_authentication_login[name] = config::AaaList{name, std::move(methods), {}};
}

config::Config pix_config() {
  config::Config c;
  c.dialect = config::Dialect::Pix;
  c.users["vpnuser"].name = "vpnuser";
  c.users["vpnuser"].password = "s3cr3t-Pass";
  return c;
}

void add_server(config::Config& c, const std::string& tag, const std::string& protocol) {
  config::AaaServer s;
  s.tag = tag;
  s.protocol = protocol;
  c.aaa_servers.push_back(s);
}

Verdict verdict(Backend& backend, const std::string& user, const std::string& password) {
  Credentials creds;
  creds.user = user;
  creds.password.assign(password.begin(), password.end());
  std::optional<Result> result;
  backend.authenticate(creds, [&](Result r) { result = r; });
  REQUIRE(result);
  return result->verdict;
}

}  // namespace

TEST_CASE("IOS: aaa authentication login LIST local") {
  auto c = ios_config();
  add_list(c, "userauthen", {"local"});
  auto choice = make_backend(c, "userauthen");
  REQUIRE(choice.backend);
  CHECK(choice.problem.empty());
  CHECK(choice.backend->describe() == "local users (1)");
  CHECK(verdict(*choice.backend, "vpnuser", "s3cr3t-Pass") == Verdict::Accept);
  CHECK(verdict(*choice.backend, "VPNuser", "s3cr3t-Pass") == Verdict::Accept);  // `local` ignores case
  CHECK(verdict(*choice.backend, "vpnuser", "wrong") == Verdict::Reject);
}

TEST_CASE("IOS: local-case matches user names exactly") {
  auto c = ios_config();
  add_list(c, "strict", {"local-case"});
  auto choice = make_backend(c, "strict");
  REQUIRE(choice.backend);
  CHECK(verdict(*choice.backend, "vpnuser", "s3cr3t-Pass") == Verdict::Accept);
  CHECK(verdict(*choice.backend, "VPNuser", "s3cr3t-Pass") == Verdict::Reject);
}

TEST_CASE("IOS: local first, servers after it") {
  auto c = ios_config();
  add_list(c, "mixed", {"local", "radius"});
  auto choice = make_backend(c, "mixed");
  REQUIRE(choice.backend);
  CHECK(choice.problem.empty());
}

TEST_CASE("IOS: RADIUS without a worker pool, TACACS+, unknown server groups") {
  // More in test_radius_backend.cpp.
  auto c = ios_config();
  config::AaaServer radius;  // `radius-server host 10.1.1.1 key k`: servers are checked before the worker
  radius.tag = radius.protocol = "radius";
  radius.host = *Ipv4::parse("10.1.1.1");
  radius.key = "k";
  c.aaa_servers.push_back(radius);
  add_list(c, "r", {"radius", "local"});
  add_list(c, "t", {"tacacs+"});
  add_list(c, "g", {"RAD-SERVERS", "local"});  // `group RAD-SERVERS`
  const std::pair<const char*, const char*> expected[] = {
      {"r", "RADIUS is unavailable here"},
      {"t", "tacacs-server has no TACACS+ host to send users to"},
      {"g", "no RADIUS or TACACS+ server group RAD-SERVERS"},
  };
  for (auto [list, text] : expected) {
    CAPTURE(list);
    auto choice = make_backend(c, list);
    CHECK_FALSE(choice.backend);
    CHECK(choice.problem.find(text) != std::string::npos);
  }
}

TEST_CASE("IOS: methods that cannot check Xauth users") {
  auto c = ios_config();
  add_list(c, "open", {"none"});
  add_list(c, "console", {"line", "local"});
  for (const char* list : {"open", "console"}) {
    auto choice = make_backend(c, list);
    CHECK_FALSE(choice.backend);
    CHECK(choice.problem.find("cannot check Xauth users") != std::string::npos);
  }
}

TEST_CASE("IOS: unknown list") {
  auto c = ios_config();
  add_list(c, "userauthen", {"local"});
  auto choice = make_backend(c, "typo");
  CHECK_FALSE(choice.backend);
  CHECK(choice.problem == "no aaa authentication login list typo");
}

TEST_CASE("IOS: without aaa new-model there is no list to use") {
  auto c = ios_config();
  c.aaa_new_model = false;
  add_list(c, "userauthen", {"local"});
  auto choice = make_backend(c, "userauthen");
  CHECK_FALSE(choice.backend);
  CHECK(choice.problem.find("aaa new-model") != std::string::npos);
}

TEST_CASE("PIX: aaa-server TAG protocol local") {
  auto c = pix_config();
  add_server(c, "partnerauth", "local");
  auto choice = make_backend(c, "partnerauth");
  REQUIRE(choice.backend);
  CHECK(choice.backend->describe() == "local users (1)");
  CHECK(verdict(*choice.backend, "vpnuser", "s3cr3t-Pass") == Verdict::Accept);
  CHECK(verdict(*choice.backend, "VPNUSER", "s3cr3t-Pass") == Verdict::Reject);
}

TEST_CASE("PIX: the predefined LOCAL tag") {
  auto choice = make_backend(pix_config(), "LOCAL");
  REQUIRE(choice.backend);
  CHECK(choice.problem.empty());
}

TEST_CASE("PIX: TACACS+ servers, RADIUS without hosts") {
  auto c = pix_config();
  add_server(c, "partnerauth", "tacacs+");
  add_server(c, "radauth", "radius");
  InlineWorker worker;
  auto tacacs = make_backend(c, "partnerauth", &worker);
  CHECK_FALSE(tacacs.backend);
  CHECK(tacacs.problem == "aaa-server partnerauth has no TACACS+ host to send users to");
  auto radius = make_backend(c, "radauth", &worker);
  CHECK_FALSE(radius.backend);
  CHECK(radius.problem == "aaa-server radauth has no RADIUS host to send users to");
}

TEST_CASE("PIX: unknown tag") {
  auto choice = make_backend(pix_config(), "missing");
  CHECK_FALSE(choice.backend);
  CHECK(choice.problem == "no aaa-server missing host");
}

TEST_CASE("problems name no user or password") {
  auto c = ios_config();
  add_list(c, "r", {"radius"});
  for (const char* list : {"r", "typo"}) {
    auto problem = make_backend(c, list).problem;
    CHECK(problem.find("vpnuser") == std::string::npos);
    CHECK(problem.find("s3cr3t-Pass") == std::string::npos);
  }
}

TEST_CASE("accounting settings: the tag's servers with the accounting port; unusable ones are config errors") {
  config::Config c = pix_config();
  add_server(c, "AuthInbound", "radius");
  c.aaa_servers.back().host = *Ipv4::parse("10.89.129.134");
  c.aaa_servers.back().key = "k";
  c.aaa_servers.back().acct_port = 1813;
  c.aaa_servers.back().timeout_seconds = 10;
  CHECK_FALSE(accounting::accounting_settings(c).settings);  // nothing configured: no accounting
  c.aaa_accounting = {"AuthInbound", 300, {"pix.cfg", 86}};
  auto choice = accounting::accounting_settings(c);
  REQUIRE(choice.settings);
  CHECK(choice.settings->protocol == accounting::Protocol::Radius);
  REQUIRE(choice.settings->servers.size() == 1);
  CHECK(choice.settings->servers[0].str() == "10.89.129.134:1813");
  CHECK(choice.settings->servers[0].timeout_seconds == 10);
  CHECK(choice.settings->interim == Seconds(300));
  accounting::check_accounting(c);
  CHECK(c.diagnostics.empty());

  c.aaa_servers.back().key.clear();
  accounting::check_accounting(c);
  REQUIRE(c.diagnostics.size() == 1);
  CHECK(c.diagnostics[0].kind == config::Diagnostic::Kind::Error);
  CHECK(c.diagnostics[0].origin.line == 86);
  CHECK(c.diagnostics[0].message.find("has no key") != std::string::npos);

  c.diagnostics.clear();
  c.aaa_accounting.servers = "Nowhere";
  accounting::check_accounting(c);
  REQUIRE(c.diagnostics.size() == 1);
  CHECK(c.diagnostics[0].message.find("aaa-server Nowhere is no RADIUS or TACACS+ server group") != std::string::npos);
}
