#include "pool/lease_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace ravpn::pool {
namespace {

constexpr int kVersion = 1;

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool write_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += size_t(n);
  }
  return true;
}

}  // namespace

std::string lease_file_text(const std::vector<SavedLease>& leases) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& l : leases)
    list.push_back({{"pool", l.pool}, {"user", l.user}, {"address", l.address.str()}, {"since", l.since},
                    {"active", l.active}});
  return nlohmann::json{{"version", kVersion}, {"leases", list}}.dump(1) + "\n";
}

std::expected<std::vector<SavedLease>, std::string> parse_lease_file(const std::string& text) {
  auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return std::unexpected(std::string("not a JSON object"));
  if (doc.value("version", 0) != kVersion) return std::unexpected(std::string("unknown version"));
  auto list = doc.find("leases");
  if (list == doc.end() || !list->is_array()) return std::unexpected(std::string("no \"leases\" list"));
  std::vector<SavedLease> out;
  for (const auto& e : *list) {
    if (!e.is_object()) return std::unexpected(std::string("a lease is not an object"));
    auto text_field = [&](const char* key) -> std::optional<std::string> {
      auto it = e.find(key);
      if (it == e.end() || !it->is_string()) return std::nullopt;
      return it->get<std::string>();
    };
    auto pool = text_field("pool"), user = text_field("user"), address = text_field("address");
    if (!pool || !user || !address) return std::unexpected(std::string("a lease lacks pool, user or address"));
    auto ip = Ipv4::parse(*address);
    if (!ip) return std::unexpected("bad address '" + *address + "'");
    SavedLease l{*pool, *user, *ip, 0, false};
    if (auto since = e.find("since"); since != e.end() && since->is_number_integer()) l.since = since->get<int64_t>();
    if (auto active = e.find("active"); active != e.end() && active->is_boolean()) l.active = active->get<bool>();
    out.push_back(std::move(l));
  }
  return out;
}

std::expected<std::vector<SavedLease>, std::string> read_lease_file(const std::string& path) {
  if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) return std::vector<SavedLease>{};
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(errno_text(path));
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = parse_lease_file(text.str());
  if (!parsed) return std::unexpected(path + ": " + parsed.error());
  return parsed;
}

std::optional<std::string> write_lease_file(const std::string& path, const std::vector<SavedLease>& leases) {
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return errno_text("open " + temporary);
  const bool written = write_all(fd, lease_file_text(leases)) && ::fsync(fd) == 0;
  const std::string write_error = written ? "" : errno_text("write " + temporary);
  ::close(fd);
  if (!written) {
    ::unlink(temporary.c_str());
    return write_error;
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    auto error = errno_text("rename " + temporary);
    ::unlink(temporary.c_str());
    return error;
  }
  // The rename itself is durable only once the directory is synced.
  const int dir = ::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return errno_text("open " + directory_of(path));
  const bool synced = ::fsync(dir) == 0;
  auto sync_error = synced ? std::optional<std::string>{} : errno_text("fsync " + directory_of(path));
  ::close(dir);
  return sync_error;
}

std::vector<SavedLease> snapshot(const std::map<std::string, AddressPool>& pools,
                                 const std::vector<SavedLease>& previous, int64_t now) {
  std::map<std::pair<std::string, std::string>, const SavedLease*> before;
  for (const auto& l : previous) before[{l.pool, l.user}] = &l;
  std::vector<SavedLease> out;
  for (const auto& [name, pool] : pools) {
    for (const auto& [user, address] : pool.remembered()) {
      SavedLease l{name, user, address, now, false};
      if (auto lease = pool.lease_of(address); lease && lease->user == user) l.active = true;
      if (auto it = before.find({name, user}); it != before.end() && it->second->address == address)
        l.since = it->second->since;
      out.push_back(std::move(l));
    }
  }
  return out;
}

size_t restore(std::map<std::string, AddressPool>& pools, const std::vector<SavedLease>& saved) {
  size_t taken = 0;
  for (const auto& l : saved) {
    auto pool = pools.find(l.pool);
    if (pool == pools.end() || !pool->second.contains(l.address)) continue;
    pool->second.remember(l.user, l.address);
    ++taken;
  }
  return taken;
}

}  // namespace ravpn::pool
