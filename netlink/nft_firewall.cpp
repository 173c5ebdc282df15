#include "netlink/nft_firewall.hpp"

#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <nftables/libnftables.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "netlink/netlink_socket.hpp"
#include "netlink/attributes.hpp"
#include "netlink/xfrm_messages.hpp"  // kRouteProtocol

namespace ravpn::netlink {
namespace {

// A proxy ARP entry by interface index (what the kernel reports) and address.
using Neighbour = std::pair<int, Ipv4>;

// `table ...` first so the delete never fails on a missing table; both in one transaction: no table is left.
constexpr const char* kRemoveScript = "table ip ravpn\ndelete table ip ravpn\n";

bool is_errno(const Error& error, std::string_view what, int error_number) {
  return error.starts_with(errno_error(what, error_number));
}

bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(size_t(n));
  }
  return true;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Runs an nft script as one batch (one netlink transaction: all of it or nothing); nft's error output on failure.
// The script goes in as a file (a memfd, /proc/self/fd/N) when it can: libnftables 1.0.6 quotes the first line of
// a buffer under every error, whatever line failed, while for a file it names and quotes the failing line
// ("ruleset:66:26-32: Error: ..."). Without a memfd it goes in with nft_run_cmd_from_buffer.
std::optional<std::string> run_nft(const std::string& script) {
  std::unique_ptr<nft_ctx, void (*)(nft_ctx*)> ctx(nft_ctx_new(NFT_CTX_DEFAULT), nft_ctx_free);
  if (!ctx) return "nft: cannot create a libnftables context";
  if (nft_ctx_buffer_output(ctx.get()) != 0 || nft_ctx_buffer_error(ctx.get()) != 0)
    return "nft: cannot buffer libnftables output";

  int rc;
  std::string path;
  const int fd = memfd_create("ravpn-ruleset", MFD_CLOEXEC);
  if (fd >= 0 && write_all(fd, script)) {
    path = "/proc/self/fd/" + std::to_string(fd);
    rc = nft_run_cmd_from_filename(ctx.get(), path.c_str());
  } else {
    rc = nft_run_cmd_from_buffer(ctx.get(), script.c_str());
  }
  if (fd >= 0) close(fd);
  if (rc == 0) return std::nullopt;
  std::string error = trimmed(nft_ctx_get_error_buffer(ctx.get()));
  if (!path.empty())
    for (auto at = error.find(path); at != std::string::npos; at = error.find(path, at))
      error.replace(at, path.size(), "ruleset");
  return "nft: " + (error.empty() ? std::string("the ruleset was refused") : error);
}

// ---- what the kernel holds with ravpn's mark ---------------------------------------------------------------

Result<std::set<Ipv4>> our_local_routes(NetlinkSocket& socket) {
  Message message(RTM_GETROUTE, NLM_F_DUMP);
  auto* rtm = message.put_fixed_header<rtmsg>();
  if (!rtm) return std::unexpected("RTM_GETROUTE: request does not fit the netlink buffer");
  rtm->rtm_family = AF_INET;
  rtm->rtm_table = RT_TABLE_LOCAL;  // a filter only with strict checking: checked again below
  std::set<Ipv4> out;
  auto done = socket.request(message, "RTM_GETROUTE", [&](const nlmsghdr& reply) -> Result<> {
    auto route = parse_route(reply);
    if (!route) return {};
    const rtmsg& r = route->header;
    if (r.rtm_family != AF_INET || r.rtm_type != RTN_LOCAL || r.rtm_protocol != kRouteProtocol || r.rtm_dst_len != 32)
      return {};
    const AttributeTable& table = route->attributes;
    const uint32_t route_table = route->table;
    if (route_table != RT_TABLE_LOCAL) return {};
    if (auto a = ipv4_attribute(table.attr[RTA_DST])) out.insert(*a);
    return {};
  });
  if (!done) return std::unexpected(done.error());
  return out;
}

Result<std::set<Neighbour>> our_proxy_entries(NetlinkSocket& socket) {
  Message message(RTM_GETNEIGH, NLM_F_DUMP);
  auto* ndm = message.put_fixed_header<ndmsg>();
  if (!ndm) return std::unexpected("RTM_GETNEIGH: request does not fit the netlink buffer");
  ndm->ndm_family = AF_INET;
  ndm->ndm_flags = NTF_PROXY;  // the kernel then dumps the proxy table (neigh_dump_info)
  std::set<Neighbour> out;
  auto done = socket.request(message, "RTM_GETNEIGH", [&](const nlmsghdr& reply) -> Result<> {
    if (reply.nlmsg_type != RTM_NEWNEIGH || mnl_nlmsg_get_payload_len(&reply) < sizeof(ndmsg)) return {};
    ndmsg n;
    std::memcpy(&n, mnl_nlmsg_get_payload(&reply), sizeof(n));
    if (n.ndm_family != AF_INET || !(n.ndm_flags & NTF_PROXY)) return {};
    AttributeTable table;
    table.max = NDA_MAX;
    mnl_attr_parse(&reply, sizeof(ndmsg), collect_attribute, &table);
    const nlattr* protocol = table.attr[NDA_PROTOCOL];
    if (!protocol || mnl_attr_get_payload_len(protocol) != 1 || mnl_attr_get_u8(protocol) != kRouteProtocol) return {};
    if (auto a = ipv4_attribute(table.attr[NDA_DST])) out.insert({n.ndm_ifindex, *a});
    return {};
  });
  if (!done) return std::unexpected(done.error());
  return out;
}

// ---- changes ------------------------------------------------------------------------------------------------

Result<> change_local_route(NetlinkSocket& socket, Ipv4 address, bool add) {
  const std::string_view what = add ? "RTM_NEWROUTE" : "RTM_DELROUTE";
  Message message(add ? RTM_NEWROUTE : RTM_DELROUTE, add ? NLM_F_CREATE | NLM_F_EXCL : 0);
  auto* rtm = message.put_fixed_header<rtmsg>();
  if (!rtm) return std::unexpected(std::string(what) + ": request does not fit the netlink buffer");
  // `ip route add local A dev lo table local proto 76`: the box owns A (answers ARP for it, delivers locally
  // what nft did not translate, and the input chain drops that). On delete, the protocol limits the match to ours
  // and RT_SCOPE_NOWHERE matches any scope.
  rtm->rtm_family = AF_INET;
  rtm->rtm_dst_len = 32;
  rtm->rtm_table = RT_TABLE_LOCAL;
  rtm->rtm_protocol = kRouteProtocol;
  rtm->rtm_scope = add ? RT_SCOPE_HOST : RT_SCOPE_NOWHERE;
  rtm->rtm_type = RTN_LOCAL;
  message.put_u32(RTA_DST, htonl(address.value));
  if (add) {
    const unsigned lo = if_nametoindex("lo");
    if (lo == 0) return std::unexpected(errno_error(std::string(what) + " " + address.str() + ": lo", errno));
    message.put_u32(RTA_OIF, lo);
  }
  auto done = socket.request(message, what);
  if (!done) return std::unexpected(done.error() + " (local " + address.str() + ")");
  return {};
}

Result<> change_proxy_entry(NetlinkSocket& socket, const Neighbour& entry, bool add) {
  const std::string_view what = add ? "RTM_NEWNEIGH" : "RTM_DELNEIGH";
  // `ip neigh replace proxy A dev IF protocol 76`: for a proxy entry the kernel creates or updates it (no EEXIST).
  Message message(add ? RTM_NEWNEIGH : RTM_DELNEIGH, add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
  auto* ndm = message.put_fixed_header<ndmsg>();
  if (!ndm) return std::unexpected(std::string(what) + ": request does not fit the netlink buffer");
  ndm->ndm_family = AF_INET;
  ndm->ndm_ifindex = entry.first;
  ndm->ndm_state = NUD_PERMANENT;
  ndm->ndm_flags = NTF_PROXY;
  message.put_u32(NDA_DST, htonl(entry.second.value));
  if (add) {
    const uint8_t protocol = kRouteProtocol;
    message.put(NDA_PROTOCOL, std::span(&protocol, 1));
  }
  auto done = socket.request(message, what);
  if (!done) return std::unexpected(done.error() + " (proxy " + entry.second.str() + ")");
  return {};
}

class NftFirewall final : public kernel::Firewall {
 public:
  std::optional<std::string> apply(const kernel::FirewallState& state) override {
    if (auto error = run_nft(state.ruleset)) return error;  // the old table stays; kernel objects untouched

    std::string errors;
    auto note = [&](const std::string& e) { errors += (errors.empty() ? "" : "; ") + e; };

    std::set<Ipv4> routes(state.mapped_addresses.begin(), state.mapped_addresses.end());
    std::set<Neighbour> neighbours;
    for (const auto& p : state.proxy_arp) {
      const unsigned index = if_nametoindex(p.interface.c_str());
      if (index == 0) {
        note("proxy ARP " + p.address.str() + ": no interface " + p.interface);
        continue;
      }
      neighbours.insert({int(index), p.address});
    }

    auto socket = NetlinkSocket::open(NETLINK_ROUTE);
    if (!socket) return socket.error();
    sync(*socket, routes, neighbours, note);
    if (errors.empty()) return std::nullopt;
    return errors;
  }

  void remove() override {
    run_nft(kRemoveScript);
    auto socket = NetlinkSocket::open(NETLINK_ROUTE);
    if (!socket) return;
    sync(*socket, {}, {}, [](const std::string&) {});
  }

 private:
  // Brings ravpn's local routes and proxy entries to WANTED: stale ones deleted first, then the new ones added.
  template <class Note>
  static void sync(NetlinkSocket& socket, const std::set<Ipv4>& wanted_routes,
                   const std::set<Neighbour>& wanted_neighbours, Note note) {
    if (auto have = our_local_routes(socket); !have) {
      note(have.error());
    } else {
      for (const auto& a : *have)
        if (!wanted_routes.count(a))
          if (auto r = change_local_route(socket, a, false); !r && !is_errno(r.error(), "RTM_DELROUTE", ESRCH))
            note(r.error());
      for (const auto& a : wanted_routes)
        if (!have->count(a))
          if (auto r = change_local_route(socket, a, true); !r && !is_errno(r.error(), "RTM_NEWROUTE", EEXIST))
            note(r.error());
    }
    if (auto have = our_proxy_entries(socket); !have) {
      note(have.error());
    } else {
      for (const auto& n : *have)
        if (!wanted_neighbours.count(n))
          if (auto r = change_proxy_entry(socket, n, false); !r && !is_errno(r.error(), "RTM_DELNEIGH", ENOENT))
            note(r.error());
      for (const auto& n : wanted_neighbours)
        if (!have->count(n))
          if (auto r = change_proxy_entry(socket, n, true); !r) note(r.error());
    }
  }
};

}  // namespace

std::unique_ptr<kernel::Firewall> make_nft_firewall() {
  return std::make_unique<NftFirewall>();
}

}  // namespace ravpn::netlink
