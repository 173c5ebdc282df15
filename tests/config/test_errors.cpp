// Error cases: each reported as Kind::Error at its file:line.
#include <doctest/doctest.h>

#include "tests/config/fixtures.hpp"

using namespace ravpn::config;
using namespace ravpn::config::test;
using K = Diagnostic::Kind;

namespace {
void dump(const Config& c) {
  for (const auto& d : c.diagnostics)
    if (d.kind == K::Error) MESSAGE(d.origin.file << ":" << d.origin.line << ": " << d.message);
}
}  // namespace

TEST_CASE("missing transform set, missing dynamic map, unknown transform") {
  Config c = load(fixture_path("err-missing-transform.cfg"));
  dump(c);
  CHECK(has_error(c, 7, "missing transform set nosuchset"));
  CHECK(has_error(c, 10, "missing dynamic map nosuchmap"));
  CHECK(has_error(c, 6, "unknown transform 'esp-blowfish'"));
  CHECK(count_errors(c) == 3);
  for (const auto* d : of_kind(c, K::Error)) CHECK(d->origin.file == fixture_path("err-missing-transform.cfg"));
}

TEST_CASE("missing pools, ACL and AAA list") {
  Config c = load(fixture_path("err-missing-pool.cfg"));
  dump(c);
  CHECK(has_error(c, 4, "missing ip local pool nosuchpool"));
  CHECK(has_error(c, 5, "group vpn3000 names missing ip local pool otherpool"));
  CHECK(has_error(c, 5, "missing access-list 150"));
  CHECK(has_error(c, 12, "missing aaa authentication login list nosuchlist"));
  CHECK(count_errors(c) == 4);
}

TEST_CASE("without aaa new-model the client authentication list is not checked") {
  Config c = parse_ios("crypto map test client authentication list nolist\n", "t.cfg");
  validate(c);
  CHECK_FALSE(c.has_errors());
  CHECK(c.xauth_enabled());
}

TEST_CASE("masked secrets without a secrets file") {
  Config c = load(fixture_path("ios-masked.cfg"));
  dump(c);
  CHECK(has_error(c, 7, "pre-shared key for 0.0.0.0/0 is masked"));
  CHECK(has_error(c, 10, "key of group vpn3000 is masked"));
  CHECK(has_error(c, 21, "key of radius server 10.21.1.5 is masked"));
  CHECK(count_errors(c) == 3);
  CHECK(c.isakmp_keys.at(0).masked);
  CHECK_FALSE(c.isakmp_keys.at(1).masked);
  CHECK(c.client_groups.at("vpn3000").key_masked);
}

TEST_CASE("bad addresses, numbers and keywords") {
  Config c = parse_ios(read_fixture("err-bad-address.cfg"), "err-bad-address.cfg");
  dump(c);
  CHECK(has_error(c, 3, "bad interface address '192.0.2.300'"));
  CHECK(has_error(c, 4, "bad peer address '198.51.100'"));
  CHECK(has_error(c, 5, "below first address"));
  CHECK(has_error(c, 6, "not contiguous"));
  CHECK(has_error(c, 8, "unknown encryption 'blowfish'"));
  CHECK(has_error(c, 9, "unknown DH group '3'"));
  CHECK(has_error(c, 10, "not in 60-86400"));
  CHECK(has_error(c, 11, "bad policy priority 'x'"));
  CHECK(count_errors(c) == 8);
  // The lines under the rejected `crypto isakmp policy x` go with it, not to the top level.
  CHECK(lines_of(c, K::Ignored, "crypto isakmp policy") == std::vector<int>{12});
  REQUIRE(c.isakmp_policies.size() == 1);
  CHECK(c.isakmp_policies[0].cipher == Cipher::Des);  // the bad lines changed nothing
  CHECK(c.isakmp_keys.empty());
  CHECK(c.pools.empty());
  CHECK(c.routes.empty());
  CHECK(c.interfaces.size() == 1);
  CHECK_FALSE(c.interfaces[0].address);
  for (const auto* d : of_kind(c, K::Error)) CHECK(d->message.find("cisco1234") == std::string::npos);
}

TEST_CASE("more errors: unknown keyword in known commands, trailing words, unsupported entries") {
  Config c = parse_ios(
      "crypto map test client frobnicate\n"                    // 1
      "crypto map test 10 ipsec-manual\n"                      // 2
      " set peer 192.0.2.5\n"                                  // 3
      "crypto isakmp policy 10\n"                              // 4
      " hash md5 extra\n"                                      // 5
      " frobnicate\n"                                          // 6
      "crypto dynamic-map dyn 10\n"                            // 7
      " set pfs group3\n"                                      // 8
      "aaa authentication login vpn local kerberos\n"          // 9
      "access-list 101 allow ip any any\n"                     // 10
      "crypto isakmp keepalive 5\n"                            // 11
      "crypto map test 20 ipsec-isakmp\n"                      // 12
      " set peer 192.0.2.5\n"                                  // 13
      "ip local pool p 10.0.0.1 10.0.0.10\n"                   // 14
      "ip local pool p 10.0.0.5 10.0.0.20\n",                  // 15
      "t.cfg");
  dump(c);
  CHECK(has_error(c, 1, "unknown keyword 'frobnicate'"));
  CHECK(has_error(c, 2, "ipsec-manual crypto map entries are not supported"));
  CHECK(has_error(c, 5, "unexpected 'extra'"));
  CHECK(has_error(c, 6, "unknown command 'frobnicate' in crypto isakmp policy"));
  CHECK(has_error(c, 8, "unknown PFS group 'group3'"));
  CHECK(has_error(c, 9, "unknown method 'kerberos'"));
  CHECK(has_error(c, 10, "unknown ACL action 'allow'"));
  CHECK(has_error(c, 11, "not in 10-3600"));
  CHECK(has_error(c, 15, "overlaps"));
  CHECK(count_errors(c) == 9);
  CHECK(lines_of(c, K::Ignored, "crypto map") == std::vector<int>{3});
  CHECK(lines_of(c, K::Partial, "crypto map") == std::vector<int>{12, 13});
}

TEST_CASE("load: unreadable files are diagnostics") {
  Config c = load("/nonexistent/ravpn.cfg");
  CHECK(has_error(c, 0, "cannot read the configuration file"));
  Config s = load(fixture_path("ios-seed.cfg"), "/nonexistent/secrets");
  CHECK(has_error(s, 0, "cannot read the secrets file"));
}
