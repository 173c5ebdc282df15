#include <doctest/doctest.h>

#include <stdexcept>

#include "ike/wire/reader.hpp"
#include "tests/wire/samples.hpp"

using namespace ravpn::ike;
using samples::hex;

TEST_CASE("Reader reads big-endian fields and fails sticky past the end") {
  Bytes b = hex("01 0203 04050607 0809");
  Reader r(b, "test");
  CHECK(r.u8() == 0x01);
  CHECK(r.u16() == 0x0203);
  CHECK(r.u32() == 0x04050607u);
  CHECK(r.left() == 2);
  CHECK(r.u32() == 0);  // only 2 left
  CHECK_FALSE(r.ok());
  CHECK(r.error().notify == notify::PayloadMalformed);
  CHECK(r.error().what == "test: need 4 bytes, 2 left");
  CHECK(r.u8() == 0);  // sticky: even a read that would fit fails now
  CHECK(r.bytes(1).empty());
  CHECK_FALSE(r.expect_done());
}

TEST_CASE("Reader::sub bounds a payload and expect_done rejects trailing bytes") {
  Bytes b = hex("aa bb cc dd ee");
  Reader r(b);
  Reader s = r.sub(3, "inner");
  CHECK(r.left() == 2);
  CHECK(s.u16() == 0xaabb);
  CHECK_FALSE(s.expect_done());
  CHECK(s.error().what == "inner: 1 trailing bytes");
  Reader too_long = r.sub(3, "x");
  CHECK_FALSE(too_long.ok());
  CHECK_FALSE(r.ok());
  CHECK(too_long.left() == 0);
}

TEST_CASE("Reader::fail keeps the first error and its notify code") {
  Bytes b = hex("00");
  Reader r(b);
  CHECK_FALSE(r.fail("first", notify::InvalidFlags));
  r.fail("second");
  CHECK(r.error().notify == notify::InvalidFlags);
  CHECK(r.error().what == "first");
  CHECK(r.rest().empty());
}

TEST_CASE("Writer appends big-endian and back-patches lengths") {
  Writer w;
  w.u8(1);
  size_t at = w.placeholder16();
  w.u32(0x0a0b0c0d);
  w.bytes(hex("eeff"));
  w.patch_length16(at, 0);
  CHECK(w.data() == hex("01 0009 0a0b0c0d eeff"));
  w.patch32(3, 0x11223344);
  CHECK(w.take() == hex("01 0009 11223344 eeff"));
  Writer big;
  size_t at2 = big.placeholder16();
  big.bytes(Bytes(70000));
  CHECK_THROWS_AS(big.patch_length16(at2, 0), std::length_error);
  CHECK_THROWS_AS(big.patch16(70010, 1), std::out_of_range);
}
