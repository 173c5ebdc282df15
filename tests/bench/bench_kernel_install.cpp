// How fast tunnels' kernel state goes in and out once the handshakes are done: N SA pairs (inbound with an SPI
// from ALLOCSPI, outbound), their three policies (out, in, fwd) and the client's /32 route, installed and then
// removed, through the path ravpnd uses: the IKE side's RemoteKernel pipelining requests to the privileged
// process, which programs XFRM over netlink (daemon/privsep/). --direct: the same calls on NetlinkKernel in one
// process (ravpnd --no-privsep). Needs root and ESP states: run it in the kernel lab, in a namespace of its own:
//
//   ip netns add b; ip -n b link set lo up; ip netns exec b build/tests/bench/bench_kernel_install [--pairs N]
//
// --floor: the same requests many to a sendmsg, acknowledged in bulk, for the kernel's own rate (install_floor.hpp).
// Prints one line per phase: count, seconds, rate.
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/privsep/privileged_process.hpp"
#include "daemon/privsep/remote_kernel.hpp"
#include "netlink/xfrm_kernel.hpp"
#include "tests/bench/install_floor.hpp"
#include "tests/bench/install_specs.hpp"

using namespace ravpn;
using namespace ravpn::bench;
using Clock = std::chrono::steady_clock;

namespace {

class StderrLogger final : public Logger {
 public:
  bool enabled(LogLevel level, LogCategory) const override { return level >= LogLevel::Warning; }
  void write(LogLevel, LogCategory, std::string_view line) override {
    std::fprintf(stderr, "%.*s\n", int(line.size()), line.data());
  }
};

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void line(const char* what, uint32_t n, double s, const char* unit) {
  std::printf("%-34s %6u in %7.3f s: %9.0f %s/s\n", what, n, s, n / s, unit);
  std::fflush(stdout);
}

int work(kernel::Kernel& k, uint32_t pairs, const char* how) {
  std::vector<kernel::Spi> spis(pairs);
  auto t = Clock::now();
  for (uint32_t i = 0; i < pairs; ++i) {
    auto spi = k.allocate_spi(peer(i), kLocal, i + 1);
    if (!spi) return std::fprintf(stderr, "allocate_spi: %s\n", spi.error().c_str()), 1;
    spis[i] = *spi;
  }
  // Through privsep, one call in 17 waits, for the spares asked for meanwhile and its own (spare_spis.hpp).
  const char* waits = std::string_view(how) == "direct" ? " (each waited)" : " (spares)";
  line((std::string(how) + " SPI allocations" + waits).c_str(), pairs, seconds_since(t), "SPIs");

  t = Clock::now();
  for (uint32_t i = 0; i < pairs; ++i) {
    const auto p = pair_specs(i, spis[i]);
    bool ok = k.add_sa(p.in, true).has_value() && k.add_sa(p.out, false).has_value() &&
              k.add_policy(p.policies[0]).has_value() && k.add_policy(p.policies[1]).has_value() &&
              k.add_policy(p.policies[2]).has_value() && k.add_route(p.route).has_value();
    if (!ok) return std::fprintf(stderr, "install %u failed\n", i), 1;
  }
  // The last answer comes after every request before it: the installs are done (or refused) by then.
  if (!k.counters(peer(pairs - 1), outbound_spi(pairs - 1)))
    return std::fprintf(stderr, "the last outbound SA is missing\n"), 1;
  line((std::string(how) + " installs (pairs+3 policies+route)").c_str(), pairs, seconds_since(t), "pairs");
  const auto refused = k.read_events();
  if (!refused.empty()) return std::fprintf(stderr, "%zu SAs refused: %s\n", refused.size(), refused[0].refused.c_str()), 1;

  t = Clock::now();
  for (uint32_t i = 0; i < pairs; ++i) {
    const auto p = pair_specs(i, spis[i]);
    (void)k.delete_sa(p.in.destination, p.in.spi);
    (void)k.delete_sa(p.out.destination, p.out.spi);
    for (const auto& policy : p.policies) (void)k.delete_policy(policy.source, policy.destination, policy.direction);
    (void)k.delete_route(p.route);
  }
  const bool gone = !k.counters(peer(pairs - 1), outbound_spi(pairs - 1));
  line((std::string(how) + " removals").c_str(), pairs, seconds_since(t), "pairs");
  if (!gone) return std::fprintf(stderr, "the last outbound SA is still there\n"), 1;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  uint32_t pairs = 10000;
  bool direct = false, default_hash = false, floor = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--pairs") && i + 1 < argc) pairs = uint32_t(std::strtoul(argv[++i], nullptr, 10));
    else if (!std::strcmp(argv[i], "--direct")) direct = true;
    else if (!std::strcmp(argv[i], "--default-hash")) default_hash = true;  // the kernel's thresholds, not ravpnd's
    else if (!std::strcmp(argv[i], "--floor")) floor = true;
    else
      return std::fprintf(stderr, "usage: bench_kernel_install [--pairs N] [--direct | --floor] [--default-hash]\n"), 2;
  }
  // As ravpnd's privileged process does (daemon/kernel_access.cpp), unless asked to measure without it.
  auto open = [default_hash]() {
    auto k = netlink::NetlinkKernel::open();
    if (k && !default_hash)
      if (auto tuned = (*k)->hash_policies_by_remote_address(); !tuned)
        std::fprintf(stderr, "policy hash thresholds: %s\n", tuned.error().c_str());
    return k;
  };
  if (pairs == 0 || pairs > 1000000) return std::fprintf(stderr, "--pairs 1..1000000\n"), 2;
  if (floor) return install_floor(pairs);
  StderrLogger log;
  if (direct) {
    auto k = open();
    if (!k) return std::fprintf(stderr, "%s\n", k.error().c_str()), 1;
    return work(**k, pairs, "direct");
  }
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return std::perror("socketpair"), 1;
  const pid_t child = fork();
  if (child < 0) return std::perror("fork"), 1;
  if (child == 0) {
    close(fds[0]);
    SystemTime time;
    privsep::RemoteKernel remote(fds[1], log, time);
    _exit(work(remote, pairs, "privsep"));
  }
  close(fds[1]);
  privsep::PrivilegedOptions options;
  options.ike_process = child;
  options.fd = fds[0];
  auto k = open();
  if (!k) return std::fprintf(stderr, "%s\n", k.error().c_str()), 1;
  options.kernel = std::move(*k);
  return privsep::PrivilegedProcess(std::move(options), log).run();
}
