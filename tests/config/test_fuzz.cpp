// Robustness: random, truncated and shuffled lines from the fixtures never make parse_ios or parse_pix throw.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "tests/config/fixtures.hpp"

using namespace ravpn::config;
using namespace ravpn::config::test;

namespace {

std::vector<std::string> fixture_lines() {
  std::vector<std::string> out;
  for (const char* f : {"ios-seed.cfg", "ios-easyvpn.cfg", "ios-masked.cfg", "err-bad-address.cfg",
                        "err-missing-pool.cfg", "err-missing-transform.cfg", "pix-seed.cfg", "pix-seed.secrets"}) {
    std::string text = read_fixture(f);
    size_t start = 0;
    for (size_t i = 0; i <= text.size(); ++i)
      if (i == text.size() || text[i] == '\n') {
        out.push_back(text.substr(start, i - start));
        start = i + 1;
      }
  }
  // Lines that exercise the odd paths.
  for (const char* extra : {"banner motd ^C", "banner exec #", " banner ^Cx", "crypto isakmp key 6",
                            "crypto map", "crypto map x 1", "username u password 7", "ip nat inside source",
                            "route-map", "interface", "no", "!", "end", "ip local pool p 1.2.3.4 1.2.3.3",
                            "crypto isakmp client configuration group", " dns", "access-list 99999999999 permit"})
    out.emplace_back(extra);
  // PIX forms with the odd paths: names, ranges, pairs, ports, PAT, ASA syntax.
  for (const char* extra :
       {"name 10.0.0.5 web", "names", "access-list a permit tcp any host web eq www", "access-list a permit tcp",
        "access-list a deny udp any range 1 0 any", "access-list a permit icmp any any echo-reply log 3 interval 5",
        "access-list a permit ip object-group g any", "static (inside,outside) tcp interface www web www",
        "static (inside,outside) udp 192.0.2.5 53 10.0.0.5 domain netmask 255.255.255.255 10 5",
        "static (inside,", "static (,) 1.2.3.4 1.2.3.4", "global (outside) 2 192.0.2.20", "global (outside) 2 interface",
        "global (outside) 0 1.2.3.4", "global (outside) 3 1.2.3.9-1.2.3.1", "nat (inside) 2 access-list 101 dns 5",
        "nat (inside) 0 0 0", "nat 7 10.0.0.0 255.0.0.0", "nat (inside)", "ip local pool p 10.0.0.1-10.0.0.9 mask 255.0.0.0",
        "ip local pool q web", "vpngroup g dns-server 1.2.3.4 5.6.7.8 9.9.9.9", "vpngroup g password", "vpngroup",
        "isakmp policy 1 encryption aes-256", "isakmp policy 70000 hash sha", "isakmp key ******** address 1.2.3.4",
        "isakmp key k address 1.2.3.4 netmask 255.0.255.0 no-xauth no-config-mode", "isakmp nat-traversal",
        "crypto map m 10 ipsec-manual", "crypto map m 20 set session-key inbound esp 256 cipher abc",
        "crypto map m interface nowhere", "crypto dynamic-map d 1 set pfs group5", "crypto isakmp policy 1",
        "tunnel-group x type ipsec-ra", " nameif outside", "interface Ethernet0/0", "PIX Version 7.0(1)",
        "ASA Version 8.0(4)", "Cryptochecksum:", "Cryptochecksum:abc", ": end", "aaa-server T (dmz) host 1.2.3.4 k",
        "aaa-server T protocol radius", "aaa-server radius-authport 1812", "username u password p encrypted privilege 15",
        "sysopt noproxyarp inside", "mtu inside 99999", "route inside 0 0 web 2", "nameif ethernet2 dmz security101",
        "access-group 120 in interface", "object-group network g", " network-object host 1.2.3.4"})
    out.emplace_back(extra);
  return out;
}

// A handler that throws something other than a LineError is a bug the dispatcher only contains.
bool no_internal_error(const Config& c) {
  for (const auto& d : c.diagnostics)
    if (d.message.find("internal error") != std::string::npos) {
      MESSAGE(d.origin.line << ": " << d.message);
      return false;
    }
  return true;
}

}  // namespace

TEST_CASE("fuzz: random lines, truncations and bytes never escape parse_ios or parse_pix") {
  auto lines = fixture_lines();
  std::mt19937 rng(20240601);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    int n = int(rng() % 40);
    for (int i = 0; i < n; ++i) {
      std::string line = lines[rng() % lines.size()];
      switch (rng() % 6) {
        case 0: line = line.substr(0, rng() % (line.size() + 1)); break;  // truncate
        case 1:
          if (!line.empty()) line[rng() % line.size()] = char(rng() % 256);  // flip a byte
          break;
        case 2: line = " " + line; break;
        case 3: line += " " + lines[rng() % lines.size()]; break;
        default: break;
      }
      text += line;
      text += (rng() % 10 == 0) ? "\r\n" : (rng() % 10 == 0 ? "\r" : "\n");
    }
    if (rng() % 4 == 0) text = text.substr(0, rng() % (text.size() + 1));
    CHECK_NOTHROW({
      Config c = parse_ios(text, "fuzz.cfg");
      validate(c);
      apply_secrets(c, text, "fuzz.secrets");
      (void)to_json(c).dump();
      (void)c.ike_addresses();
      (void)c.key_for_peer(ip("192.0.2.1"));
      CHECK(no_internal_error(c));
    });
    CHECK_NOTHROW({
      Config c = parse_pix(text, "fuzz.cfg");
      apply_secrets(c, text, "fuzz.secrets");
      validate(c);
      (void)to_json(c).dump();
      (void)c.ike_addresses();
      (void)c.key_for_peer(ip("192.0.2.1"));
      CHECK(no_internal_error(c));
    });
  }
}

TEST_CASE("fuzz: pure random bytes") {
  std::mt19937 rng(7);
  for (int round = 0; round < 500; ++round) {
    std::string text(rng() % 2000, '\0');
    for (auto& ch : text) ch = char(rng() % 256);
    CHECK_NOTHROW({
      Config c = parse_ios(text, "bytes.cfg");
      validate(c);
      (void)to_json(c).dump();  // strict: throws on invalid UTF-8
    });
    CHECK_NOTHROW({
      Config c = parse_pix(text, "bytes.cfg");
      validate(c);
      (void)to_json(c).dump();
      CHECK(no_internal_error(c));
    });
  }
}
