#include "daemon/control/control_server.hpp"

#include <grp.h>
#include <malloc.h>
#include <pwd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace ravpn::control {
namespace {

std::runtime_error sys_error(const std::string& what) {
  return std::runtime_error("control socket: " + what + ": " + std::strerror(errno));
}

sockaddr_un unix_address(const std::string& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof a.sun_path)
    throw std::runtime_error("control socket: path '" + path + "' is empty or too long");
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  return a;
}

// Is something answering on this socket path? (A stale socket of a dead daemon refuses the connection.)
bool in_use(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  auto a = unix_address(path);
  bool answered = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return answered;
}

bool user_in_group(uid_t uid, gid_t group) {
  std::vector<char> buf(16384);
  passwd pw{}, *found = nullptr;
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) != 0 || !found) return false;
  if (pw.pw_gid == group) return true;
  int n = 64;
  std::vector<gid_t> groups(static_cast<size_t>(n));
  if (getgrouplist(pw.pw_name, pw.pw_gid, groups.data(), &n) < 0) {
    groups.resize(size_t(n));
    if (getgrouplist(pw.pw_name, pw.pw_gid, groups.data(), &n) < 0) return false;
  }
  for (int i = 0; i < n; ++i)
    if (groups[size_t(i)] == group) return true;
  return false;
}

constexpr size_t kReadChunk = 16 * 1024;
constexpr int kReadsPerEvent = 8;  // bounded work per wake-up: other clients and the IKE sockets come next
constexpr size_t kMaxDrained = 1024 * 1024;  // after the last answer: input read and dropped before closing anyway

}  // namespace

ControlServer::ControlServer(ControlServerOptions options, Handler handler, ErrorLine error_line,
                             const TimeSource& time, Logger& log)
    : options_(std::move(options)), handler_(std::move(handler)), error_line_(std::move(error_line)), time_(time),
      log_(log) {
  if (!options_.group.empty())
    if (const group* g = getgrnam(options_.group.c_str())) group_ = g->gr_gid;
  if (!options_.admin_group.empty())
    if (const group* g = getgrnam(options_.admin_group.c_str())) admin_group_ = g->gr_gid;

  const std::filesystem::path path(options_.path);
  auto address = unix_address(options_.path);
  if (auto dir = path.parent_path(); !dir.empty() && !std::filesystem::exists(dir)) {
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) throw sys_error("mkdir " + dir.string());
    log_.log(LogLevel::Info, LogCategory::Daemon, "created {}", dir.string());
  }
  struct stat st{};
  if (lstat(options_.path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) throw std::runtime_error("control socket: " + options_.path + " exists and is no socket");
    if (in_use(options_.path)) throw std::runtime_error("control socket: " + options_.path + " is in use (another ravpnd?)");
    unlink(options_.path.c_str());
  }

  listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw sys_error("socket");
  // Created without group/other access; opened to the group only once it has the right group.
  const mode_t old_mask = umask(0177);
  const int bound = bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
  umask(old_mask);
  if (bound != 0) {
    close(listen_fd_);
    throw sys_error("bind " + options_.path);
  }
  if (group_) {
    if (chown(options_.path.c_str(), uid_t(-1), *group_) == 0)
      chmod(options_.path.c_str(), 0660);
    else
      log_.log(LogLevel::Warning, LogCategory::Daemon, "control socket: chown to group {}: {}", options_.group,
               std::strerror(errno));
  }
  if (listen(listen_fd_, 16) != 0) {
    close(listen_fd_);
    throw sys_error("listen");
  }
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) {
    close(listen_fd_);
    throw sys_error("epoll_create1");
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listen_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
  log_.log(LogLevel::Info, LogCategory::Daemon, "control socket {} ({})", options_.path,
           group_ ? "mode 0660, group " + options_.group : std::string("mode 0600, root only"));
}

ControlServer::~ControlServer() {
  for (auto& [fd, c] : clients_) close(fd);
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (listen_fd_ >= 0) {
    close(listen_fd_);
    unlink(options_.path.c_str());
  }
}

std::optional<Access> ControlServer::access_of(uid_t uid, gid_t gid) const {
  if (uid == 0 || uid == owner_) return Access::Admin;
  if (admin_group_ && (gid == *admin_group_ || user_in_group(uid, *admin_group_))) return Access::Admin;
  if (group_ && (gid == *group_ || user_in_group(uid, *group_))) return Access::Monitor;
  return std::nullopt;
}

void ControlServer::process() {
  epoll_event events[64];
  int n = epoll_wait(epoll_fd_, events, 64, 0);
  for (int i = 0; i < n; ++i) {
    if (events[i].data.fd == listen_fd_) accept_clients();
    else on_client(events[i].data.fd, events[i].events);
  }
}

void ControlServer::accept_clients() {
  for (int i = 0; i < 16; ++i) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or an aborted connection
    ucred cred{};
    socklen_t len = sizeof cred;
    std::string refusal;
    std::optional<Access> access;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) refusal = "cannot identify the client";
    else if (!(access = access_of(cred.uid, cred.gid)))
      refusal = "permission denied: uid " + std::to_string(cred.uid) + " is neither root nor in group " +
                options_.group + " or " + options_.admin_group;
    else if (clients_.size() >= options_.max_clients) refusal = "too many control clients";
    if (!refusal.empty()) {
      log_.log(LogLevel::Warning, LogCategory::Daemon, "control socket: refused pid {} uid {}: {}", cred.pid, cred.uid,
               refusal);
      std::string line = error_line_(refusal) + "\n";
      [[maybe_unused]] auto sent = send(fd, line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      close(fd);
      continue;
    }
    auto c = std::make_unique<Client>();
    c->fd = fd;
    c->uid = cred.uid;
    c->access = *access;
    c->last_activity = time_.now();
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      close(fd);
      continue;
    }
    log_.log(LogLevel::Debug, LogCategory::Daemon, "control socket: client fd {} pid {} uid {}", fd, cred.pid, cred.uid);
    clients_.emplace(fd, std::move(c));
  }
}

void ControlServer::on_client(int fd, uint32_t events) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  Client& c = *it->second;
  if (events & EPOLLERR) return close_client(fd, "socket error");
  if ((events & EPOLLOUT) && !flush(c)) return;
  if (events & (EPOLLIN | EPOLLHUP)) read_from(c);
}

bool ControlServer::read_from(Client& c) {
  char buf[kReadChunk];
  if (c.draining) {
    for (int i = 0; i < kReadsPerEvent; ++i) {
      ssize_t n = recv(c.fd, buf, sizeof buf, 0);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return true;
      c.drained += n > 0 ? size_t(n) : 0;
      if (n <= 0 || c.drained > kMaxDrained) {
        close_client(c.fd, n == 0 ? "done" : "done (input dropped)");
        return false;
      }
    }
    return true;  // more next time (the idle timeout bounds it)
  }
  for (int i = 0; i < kReadsPerEvent && !c.read_closed && !c.close_after_flush; ++i) {
    ssize_t n = recv(c.fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
    if (n < 0) {
      close_client(c.fd, "read error");
      return false;
    }
    if (n == 0) {
      c.read_closed = true;
      break;
    }
    c.in.append(buf, size_t(n));
    // Every complete line gets its answer, in order.
    size_t start = 0;
    for (size_t nl; !c.close_after_flush && (nl = c.in.find('\n', start)) != std::string::npos; start = nl + 1) {
      if (c.out.size() >= options_.max_output) {
        close_client(c.fd, "client does not read its replies");
        return false;
      }
      c.last_activity = time_.now();
      if (nl - start > options_.max_line) {
        queue(c, error_line_("request line longer than " + std::to_string(options_.max_line) + " bytes"));
        c.close_after_flush = true;
      } else {
        queue(c, handler_(std::string_view(c.in).substr(start, nl - start), c.access));
      }
    }
    c.in.erase(0, start);
    if (!c.close_after_flush && c.in.size() > options_.max_line) {
      queue(c, error_line_("request line longer than " + std::to_string(options_.max_line) + " bytes"));
      c.close_after_flush = true;
    }
    if (c.close_after_flush) c.in.clear();
  }
  if (c.read_closed && !c.close_after_flush) {
    // A last request without its newline still gets its answer.
    if (!c.in.empty()) {
      if (c.out.size() >= options_.max_output) {
        close_client(c.fd, "client does not read its replies");
        return false;
      }
      queue(c, handler_(c.in, c.access));
      c.in.clear();
    }
    c.close_after_flush = true;
  }
  return flush(c);
}

void ControlServer::queue(Client& c, std::string line) {
  c.out += line;
  c.out += '\n';
}

namespace {
// `ravpnctl users` at 10,000 tunnels is about 1 MB of text, and building it freed several times that in small
// pieces; a malloc_trim costs a few milliseconds, far less than building such a view.
constexpr size_t kLargeReply = 64u << 10;
}  // namespace

bool ControlServer::flush(Client& c) {
  while (!c.out.empty()) {
    ssize_t n = send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close_client(c.fd, "write error");
      return false;
    }
    c.out.erase(0, size_t(n));
    c.last_activity = time_.now();
  }
  if (c.out.empty() && c.out.capacity() >= kLargeReply) {
    // A view of thousands of tunnels: its JSON tree and text were megabytes, freed in the middle of the heap. Hand
    // the pages back (malloc_trim releases free pages anywhere in the heap), or they stay in the IKE process's RSS.
    std::string().swap(c.out);
    malloc_trim(0);
  }
  if (c.out.empty() && c.close_after_flush) {
    if (c.read_closed) {
      close_client(c.fd, "done");
      return false;
    }
    if (!c.draining) {
      shutdown(c.fd, SHUT_WR);  // the client reads our last line, then end of file
      c.draining = true;
    }
  }
  update_interest(c);
  return true;
}

void ControlServer::update_interest(Client& c) {
  const bool want_write = !c.out.empty();
  const bool want_read = (!c.read_closed && !c.close_after_flush) || c.draining;
  uint32_t events = (want_read ? EPOLLIN : 0u) | (want_write ? EPOLLOUT : 0u);
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = c.fd;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
  c.want_write = want_write;
}

void ControlServer::close_client(int fd, const char* why) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  log_.log(LogLevel::Debug, LogCategory::Daemon, "control socket: closing client fd {}: {}", fd, why);
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  close(fd);
  clients_.erase(it);
}

void ControlServer::tick() {
  const TimePoint now = time_.now();
  std::vector<int> idle;
  for (const auto& [fd, c] : clients_)
    if (now - c->last_activity >= options_.idle_timeout) idle.push_back(fd);
  for (int fd : idle) {
    if (clients_.at(fd)->out.size() >= options_.max_output)
      close_client(fd, "client does not read its replies");
    else
      close_client(fd, "idle");
  }
}

}  // namespace ravpn::control
