// The lease file (pool/lease_file.*): text round trip, damaged files as errors, the atomic write, and a restart
// giving users their addresses back.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "pool/lease_file.hpp"

using ravpn::Ipv4;
using ravpn::Ipv4Range;
using ravpn::pool::AddressPool;
using ravpn::pool::SavedLease;
namespace pool = ravpn::pool;

namespace {

Ipv4 ip(const char* dotted) { return *Ipv4::parse(dotted); }

std::map<std::string, AddressPool> pools() {
  std::map<std::string, AddressPool> out;
  out.emplace("vpnpool", AddressPool("vpnpool", {{ip("10.89.129.200"), ip("10.89.129.204")}}));
  return out;
}

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/ravpn-leases-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

}  // namespace

TEST_CASE("lease file text round trip, with a user name that needs escaping") {
  std::vector<SavedLease> leases{{"vpnpool", "john", ip("10.89.129.200"), 1733430000, true},
                                 {"vpnpool", "we\"ird\nname\x1b", ip("10.89.129.201"), 1733430001, false}};
  auto back = pool::parse_lease_file(pool::lease_file_text(leases));
  REQUIRE(back);
  CHECK(*back == leases);
}

TEST_CASE("a damaged lease file is an error, never a crash") {
  for (const char* text : {"", "{", "[]", "{\"version\":2,\"leases\":[]}", "{\"version\":1}",
                           "{\"version\":1,\"leases\":[1]}", "{\"version\":1,\"leases\":[{\"pool\":\"p\"}]}",
                           "{\"version\":1,\"leases\":[{\"pool\":\"p\",\"user\":\"u\",\"address\":\"10.0.0.300\"}]}"}) {
    CAPTURE(text);
    CHECK_FALSE(pool::parse_lease_file(text));
  }
}

TEST_CASE("write then read: atomic replace, no temporary left, a missing file is empty") {
  TempDir dir;
  const std::string path = dir.path + "/leases.json";
  auto none = pool::read_lease_file(path);
  REQUIRE(none);
  CHECK(none->empty());
  std::vector<SavedLease> leases{{"vpnpool", "john", ip("10.89.129.202"), 1, true}};
  REQUIRE_FALSE(pool::write_lease_file(path, leases));
  leases[0].address = ip("10.89.129.203");
  REQUIRE_FALSE(pool::write_lease_file(path, leases));
  auto back = pool::read_lease_file(path);
  REQUIRE(back);
  CHECK(*back == leases);
  CHECK(access((path + ".tmp").c_str(), F_OK) != 0);
  CHECK(pool::write_lease_file(dir.path + "/no/such/dir/leases.json", leases).has_value());
}

TEST_CASE("a restart: the saved leases give returning users their addresses, newcomers the lowest free one") {
  auto before = pools();
  auto& p = before.at("vpnpool");
  REQUIRE(p.lease("alice"));                  // .200
  REQUIRE(p.lease("bob"));                    // .201
  auto carol = p.lease("carol");              // .202, then gone
  REQUIRE(carol);
  REQUIRE(p.release(*carol));
  auto saved = pool::snapshot(before, {}, 100);
  CHECK(saved.size() == 3);

  auto after = pools();
  CHECK(pool::restore(after, saved) == 3);
  auto& q = after.at("vpnpool");
  CHECK(*q.lease("bob") == ip("10.89.129.201"));
  CHECK(*q.lease("dave") == ip("10.89.129.200"));  // alice's address is free: a newcomer may take it
  CHECK(*q.lease("carol") == ip("10.89.129.202"));
  CHECK(*q.lease("alice") == ip("10.89.129.203"));

  SUBCASE("an unchanged entry keeps its time; a moved one gets the new time") {
    auto later = pool::snapshot(after, saved, 200);
    for (const auto& l : later) {
      CAPTURE(l.user);
      if (l.user == "bob" || l.user == "carol") CHECK(l.since == 100);
      if (l.user == "alice" || l.user == "dave") CHECK(l.since == 200);
    }
  }
  SUBCASE("entries of pools that no longer exist are skipped") {
    std::vector<SavedLease> other{{"gone", "x", ip("10.89.129.204"), 1, true}};
    CHECK(pool::restore(after, other) == 0);
  }
}
