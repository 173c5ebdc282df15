#include <doctest/doctest.h>

#include "pool/ipv4.hpp"

using ravpn::Ipv4;

TEST_CASE("dotted quads parse and print") {
  CHECK(Ipv4::parse("10.2.1.254")->str() == "10.2.1.254");
  CHECK(Ipv4{0}.str() == "0.0.0.0");
  CHECK(Ipv4{0xffffffff}.str() == "255.255.255.255");
  CHECK(Ipv4{0x0a00ff01}.str() == "10.0.255.1");
  CHECK(Ipv4::parse("0.0.0.0")->value == 0);
  CHECK_FALSE(Ipv4::parse("256.1.1.1"));
  CHECK_FALSE(Ipv4::parse("1.2.3"));
  CHECK_FALSE(Ipv4::parse("1.2.3.4.5"));
  CHECK_FALSE(Ipv4::parse("1.2.3.4 "));
  CHECK_FALSE(Ipv4::parse(""));
  CHECK_FALSE(Ipv4::parse("0001.2.3.4"));
}

TEST_CASE("netmasks are contiguous") {
  CHECK(ravpn::mask_to_prefix(*Ipv4::parse("255.255.255.0")) == 24);
  CHECK(ravpn::mask_to_prefix(*Ipv4::parse("0.0.0.0")) == 0);
  CHECK(ravpn::mask_to_prefix(*Ipv4::parse("255.255.255.255")) == 32);
  CHECK_FALSE(ravpn::mask_to_prefix(*Ipv4::parse("255.0.255.0")));
  CHECK(ravpn::prefix_to_mask(25).str() == "255.255.255.128");
}

TEST_CASE("nets and ranges") {
  ravpn::Ipv4Net any{Ipv4{0}, Ipv4{0}};
  CHECK(any.contains(*Ipv4::parse("203.0.113.9")));
  ravpn::Ipv4Net inside{*Ipv4::parse("10.21.1.0"), *Ipv4::parse("255.255.255.0")};
  CHECK(inside.contains(*Ipv4::parse("10.21.1.10")));
  CHECK_FALSE(inside.contains(*Ipv4::parse("10.21.2.10")));
  CHECK(inside.str() == "10.21.1.0/24");
  ravpn::Ipv4Range pool{*Ipv4::parse("10.2.1.1"), *Ipv4::parse("10.2.1.254")};
  CHECK(pool.size() == 254);
}
