#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "pool/address_pool.hpp"

using ravpn::Ipv4;
using ravpn::Ipv4Range;
using ravpn::pool::AddressPool;
using ravpn::pool::PoolError;

namespace {

Ipv4 ip(const char* dotted) { return *Ipv4::parse(dotted); }
Ipv4Range range(const char* first, const char* last) { return {ip(first), ip(last)}; }

// The PIX seed: ip local pool vpnpool 10.89.129.200-10.89.129.204
AddressPool pix_seed_pool() { return AddressPool("vpnpool", {range("10.89.129.200", "10.89.129.204")}); }

}  // namespace

TEST_CASE("a pool of 5 hands out the lowest free addresses, then is exhausted") {
  auto pool = pix_seed_pool();
  CHECK(pool.name() == "vpnpool");
  CHECK(pool.size() == 5);
  CHECK(pool.free() == 5);
  for (int i = 0; i < 5; ++i) {
    auto a = pool.lease("user" + std::to_string(i));
    REQUIRE(a);
    CHECK(*a == Ipv4{ip("10.89.129.200").value + uint32_t(i)});
  }
  CHECK(pool.leased() == 5);
  CHECK(pool.free() == 0);
  auto sixth = pool.lease("user5");
  REQUIRE_FALSE(sixth);
  CHECK(sixth.error() == PoolError::Exhausted);
  CHECK(std::string(ravpn::pool::describe(sixth.error())) == "pool exhausted");

  SUBCASE("a released address goes to the next new user") {
    REQUIRE(pool.release(ip("10.89.129.202")));
    CHECK(pool.free() == 1);
    CHECK_FALSE(pool.lease_of(ip("10.89.129.202")));
    auto a = pool.lease("user5");
    REQUIRE(a);
    CHECK(*a == ip("10.89.129.202"));
    CHECK(pool.lease_of(*a)->user == "user5");
    CHECK(pool.free() == 0);
  }
}

TEST_CASE("two tunnels of one user share one lease until both end") {
  auto pool = pix_seed_pool();
  auto first = pool.lease("alice");
  auto second = pool.lease("alice");
  REQUIRE(first);
  REQUIRE(second);
  CHECK(*first == *second);
  CHECK(pool.leased() == 1);
  auto lease = pool.lease_of(*first);
  REQUIRE(lease);
  CHECK(lease->user == "alice");
  CHECK(lease->holders == 2);
  CHECK(lease->address == *first);

  REQUIRE(pool.release(*first));
  CHECK(pool.lease_of(*first)->holders == 1);
  CHECK(pool.leased() == 1);
  CHECK(*pool.lease("bob") != *first);

  REQUIRE(pool.release(*first));
  CHECK_FALSE(pool.lease_of(*first));
  auto again = pool.release(*first);
  REQUIRE_FALSE(again);
  CHECK(again.error() == PoolError::UnknownAddress);
}

TEST_CASE("a user that reconnects gets its old address back while it is free") {
  auto pool = pix_seed_pool();
  REQUIRE(pool.lease("alice"));                      // .200
  auto bob = pool.lease("bob");                      // .201
  REQUIRE(bob);
  REQUIRE(pool.lease("carol"));                      // .202
  REQUIRE(pool.release(*bob));
  REQUIRE(pool.release(ip("10.89.129.200")));        // alice leaves too: .200 is now the lowest free
  CHECK(*pool.lease("bob") == *bob);                 // not .200: bob had .201

  SUBCASE("unless someone else holds it now") {
    REQUIRE(pool.release(*bob));
    CHECK(*pool.lease("dave") == ip("10.89.129.200"));  // lowest free
    CHECK(*pool.lease("erin") == ip("10.89.129.201"));  // bob's old address, free, lowest
    CHECK(*pool.lease("bob") == ip("10.89.129.203"));   // taken by erin: the lowest free instead
  }
}

TEST_CASE("several ranges are used in configured order") {
  AddressPool pool("multi", {range("10.9.9.1", "10.9.9.2"), range("10.1.1.10", "10.1.1.10"),
                             range("10.5.0.0", "10.5.0.1")});
  CHECK(pool.size() == 5);
  CHECK(pool.contains(ip("10.1.1.10")));
  CHECK_FALSE(pool.contains(ip("10.1.1.11")));
  CHECK_FALSE(pool.contains(ip("10.9.9.0")));
  CHECK(*pool.lease("a") == ip("10.9.9.1"));
  CHECK(*pool.lease("b") == ip("10.9.9.2"));
  CHECK(*pool.lease("c") == ip("10.1.1.10"));
  CHECK(*pool.lease("d") == ip("10.5.0.0"));
  CHECK(*pool.lease("e") == ip("10.5.0.1"));
  CHECK(pool.lease("f").error() == PoolError::Exhausted);
  REQUIRE(pool.release(ip("10.5.0.0")));
  REQUIRE(pool.release(ip("10.9.9.2")));
  CHECK(*pool.lease("g") == ip("10.9.9.2"));  // the first range comes first, though its address is higher
  CHECK(*pool.lease("h") == ip("10.5.0.0"));
}

TEST_CASE("overlapping and empty ranges count each address once") {
  AddressPool pool("overlap", {range("10.0.0.5", "10.0.0.9"), range("10.0.0.1", "10.0.0.6"),
                               range("10.0.0.3", "10.0.0.2"), range("10.0.0.8", "10.0.0.12")});
  CHECK(pool.size() == 12);  // 10.0.0.1 - 10.0.0.12
  std::set<Ipv4> seen;
  for (int i = 0; i < 12; ++i) {
    auto a = pool.lease("u" + std::to_string(i));
    REQUIRE(a);
    CHECK(seen.insert(*a).second);
  }
  CHECK(*seen.begin() == ip("10.0.0.1"));
  CHECK(*seen.rbegin() == ip("10.0.0.12"));
  CHECK(pool.lease("u12").error() == PoolError::Exhausted);
}

TEST_CASE("a range of one address") {
  AddressPool pool("one", {range("192.0.2.7", "192.0.2.7")});
  CHECK(pool.size() == 1);
  CHECK(*pool.lease("a") == ip("192.0.2.7"));
  CHECK(*pool.lease("a") == ip("192.0.2.7"));
  CHECK(pool.lease("b").error() == PoolError::Exhausted);
  REQUIRE(pool.release(ip("192.0.2.7")));
  CHECK(pool.lease("b").error() == PoolError::Exhausted);  // a still holds it once
  REQUIRE(pool.release(ip("192.0.2.7")));
  CHECK(*pool.lease("b") == ip("192.0.2.7"));
}

TEST_CASE("releasing an address that is not leased is an error") {
  auto pool = pix_seed_pool();
  CHECK(pool.release(ip("10.89.129.200")).error() == PoolError::UnknownAddress);  // in the pool, not leased
  CHECK(pool.release(ip("192.0.2.1")).error() == PoolError::UnknownAddress);      // not in the pool
  CHECK(pool.free() == 5);
}

TEST_CASE("an empty pool is exhausted at once") {
  AddressPool pool("none", {});
  CHECK(pool.size() == 0);
  CHECK(pool.lease("a").error() == PoolError::Exhausted);
}

TEST_CASE("a range that ends at 255.255.255.255") {
  AddressPool pool("top", {range("255.255.255.254", "255.255.255.255")});
  CHECK(pool.size() == 2);
  CHECK(*pool.lease("a") == ip("255.255.255.254"));
  CHECK(*pool.lease("b") == ip("255.255.255.255"));
  CHECK(pool.lease("c").error() == PoolError::Exhausted);
}

// A large pool's lease and release follow the free list, not a scan. How fast is measured by a benchmark, never
// by a timed unit test (this one also runs under ASan at -O0).
TEST_CASE("large pools: 10,000 leases, holes refilled lowest first") {
  AddressPool pool("big", {range("10.2.1.1", "10.2.1.254"), range("10.100.0.0", "10.100.255.255")});
  CHECK(pool.size() == 254 + 65536);
  std::vector<Ipv4> addresses;
  for (int i = 0; i < 10000; ++i) addresses.push_back(*pool.lease("user" + std::to_string(i)));
  CHECK(pool.leased() == 10000);
  CHECK(pool.lease_of(ip("10.2.1.254"))->user == "user253");
  CHECK(pool.lease_of(ip("10.100.0.0"))->user == "user254");
  // Free every other address; newcomers fill the holes lowest first, then continue after the last lease.
  for (size_t i = 0; i < addresses.size(); i += 2) REQUIRE(pool.release(addresses[i]));
  CHECK(pool.leased() == 5000);
  for (size_t i = 0; i < addresses.size(); i += 2)
    REQUIRE(*pool.lease("newcomer" + std::to_string(i)) == addresses[i]);
  CHECK(*pool.lease("one more") == Ipv4{addresses.back().value + 1});
}

TEST_CASE("a reloaded pool adopts the running leases and hands out the others") {
  AddressPool old_pool("p", {range("10.0.0.1", "10.0.0.5")});
  REQUIRE(old_pool.lease("ann").value() == ip("10.0.0.1"));
  REQUIRE(old_pool.lease("bob").value() == ip("10.0.0.2"));

  AddressPool next("p", {range("10.0.0.1", "10.0.0.10")});
  CHECK(next.adopt(ip("10.0.0.2"), "bob").has_value());
  CHECK(next.adopt(ip("10.0.0.1"), "ann").has_value());
  CHECK(next.adopt(ip("10.0.0.1"), "ann").has_value());  // a second tunnel of ann
  CHECK(next.leased() == 2);
  CHECK(next.lease_of(ip("10.0.0.1"))->holders == 2);
  // Someone else's address, or one outside the pool, cannot be adopted.
  CHECK(next.adopt(ip("10.0.0.2"), "carl").error() == PoolError::UnknownAddress);
  CHECK(next.adopt(ip("10.0.1.1"), "carl").error() == PoolError::UnknownAddress);
  // New users get the lowest address nobody holds; a returning user gets its own back.
  CHECK(next.lease("carl").value() == ip("10.0.0.3"));
  CHECK(next.lease("bob").value() == ip("10.0.0.2"));
  CHECK(next.release(ip("10.0.0.1")).has_value());
  CHECK(next.release(ip("10.0.0.1")).has_value());
  CHECK(next.lease("dora").value() == ip("10.0.0.1"));
}

TEST_CASE("a remembered address (lease file, reload) goes back to its user, not to a newcomer's lowest pick") {
  auto pool = pix_seed_pool();
  pool.remember("bob", ip("10.89.129.203"));
  pool.remember("nobody", ip("10.1.1.1"));  // outside the pool: ignored
  CHECK(pool.remembered().size() == 1);
  CHECK(*pool.lease("alice") == ip("10.89.129.200"));
  CHECK(*pool.lease("bob") == ip("10.89.129.203"));
  CHECK(pool.lease_of(ip("10.89.129.203"))->user == "bob");
  SUBCASE("a hint never takes an address leased to someone else") {
    pool.remember("carol", ip("10.89.129.203"));
    CHECK(pool.remembered().at("bob") == ip("10.89.129.203"));
    CHECK_FALSE(pool.remembered().contains("carol"));
  }
}

TEST_CASE("the per-user memory holds at most one user per address, however many users come and go") {
  auto pool = pix_seed_pool();
  for (int i = 0; i < 1000; ++i) {
    const std::string user = "user" + std::to_string(i);
    auto a = pool.lease(user);
    REQUIRE(a);
    REQUIRE(pool.release(*a));
  }
  CHECK(pool.remembered().size() <= pool.size());
}

TEST_CASE("the generation changes with every lease, release and hint") {
  auto pool = pix_seed_pool();
  const auto g0 = pool.generation();
  auto a = pool.lease("alice");
  const auto g1 = pool.generation();
  CHECK(g1 != g0);
  REQUIRE(pool.release(*a));
  CHECK(pool.generation() != g1);
}
