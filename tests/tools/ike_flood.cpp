// ravpn-ike-flood: a bounded flood of IKEv1 first messages from spoofed source addresses, for the admission control
// tests (tests/tools/test_flood.sh). The messages are real: aggressive mode first messages (SA, KE, nonce, ID_KEY_ID
// group) and main mode first messages are built by the tests' scripted initiator (the load generator's code) with
// real DH public values, so the responder does all the work a real client makes it do; Cisco fragments are first
// fragments of sets that never complete. Only the initiator cookie (and the fragment ID) changes per packet.
//
// Safety, checked before anything is sent: every source and the target must lie in the documentation ranges
// (RFC 5737: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) or the benchmarking range (RFC 2544: 198.18.0.0/15;
// the three /24s have fewer than 1,000 addresses); the process must run in a network namespace made by
// `ip netns add` (the test's own); at most 20,000 packets/s and 120 s.
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/ike/initiator.hpp"

using namespace ravpn;
using namespace ravpn::ike;

namespace {

const char* kUsage = R"(usage: ravpn-ike-flood --target ADDR[:PORT] --sources CIDR[,CIDR...] [options]
  --kind aggressive|main|fragments   what to send (aggressive)
  --rate R           packets per second (10000, at most 20000)
  --seconds S        how long (10, at most 120)
  --group NAME       aggressive mode ID_KEY_ID (vpn3000)
  --templates N      distinct DH public values to cycle through (16)
  --seed N           cookies (default: random)
Sources and target must be in 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 or 198.18.0.0/15, and the tool must run
in a network namespace made by `ip netns add`.
)";

struct Net {
  uint32_t base, mask;  // host order
  bool contains(uint32_t a) const { return (a & mask) == base; }
};

const Net kAllowed[] = {{0xc0000200, 0xffffff00}, {0xc6336400, 0xffffff00}, {0xcb007100, 0xffffff00},
                        {0xc6120000, 0xfffe0000}};

bool allowed(uint32_t a) {
  for (const auto& n : kAllowed)
    if (n.contains(a)) return true;
  return false;
}

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "ravpn-ike-flood: %s\n", why.c_str());
  std::exit(2);
}

// "198.51.100.0/24" -> its host addresses (network and broadcast left out).
std::vector<uint32_t> expand(const std::string& cidr) {
  const auto slash = cidr.find('/');
  if (slash == std::string::npos) die("not a CIDR: " + cidr);
  in_addr a{};
  if (inet_pton(AF_INET, cidr.substr(0, slash).c_str(), &a) != 1) die("not an address: " + cidr);
  const int bits = std::stoi(cidr.substr(slash + 1));
  if (bits < 15 || bits > 32) die("prefix length must be 15..32: " + cidr);
  const uint32_t mask = bits == 32 ? ~0u : ~((1u << (32 - bits)) - 1);
  const uint32_t base = ntohl(a.s_addr) & mask;
  std::vector<uint32_t> out;
  for (uint32_t host = 0; host <= ~mask; ++host) {
    const uint32_t x = base | host;
    if (bits < 31 && (host == 0 || host == ~mask)) continue;
    if (!allowed(x)) die("source outside the documentation and benchmarking ranges: " + cidr);
    out.push_back(x);
  }
  return out;
}

// In a namespace `ip netns add` made (a bind mount under /run/netns), as the tests' topology makes them.
bool in_test_network_namespace() {
  struct stat self{};
  if (stat("/proc/self/ns/net", &self) != 0) return false;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/run/netns", ec)) {
    struct stat named{};
    if (stat(entry.path().c_str(), &named) == 0 && named.st_ino == self.st_ino && named.st_dev == self.st_dev)
      return true;
  }
  return false;
}

std::vector<Bytes> templates(const std::string& kind, const std::string& group, int count, Endpoint target) {
  std::vector<Bytes> out;
  for (int i = 0; i < count; ++i) {
    test::InitiatorOptions o;
    o.responder = target;
    o.self = Endpoint{Ipv4::parse("198.51.100.7").value(), 500};
    o.seed = 9000 + uint64_t(i);
    if (kind == "aggressive") {
      // vpnc's offer as ike-scan -A sends it: 3DES-MD5, XAUTHInitPreShared, group 2.
      o.transforms = {test::make_transform(1, ike_enc::TripleDes, ike_hash::Md5, ike_auth::XauthInitPreShared, 2)};
      o.id = IdPayload{id_type::KeyId, 17, 500, Bytes(group.begin(), group.end())};
      o.vendor_ids = {test::vid::xauth(), test::vid::dpd(), test::vid::unity()};
      test::Initiator ini(o);
      out.push_back(ini.am1().data);
    } else {
      o.transforms = {test::make_transform(1, ike_enc::TripleDes, ike_hash::Md5, ike_auth::PreShared, 2)};
      o.vendor_ids = {test::vid::xauth(), test::vid::dpd()};
      test::Initiator ini(o);
      out.push_back(ini.mm1().data);
    }
  }
  return out;
}

// The first fragment (of two or more) of a message that never completes: header with next payload 132.
Bytes fragment_template() {
  Header h;
  h.next_payload = PayloadType(132);
  h.exchange = ExchangeType::Aggressive;
  const size_t data = 500;
  h.length = uint32_t(kHeaderSize + 8 + data);
  Bytes b = serialize_header(h);
  const uint16_t len = uint16_t(8 + data);
  for (uint8_t x : {uint8_t(0), uint8_t(0), uint8_t(len >> 8), uint8_t(len), uint8_t(0), uint8_t(0), uint8_t(1),
                    uint8_t(0)})
    b.push_back(x);
  b.resize(b.size() + data, 0x5a);
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  std::string target_text, sources_text, kind = "aggressive", group = "vpn3000";
  double rate = 10000, seconds = 10;
  int template_count = 16;
  uint64_t seed = std::random_device{}();
  static const option longs[] = {{"target", required_argument, nullptr, 't'},   {"sources", required_argument, nullptr, 's'},
                                 {"kind", required_argument, nullptr, 'k'},     {"rate", required_argument, nullptr, 'r'},
                                 {"seconds", required_argument, nullptr, 'd'},  {"group", required_argument, nullptr, 'g'},
                                 {"templates", required_argument, nullptr, 'n'}, {"seed", required_argument, nullptr, 'e'},
                                 {"help", no_argument, nullptr, 'h'},           {nullptr, 0, nullptr, 0}};
  for (int c; (c = getopt_long(argc, argv, "", longs, nullptr)) != -1;) {
    switch (c) {
      case 't': target_text = optarg; break;
      case 's': sources_text = optarg; break;
      case 'k': kind = optarg; break;
      case 'r': rate = std::stod(optarg); break;
      case 'd': seconds = std::stod(optarg); break;
      case 'g': group = optarg; break;
      case 'n': template_count = std::max(1, std::stoi(optarg)); break;
      case 'e': seed = std::stoull(optarg); break;
      default: std::fputs(kUsage, c == 'h' ? stdout : stderr); return c == 'h' ? 0 : 2;
    }
  }
  if (target_text.empty() || sources_text.empty()) die(std::string("--target and --sources are required\n") + kUsage);
  if (kind != "aggressive" && kind != "main" && kind != "fragments") die("--kind: aggressive, main or fragments");
  if (rate <= 0 || rate > 20000) die("--rate: 1..20000 packets per second");
  if (seconds <= 0 || seconds > 120) die("--seconds: at most 120");
  if (!in_test_network_namespace()) die("refusing to run outside a namespace made by `ip netns add` (a test namespace)");

  Endpoint target{};
  {
    const auto colon = target_text.find(':');
    auto a = Ipv4::parse(target_text.substr(0, colon));
    if (!a) die("--target: not an address");
    target = Endpoint{*a, uint16_t(colon == std::string::npos ? 500 : std::stoul(target_text.substr(colon + 1)))};
  }
  in_addr ta{};
  inet_pton(AF_INET, target.address.str().c_str(), &ta);
  if (!allowed(ntohl(ta.s_addr))) die("--target outside the documentation and benchmarking ranges");
  std::vector<uint32_t> sources;
  for (size_t from = 0; from <= sources_text.size();) {
    const auto comma = sources_text.find(',', from);
    const auto part = sources_text.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
    for (auto a : expand(part)) sources.push_back(a);
    if (comma == std::string::npos) break;
    from = comma + 1;
  }
  if (sources.empty()) die("no source addresses");

  const std::vector<Bytes> messages = kind == "fragments" ? std::vector<Bytes>{fragment_template()}
                                                          : templates(kind, group, template_count, target);
  const int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);  // IP_HDRINCL: we write the spoofed source
  if (fd < 0) die(std::string("raw socket: ") + std::strerror(errno));
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr = ta;

  constexpr size_t kBatch = 64;
  std::vector<std::vector<uint8_t>> packets(kBatch);
  std::vector<iovec> iov(kBatch);
  std::vector<mmsghdr> msgs(kBatch);
  std::mt19937_64 random(seed);
  const auto start = std::chrono::steady_clock::now();
  const auto stop = start + std::chrono::duration<double>(seconds);
  const uint64_t total = uint64_t(rate * seconds);
  uint64_t sent = 0, failed = 0;
  while (sent + failed < total) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= stop + std::chrono::seconds(1)) break;  // a slow machine: the time bound wins
    const uint64_t due = std::min<uint64_t>(total, uint64_t(rate * std::chrono::duration<double>(now - start).count()));
    if (sent + failed >= due) {
      std::this_thread::sleep_for(std::chrono::microseconds(500));
      continue;
    }
    const size_t n = std::min<uint64_t>(kBatch, due - sent - failed);
    for (size_t i = 0; i < n; ++i) {
      const uint64_t k = sent + failed + i;
      const Bytes& m = messages[k % messages.size()];
      auto& p = packets[i];
      p.assign(sizeof(iphdr) + sizeof(udphdr) + m.size(), 0);
      auto* ip = reinterpret_cast<iphdr*>(p.data());
      ip->version = 4;
      ip->ihl = 5;
      ip->ttl = 64;
      ip->protocol = IPPROTO_UDP;
      ip->saddr = htonl(sources[k % sources.size()]);
      ip->daddr = ta.s_addr;
      auto* udp = reinterpret_cast<udphdr*>(p.data() + sizeof(iphdr));
      udp->source = htons(500);
      udp->dest = htons(target.port);
      udp->len = htons(uint16_t(sizeof(udphdr) + m.size()));
      udp->check = 0;  // RFC 768: no checksum
      uint8_t* payload = p.data() + sizeof(iphdr) + sizeof(udphdr);
      std::memcpy(payload, m.data(), m.size());
      const uint64_t cookie = random() | 1;
      std::memcpy(payload, &cookie, 8);  // a fresh initiator cookie: a new negotiation each time
      if (kind == "fragments") {
        const uint16_t id = uint16_t(random());
        std::memcpy(payload + kHeaderSize + 4, &id, 2);
      }
      iov[i] = {p.data(), p.size()};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_name = &to;
      msgs[i].msg_hdr.msg_namelen = sizeof to;
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int r = sendmmsg(fd, msgs.data(), unsigned(n), 0);
    if (r < 0) {
      ++failed;  // ENOBUFS and the like: counted, the flood goes on
      continue;
    }
    sent += uint64_t(r);
    if (size_t(r) < n) failed += n - size_t(r);
  }
  close(fd);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"kind\":\"%s\",\"sent\":%llu,\"failed\":%llu,\"seconds\":%.2f,\"rate\":%.0f,\"sources\":%zu}\n",
              kind.c_str(), (unsigned long long)sent, (unsigned long long)failed, took, sent / took, sources.size());
  return 0;
}
