#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "xauth/backend.hpp"

using namespace ravpn;
using namespace ravpn::xauth;
using config::LocalUser;

namespace {

LocalUser cleartext(const std::string& name, const std::string& password) {
  LocalUser u;
  u.name = name;
  u.password = password;
  return u;
}

LocalUser hashed(const std::string& name, LocalUser::HashKind kind, const std::string& hash) {
  LocalUser u;
  u.name = name;
  u.password_hash = hash;
  u.hash_kind = kind;
  return u;
}

// IOS `username vpnuser password 0 s3cr3t-Pass`, `username amine secret 5 $1$FOMe$...` ("cisco"),
// PIX `username rramsey password jgBZqYtsWfGcUKDi encrypted` ("cangetin"), `username nobody nopassword`.
std::map<std::string, LocalUser> seed_users() {
  std::map<std::string, LocalUser> users;
  users["vpnuser"] = cleartext("vpnuser", "s3cr3t-Pass");
  users["amine"] = hashed("amine", LocalUser::HashKind::Md5Crypt, "$1$FOMe$cMMrqnqw9JAgymVEUnPWZ1");
  users["rramsey"] = hashed("rramsey", LocalUser::HashKind::PixMd5, "jgBZqYtsWfGcUKDi");
  users["legacy"] = hashed("legacy", LocalUser::HashKind::PixMd5, "2KFQnbNIdI.2KYOU");  // unsalted "cisco"
  users["nobody"] = cleartext("nobody", "");
  return users;
}

Credentials login(const std::string& user, const std::string& password) {
  Credentials c;
  c.user = user;
  c.password.assign(password.begin(), password.end());
  c.peer = *Ipv4::parse("198.51.100.7");
  return c;
}

// The local backend answers before authenticate() returns.
Result run(Backend& backend, const std::string& user, const std::string& password) {
  std::optional<Result> result;
  backend.authenticate(login(user, password), [&](Result r) { result = std::move(r); });
  REQUIRE(result);
  return *result;
}

void check_reason_is_clean(const Result& r, const std::string& user, const std::string& password) {
  CAPTURE(r.reason);
  if (!user.empty()) CHECK(r.reason.find(user) == std::string::npos);
  if (!password.empty()) CHECK(r.reason.find(password) == std::string::npos);
}

}  // namespace

TEST_CASE("cleartext passwords") {
  auto backend = make_local_backend(seed_users());
  CHECK(run(*backend, "vpnuser", "s3cr3t-Pass").verdict == Verdict::Accept);
  auto wrong = run(*backend, "vpnuser", "s3cr3t-pass");
  CHECK(wrong.verdict == Verdict::Reject);
  CHECK(wrong.reason == "bad password");
  CHECK(run(*backend, "vpnuser", "s3cr3t-Pass ").reason == "bad password");  // longer
  CHECK(run(*backend, "vpnuser", "s3cr3t").reason == "bad password");        // shorter
  CHECK(run(*backend, "vpnuser", "").reason == "bad password");
}

TEST_CASE("IOS secret 5 (md5-crypt)") {
  auto backend = make_local_backend(seed_users());
  CHECK(run(*backend, "amine", "cisco").verdict == Verdict::Accept);
  CHECK(run(*backend, "amine", "Cisco").reason == "bad password");
  CHECK(run(*backend, "amine", "$1$FOMe$cMMrqnqw9JAgymVEUnPWZ1").reason == "bad password");  // the hash itself
}

TEST_CASE("PIX encrypted (PIX-MD5)") {
  auto backend = make_local_backend(seed_users());
  CHECK(run(*backend, "rramsey", "cangetin").verdict == Verdict::Accept);
  CHECK(run(*backend, "rramsey", "cangetin2").reason == "bad password");
  CHECK(run(*backend, "legacy", "cisco").verdict == Verdict::Accept);
  CHECK(run(*backend, "legacy", "").reason == "bad password");
}

TEST_CASE("unknown users and users without a password are rejected") {
  auto backend = make_local_backend(seed_users());
  auto unknown = run(*backend, "mallory", "cisco");
  CHECK(unknown.verdict == Verdict::Reject);
  CHECK(unknown.reason == "unknown user");
  CHECK(run(*backend, "", "").reason == "unknown user");
  auto nobody = run(*backend, "nobody", "");
  CHECK(nobody.verdict == Verdict::Reject);
  CHECK(nobody.reason == "no password configured");
}

TEST_CASE("user names match exactly unless asked to ignore case") {
  auto exact = make_local_backend(seed_users());
  CHECK(run(*exact, "VPNUSER", "s3cr3t-Pass").reason == "unknown user");
  auto ignore_case = make_local_backend(seed_users(), UserNameMatch::IgnoreCase);
  CHECK(run(*ignore_case, "VPNUSER", "s3cr3t-Pass").verdict == Verdict::Accept);
  CHECK(run(*ignore_case, "Amine", "cisco").verdict == Verdict::Accept);
  CHECK(run(*ignore_case, "Amine", "CISCO").reason == "bad password");  // passwords stay case-sensitive
}

TEST_CASE("describe() counts users") {
  CHECK(make_local_backend(seed_users())->describe() == "local users (5)");
  CHECK(make_local_backend({})->describe() == "local users (0)");
  CHECK(run(*make_local_backend({}), "vpnuser", "s3cr3t-Pass").reason == "unknown user");
}

TEST_CASE("no user name or password in reasons or describe()") {
  auto users = seed_users();
  auto backend = make_local_backend(users);
  std::string described = backend->describe();
  for (const auto& [name, user] : users) {
    CHECK(described.find(name) == std::string::npos);
    if (!user.password.empty()) CHECK(described.find(user.password) == std::string::npos);
  }
  const std::pair<std::string, std::string> attempts[] = {
      {"vpnuser", "s3cr3t-Pass"}, {"vpnuser", "guess-one"}, {"amine", "cisco"},   {"amine", "guess-two"},
      {"rramsey", "cangetin"},    {"rramsey", "guess-3"},   {"nobody", "guess-4"}, {"mallory", "guess-five"},
  };
  for (const auto& [user, password] : attempts) {
    auto r = run(*backend, user, password);
    check_reason_is_clean(r, user, password);
    check_reason_is_clean(r, user, "s3cr3t-Pass");
    check_reason_is_clean(r, user, "cangetin");
  }
}
