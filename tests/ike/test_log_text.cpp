// Peer text in logs and JSON (ike/log_text.hpp), the flood limiter (ike/log_limiter.hpp), endpoints and SA tags.
#include <doctest/doctest.h>

#include "harness.hpp"
#include "ike/log_limiter.hpp"
#include "ike/log_text.hpp"
#include "ike/phase1_sa.hpp"

namespace ravpn::test {
namespace {

TEST_CASE("peer text: control characters, ESC, backslash and bytes that are not UTF-8 are escaped") {
  CHECK(peer_text("vpn3000") == "vpn3000");
  CHECK(peer_text("a\nb") == "a\\x0ab");
  CHECK(peer_text("x\x1b[31mred") == "x\\x1b[31mred");
  CHECK(peer_text("back\\x0aslash") == "back\\\\x0aslash");  // a typed escape cannot pass for ours
  CHECK(peer_text(std::string("\x00\x7f", 2)) == "\\x00\\x7f");
  CHECK(peer_text("caf\xc3\xa9") == "caf\xc3\xa9");              // well-formed UTF-8 stays readable
  CHECK(peer_text("caf\xe9") == "caf\\xe9");                     // Latin-1 is not UTF-8
  CHECK(peer_text("\xc0\xaf") == "\\xc0\\xaf");                  // overlong '/'
  CHECK(peer_text("\xed\xa0\x80") == "\\xed\\xa0\\x80");         // a surrogate
  CHECK(peer_text("\xe2\x80\xae" "evil") == "\\u{202e}evil");    // right-to-left override
  CHECK(peer_text("\xc2\x85") == "\\u{0085}");                   // C1 next-line
}

TEST_CASE("peer text: bounded, cut at a character boundary, the full length named") {
  CHECK(peer_text(std::string(500, 'a')) == std::string(kPeerTextMax, 'a') + "...(500 bytes)");
  CHECK(peer_text("ab\xc3\xa9", 3) == "ab...(4 bytes)");
  CHECK(peer_text("abc", 3) == "abc");
}

TEST_CASE("one_line: a finished log line keeps no control byte, backslashes stay") {
  CHECK(one_line("a\r\nb\\c\x1b") == "a\\x0d\\x0ab\\c\\x1b");
}

struct Limited {
  ManualTime time;
  ike::test::CapturingLogger inner;
  RateLimitedLogger log{inner, time, LogLimits{Seconds(10), 3, 1024}};
};

TEST_CASE("limiter: a cause writes a few lines per window, then one summary with the count") {
  Limited l;
  for (int i = 0; i < 5315; ++i) l.log.log(LogLevel::Info, LogCategory::Isakmp, "flood from peer {}", i);
  l.log.log(LogLevel::Notice, LogCategory::Isakmp, "another cause {}", 1);
  REQUIRE(l.inner.lines.size() == 4);
  CHECK(l.inner.lines[2].text == "flood from peer 2");
  CHECK(l.inner.lines[3].text == "another cause 1");
  l.log.flush_summaries();  // the window is not over: nothing yet
  CHECK(l.inner.lines.size() == 4);
  l.time.advance(Seconds(10));
  l.log.flush_summaries();
  REQUIRE(l.inner.lines.size() == 5);
  CHECK(l.inner.lines[4].text ==
        "... 5,312 similar suppressed in the last 10 s (last: flood from peer 5314)");
  CHECK(l.log.suppressed_total() == 5312);
  l.log.log(LogLevel::Info, LogCategory::Isakmp, "flood from peer {}", 0);  // a new window writes again
  CHECK(l.inner.lines.size() == 6);
}

TEST_CASE("limiter: the summary also comes with the next event once the window is over") {
  Limited l;
  for (int i = 0; i < 4; ++i) l.log.log(LogLevel::Warning, LogCategory::Aaa, "refused {}", i);
  l.time.advance(Seconds(11));
  l.log.log(LogLevel::Warning, LogCategory::Aaa, "refused {}", 9);
  REQUIRE(l.inner.lines.size() == 5);
  CHECK(l.inner.lines[3].text == "... 1 similar suppressed in the last 10 s (last: refused 3)");
  CHECK(l.inner.lines[3].level == LogLevel::Warning);
  CHECK(l.inner.lines[4].text == "refused 9");
}

TEST_CASE("limiter: config and daemon lines are never held back") {
  Limited l;
  for (int i = 0; i < 20; ++i) l.log.log(LogLevel::Warning, LogCategory::Config, "ignored line {}", i);
  CHECK(l.inner.lines.size() == 20);
}

TEST_CASE("thousands separators") {
  CHECK(with_thousands(0) == "0");
  CHECK(with_thousands(999) == "999");
  CHECK(with_thousands(1000) == "1,000");
  CHECK(with_thousands(1234567) == "1,234,567");
}

}  // namespace
}  // namespace ravpn::test

TEST_CASE("endpoints and SA tags print as the log lines show them") {
  CHECK(ravpn::ike::Endpoint{ravpn::Ipv4{0xc0000205}, 500}.str() == "192.0.2.5:500");
  CHECK(ravpn::ike::Endpoint{ravpn::Ipv4{0xffffffff}, 65535}.str() == "255.255.255.255:65535");
  CHECK(ravpn::ike::Endpoint{ravpn::Ipv4{0}, 0}.str() == "0.0.0.0:0");
  ravpn::ike::Phase1Sa sa;
  sa.serial = 7;
  sa.peer = {ravpn::Ipv4{0xc6336401}, 4500};
  CHECK(fmt::format("{}: up", sa.tag()) == "conn 7 peer 198.51.100.1:4500: up");
}
