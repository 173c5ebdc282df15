// cisco4x-replay: the Cisco VPN Client 4.0.5 login of the seed PIX trace (tests/ike/cisco4x_client.hpp) over UDP
// against a running head-end: aggressive mode with the 4.x client's transforms and vendor IDs, Xauth, the
// mode-config pull, then the two quick modes (the head-end's own address /32 and 0.0.0.0/0).
//
//   cisco4x-replay --local 192.0.2.5 --gateway 192.0.2.1 --group vpn3000 --key K --user U --password P
//                  [--phase1-only] [--keys FILE] [--seed N] [--wait-ms N] [--retransmits N]
//
// Progress goes to stderr. With --keys, FILE (mode 0600) gets shell assignments of what was negotiated, for a test
// to check and to install the client's side of the SA pairs with `ip xfrm` (PAIRn_SPI_IN, PAIRn_ENC_IN... for the
// head-end -> client SA, PAIRn_SPI_OUT... for client -> head-end). Exit 0 when every step passed, 1 otherwise,
// 2 on bad usage. A test tool: it holds keys in its output file on purpose.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "tests/ike/cisco4x_client.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;

namespace {

class Udp final : public cisco4x::Transport {
 public:
  Udp(Endpoint local, Endpoint gateway) : local_(local), gateway_(gateway) {
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a = addr(local);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      throw std::runtime_error("bind " + local.str() + ": " + std::strerror(errno));
  }
  ~Udp() override { close(fd_); }
  Udp(const Udp&) = delete;
  Udp& operator=(const Udp&) = delete;

  void send(const Datagram& d) override {
    sockaddr_in to = addr(d.to);
    if (sendto(fd_, d.data.data(), d.data.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0)
      std::cerr << "cisco4x-replay: sendto " << d.to.str() << ": " << std::strerror(errno) << "\n";
  }

  std::optional<Datagram> receive(std::chrono::milliseconds timeout) override {
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, int(left.count())) <= 0) continue;
      uint8_t buf[65536];
      sockaddr_in from{};
      socklen_t len = sizeof from;
      ssize_t n = recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n < 0) continue;
      Endpoint f{Ipv4{ntohl(from.sin_addr.s_addr)}, ntohs(from.sin_port)};
      if (f != gateway_) continue;  // only the head-end's answers
      return Datagram{f, local_, Bytes(buf, buf + n)};
    }
  }

 private:
  static sockaddr_in addr(const Endpoint& e) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(e.port);
    a.sin_addr.s_addr = htonl(e.address.value);
    return a;
  }
  Endpoint local_, gateway_;
  int fd_ = -1;
};

std::string hex(ByteView b) { return "0x" + to_hex(b); }

std::string u32_hex(uint32_t v) {
  char s[16];
  std::snprintf(s, sizeof s, "0x%08x", v);
  return s;
}

void write_keys(const std::string& path, const cisco4x::LoginResult& r) {
  std::ostringstream o;
  o << "PHASE1_TRANSFORM=" << int(r.phase1_transform) << "\n";
  if (r.address) o << "ADDRESS=" << r.address->str() << "\n";
  o << "PAIRS=" << r.pairs.size() << "\n";
  for (size_t i = 0; i < r.pairs.size(); ++i) {
    const auto& p = r.pairs[i];
    const std::string n = "PAIR" + std::to_string(i + 1) + "_";
    o << n << "REMOTE=" << p.remote.str() << "\n"
      << n << "PROPOSAL=" << int(p.proposal) << "\n"
      << n << "ENC='" << cisco4x::xfrm_cipher(p.esp_transform) << "'\n"
      << n << "AUTH='" << cisco4x::xfrm_auth(p.auth) << "'\n"
      << n << "SPI_IN=" << u32_hex(p.spi_in) << "\n"
      << n << "ENC_IN=" << hex(p.enc_in) << "\n"
      << n << "AUTH_IN=" << hex(p.auth_in) << "\n"
      << n << "SPI_OUT=" << u32_hex(p.spi_out) << "\n"
      << n << "ENC_OUT=" << hex(p.enc_out) << "\n"
      << n << "AUTH_OUT=" << hex(p.auth_out) << "\n"
      << n << "RESPONDER_LIFETIME=" << (p.responder_lifetime ? 1 : 0) << "\n";
  }
  const std::string text = o.str();
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || write(fd, text.data(), text.size()) != ssize_t(text.size()))
    throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
  close(fd);
}

std::optional<Endpoint> endpoint(const std::string& s) {
  auto colon = s.find(':');
  auto a = Ipv4::parse(s.substr(0, colon));
  if (!a) return std::nullopt;
  Endpoint e{*a, kIkePort};
  if (colon != std::string::npos) e.port = uint16_t(std::stoul(s.substr(colon + 1)));
  return e;
}

int usage(const char* why) {
  std::cerr << "cisco4x-replay: " << why << "\n"
            << "usage: cisco4x-replay --local ADDR[:PORT] --gateway ADDR[:PORT] --group G --key K --user U --password P\n"
               "                      [--phase1-only] [--keys FILE] [--seed N] [--wait-ms N] [--retransmits N]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<Endpoint> local, gateway;
  std::string group, key, user, password, keys_file;
  bool phase1_only = false;
  uint64_t seed = uint64_t(std::time(nullptr)) ^ (uint64_t(getpid()) << 32);
  int wait_ms = 2000, retransmits = 3;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "--local") local = endpoint(value());
      else if (a == "--gateway") gateway = endpoint(value());
      else if (a == "--group") group = value();
      else if (a == "--key") key = value();
      else if (a == "--user") user = value();
      else if (a == "--password") password = value();
      else if (a == "--keys") keys_file = value();
      else if (a == "--seed") seed = std::stoull(value());
      else if (a == "--wait-ms") wait_ms = std::stoi(value());
      else if (a == "--retransmits") retransmits = std::stoi(value());
      else if (a == "--phase1-only") phase1_only = true;
      else return usage(("unknown option " + a).c_str());
    } catch (const std::exception& e) {
      return usage(e.what());
    }
  }
  if (!local || !gateway) return usage("--local and --gateway must be IPv4 addresses");
  if (group.empty() || key.empty() || user.empty()) return usage("--group, --key and --user are required");

  cisco4x::LoginOptions o;
  o.ike = cisco4x::initiator_options(*local, *gateway, group, key, seed);
  o.user = user;
  o.password = password;
  o.quick_modes = !phase1_only;
  o.wait = std::chrono::milliseconds(wait_ms);
  o.retransmits = retransmits;
  try {
    Udp udp(*local, *gateway);
    cisco4x::Session s(o);
    const auto r = cisco4x::login(udp, s);
    for (const auto& line : r.steps) std::cerr << "cisco4x-replay: " << line << "\n";
    if (!keys_file.empty()) write_keys(keys_file, r);
    if (!r.ok()) {
      std::cerr << "cisco4x-replay: FAILED: " << r.error << "\n";
      return 1;
    }
    std::cerr << "cisco4x-replay: login complete\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "cisco4x-replay: " << e.what() << "\n";
    return 1;
  }
}
