// Driver for tests/xauth/test_accounting_servers.sh: one session's Start, Interim-Update and Stop through the real
// exchanges (xauth/accounting_exchange.cpp, xauth/tacacs_accounting.cpp) to a server on 127.0.0.1, through the
// sender's queue. Prints one line per record; exits 1 unless the server acknowledged all three.
//   accounting_check radius|tacacs PORT KEY
#include <cstdio>
#include <cstdlib>
#include <string>

#include "xauth/accounting_exchange.hpp"
#include "xauth/tacacs_accounting.hpp"

using namespace ravpn;
using namespace ravpn::xauth::accounting;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: accounting_check radius|tacacs PORT KEY\n");
    return 2;
  }
  const std::string protocol = argv[1];
  Settings settings;
  settings.protocol = protocol == "tacacs" ? Protocol::Tacacs : Protocol::Radius;
  settings.nas_identifier = "ravpn-check";
  settings.servers = {{*Ipv4::parse("127.0.0.1"), uint16_t(std::atoi(argv[2])), argv[3], 2, 1}};
  const Exchange exchange = exchange_for(settings);

  Record r;
  r.session.id = "5F00000000000001";
  r.session.user = "john";
  r.session.peer = *Ipv4::parse("198.51.100.7");
  r.session.address = *Ipv4::parse("10.89.129.201");
  r.session.classes = {"ACCT-CLASS-john"};
  r.session.start_unix = 1700000000;
  r.made = Clock::now();
  int failed = 0;
  for (Kind kind : {Kind::Start, Kind::Interim, Kind::Stop}) {
    r.kind = kind;
    r.event_unix = r.session.start_unix + (kind == Kind::Start ? 0 : kind == Kind::Interim ? 60 : 95);
    r.session_seconds = uint32_t(r.event_unix - r.session.start_unix);
    if (kind != Kind::Start) r.traffic = {(uint64_t(1) << 32) + 1234, 5678, 12, 34};
    r.cause = Cause::SessionTimeout;
    Round round = deliver(settings, exchange, r, 2);
    const bool ok = round.answered.has_value();
    failed += !ok;
    std::printf("%s %s %s%s\n", ok ? "ok -" : "FAIL -", name(settings.protocol), name(kind),
                ok ? " acknowledged" : (": " + (round.failures.empty() ? "?" : round.failures.back())).c_str());
  }
  return failed ? 1 : 0;
}
