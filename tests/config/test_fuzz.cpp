// Robustness: random, truncated and shuffled lines from the fixtures never make parse_ios throw.
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
                        "err-missing-pool.cfg", "err-missing-transform.cfg"}) {
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
  return out;
}

}  // namespace

TEST_CASE("fuzz: random lines, truncations and bytes never escape parse_ios") {
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
  }
}
