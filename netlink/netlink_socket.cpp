#include "netlink/netlink_socket.hpp"

#include <botan/mem_ops.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

namespace ravpn::netlink {

Error errno_error(std::string_view what, int error_number) {
  return std::string(what) + ": " + std::strerror(error_number);
}

// ---- Message ------------------------------------------------------------------------------------------

Message::Message(uint16_t type, uint16_t flags) {
  nlh_ = mnl_nlmsg_put_header(buffer_.data());
  nlh_->nlmsg_type = type;
  nlh_->nlmsg_flags = uint16_t(NLM_F_REQUEST | flags);
}

// The buffer starts zeroed and libmnl writes only inside nlmsg_len (attribute padding included): that part holds
// the keys, and is all that needs wiping.
Message::~Message() { Botan::secure_scrub_memory(buffer_.data(), std::min<size_t>(nlh_->nlmsg_len, buffer_.size())); }

bool Message::reserve(size_t bytes) {
  if (overflowed_ || nlh_->nlmsg_len + MNL_ALIGN(bytes) > buffer_.size()) {
    overflowed_ = true;
    return false;
  }
  return true;
}

bool Message::put(uint16_t attr_type, std::span<const uint8_t> payload) {
  if (overflowed_ || !mnl_attr_put_check(nlh_, buffer_.size(), attr_type, payload.size(), payload.data())) {
    overflowed_ = true;
    return false;
  }
  return true;
}

// ---- NetlinkSocket ------------------------------------------------------------------------------------

NetlinkSocket::NetlinkSocket(mnl_socket* socket)
    : socket_(socket), receive_buffer_(std::make_unique<std::array<uint8_t, 32768>>()) {}

NetlinkSocket::~NetlinkSocket() {
  if (receive_buffer_) Botan::secure_scrub_memory(receive_buffer_->data(), receive_buffer_->size());
}

int NetlinkSocket::fd() const { return socket_ ? mnl_socket_get_fd(socket_.get()) : -1; }

Result<NetlinkSocket> NetlinkSocket::open(int bus, unsigned groups, bool nonblocking) {
  const char* bus_name = bus == NETLINK_XFRM ? "netlink xfrm socket" : "netlink route socket";
  mnl_socket* raw = mnl_socket_open2(bus, SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0));
  if (!raw) return std::unexpected(errno_error(bus_name, errno));
  NetlinkSocket socket(raw);
  if (mnl_socket_bind(raw, groups, MNL_SOCKET_AUTOPID) < 0) return std::unexpected(errno_error(bus_name, errno));
  socket.port_id_ = mnl_socket_get_portid(raw);
  socket.next_seq_ = uint32_t(time(nullptr));

  int on = 1;
  // Errors carry only the header of our request, not its attributes (keys): NETLINK_CAP_ACK (linux/netlink.h).
  mnl_socket_setsockopt(raw, NETLINK_CAP_ACK, &on, sizeof(on));
  // The kernel's own explanation of an error (e.g. "Requested type not found"), when it gives one.
  mnl_socket_setsockopt(raw, NETLINK_EXT_ACK, &on, sizeof(on));
  if (!nonblocking) {
    // A request socket never waits forever for an ack.
    timeval timeout{.tv_sec = 5, .tv_usec = 0};
    setsockopt(mnl_socket_get_fd(raw), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }
  return socket;
}

namespace {

int on_extack_attribute(const nlattr* attr, void* data) {
  if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
    *static_cast<std::string*>(data) = mnl_attr_get_str(attr);
  return MNL_CB_OK;
}

// The error text of an NLMSG_ERROR with a non-zero error: strerror plus the extended ack message if any.
Error ack_error(std::string_view what, const nlmsghdr& nlh, const nlmsgerr& err) {
  Error text = errno_error(what, -err.error);
  if (nlh.nlmsg_flags & NLM_F_ACK_TLVS) {
    // The TLVs follow the echoed request: its header only when NLM_F_CAPPED, else the whole request.
    size_t offset = sizeof(nlmsgerr);
    if (!(nlh.nlmsg_flags & NLM_F_CAPPED)) offset += err.msg.nlmsg_len - sizeof(nlmsghdr);
    std::string extack;
    if (offset < mnl_nlmsg_get_payload_len(&nlh)) mnl_attr_parse(&nlh, unsigned(offset), on_extack_attribute, &extack);
    if (!extack.empty()) text += " (" + extack + ")";
  }
  return text;
}

}  // namespace

Result<> NetlinkSocket::request(Message& message, std::string_view what, const ReplyHandler& on_reply) {
  if (message.overflowed()) return std::unexpected(std::string(what) + ": request does not fit the netlink buffer");
  last_errno_ = 0;
  nlmsghdr* nlh = message.header();
  const uint32_t seq = ++next_seq_;
  nlh->nlmsg_seq = seq;
  nlh->nlmsg_flags |= NLM_F_ACK;
  if (mnl_socket_sendto(socket_.get(), nlh, nlh->nlmsg_len) < 0) return std::unexpected(errno_error(what, errno));

  auto& buffer = *receive_buffer_;
  // Only what the kernel wrote is wiped: an ack is a few dozen bytes, and wiping all 32 KiB after each of a
  // tunnel's dozen requests was 4% of the privileged process's time in the lab.
  struct Scrub {
    std::array<uint8_t, 32768>& b;
    size_t written = 0;
    ~Scrub() { Botan::secure_scrub_memory(b.data(), written); }
  } scrub{buffer};

  for (;;) {
    ssize_t received = mnl_socket_recvfrom(socket_.get(), buffer.data(), buffer.size());
    if (received < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(errno_error(std::string(what) + " (waiting for the kernel's answer)", errno));
    }
    scrub.written = std::max(scrub.written, size_t(received));
    int left = int(received);
    for (auto* reply = reinterpret_cast<const nlmsghdr*>(buffer.data()); mnl_nlmsg_ok(reply, left);
         reply = mnl_nlmsg_next(reply, &left)) {
      if (reply->nlmsg_pid != port_id_ || reply->nlmsg_seq != seq) continue;  // a stale answer, not ours
      switch (reply->nlmsg_type) {
        case NLMSG_NOOP:
          continue;
        case NLMSG_DONE:
          return {};
        case NLMSG_OVERRUN:
          return std::unexpected(std::string(what) + ": netlink overrun");
        case NLMSG_ERROR: {
          if (mnl_nlmsg_get_payload_len(reply) < sizeof(nlmsgerr))
            return std::unexpected(std::string(what) + ": truncated netlink error message");
          nlmsgerr err;
          std::memcpy(&err, mnl_nlmsg_get_payload(reply), sizeof(err));
          if (err.error == 0) return {};
          last_errno_ = -err.error;
          return std::unexpected(ack_error(what, *reply, err));
        }
        default:
          if (on_reply) {
            if (auto r = on_reply(*reply); !r) return r;
          }
      }
    }
  }
}

bool NetlinkSocket::drain(const std::function<void(const nlmsghdr&)>& on_message) {
  auto& buffer = *receive_buffer_;
  for (;;) {
    ssize_t received = recv(fd(), buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (received < 0) {
      if (errno == EINTR || errno == ENOBUFS) continue;  // ENOBUFS: the socket overflowed, events were lost
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
    if (received == 0) return true;
    int left = int(received);
    for (auto* msg = reinterpret_cast<const nlmsghdr*>(buffer.data()); mnl_nlmsg_ok(msg, left);
         msg = mnl_nlmsg_next(msg, &left)) {
      if (msg->nlmsg_pid != 0) continue;  // multicast events come from the kernel (port 0)
      on_message(*msg);
    }
  }
}

}  // namespace ravpn::netlink
