#include "netlink/interfaces.hpp"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

namespace ravpn::netlink {
namespace {

struct SocketCloser {
  void operator()(mnl_socket* s) const { mnl_socket_close(s); }
};

int on_attribute(const nlattr* attr, void* data) {
  auto** table = static_cast<const nlattr**>(data);
  int type = mnl_attr_get_type(attr);
  if (mnl_attr_type_valid(attr, IFA_MAX) < 0) return MNL_CB_OK;
  if ((type == IFA_ADDRESS || type == IFA_LOCAL) && mnl_attr_validate(attr, MNL_TYPE_U32) < 0) return MNL_CB_ERROR;
  table[type] = attr;
  return MNL_CB_OK;
}

int on_message(const nlmsghdr* nlh, void* data) {
  auto* out = static_cast<std::vector<InterfaceAddress>*>(data);
  const auto* ifa = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
  if (ifa->ifa_family != AF_INET) return MNL_CB_OK;
  const nlattr* table[IFA_MAX + 1] = {};
  if (mnl_attr_parse(nlh, sizeof(*ifa), on_attribute, table) < 0) return MNL_CB_ERROR;
  const nlattr* a = table[IFA_LOCAL] ? table[IFA_LOCAL] : table[IFA_ADDRESS];
  if (!a) return MNL_CB_OK;
  InterfaceAddress entry;
  entry.index = int(ifa->ifa_index);
  entry.prefix = ifa->ifa_prefixlen;
  entry.address = Ipv4{ntohl(mnl_attr_get_u32(a))};
  char name[IF_NAMESIZE] = {};
  if (if_indextoname(ifa->ifa_index, name)) entry.name = name;
  out->push_back(entry);
  return MNL_CB_OK;
}

}  // namespace

std::vector<InterfaceAddress> list_ipv4_addresses() {
  std::unique_ptr<mnl_socket, SocketCloser> sock(mnl_socket_open(NETLINK_ROUTE));
  if (!sock) throw std::runtime_error(std::string("netlink socket: ") + std::strerror(errno));
  if (mnl_socket_bind(sock.get(), 0, MNL_SOCKET_AUTOPID) < 0)
    throw std::runtime_error(std::string("netlink bind: ") + std::strerror(errno));

  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_GETADDR;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  const unsigned seq = unsigned(time(nullptr));
  nlh->nlmsg_seq = seq;
  auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
  ifa->ifa_family = AF_INET;
  if (mnl_socket_sendto(sock.get(), nlh, nlh->nlmsg_len) < 0)
    throw std::runtime_error(std::string("netlink send: ") + std::strerror(errno));

  std::vector<InterfaceAddress> out;
  const unsigned portid = mnl_socket_get_portid(sock.get());
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(sock.get(), buf.data(), buf.size());
    if (n < 0) throw std::runtime_error(std::string("netlink receive: ") + std::strerror(errno));
    int ret = mnl_cb_run(buf.data(), size_t(n), seq, portid, on_message, &out);
    if (ret == MNL_CB_STOP) break;
    if (ret < 0) throw std::runtime_error(std::string("netlink address dump: ") + std::strerror(errno));
  }
  return out;
}

}  // namespace ravpn::netlink
