// The control socket: a Unix stream socket in the daemon's epoll loop. It owns its own epoll fd (the listening
// socket and every client); the Service's loop watches that one fd and calls process() when it is readable, and
// tick() once a second. Nothing here blocks: clients are non-blocking, each has an input buffer (one line of at
// most kMaxRequestLine bytes) and an output buffer; a client whose unread replies pass the output cap is dropped,
// one that stays idle for the idle timeout is closed.
//
// Access: mode 0660 and group `ravpn` when that group exists, else 0600 (root only). SO_PEERCRED sets each
// connection's level (access.hpp): root, the daemon's own uid and members of `ravpn-admin` are Admin, members of
// `ravpn` Monitor, everyone else is refused (one error line, then the connection closes). An admin who is not root
// needs group `ravpn` as well, to open the socket.
#pragma once
#include <unistd.h>
#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/control/access.hpp"
#include "ike/clock.hpp"
#include "ike/log.hpp"

namespace ravpn::control {

struct ControlServerOptions {
  std::string path = "/run/ravpn/ravpnd.sock";
  std::string group = "ravpn";              // read-only views
  std::string admin_group = "ravpn-admin";  // also disconnect, reload, debug
  size_t max_line = 64 * 1024;
  size_t max_output = 1024 * 1024;  // unread replies beyond this drop the client
  Seconds idle_timeout{60};
  size_t max_clients = 64;
};

class ControlServer {
 public:
  // One request line (no newline) from a client of that access level -> one response line (no newline).
  using Handler = std::function<std::string(std::string_view line, Access access)>;
  // The response to a line that is too long (the connection closes after it).
  using ErrorLine = std::function<std::string(const std::string& message)>;

  // Creates the parent directory when missing, removes a stale socket, binds and listens. Throws on failure.
  ControlServer(ControlServerOptions options, Handler handler, ErrorLine error_line, const TimeSource& time,
                Logger& log);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  int fd() const { return epoll_fd_; }  // readable when process() has work
  void process();                      // handles what is ready now; never blocks
  void tick();                         // closes idle clients
  size_t clients() const { return clients_.size(); }
  const std::string& path() const { return options_.path; }

 private:
  struct Client {
    int fd = -1;
    uid_t uid = 0;
    Access access = Access::Monitor;
    std::string in;
    std::string out;
    TimePoint last_activity{};
    bool close_after_flush = false;
    bool read_closed = false;
    bool want_write = false;
    // Everything is answered and our side is shut: what the client still sends is read and dropped until it
    // closes, because closing a Unix socket with unread input resets it, and the client would lose our last line.
    bool draining = false;
    size_t drained = 0;
  };

  void accept_clients();
  void on_client(int fd, uint32_t events);
  // false when the client was closed
  bool read_from(Client& c);
  bool flush(Client& c);
  void queue(Client& c, std::string line);
  void update_interest(Client& c);
  void close_client(int fd, const char* why);
  std::optional<Access> access_of(uid_t uid, gid_t gid) const;  // nullopt: refused

  ControlServerOptions options_;
  Handler handler_;
  ErrorLine error_line_;
  const TimeSource& time_;
  Logger& log_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  std::optional<gid_t> group_, admin_group_;
  // The user ravpnd started as (root under the unit), taken before the IKE process drops to its unprivileged
  // account: that account is no administrator (other processes of `nobody` would be).
  uid_t owner_ = geteuid();
  std::map<int, std::unique_ptr<Client>> clients_;
};

}  // namespace ravpn::control
