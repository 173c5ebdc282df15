// The control socket server on a real Unix socket in a temp dir: requests in order, a too-long line, a client that
// never reads, idle clients, a client that closes after its last request, stale and busy socket paths.
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "daemon/control/control_server.hpp"

using namespace ravpn;
using namespace ravpn::control;

namespace {

class QuietLogger final : public Logger {
 public:
  bool enabled(LogLevel, LogCategory) const override { return true; }
  void write(LogLevel, LogCategory, std::string_view m) override { text += std::string(m) + "\n"; }
  std::string text;
};

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/ravpn-ctl-test.XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

int connect_to(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strcpy(a.sun_path, path.c_str());
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return fd;
}

void send_all(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = send(fd, s.data() + done, s.size() - done, MSG_NOSIGNAL);
    REQUIRE(n > 0);
    done += size_t(n);
  }
}

// Reads without blocking what is there now.
std::string drain(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0) break;
    out.append(buf, size_t(n));
  }
  return out;
}

// recv() == 0: the server closed the connection (after what is buffered).
bool closed_by_server(int fd) {
  char buf[65536];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
  }
}

struct Fixture {
  TempDir dir;
  ManualTime time;
  QuietLogger log;
  ControlServerOptions options;
  std::unique_ptr<ControlServer> server;
  int handled = 0;

  explicit Fixture(size_t max_output = 1024 * 1024, size_t reply_size = 0) {
    options.path = dir.path + "/run/ravpnd.sock";  // the parent is created
    options.group = "ravpn-no-such-group";
    options.max_output = max_output;
    server = std::make_unique<ControlServer>(
        options,
        [this, reply_size](std::string_view line, Access) {
          ++handled;
          return reply_size ? std::string(reply_size, 'x') : "echo:" + std::string(line);
        },
        [](const std::string& m) { return "error:" + m; }, time, log);
  }
  // Runs the server's work a few times (the loop would call it when its fd is readable).
  void pump(int rounds = 5) {
    for (int i = 0; i < rounds; ++i) {
      server->process();
      usleep(2000);
    }
  }
};

}  // namespace

TEST_CASE("control server: socket mode 0600 without the group, parent directory created") {
  Fixture f;
  struct stat st{};
  REQUIRE(lstat(f.options.path.c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 0777) == 0600);
  f.server.reset();
  CHECK(!std::filesystem::exists(f.options.path));  // removed on shutdown
}

TEST_CASE("control server: pipelined requests answered in order; a last line without newline too") {
  Fixture f;
  int fd = connect_to(f.options.path);
  send_all(fd, "one\ntwo\nthr");
  f.pump();
  CHECK(drain(fd) == "echo:one\necho:two\n");
  send_all(fd, "ee");
  shutdown(fd, SHUT_WR);
  f.pump();
  CHECK(drain(fd) == "echo:three\n");
  CHECK(closed_by_server(fd));
  f.pump();
  CHECK(f.server->clients() == 0);
  close(fd);
}

TEST_CASE("control server: a line over the limit gets one error, then the connection closes; others go on") {
  Fixture f;
  int bad = connect_to(f.options.path);
  int good = connect_to(f.options.path);
  send_all(bad, std::string(f.options.max_line + 10, 'a'));
  f.pump(10);
  CHECK(drain(bad) == "error:request line longer than 65536 bytes\n");
  CHECK(closed_by_server(bad));
  send_all(good, "still here\n");
  f.pump();
  CHECK(drain(good) == "echo:still here\n");
  close(bad);
  close(good);
}

TEST_CASE("control server: a client that never reads is dropped when its output passes the cap") {
  Fixture f(64 * 1024, 16 * 1024);
  int hog = connect_to(f.options.path);
  int good = connect_to(f.options.path);
  // Small socket buffers so the replies pile up in the server.
  int small = 4096;
  setsockopt(hog, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  std::string many;
  for (int i = 0; i < 200; ++i) many += "q\n";
  send_all(hog, many);
  f.pump(20);
  CHECK(f.handled < 200);
  CHECK(f.log.text.find("does not read its replies") != std::string::npos);
  CHECK(f.server->clients() == 1);
  send_all(good, "hi\n");
  f.pump();
  CHECK(drain(good).size() == 16 * 1024 + 1);
  close(hog);
  close(good);
}

TEST_CASE("control server: idle clients are closed after the idle timeout, active ones are not") {
  Fixture f;
  int idle = connect_to(f.options.path);
  int busy = connect_to(f.options.path);
  f.pump();
  REQUIRE(f.server->clients() == 2);
  f.time.advance(Seconds(40));
  send_all(busy, "ping\n");
  f.pump();
  CHECK(drain(busy) == "echo:ping\n");
  f.time.advance(Seconds(21));
  f.server->tick();
  CHECK(f.server->clients() == 1);
  CHECK(closed_by_server(idle));
  f.time.advance(Seconds(40));
  f.server->tick();
  CHECK(f.server->clients() == 0);
  close(idle);
  close(busy);
}

TEST_CASE("control server: a stale socket is replaced, a live one is not taken over") {
  Fixture f;
  ManualTime time;
  QuietLogger log;
  auto handler = [](std::string_view, Access) { return std::string("x"); };
  auto error = [](const std::string& m) { return m; };
  CHECK_THROWS_WITH_AS(ControlServer(f.options, handler, error, time, log), doctest::Contains("in use"),
                       std::runtime_error);
  // A socket file nobody listens on any more (a crashed daemon's).
  ControlServerOptions stale = f.options;
  stale.path = f.dir.path + "/stale.sock";
  {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strcpy(a.sun_path, stale.path.c_str());
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    close(fd);
  }
  ControlServer s(stale, handler, error, time, log);
  int c = connect_to(stale.path);
  send_all(c, "a\n");
  for (int i = 0; i < 5; ++i) {
    s.process();
    usleep(2000);
  }
  CHECK(drain(c) == "x\n");
  close(c);
  // Not a socket: refused.
  ControlServerOptions file = f.options;
  file.path = f.dir.path + "/plain";
  { std::FILE* p = std::fopen(file.path.c_str(), "w"); std::fclose(p); }
  CHECK_THROWS_AS(ControlServer(file, handler, error, time, log), std::runtime_error);
}
