// ravpnctl: asks the running ravpnd over its control socket, like `show crypto isakmp sa` on the box.
//   ravpnctl [--socket PATH] [--json] status | isakmp | sas | users | pools | reload
//   ravpnctl [--socket PATH] [--json] disconnect (--user U | --address A | --peer P)
//   ravpnctl [--socket PATH] [--json] debug CATEGORIES
//   ravpnctl [--socket PATH] metrics      Prometheus text format (status + sas + pools), see metrics.hpp
// Exit codes: 0 ok, 1 the daemon answered an error, 2 usage, 3 cannot connect (or no answer).
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "daemon/control/metrics.hpp"
#include "daemon/control/requests.hpp"
#include "daemon/control/table.hpp"

namespace {

using nlohmann::json;

constexpr int kOk = 0, kDaemonError = 1, kUsage = 2, kNoConnection = 3;
constexpr int kTimeoutMs = 10000;

int usage(const char* problem = nullptr) {
  if (problem) std::fprintf(stderr, "ravpnctl: %s\n", problem);
  std::fprintf(stderr,
               "usage: ravpnctl [--socket PATH] [--json] COMMAND\n"
               "  status                                 daemon version, uptime, counters\n"
               "  isakmp                                 ISAKMP SAs (show crypto isakmp sa)\n"
               "  sas                                    IPsec SAs (show crypto ipsec sa)\n"
               "  users                                  authenticated users (show uauth)\n"
               "  pools                                  address pools\n"
               "  disconnect --user U | --address A | --peer P\n"
               "  reload                                 re-read the configuration\n"
               "  debug CATEGORIES                       e.g. isakmp,ipsec,aaa,config,daemon or all\n"
               "  metrics                                Prometheus text exposition format\n"
               "default socket: /run/ravpn/ravpnd.sock\n");
  return kUsage;
}

// Sends one line, reads one line back. nullopt (with a message on stderr) when there is no usable answer.
std::optional<std::string> ask(const std::string& path, const std::string& line) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof a.sun_path) {
    std::fprintf(stderr, "ravpnctl: socket path too long: %s\n", path.c_str());
    return std::nullopt;
  }
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    std::fprintf(stderr, "ravpnctl: cannot connect to %s: %s\n", path.c_str(), std::strerror(errno));
    if (fd >= 0) close(fd);
    return std::nullopt;
  }
  std::string out = line + "\n";
  for (size_t done = 0; done < out.size();) {
    ssize_t n = send(fd, out.data() + done, out.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;  // the daemon may have refused us with an error line: read it below
    done += size_t(n);
  }
  std::string in;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTimeoutMs);
  for (;;) {
    if (auto nl = in.find('\n'); nl != std::string::npos) {
      close(fd);
      return in.substr(0, nl);
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      std::fprintf(stderr, "ravpnctl: no answer from %s within %d s\n", path.c_str(), kTimeoutMs / 1000);
      break;
    }
    pollfd p{fd, POLLIN, 0};
    int r = poll(&p, 1, int(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char buf[65536];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (!in.empty()) {
        close(fd);
        return in;
      }
      std::fprintf(stderr, "ravpnctl: %s closed the connection without an answer\n", path.c_str());
      break;
    }
    in.append(buf, size_t(n));
  }
  close(fd);
  return std::nullopt;
}

// One request, its answer as a JSON object; nullopt (with a message on stderr) when there is none or it is an error.
std::optional<json> request(const std::string& path, const std::string& what) {
  auto answer = ask(path, ravpn::control::dump_line({{"version", ravpn::control::kProtocolVersion}, {"request", what}}));
  if (!answer) return std::nullopt;
  json r = json::parse(*answer, nullptr, false);
  if (r.is_discarded() || !r.is_object() || !r.value("ok", false)) {
    std::fprintf(stderr, "ravpnctl: %s: %s\n", what.c_str(), answer->c_str());
    return std::nullopt;
  }
  return r;
}

// `metrics`: three requests, one exposition.
int metrics(const std::string& path) {
  auto status = request(path, "status");
  if (!status) return kNoConnection;
  auto sas = request(path, "sas");
  auto pools = request(path, "pools");
  if (!sas || !pools) return kDaemonError;
  std::cout << ravpn::control::metrics_text(*status, *sas, *pools);
  return kOk;
}

}  // namespace

int main(int argc, char** argv) {
  std::string socket_path = "/run/ravpn/ravpnd.sock";
  bool raw_json = false;
  std::vector<std::string> words;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--socket" || a == "-s") {
      if (i + 1 >= argc) return usage("--socket needs a path");
      socket_path = argv[++i];
    } else if (a.starts_with("--socket=")) {
      socket_path = a.substr(9);
    } else if (a == "--json" || a == "-j") {
      raw_json = true;
    } else if (a == "--help" || a == "-h") {
      usage();
      return kOk;
    } else {
      words.push_back(a);
    }
  }
  if (words.empty()) return usage("no command");

  const std::string command = words[0];
  if (command == "metrics") return words.size() == 1 ? metrics(socket_path) : usage("'metrics' takes no arguments");
  json req{{"version", ravpn::control::kProtocolVersion}, {"request", command}};
  if (command == "status" || command == "isakmp" || command == "sas" || command == "users" || command == "pools" ||
      command == "reload") {
    if (words.size() != 1) return usage(("'" + command + "' takes no arguments").c_str());
  } else if (command == "disconnect") {
    if (words.size() != 3) return usage("disconnect needs one of --user U, --address A, --peer P");
    const std::string& how = words[1];
    if (how == "--user") req["user"] = words[2];
    else if (how == "--address") req["address"] = words[2];
    else if (how == "--peer") req["peer"] = words[2];
    else return usage(("disconnect: unknown option " + how).c_str());
  } else if (command == "debug") {
    if (words.size() != 2) return usage("debug needs categories, e.g. isakmp,ipsec");
    req["categories"] = words[1];
  } else {
    return usage(("unknown command '" + command + "'").c_str());
  }

  auto answer = ask(socket_path, ravpn::control::dump_line(req));
  if (!answer) return kNoConnection;
  json r = json::parse(*answer, nullptr, false);
  if (r.is_discarded() || !r.is_object()) {
    std::fprintf(stderr, "ravpnctl: the daemon's answer is not JSON: %s\n", answer->c_str());
    return kDaemonError;
  }
  const bool ok = r.value("ok", false);
  if (raw_json) {
    std::cout << *answer << "\n";
    return ok ? kOk : kDaemonError;
  }
  if (!ok) {
    std::string error = r.contains("error") && r["error"].is_string() ? r["error"].get<std::string>() : *answer;
    std::fprintf(stderr, "ravpnctl: %s: %s\n", command.c_str(), error.c_str());
    return kDaemonError;
  }
  std::cout << ravpn::control::render(command, r);
  return kOk;
}
