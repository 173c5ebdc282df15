// Bounds-checked big-endian reader and appending writer for ISAKMP bytes (style.md: never cast into packets).
// The Reader's failure is sticky: once a read runs past the end every later read returns zero/empty and ok()
// stays false, so a parser can read a whole structure and check once. The first error is kept for the log.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ike/wire/payloads.hpp"

namespace ravpn::ike {

class Reader {
 public:
  // `what` names the structure in error texts, e.g. "SA" or "proposal".
  explicit Reader(ByteView data, std::string_view what = "data");

  uint8_t u8();
  uint16_t u16();
  uint32_t u32();
  ByteView bytes(size_t n);
  ByteView rest();            // everything left (never fails)
  Reader sub(size_t n, std::string_view what);  // the next n bytes as their own reader
  bool expect_done();         // fails if bytes are left over

  // Record a failure (only the first is kept). Returns false so `return r.fail(...)` reads well.
  bool fail(std::string text, uint16_t notify_code = notify::PayloadMalformed);

  bool ok() const { return !failed_; }
  size_t left() const { return data_.size() - pos_; }
  size_t offset() const { return pos_; }
  bool done() const { return pos_ == data_.size(); }
  const ParseError& error() const { return error_; }
  const std::string& what() const { return what_; }

 private:
  bool need(size_t n);

  ByteView data_;
  size_t pos_ = 0;
  bool failed_ = false;
  std::string what_;
  ParseError error_;
};

class Writer {
 public:
  void u8(uint8_t v);
  void u16(uint16_t v);
  void u32(uint32_t v);
  void bytes(ByteView b);
  // Reserve a 16-bit length field and fill it in later; patch_length16 writes `size() - start` and throws
  // std::length_error when that does not fit 16 bits (a programmer error: an over-long payload).
  size_t placeholder16();
  void patch16(size_t at, uint16_t v);
  void patch_length16(size_t at, size_t start);
  void patch32(size_t at, uint32_t v);

  size_t size() const { return out_.size(); }
  const Bytes& data() const { return out_; }
  Bytes take() { return std::move(out_); }

 private:
  Bytes out_;
};

// Narrow a size to a wire field or throw std::length_error naming the field (programmer error).
uint8_t checked_u8(size_t v, const char* field);
uint16_t checked_u16(size_t v, const char* field);

}  // namespace ravpn::ike
