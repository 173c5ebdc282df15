// One end of the privilege-separation socketpair (an AF_UNIX stream): frames out and frames in
// (daemon/privsep/messages.hpp). The IKE side writes blocking; the privileged side queues its output and writes
// when the socket is writable, so it never stops reading requests because the IKE side is busy. Buffers that held
// frames are wiped (SA requests carry keys).
#pragma once
#include <deque>
#include <expected>
#include <optional>
#include <string>

#include "daemon/privsep/messages.hpp"

namespace ravpn::privsep {

struct Frame {
  FrameHeader header;
  Bytes body;
};

class Channel {
 public:
  explicit Channel(int fd);  // takes ownership
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  int fd() const { return fd_; }

  // Writes the whole frame, waiting for room; throws std::runtime_error when the other side is gone.
  void send(Type type, uint8_t flags, uint32_t id, ByteView body);
  // The same for frames already encoded back to back.
  void send_encoded(ByteView frames);
  // Queues the frame; flush() writes what the socket takes now.
  void queue(Type type, uint8_t flags, uint32_t id, ByteView body);
  // False when the other side is gone.
  bool flush();
  size_t queued_bytes() const { return out_bytes_; }

  enum class Fill { Data, Nothing, Closed };
  // Reads what has arrived; with WAIT, blocks until at least one byte (or the end) comes.
  Fill fill(bool wait);
  // The next complete frame read, nullopt when none is complete yet, an error text when the bytes are no frame.
  std::expected<std::optional<Frame>, std::string> next();

 private:
  int fd_;
  Bytes in_;
  size_t in_pos_ = 0;
  std::deque<Bytes> out_;
  size_t out_pos_ = 0;  // written from out_.front()
  size_t out_bytes_ = 0;
};

}  // namespace ravpn::privsep
