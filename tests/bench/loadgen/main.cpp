// ravpn-loadgen: many Cisco-client logins against an IKEv1 head-end (ravpnd, strongSwan's charon, ...), each from
// its own source address, with every responder HASH checked; prints completed/failed, handshakes/s and the
// latency of each phase (text, or one JSON object with --json). See tests/bench/README or `--help`.
#include <getopt.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>

#include "runner.hpp"

using namespace ravpn;
using namespace ravpn::loadgen;

namespace {

const char* kUsage = R"(usage: ravpn-loadgen --responder ADDR[:PORT] --source ADDR [options]
  --clients N          handshakes in all (1)
  --concurrency C      at most C at once (1)
  --rate R             start at most R handshakes per second (0: as the concurrency allows)
  --addresses K        source addresses ADDR, ADDR+1, ... (default: C; with --hold: N); each must be on an
                       interface of this namespace (tests/bench/add-addresses.sh)
  --port P             source port (500)
  --threads T          event loops (1)
  --mode aggressive|main   aggressive: ID_KEY_ID group name, Unity VID (vpnc); main: address key (VPN Client 1.1)
  --modecfg pull|push  (default: pull with aggressive, push with main)
  --group NAME         group name of aggressive mode (vpn3000)
  --psk KEY            group or address key
  --user U --password P   Xauth credentials; "{}" becomes the address slot number (user{} / pass{})
  --dh G               MODP group 1, 2, 5, 14, 15 (2)
  --suite S            aes256-sha1 (default), aes128-sha1, 3des-sha1, 3des-md5, des-md5: phase 1 and ESP
  --auth psk|xauth     phase 1 authentication method 1 or 65001 (xauth)
  --hold[=SECONDS]     keep the tunnels up (SECONDS, default 0, after the last one), then delete them all
                       (at --rate when one is given);
                       default: delete each tunnel --linger seconds after quick mode (0.2)
  --rto S              first retransmit timeout in seconds (1, doubling), --retries N (4)
  --max-seconds S      stop after S seconds; unfinished handshakes fail
  --seed N             reproducible cookies, nonces, DH keys (default: random)
  --json               the report as one JSON object on stdout
  --no-progress        no progress line on stderr
)";

bool parse_endpoint(const std::string& s, ike::Endpoint& e) {
  const auto colon = s.find(':');
  auto a = Ipv4::parse(s.substr(0, colon));
  if (!a) return false;
  e.address = *a;
  e.port = colon == std::string::npos ? 500 : uint16_t(std::stoul(s.substr(colon + 1)));
  return true;
}

[[noreturn]] void usage_error(const std::string& why) {
  std::fprintf(stderr, "ravpn-loadgen: %s\n%s", why.c_str(), kUsage);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  RunOptions o;
  o.spec.group_name = "vpn3000";
  o.seed = std::random_device{}() | uint64_t(std::random_device{}()) << 32;
  bool json = false, modecfg_given = false;
  std::string suite_name = "aes256-sha1";
  enum { Responder = 256, Source, Clients, Concurrency, Rate, Addresses, Port, Threads, Mode, Modecfg, Group, Psk,
         User, Password, Dh, SuiteOpt, Auth, Hold, Rto, Retries, Linger, MaxSeconds, Seed, Json, NoProgress, Help };
  static const option longs[] = {
      {"responder", required_argument, nullptr, Responder}, {"source", required_argument, nullptr, Source},
      {"clients", required_argument, nullptr, Clients}, {"concurrency", required_argument, nullptr, Concurrency},
      {"rate", required_argument, nullptr, Rate}, {"addresses", required_argument, nullptr, Addresses},
      {"port", required_argument, nullptr, Port}, {"threads", required_argument, nullptr, Threads},
      {"mode", required_argument, nullptr, Mode}, {"modecfg", required_argument, nullptr, Modecfg},
      {"group", required_argument, nullptr, Group}, {"psk", required_argument, nullptr, Psk},
      {"user", required_argument, nullptr, User}, {"password", required_argument, nullptr, Password},
      {"dh", required_argument, nullptr, Dh}, {"suite", required_argument, nullptr, SuiteOpt},
      {"auth", required_argument, nullptr, Auth}, {"hold", optional_argument, nullptr, Hold},
      {"linger", required_argument, nullptr, Linger}, {"rto", required_argument, nullptr, Rto}, {"retries", required_argument, nullptr, Retries},
      {"max-seconds", required_argument, nullptr, MaxSeconds}, {"seed", required_argument, nullptr, Seed},
      {"json", no_argument, nullptr, Json}, {"no-progress", no_argument, nullptr, NoProgress},
      {"help", no_argument, nullptr, Help}, {nullptr, 0, nullptr, 0}};
  try {
    for (int c; (c = getopt_long(argc, argv, "", longs, nullptr)) != -1;) {
      const std::string v = optarg ? optarg : "";
      switch (c) {
        case Responder: if (!parse_endpoint(v, o.spec.responder)) usage_error("bad --responder " + v); break;
        case Source: {
          auto a = Ipv4::parse(v);
          if (!a) usage_error("bad --source " + v);
          o.first_source = *a;
          break;
        }
        case Clients: o.clients = std::stoul(v); break;
        case Concurrency: o.concurrency = std::stoul(v); break;
        case Rate: o.rate = std::stod(v); break;
        case Addresses: o.addresses = std::stoul(v); break;
        case Port: o.source_port = uint16_t(std::stoul(v)); break;
        case Threads: o.threads = std::stoul(v); break;
        case Mode:
          if (v != "aggressive" && v != "main") usage_error("--mode is aggressive or main");
          o.spec.exchange = v == "main" ? Exchange::Main : Exchange::Aggressive;
          break;
        case Modecfg:
          if (v != "pull" && v != "push") usage_error("--modecfg is pull or push");
          o.spec.mode_config = v == "push" ? ModeConfig::Push : ModeConfig::Pull;
          modecfg_given = true;
          break;
        case Group: o.spec.group_name = v; break;
        case Psk: o.spec.psk = v; break;
        case User: o.user = v; break;
        case Password: o.password = v; break;
        case Dh: o.spec.dh_group = std::stoi(v); break;
        case SuiteOpt: suite_name = v; break;
        case Auth:
          if (v != "psk" && v != "xauth") usage_error("--auth is psk or xauth");
          o.spec.auth = v == "psk" ? ike::ike_auth::PreShared : ike::ike_auth::XauthInitPreShared;
          break;
        case Hold: o.spec.hold = true; o.hold_seconds = v.empty() ? 0 : std::stod(v); break;
        case Rto: o.rto = std::stod(v); break;
        case Linger: o.linger = std::stod(v); break;
        case Retries: o.retries = std::stoi(v); break;
        case MaxSeconds: o.max_seconds = std::stod(v); break;
        case Seed: o.seed = std::stoull(v); break;
        case Json: json = true; break;
        case NoProgress: o.progress = false; break;
        case Help: std::fputs(kUsage, stdout); return 0;
        default: usage_error("unknown option");
      }
    }
  } catch (const std::exception&) {
    usage_error("a number was expected");
  }
  if (optind != argc) usage_error(std::string("unexpected argument ") + argv[optind]);
  if (o.spec.responder.address.value == 0) usage_error("--responder is required");
  auto suite = parse_suite(suite_name);
  if (!suite) usage_error("unknown --suite " + suite_name);
  o.spec.suite = *suite;
  if (!modecfg_given) o.spec.mode_config = o.spec.exchange == Exchange::Main ? ModeConfig::Push : ModeConfig::Pull;
  if (auto why = check(o); !why.empty()) usage_error(why);

  RunInfo info;
  info.clients = o.clients;
  info.concurrency = o.concurrency;
  info.target_rate = o.rate;
  info.exchange = o.spec.exchange == Exchange::Main ? "main" : "aggressive";
  info.mode_config = o.spec.mode_config == ModeConfig::Push ? "push" : "pull";
  info.suite = suite_name;
  info.dh_group = o.spec.dh_group;
  try {
    Tally tally = run(o, info);
    std::fputs((json ? json_report(tally, info) : text_report(tally, info)).c_str(), stdout);
    return tally.failed == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ravpn-loadgen: %s\n", e.what());
    return 2;
  }
}
