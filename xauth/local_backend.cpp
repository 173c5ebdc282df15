// The local user database: `username` lines checked in process, answering at once.
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "xauth/backend.hpp"
#include "xauth/password_hash.hpp"

namespace ravpn::xauth {
namespace {

using config::LocalUser;

bool iequals(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](unsigned char x, unsigned char y) { return std::tolower(x) == std::tolower(y); });
}

PasswordBytes bytes_of(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

class LocalBackend final : public Backend {
 public:
  LocalBackend(std::map<std::string, LocalUser> users, UserNameMatch match) : users_(std::move(users)), match_(match) {}

  void authenticate(const Credentials& credentials, std::function<void(Result)> done) override {
    done(check(credentials));
  }

  std::string describe() const override { return fmt::format("local users ({})", users_.size()); }
  bool checks_local_users() const override { return true; }

 private:
  const LocalUser* find(const std::string& name) const {
    if (auto it = users_.find(name); it != users_.end()) return &it->second;
    if (match_ == UserNameMatch::IgnoreCase)
      for (const auto& [configured, user] : users_)
        if (iequals(configured, name)) return &user;
    return nullptr;
  }

  Result check(const Credentials& c) const {
    const LocalUser* user = find(c.user);
    if (!user) {
      // The same md5-crypt work as for a known user, so the time taken does not tell which names exist.
      (void)md5_crypt_matches(c.password, "$1$ravpn$0000000000000000000000");
      return {Verdict::Reject, "unknown user"};
    }
    bool ok = false;
    switch (user->hash_kind) {
      case LocalUser::HashKind::Md5Crypt:
        ok = md5_crypt_matches(c.password, user->password_hash);
        break;
      case LocalUser::HashKind::PixMd5:
        // `username` hashes carry the user name; an unsalted hash (as `enable password` has) is accepted too.
        ok = pix_md5_matches(c.password, user->name, user->password_hash) |
             pix_md5_matches(c.password, "", user->password_hash);
        break;
      case LocalUser::HashKind::None:
        if (user->password.empty()) return {Verdict::Reject, "no password configured"};
        ok = constant_time_equal(c.password, bytes_of(user->password));
        break;
    }
    if (!ok) return {Verdict::Reject, "bad password"};
    return {Verdict::Accept, "local password", {}, "local"};
  }

  std::map<std::string, LocalUser> users_;
  UserNameMatch match_;
};

}  // namespace

std::unique_ptr<Backend> make_local_backend(const std::map<std::string, LocalUser>& users) {
  return make_local_backend(users, UserNameMatch::Exact);
}

std::unique_ptr<Backend> make_local_backend(const std::map<std::string, LocalUser>& users, UserNameMatch match) {
  return std::make_unique<LocalBackend>(users, match);
}

}  // namespace ravpn::xauth
