// Driver for tests/xauth/test_freeradius.sh: the real RADIUS backend against a FreeRADIUS the script started on
// 127.0.0.1, a port this driver holds open without answering (SILENT_PORT) and one where nothing listens
// (CLOSED_PORT). Jobs run on their own threads and `done` comes back on the main thread, as on the daemon's AAA pool.
// Prints one line per check and never a password or a key; exits 1 if a check failed.
//   radius_check ALIVE_PORT SILENT_PORT CLOSED_PORT
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include "tests/xauth/backend_driver.hpp"
#include "xauth/radius_backend.hpp"

using namespace ravpn;
using namespace ravpn::xauth;
using namespace ravpn::xauth::check;

namespace {

RadiusServer server(uint16_t port, const std::string& key, unsigned timeout, unsigned retransmits) {
  RadiusServer s;
  s.address = *Ipv4::parse("127.0.0.1");
  s.port = port;
  s.key = key;
  s.timeout_seconds = timeout;
  s.retransmits = retransmits;
  return s;
}

std::unique_ptr<Backend> backend(ThreadWorker& worker, std::vector<RadiusServer> servers) {
  RadiusSettings settings;
  settings.name = "test";
  settings.servers = std::move(servers);
  return make_radius_backend(std::move(settings), worker);
}

}  // namespace

// A UDP socket on 127.0.0.1:port that never answers: a server that is down behind a firewall dropping packets.
int black_hole(uint16_t port) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    std::perror("bind the silent port");
    std::exit(2);
  }
  return fd;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: radius_check ALIVE_PORT SILENT_PORT CLOSED_PORT\n");
    return 2;
  }
  const auto alive = uint16_t(std::atoi(argv[1])), dead = uint16_t(std::atoi(argv[2])),
             closed = uint16_t(std::atoi(argv[3]));
  const int silent_fd = black_hole(dead);
  ThreadWorker worker;

  auto one = backend(worker, {server(alive, "secretkey", 2, 1)});
  report(true, "backend", one->describe());
  expect(*one, worker, "john with the right password", creds("john", "doe"), Verdict::Accept,
         "accepted by RADIUS server 127.0.0.1");
  expect(*one, worker, "john with a wrong password", creds("john", "Wr0ng-Pa55"), Verdict::Reject,
         "rejected by RADIUS server 127.0.0.1");
  expect(*one, worker, "an unknown user", creds("nobody", "doe"), Verdict::Reject, "rejected by RADIUS server");
  expect(*one, worker, "jane, password with a blank and a colon", creds("jane", "jane S3cret:with colon"),
         Verdict::Accept);

  // 1 s timeout, 1 retransmission: two tries, about 2 s.
  auto down = backend(worker, {server(dead, "secretkey", 1, 1)});
  expect(*down, worker, "a server that never answers", creds("john", "doe"), Verdict::Unavailable,
         "timed out (2 tries of 1 s)", 1.8, 4.5);
  auto refused = backend(worker, {server(closed, "secretkey", 1, 1)});
  expect(*refused, worker, "nothing listening", creds("john", "doe"), Verdict::Unavailable,
         "nothing listens there (ICMP port unreachable)", 0, 0.9);

  auto failover = backend(worker, {server(dead, "secretkey", 1, 0), server(alive, "secretkey", 2, 1)});
  expect(*failover, worker, "first server dead, second alive", creds("john", "doe"), Verdict::Accept,
         "accepted by RADIUS server 127.0.0.1", 0.9, 4);
  expect(*failover, worker, "first server dead, second rejects", creds("john", "Wr0ng-Pa55"), Verdict::Reject,
         "rejected by RADIUS server", 0.9, 4);
  auto failover_closed = backend(worker, {server(closed, "secretkey", 1, 3), server(alive, "secretkey", 2, 1)});
  expect(*failover_closed, worker, "first server closed, second alive", creds("john", "doe"), Verdict::Accept,
         "accepted by RADIUS server 127.0.0.1", 0, 0.9);

  // FreeRADIUS drops a request whose Message-Authenticator was made with another key: no answer at all.
  auto wrong_key = backend(worker, {server(alive, "not-the-key", 1, 0)});
  expect(*wrong_key, worker, "a wrong shared secret", creds("john", "doe"), Verdict::Unavailable, "timed out");

  // Eight at once, each on its own thread with its own socket.
  expect_eight_at_once(*one, worker, creds("john", "doe"), creds("john", "Wr0ng-Pa55"));

  // Through the configuration, as the daemon builds it.
  {
    config::Config pix;
    pix.dialect = config::Dialect::Pix;
    config::AaaServer tag;
    tag.tag = "AuthInbound";
    tag.protocol = "radius";
    pix.aaa_servers.push_back(tag);
    config::AaaServer host = tag;
    host.host = *Ipv4::parse("127.0.0.1");
    host.key = "secretkey";
    host.timeout_seconds = 2;
    host.auth_port = alive;  // PIX `aaa-server radius-authport`
    pix.aaa_servers.push_back(host);
    auto choice = make_backend(pix, "AuthInbound", &worker);
    report(choice.backend != nullptr, "PIX aaa-server AuthInbound",
           choice.backend ? choice.backend->describe() : choice.problem);
    if (choice.backend)
      expect(*choice.backend, worker, "PIX tag: john", creds("john", "doe"), Verdict::Accept);

    // IOS `aaa authentication login userauthen group radius local` with the server down: local answers (4 tries of
    // 1 s first, Cisco's 3 retransmissions; at once when nothing listens).
    config::Config ios;
    ios.dialect = config::Dialect::Ios;
    ios.aaa_new_model = true;
    ios.users["john"].name = "john";
    ios.users["john"].password = "local-Pa55";
    ios.aaa_authentication_login["userauthen"] = config::AaaList{"userauthen", {"radius", "local"}, {}};
    config::AaaServer radius = host;
    radius.tag = "radius";
    radius.auth_port = dead;
    radius.timeout_seconds = 1;
    ios.aaa_servers.push_back(radius);
    auto list = make_backend(ios, "userauthen", &worker);
    report(list.backend != nullptr, "IOS group radius local", list.backend ? list.backend->describe() : list.problem);
    if (list.backend) {
      expect(*list.backend, worker, "RADIUS down, local user", creds("john", "local-Pa55"), Verdict::Accept,
             "local password", 3.5, 8);
      expect(*list.backend, worker, "RADIUS down, local rejects", creds("john", "doe"), Verdict::Reject,
             "bad password", 3.5, 8);
    }
    ios.aaa_servers.back().auth_port = closed;
    auto closed_list = make_backend(ios, "userauthen", &worker);
    if (closed_list.backend)
      expect(*closed_list.backend, worker, "RADIUS port closed, local user", creds("john", "local-Pa55"),
             Verdict::Accept, "local password", 0, 0.9);
    // RADIUS answers: its reject is final, local is not asked (john's local password would have matched).
    ios.aaa_servers.back().auth_port = alive;
    auto up_list = make_backend(ios, "userauthen", &worker);
    if (up_list.backend) {
      expect(*up_list.backend, worker, "RADIUS up, rejects the local password", creds("john", "local-Pa55"),
             Verdict::Reject, "rejected by RADIUS server 127.0.0.1");
      expect(*up_list.backend, worker, "RADIUS up, accepts", creds("john", "doe"), Verdict::Accept,
             "accepted by RADIUS server 127.0.0.1");
    }
  }
  close(silent_fd);

  std::printf("%s: %d check(s) failed\n", failures ? "FAIL" : "PASS", failures);
  return failures ? 1 : 0;
}
