// The firewall against this machine's kernel, in a network namespace of the test's own (unshare(CLONE_NEWNET) at
// startup: nothing reaches the host's tables):
//   - `nft -c -f` (check mode: the kernel evaluates the batch, then it is aborted) accepts every generated script,
//     and so does a real load;
//   - make_nft_firewall(): apply, replace (stale proxy ARP entries and local routes removed), a refused script
//     leaves the old table and kernel objects, another instance (a restarted daemon) finds ravpn's entries by their
//     proto 76 mark, remove() leaves nothing of ours and never touches other tables or entries.
// Exit 77 (skipped) when not root, without nft, or when a namespace cannot be made.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <sched.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "daemon/firewall/ruleset.hpp"
#include "netlink/nft_firewall.hpp"
#include "tests/firewall/configs.hpp"

using namespace ravpn;
using namespace ravpn::firewall::test;

namespace {

std::string run(const std::string& command, int* status = nullptr) {
  std::string out;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return out;
  std::array<char, 512> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
  const int rc = pclose(pipe);
  if (status) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

// Check mode on a script: 0 when nft (and the kernel) accept it.
int nft_check(const std::string& script, std::string& output) {
  char path[] = "/tmp/ravpn-fw-check.XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream(path) << script;
  int status = -1;
  output = run(std::string("nft -c -f ") + path, &status);
  unlink(path);
  return status;
}

const firewall::InterfaceNames kNames{{"outside", "rvo0"}, {"inside", "rvi0"}, {"dmz", "rvd0"}};

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

std::string proxies() {
  return run("ip neigh show proxy");
}
std::string local_routes() {
  return run("ip route show table local proto 76");
}

}  // namespace

TEST_CASE("nft -c accepts every generated script") {
  struct Case {
    const char* name;
    config::Config config;
    firewall::InterfaceNames names;
  };
  std::vector<Case> cases{
      {"pix-seed", pix_seed_like(false), kNames},
      {"pix-seed-www", pix_seed_like(true), kNames},
      {"ios-seed", ios_seed_like(), {{"FastEthernet0/0", "rvi0"}, {"FastEthernet0/1", "rvo0"}}},
      {"kitchen-sink", kitchen_sink(), kNames},
      {"kitchen-sink, dmz unnamed", kitchen_sink(), {{"outside", "rvo0"}, {"inside", "rvi0"}}},
      {"no interfaces named", kitchen_sink(), {}},
      {"empty config", config::Config{}, {}},
  };
  // Interface names do not have to exist for iifname/oifname: a name nobody has is fine too.
  cases.push_back({"names of absent interfaces", pix_seed_like(), {{"outside", "nosuch0"}, {"inside", "nosuch1"}}});
  for (const auto& c : cases) {
    const auto state = firewall::build_firewall(c.config, c.names);
    std::string output;
    const int status = nft_check(state.ruleset, output);
    INFO(c.name << "\n" << state.ruleset << "\n" << output);
    CHECK(status == 0);
    // Check mode leaves some of the kernel's checks to the commit (a nat statement in a filter chain passes -c):
    // load it for real too.
    auto fw = netlink::make_nft_firewall();
    auto ruleset_only = state;
    ruleset_only.proxy_arp.clear();  // interfaces named here need not exist
    auto error = fw->apply(ruleset_only);
    CHECK_MESSAGE(!error, error.value_or(""));
    fw->remove();
  }
  // And it refuses a broken one (so the check above means something).
  std::string output;
  CHECK(nft_check("table ip ravpn {\n\tchain x {\n\t\tip daddr 300.1.1.1 accept\n\t}\n}\n", output) != 0);
}

TEST_CASE("make_nft_firewall: apply, replace, refuse, restart, remove") {
  REQUIRE(run("nft add table inet other && nft add chain inet other keep '{ type filter hook input priority 10; }' "
              "&& nft flush chain inet other keep && nft add rule inet other keep counter accept")
              .empty());
  // Entries that are not ravpn's: a proxy entry without its mark, a local route of another protocol.
  REQUIRE(run("ip neigh replace proxy 10.89.129.199 dev rvi0").empty());
  REQUIRE(run("ip route replace local 192.0.2.99 dev lo table local proto static").empty());

  auto fw = netlink::make_nft_firewall();
  const auto seed = firewall::build_firewall(pix_seed_like(), kNames);
  auto error = fw->apply(seed);
  REQUIRE_MESSAGE(!error, error.value_or(""));
  const std::string table = run("nft list table ip ravpn");
  CHECK(table.find("jump acl_120") != std::string::npos);
  CHECK(table.find("snat to 192.0.2.6-192.0.2.10 persistent") != std::string::npos);
  CHECK(count(proxies(), "dev rvi0 proxy proto 76") == 5);
  CHECK(proxies().find("10.89.129.204 dev rvi0 proxy proto 76") != std::string::npos);
  CHECK(count(local_routes(), "dev lo") == 6);
  CHECK(local_routes().find("local 192.0.2.11 dev lo scope host") != std::string::npos);

  // Applying the same again changes nothing (no EEXIST surfaces).
  error = fw->apply(seed);
  CHECK_MESSAGE(!error, error.value_or(""));
  CHECK(count(proxies(), "proto 76") == 5);

  SUBCASE("replace: stale entries go, new ones come") {
    auto c = pix_seed_like(true);
    c.pools["VPNpool"].ranges = {{ip("10.89.129.203"), ip("10.89.129.206")}};
    c.static_nats[0].mapped = ip("192.0.2.15");
    error = fw->apply(firewall::build_firewall(c, kNames));
    REQUIRE_MESSAGE(!error, error.value_or(""));
    const std::string p = proxies();
    CHECK(count(p, "proto 76") == 4);
    CHECK(p.find("10.89.129.200 ") == std::string::npos);
    CHECK(p.find("10.89.129.206 dev rvi0 proxy proto 76") != std::string::npos);
    const std::string r = local_routes();
    CHECK(r.find("192.0.2.11 ") == std::string::npos);
    CHECK(r.find("local 192.0.2.15 ") != std::string::npos);
    CHECK(run("nft list table ip ravpn").find("tcp dport 80 accept") != std::string::npos);
  }

  SUBCASE("a refused script leaves the old table and the kernel entries") {
    auto bad = firewall::build_firewall(pix_seed_like(true), kNames);
    bad.ruleset.insert(bad.ruleset.rfind('}'), "\tchain broken {\n\t\tip daddr 10.1.1.1 jump nowhere\n\t}\n");
    bad.proxy_arp.clear();
    bad.mapped_addresses.clear();
    error = fw->apply(bad);
    REQUIRE(error);
    CHECK(error->starts_with("nft: "));
    INFO(*error);
    CHECK(error->find("Could not process rule") != std::string::npos);
    CHECK(error->find("ruleset:") != std::string::npos);  // the failing line is named and quoted
    CHECK(error->find("jump nowhere") != std::string::npos);
    CHECK(run("nft list table ip ravpn") == table);
    CHECK(count(proxies(), "proto 76") == 5);
    CHECK(count(local_routes(), "dev lo") == 6);
  }

  SUBCASE("another instance (a restarted daemon) finds the entries by their mark") {
    auto c = pix_seed_like();
    c.pools.clear();
    c.static_nats.clear();
    auto restarted = netlink::make_nft_firewall();
    error = restarted->apply(firewall::build_firewall(c, kNames));
    REQUIRE_MESSAGE(!error, error.value_or(""));
    CHECK(count(proxies(), "proto 76") == 0);
    CHECK(count(local_routes(), "dev lo") == 5);  // the global range only
  }

  SUBCASE("an interface that does not exist: the rest is applied, the error names it") {
    auto state = seed;
    state.proxy_arp.push_back({"nosuch0", ip("10.89.129.210")});
    error = fw->apply(state);
    REQUIRE(error);
    CHECK(error->find("no interface nosuch0") != std::string::npos);
    CHECK(count(proxies(), "proto 76") == 5);
  }

  fw->remove();
  CHECK(run("nft list tables").find("ravpn") == std::string::npos);
  CHECK(count(proxies(), "proto 76") == 0);
  CHECK(local_routes().empty());
  // Other tables and entries untouched.
  CHECK(run("nft list table inet other").find("chain keep") != std::string::npos);
  CHECK(proxies().find("10.89.129.199 dev rvi0 proxy") != std::string::npos);
  CHECK(run("ip route show table local").find("local 192.0.2.99 dev lo proto static") != std::string::npos);
  // remove() twice is harmless.
  fw->remove();
  CHECK(run("nft list table inet other").find("chain keep") != std::string::npos);

  run("nft delete table inet other; ip neigh del proxy 10.89.129.199 dev rvi0; "
      "ip route del local 192.0.2.99 dev lo table local proto static");
}

int main(int argc, char** argv) {
  if (geteuid() != 0) {
    std::fprintf(stderr, "test_firewall_host: needs root (network namespace, nftables): skipped\n");
    return 77;
  }
  if (unshare(CLONE_NEWNET) != 0) {
    std::perror("test_firewall_host: unshare(CLONE_NEWNET): skipped");
    return 77;
  }
  int status = -1;
  run("nft --version", &status);
  if (status != 0) {
    std::fprintf(stderr, "test_firewall_host: nft is not installed: skipped\n");
    return 77;
  }
  // Interfaces of the private namespace: outside, inside, dmz (veth pairs; the peers stay down-side unused).
  const std::string setup =
      run("ip link set lo up && "
          "ip link add rvo0 type veth peer name rvo1 && ip link add rvi0 type veth peer name rvi1 && "
          "ip link add rvd0 type veth peer name rvd1 && "
          "ip addr add 192.0.2.1/24 dev rvo0 && ip addr add 10.89.129.194/28 dev rvi0 && "
          "ip addr add 10.50.0.1/24 dev rvd0 && "
          "for i in rvo0 rvo1 rvi0 rvi1 rvd0 rvd1; do ip link set $i up; done",
          &status);
  if (status != 0) {
    std::fprintf(stderr, "test_firewall_host: cannot set up interfaces: %s\n", setup.c_str());
    return 1;
  }
  doctest::Context context;
  context.applyCommandLine(argc, argv);
  return context.run();
}
