#include "daemon/privsep/channel.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <botan/mem_ops.h>

namespace ravpn::privsep {
namespace {

void wipe(Bytes& b) {
  if (!b.empty()) Botan::secure_scrub_memory(b.data(), b.size());
}

}  // namespace

Channel::Channel(int fd) : fd_(fd) {}

Channel::~Channel() {
  wipe(in_);
  for (auto& b : out_) wipe(b);
  if (fd_ >= 0) close(fd_);
}

void Channel::send(Type type, uint8_t flags, uint32_t id, ByteView body) {
  Bytes frame = encode_frame(type, flags, id, body);
  try {
    send_encoded(frame);
  } catch (...) {
    wipe(frame);
    throw;
  }
  wipe(frame);
}

void Channel::send_encoded(ByteView frames) {
  size_t done = 0;
  while (done < frames.size()) {
    ssize_t n = ::send(fd_, frames.data() + done, frames.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(std::string("privileged process: ") + (n < 0 ? std::strerror(errno) : "gone"));
    done += size_t(n);
  }
}

void Channel::queue(Type type, uint8_t flags, uint32_t id, ByteView body) {
  out_.push_back(encode_frame(type, flags, id, body));
  out_bytes_ += out_.back().size();
}

bool Channel::flush() {
  while (!out_.empty()) {
    Bytes& front = out_.front();
    ssize_t n = ::send(fd_, front.data() + out_pos_, front.size() - out_pos_, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    if (n <= 0) return false;
    out_pos_ += size_t(n);
    out_bytes_ -= size_t(n);
    if (out_pos_ == front.size()) {
      wipe(front);
      out_.pop_front();
      out_pos_ = 0;
    }
  }
  return true;
}

Channel::Fill Channel::fill(bool wait) {
  uint8_t buffer[65536];
  bool got = false;
  for (;;) {
    ssize_t n = recv(fd_, buffer, sizeof buffer, wait && !got ? 0 : MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0) throw std::runtime_error(std::string("privsep channel: ") + std::strerror(errno));
    if (n == 0) {
      Botan::secure_scrub_memory(buffer, sizeof buffer);
      return got ? Fill::Data : Fill::Closed;
    }
    in_.insert(in_.end(), buffer, buffer + n);
    got = true;
    if (size_t(n) < sizeof buffer) break;
  }
  Botan::secure_scrub_memory(buffer, sizeof buffer);
  return got ? Fill::Data : Fill::Nothing;
}

std::expected<std::optional<Frame>, std::string> Channel::next() {
  const size_t available = in_.size() - in_pos_;
  if (available < kHeaderSize) {
    if (in_pos_ > 0 && available == 0) {  // all consumed: start the buffer over
      wipe(in_);
      in_.clear();
      in_pos_ = 0;
    }
    return std::nullopt;
  }
  auto header = decode_header(ByteView(in_).subspan(in_pos_, kHeaderSize));
  if (!header) return std::unexpected(header.error());
  if (available < kHeaderSize + header->length) return std::nullopt;
  Frame f;
  f.header = *header;
  const auto start = in_.begin() + std::ptrdiff_t(in_pos_ + kHeaderSize);
  f.body.assign(start, start + header->length);
  Botan::secure_scrub_memory(in_.data() + in_pos_, kHeaderSize + header->length);
  in_pos_ += kHeaderSize + header->length;
  if (in_pos_ == in_.size()) {
    in_.clear();
    in_pos_ = 0;
  } else if (in_pos_ > (1u << 20)) {  // drop the consumed front now and then
    in_.erase(in_.begin(), in_.begin() + std::ptrdiff_t(in_pos_));
    in_pos_ = 0;
  }
  return f;
}

}  // namespace ravpn::privsep
