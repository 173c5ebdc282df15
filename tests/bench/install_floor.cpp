#include "tests/bench/install_floor.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/xfrm.h>
#include <net/if.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

#include "netlink/netlink_socket.hpp"
#include "netlink/xfrm_messages.hpp"
#include "tests/bench/install_specs.hpp"

namespace ravpn::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr uint32_t kPairsPerSend = 16;  // 80 XFRM messages (about 30 KiB) to a sendmsg, well inside the socket buffer

// Requests for one netlink socket, appended back to back and sent with one sendmsg; then every ack is read.
class Batch {
 public:
  explicit Batch(netlink::NetlinkSocket& socket) : socket_(socket) {}

  bool add(netlink::Message& m, const kernel::Result<>& built) {
    if (!built) return std::fprintf(stderr, "floor: %s\n", built.error().c_str()), false;
    if (m.overflowed()) return std::fprintf(stderr, "floor: a request does not fit its buffer\n"), false;
    nlmsghdr* h = m.header();
    h->nlmsg_flags |= NLM_F_ACK;
    h->nlmsg_seq = ++seq_;
    const auto* bytes = reinterpret_cast<const uint8_t*>(h);
    buffer_.insert(buffer_.end(), bytes, bytes + NLMSG_ALIGN(h->nlmsg_len));
    ++waiting_;
    return true;
  }

  // Sends what was added and reads the acks; the count of requests the kernel refused, or -1 on a socket error.
  long flush() {
    if (buffer_.empty()) return 0;
    if (send(socket_.fd(), buffer_.data(), buffer_.size(), 0) != ssize_t(buffer_.size()))
      return std::perror("floor: send"), -1;
    buffer_.clear();
    long refused = 0;
    std::vector<uint8_t> in(65536);
    while (waiting_ > 0) {
      const ssize_t n = recv(socket_.fd(), in.data(), in.size(), 0);
      if (n < 0) return std::perror("floor: recv"), -1;
      int left = int(n);
      for (auto* h = reinterpret_cast<const nlmsghdr*>(in.data()); mnl_nlmsg_ok(h, left);
           h = mnl_nlmsg_next(h, &left)) {
        if (h->nlmsg_type != NLMSG_ERROR || mnl_nlmsg_get_payload_len(h) < sizeof(nlmsgerr)) continue;
        nlmsgerr err;
        std::memcpy(&err, mnl_nlmsg_get_payload(h), sizeof err);
        if (err.error != 0 && refused++ == 0) std::fprintf(stderr, "floor: refused: %s\n", std::strerror(-err.error));
        --waiting_;
      }
    }
    return refused;
  }

 private:
  netlink::NetlinkSocket& socket_;
  std::vector<uint8_t> buffer_;
  uint32_t seq_ = 0;
  uint32_t waiting_ = 0;
};

void line(const char* what, uint32_t n, double s) {
  std::printf("%-34s %6u in %7.3f s: %9.0f pairs/s\n", what, n, s, n / s);
  std::fflush(stdout);
}

}  // namespace

int install_floor(uint32_t pairs) {
  auto xfrm = netlink::NetlinkSocket::open(NETLINK_XFRM);
  auto route = netlink::NetlinkSocket::open(NETLINK_ROUTE);
  if (!xfrm || !route) return std::fprintf(stderr, "floor: netlink: %s\n", (!xfrm ? xfrm : route).error().c_str()), 1;
  {
    netlink::Message m(XFRM_MSG_NEWSPDINFO, 0);  // ravpnd's policy hash thresholds (daemon/kernel_access.cpp)
    if (auto r = netlink::build_policy_hash_thresholds(m, 0, 32); !r || !xfrm->request(m, "XFRM_MSG_NEWSPDINFO"))
      return std::fprintf(stderr, "floor: policy hash thresholds refused\n"), 1;
  }
  const int lo = int(if_nametoindex("lo"));
  Batch sas_and_policies(*xfrm), routes(*route);
  auto run = [&](bool add) -> long {
    long refused = 0;
    for (uint32_t first = 0; first < pairs; first += kPairsPerSend) {
      for (uint32_t i = first; i < std::min<uint32_t>(pairs, first + kPairsPerSend); ++i) {
        const auto p = pair_specs(i, kernel::Spi{0x20000000 + i});
        bool ok = true;
        for (const auto* sa : {&p.in, &p.out}) {
          netlink::Message m(add ? XFRM_MSG_NEWSA : XFRM_MSG_DELSA, add ? NLM_F_CREATE | NLM_F_EXCL : 0);
          ok = ok && sas_and_policies.add(m, add ? netlink::build_add_sa(m, *sa, false)
                                                 : netlink::build_sa_id(m, sa->destination, sa->spi));
        }
        for (const auto& policy : p.policies) {
          netlink::Message m(add ? XFRM_MSG_NEWPOLICY : XFRM_MSG_DELPOLICY, add ? NLM_F_CREATE | NLM_F_EXCL : 0);
          ok = ok && sas_and_policies.add(m, add ? netlink::build_add_policy(m, policy)
                                                 : netlink::build_delete_policy(m, policy.source, policy.destination,
                                                                                policy.direction));
        }
        netlink::Message m(add ? RTM_NEWROUTE : RTM_DELROUTE, add ? NLM_F_CREATE | NLM_F_EXCL : 0);
        ok = ok && routes.add(m, netlink::build_route(m, p.route, lo, add));
        if (!ok) return -1;
      }
      const long a = sas_and_policies.flush(), b = routes.flush();
      if (a < 0 || b < 0) return -1;
      refused += a + b;
    }
    return refused;
  };
  for (bool add : {true, false}) {
    const auto t = Clock::now();
    const long refused = run(add);
    line(add ? "kernel floor installs (batched)" : "kernel floor removals (batched)", pairs,
         std::chrono::duration<double>(Clock::now() - t).count());
    if (refused != 0) return std::fprintf(stderr, "floor: %ld requests refused or failed\n", refused), 1;
  }
  return 0;
}

}  // namespace ravpn::bench
