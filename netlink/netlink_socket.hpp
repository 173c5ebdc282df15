// RAII libmnl sockets and a bounded request builder: the transport under NetlinkKernel (xfrm_kernel.hpp).
// One request at a time: send with a fresh sequence number, read until the kernel's ack (NLMSG_ERROR) for that
// sequence number and our port id, turn a non-zero error into "XFRM_MSG_NEWSA: <strerror>[ (<extack text>)]".
#pragma once
#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "netlink/kernel.hpp"

namespace ravpn::netlink {

using kernel::Error;
using kernel::Result;

// One netlink request in a fixed buffer. Every write checks the room left; after a refused write the message
// is marked overflowed and NetlinkSocket::request will not send it. The buffer is wiped on destruction
// (SA requests carry keys).
class Message {
 public:
  static constexpr size_t kCapacity = 4096;

  Message(uint16_t type, uint16_t flags);
  ~Message();
  Message(const Message&) = delete;
  Message& operator=(const Message&) = delete;

  // The fixed header that follows nlmsghdr (xfrm_usersa_info, rtmsg, ...), zeroed.
  template <class T>
  T* put_fixed_header() {
    if (!reserve(sizeof(T))) return nullptr;
    return static_cast<T*>(mnl_nlmsg_put_extra_header(nlh_, sizeof(T)));
  }
  bool put(uint16_t attr_type, std::span<const uint8_t> payload);
  template <class T>
  bool put_struct(uint16_t attr_type, const T& value) {
    return put(attr_type, std::span(reinterpret_cast<const uint8_t*>(&value), sizeof(T)));
  }
  bool put_u32(uint16_t attr_type, uint32_t value) { return put_struct(attr_type, value); }

  bool overflowed() const { return overflowed_; }
  nlmsghdr* header() { return nlh_; }
  const nlmsghdr* header() const { return nlh_; }

 private:
  bool reserve(size_t bytes);

  alignas(8) std::array<uint8_t, kCapacity> buffer_{};
  nlmsghdr* nlh_ = nullptr;
  bool overflowed_ = false;
};

// A bound netlink socket (NETLINK_XFRM or NETLINK_ROUTE), closed on destruction.
class NetlinkSocket {
 public:
  // groups: multicast groups bitmask for mnl_socket_bind (0 for a request socket). nonblocking for event sockets.
  static Result<NetlinkSocket> open(int bus, unsigned groups = 0, bool nonblocking = false);

  NetlinkSocket(NetlinkSocket&&) noexcept = default;
  NetlinkSocket& operator=(NetlinkSocket&&) noexcept = default;
  ~NetlinkSocket();

  // Sends `message` (NLM_F_ACK is added) and reads replies until the ack for it. `on_reply` sees every other
  // message of this request (e.g. the XFRM_MSG_NEWSA that answers ALLOCSPI or GETSA) and may return an error.
  // `what` names the request in errors ("XFRM_MSG_NEWSA").
  using ReplyHandler = std::function<Result<>(const nlmsghdr&)>;
  Result<> request(Message& message, std::string_view what, const ReplyHandler& on_reply = {});
  // The errno of the kernel's answer to the last request() (0 when it succeeded or failed before an answer), so a
  // caller can tell "No such process" from other failures without parsing the text.
  int last_errno() const { return last_errno_; }

  // Reads what is waiting without blocking (event sockets); calls on_message for every message.
  // Returns false on a hard error other than "nothing waiting"/"overrun" (ENOBUFS: events were lost).
  bool drain(const std::function<void(const nlmsghdr&)>& on_message);

  int fd() const;
  unsigned port_id() const { return port_id_; }

 private:
  struct Closer {
    void operator()(mnl_socket* s) const { mnl_socket_close(s); }
  };
  explicit NetlinkSocket(mnl_socket* socket);

  std::unique_ptr<mnl_socket, Closer> socket_;
  unsigned port_id_ = 0;
  uint32_t next_seq_ = 0;
  int last_errno_ = 0;
  std::unique_ptr<std::array<uint8_t, 32768>> receive_buffer_;  // wiped after every request (GETSA echoes keys)
};

// "XFRM_MSG_NEWSA: No such process" for errno 3.
Error errno_error(std::string_view what, int error_number);

}  // namespace ravpn::netlink
