// Xauth user authentication backends (draft-beaulieu-ike-xauth-02). The call is asynchronous: a RADIUS or TACACS+
// server may take seconds, and other clients must not wait for it. `done` is always called on the caller's thread
// (the event loop), possibly before authenticate() returns (the local backend answers at once).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <botan/secmem.h>

#include "daemon/config/model.hpp"
#include "pool/ipv4.hpp"
#include "xauth/authorization.hpp"

namespace ravpn {
class Worker;  // ike/worker.hpp
}

namespace ravpn::xauth {

struct Credentials {
  std::string user;
  Botan::secure_vector<uint8_t> password;  // never logged
  Ipv4 peer;
  std::string group;  // the client group (aggressive mode) or "" (main mode)
};

enum class Verdict { Accept, Reject, Unavailable };
struct Result {
  Result() = default;
  Result(Verdict v, std::string why, Authorization a = {}, std::string by = {})
      : verdict(v), reason(std::move(why)), authorization(std::move(a)), answered_by(std::move(by)) {}
  Verdict verdict = Verdict::Reject;
  std::string reason;  // for the log: "unknown user", "bad password", "server 10.1.1.1 timed out" (never the password)
  Authorization authorization;  // Accept: what the server said beyond yes (RADIUS attributes); empty for local users
  std::string answered_by;      // "RADIUS 10.1.1.1:1645", "TACACS+ ...", "local" (for ravpnctl)
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual void authenticate(const Credentials& credentials, std::function<void(Result)> done) = 0;
  virtual std::string describe() const = 0;  // "local users (3)"
  // True when the config's `username` lines are the whole truth (a reload that removes a user ends its tunnel).
  virtual bool checks_local_users() const { return false; }
};

// `username` lines: cleartext (type 0 / decoded type 7) compared in constant time, IOS `secret 5` (md5-crypt) and
// PIX `encrypted` (PIX-MD5) hashes checked against the clear password Xauth delivers.
std::unique_ptr<Backend> make_local_backend(const std::map<std::string, config::LocalUser>& users);
// IOS `local` matches the user name ignoring case; `local-case` and PIX match it exactly (the default above).
enum class UserNameMatch { Exact, IgnoreCase };
std::unique_ptr<Backend> make_local_backend(const std::map<std::string, config::LocalUser>& users,
                                            UserNameMatch match);

// The backend for `crypto map M client authentication LIST|TAG`: IOS `aaa authentication login LIST local|group
// radius [local]`, PIX `aaa-server TAG protocol local|radius`. RADIUS needs `aaa_worker`, the pool its blocking
// exchanges run on (not the DH pool); without one a RADIUS method is a problem. nullptr + `problem` when the list
// or tag cannot check users (TACACS+, `line`, a tag without hosts); `warnings`: later methods left out (TACACS+,
// `none`, `line`) that Cisco would have asked when the ones before them were unreachable.
struct BackendChoice {
  std::unique_ptr<Backend> backend;
  std::string problem;
  std::vector<std::string> warnings;
};
BackendChoice make_backend(const config::Config& config, const std::string& list_or_tag, Worker* aaa_worker = nullptr);

}  // namespace ravpn::xauth
