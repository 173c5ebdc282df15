// Driver for tests/xauth/test_tacacs_server.sh: the real TACACS+ backend (TCP, obfuscation, single-connection,
// failover) against tests/tools/tacacs_server.py instances the script started on 127.0.0.1. Prints one line per
// check and never a password or a key; exits 1 if a check failed.
//   tacacs_check OK_PORT GARBAGE_PORT SILENT_PORT CLOSED_PORT OTHER_PORT
// OK_PORT: key "tackey", users john/doe and "jane"/"jane S3cret:with colon", single-connection offered. OTHER_PORT:
// the same server for the wrong-key check (the script captures OK_PORT for tshark, which must decode every packet).
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "tests/xauth/backend_driver.hpp"
#include "xauth/tacacs_backend.hpp"

using namespace ravpn;
using namespace ravpn::xauth;
using namespace ravpn::xauth::check;

namespace {

TacacsServer server(uint16_t port, const std::string& key, unsigned timeout,
                    tacacs::AuthenType login = tacacs::AuthenType::Ascii) {
  TacacsServer s;
  s.address = *Ipv4::parse("127.0.0.1");
  s.port = port;
  s.key = key;
  s.timeout_seconds = timeout;
  s.login = login;
  return s;
}

std::unique_ptr<Backend> backend(ThreadWorker& worker, std::vector<TacacsServer> servers) {
  TacacsSettings settings;
  settings.name = "test";
  settings.servers = std::move(servers);
  return make_tacacs_backend(std::move(settings), worker);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: tacacs_check OK_PORT GARBAGE_PORT SILENT_PORT CLOSED_PORT OTHER_PORT\n");
    return 2;
  }
  const auto ok = uint16_t(std::atoi(argv[1])), garbage = uint16_t(std::atoi(argv[2])),
             silent = uint16_t(std::atoi(argv[3])), closed = uint16_t(std::atoi(argv[4])),
             other = uint16_t(std::atoi(argv[5]));
  ThreadWorker worker;

  // Three sessions in a row: the server agrees to single-connection, so they share one TCP connection (the script
  // counts the server's "single-connection from" lines).
  auto ascii = backend(worker, {server(ok, "tackey", 3)});
  report(true, "backend", ascii->describe());
  expect(*ascii, worker, "ASCII: john with the right password", creds("john", "doe"), Verdict::Accept,
         "accepted by TACACS+ server 127.0.0.1");
  expect(*ascii, worker, "ASCII: john with a wrong password", creds("john", "Wr0ng-Pa55"), Verdict::Reject,
         "rejected by TACACS+ server 127.0.0.1 (bad user or password)");
  expect(*ascii, worker, "ASCII: jane, password with a blank and a colon", creds("jane", "jane S3cret:with colon"),
         Verdict::Accept);

  auto pap = backend(worker, {server(ok, "tackey", 3, tacacs::AuthenType::Pap)});
  expect(*pap, worker, "PAP: john", creds("john", "doe"), Verdict::Accept);
  expect(*pap, worker, "PAP: an unknown user", creds("nobody", "doe"), Verdict::Reject);

  auto wrong_key = backend(worker, {server(other, "not-the-key", 3)});
  expect(*wrong_key, worker, "a wrong key", creds("john", "doe"), Verdict::Unavailable, "(wrong key?)", 0, 2);
  auto junk = backend(worker, {server(garbage, "tackey", 3)});
  expect(*junk, worker, "a server answering garbage", creds("john", "doe"), Verdict::Unavailable,
         "garbage: not TACACS+", 0, 2);
  auto down = backend(worker, {server(silent, "tackey", 1)});
  expect(*down, worker, "a server that never answers", creds("john", "doe"), Verdict::Unavailable, "timed out", 0.9,
         3);
  auto refused = backend(worker, {server(closed, "tackey", 1)});
  expect(*refused, worker, "nothing listening", creds("john", "doe"), Verdict::Unavailable,
         "connect: Connection refused", 0, 0.9);

  auto failover = backend(worker, {server(closed, "tackey", 1), server(silent, "tackey", 1), server(ok, "tackey", 3)});
  expect(*failover, worker, "closed, then silent, then the good server", creds("john", "doe"), Verdict::Accept,
         "accepted by TACACS+ server 127.0.0.1", 0.9, 3);
  expect(*failover, worker, "closed, then silent, then a reject", creds("john", "Wr0ng-Pa55"), Verdict::Reject,
         "rejected by TACACS+", 0.9, 3);

  // Eight at once, each on its own thread: one may take the idle connection, the others open their own.
  expect_eight_at_once(*ascii, worker, creds("john", "doe"), creds("john", "Wr0ng-Pa55"));

  // Through the configuration, as the daemon builds it: PIX `aaa-server AuthInbound protocol tacacs+`.
  {
    config::Config pix;
    pix.dialect = config::Dialect::Pix;
    config::AaaServer host;
    host.tag = "AuthInbound";
    host.protocol = "tacacs+";
    host.host = *Ipv4::parse("127.0.0.1");
    host.key = "tackey";
    host.timeout_seconds = 2;
    host.auth_port = ok;
    pix.aaa_servers.push_back(host);
    auto choice = make_backend(pix, "AuthInbound", &worker);
    report(choice.backend != nullptr, "PIX aaa-server AuthInbound",
           choice.backend ? choice.backend->describe() : choice.problem);
    if (choice.backend) expect(*choice.backend, worker, "PIX tag: john", creds("john", "doe"), Verdict::Accept);
  }

  std::printf("%s: %d check(s) failed\n", failures ? "FAIL" : "PASS", failures);
  return failures ? 1 : 0;
}
