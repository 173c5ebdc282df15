#include "ike/wire/reader.hpp"

#include <stdexcept>

namespace ravpn::ike {

Reader::Reader(ByteView data, std::string_view what) : data_(data), what_(what) {}

bool Reader::need(size_t n) {
  if (failed_) return false;
  if (n > left())
    return fail(what_ + ": need " + std::to_string(n) + " bytes, " + std::to_string(left()) + " left");
  return true;
}

bool Reader::fail(std::string text, uint16_t notify_code) {
  if (!failed_) {
    failed_ = true;
    error_ = ParseError{notify_code, std::move(text)};
  }
  return false;
}

uint8_t Reader::u8() {
  if (!need(1)) return 0;
  return data_[pos_++];
}

uint16_t Reader::u16() {
  if (!need(2)) return 0;
  uint16_t v = static_cast<uint16_t>(data_[pos_] << 8 | data_[pos_ + 1]);
  pos_ += 2;
  return v;
}

uint32_t Reader::u32() {
  if (!need(4)) return 0;
  uint32_t v = uint32_t{data_[pos_]} << 24 | uint32_t{data_[pos_ + 1]} << 16 | uint32_t{data_[pos_ + 2]} << 8 |
               uint32_t{data_[pos_ + 3]};
  pos_ += 4;
  return v;
}

ByteView Reader::bytes(size_t n) {
  if (!need(n)) return {};
  ByteView v = data_.subspan(pos_, n);
  pos_ += n;
  return v;
}

ByteView Reader::rest() {
  if (failed_) return {};
  ByteView v = data_.subspan(pos_);
  pos_ = data_.size();
  return v;
}

Reader Reader::sub(size_t n, std::string_view what) {
  ByteView v = bytes(n);
  Reader r(v, what);
  if (failed_) r.fail(error_.what, error_.notify);
  return r;
}

bool Reader::expect_done() {
  if (failed_) return false;
  if (!done()) return fail(what_ + ": " + std::to_string(left()) + " trailing bytes");
  return true;
}

void Writer::u8(uint8_t v) { out_.push_back(v); }

void Writer::u16(uint16_t v) {
  out_.push_back(static_cast<uint8_t>(v >> 8));
  out_.push_back(static_cast<uint8_t>(v));
}

void Writer::u32(uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<uint8_t>(v >> shift));
}

void Writer::bytes(ByteView b) { out_.insert(out_.end(), b.begin(), b.end()); }

size_t Writer::placeholder16() {
  size_t at = out_.size();
  u16(0);
  return at;
}

void Writer::patch16(size_t at, uint16_t v) {
  if (at + 2 > out_.size()) throw std::out_of_range("Writer::patch16 outside the buffer");
  out_[at] = static_cast<uint8_t>(v >> 8);
  out_[at + 1] = static_cast<uint8_t>(v);
}

void Writer::patch_length16(size_t at, size_t start) {
  patch16(at, checked_u16(out_.size() - start, "length"));
}

void Writer::patch32(size_t at, uint32_t v) {
  if (at + 4 > out_.size()) throw std::out_of_range("Writer::patch32 outside the buffer");
  for (int i = 0; i < 4; ++i) out_[at + static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

uint8_t checked_u8(size_t v, const char* field) {
  if (v > 0xff) throw std::length_error(std::string("ISAKMP field does not fit 8 bits: ") + field);
  return static_cast<uint8_t>(v);
}

uint16_t checked_u16(size_t v, const char* field) {
  if (v > 0xffff) throw std::length_error(std::string("ISAKMP field does not fit 16 bits: ") + field);
  return static_cast<uint16_t>(v);
}

}  // namespace ravpn::ike
