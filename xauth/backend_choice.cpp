// Which backend checks Xauth users: `crypto map M client authentication list LIST` (IOS) names an
// `aaa authentication login LIST` method list; `crypto map M client authentication TAG` (PIX) an `aaa-server TAG`.
#include <fmt/format.h>

#include "xauth/backend.hpp"

namespace ravpn::xauth {
namespace {

constexpr const char* later_issue = "RADIUS/TACACS+ come in a later issue";

BackendChoice problem(std::string text) { return {nullptr, std::move(text)}; }

// IOS: the first method decides; local never answers "error", so the methods after it are never asked.
BackendChoice from_login_list(const config::Config& config, const std::string& list) {
  if (!config.aaa_new_model)
    return problem(fmt::format("client authentication list {}: without `aaa new-model` there are no aaa "
                               "authentication login lists to check users with",
                               list));
  auto it = config.aaa_authentication_login.find(list);
  if (it == config.aaa_authentication_login.end())
    return problem(fmt::format("no aaa authentication login list {}", list));
  const auto& methods = it->second.methods;
  if (methods.empty()) return problem(fmt::format("aaa authentication login {} has no methods", list));
  const std::string& first = methods.front();
  if (first == "local") return {make_local_backend(config.users, UserNameMatch::IgnoreCase), ""};
  if (first == "local-case") return {make_local_backend(config.users, UserNameMatch::Exact), ""};
  if (first == "line" || first == "enable" || first == "none" || first == "krb5" || first == "if-authenticated")
    return problem(fmt::format("aaa authentication login {} starts with method {}, which cannot check Xauth users",
                               list, first));
  // "radius", "tacacs+" or a server group name (`group NAME`).
  return problem(fmt::format("aaa authentication login {} starts with {}: {}", list, first, later_issue));
}

// PIX 6.3 predefines `aaa-server LOCAL protocol local`.
BackendChoice from_server_tag(const config::Config& config, const std::string& tag) {
  const config::AaaServer* server = nullptr;
  for (const auto& s : config.aaa_servers)
    if (s.tag == tag) {
      server = &s;
      break;
    }
  if (!server && tag != "LOCAL") return problem(fmt::format("no aaa-server {}", tag));
  std::string protocol = server ? server->protocol : "local";
  if (protocol == "local") return {make_local_backend(config.users, UserNameMatch::Exact), ""};
  if (protocol == "radius" || protocol == "tacacs+")
    return problem(fmt::format("aaa-server {} protocol {}: {}", tag, protocol, later_issue));
  return problem(fmt::format("aaa-server {} protocol {} is not supported", tag, protocol));
}

}  // namespace

BackendChoice make_backend(const config::Config& config, const std::string& list_or_tag) {
  if (config.dialect == config::Dialect::Pix) return from_server_tag(config, list_or_tag);
  return from_login_list(config, list_or_tag);
}

}  // namespace ravpn::xauth
