// Which backend checks Xauth users: `crypto map M client authentication list LIST` (IOS) names an
// `aaa authentication login LIST` method list; `crypto map M client authentication TAG` (PIX) an `aaa-server TAG`.
#include <fmt/format.h>

#include "xauth/backend.hpp"
#include "xauth/radius_backend.hpp"
#include "xauth/tacacs_backend.hpp"

namespace ravpn::xauth {
namespace {

BackendChoice problem(std::string text) { return {nullptr, std::move(text), {}}; }

// RADIUS or TACACS+ servers of a tag or IOS group. The servers are checked first, so a config check without a worker
// pool still names a missing host or key.
BackendChoice server_backend(const config::Config& config, const std::string& protocol, const std::string& tag,
                             const std::string& what, Worker* aaa_worker) {
  const bool radius = protocol == "radius";
  std::string hosts_problem;
  if (radius) hosts_problem = radius_settings(config, tag, what).problem;
  else hosts_problem = tacacs_settings(config, tag, what).problem;
  if (!hosts_problem.empty()) return problem(std::move(hosts_problem));
  if (!aaa_worker)
    return problem(fmt::format("{}: {} is unavailable here (no AAA worker pool to run its requests on)", what,
                               radius ? "RADIUS" : "TACACS+"));
  if (radius) return {make_radius_backend(radius_settings(config, tag, what).settings, *aaa_worker), "", {}};
  return {make_tacacs_backend(tacacs_settings(config, tag, what).settings, *aaa_worker), "", {}};
}

// The protocol of an IOS server group (`group NAME`): "" when no server carries the tag.
std::string group_protocol(const config::Config& config, const std::string& group) {
  for (const auto& s : config.aaa_servers)
    if (s.tag == group && !s.protocol.empty()) return s.protocol;
  return "";
}

// IOS: methods are asked in order, the next only when one answers ERROR (no server reachable), never after a
// FAIL (reject). `local` never answers ERROR, so the methods after it are never asked.
BackendChoice from_login_list(const config::Config& config, const std::string& list, Worker* aaa_worker) {
  if (!config.aaa_new_model)
    return problem(fmt::format("client authentication list {}: without `aaa new-model` there are no aaa "
                               "authentication login lists to check users with",
                               list));
  auto it = config.aaa_authentication_login.find(list);
  if (it == config.aaa_authentication_login.end())
    return problem(fmt::format("no aaa authentication login list {}", list));
  const auto& methods = it->second.methods;
  if (methods.empty()) return problem(fmt::format("aaa authentication login {} has no methods", list));

  std::vector<std::unique_ptr<Backend>> chain;
  std::vector<std::string> warnings;
  for (const std::string& method : methods) {
    const bool first = chain.empty();
    if (method == "local" || method == "local-case") {
      auto match = method == "local" ? UserNameMatch::IgnoreCase : UserNameMatch::Exact;
      chain.push_back(make_local_backend(config.users, match));
      break;
    }
    if (method == "line" || method == "enable" || method == "none" || method == "krb5" ||
        method == "if-authenticated") {
      if (first)
        return problem(fmt::format(
            "aaa authentication login {} starts with method {}, which cannot check Xauth users", list, method));
      // Cisco would ask it when the servers before it are unreachable; `none` would then let everyone in.
      warnings.push_back(fmt::format("aaa authentication login {}: method {} cannot check Xauth users and is left "
                                     "out; when no server answers, users are refused",
                                     list, method));
      break;
    }
    std::string protocol = method == "radius" || method == "tacacs+" ? method : group_protocol(config, method);
    if (protocol != "radius" && protocol != "tacacs+")
      return problem(fmt::format("aaa authentication login {}: no RADIUS or TACACS+ server group {}", list, method));
    std::string what = method == "radius"    ? "radius-server"
                       : method == "tacacs+" ? "tacacs-server"
                                             : "server group " + method;
    auto choice = server_backend(config, protocol, method, what, aaa_worker);
    if (!choice.backend)
      return problem(fmt::format("aaa authentication login {}: {}", list, choice.problem));
    chain.push_back(std::move(choice.backend));
  }
  return {make_fallback_backend(std::move(chain)), "", std::move(warnings)};
}

// PIX 6.3 predefines `aaa-server TACACS+ protocol tacacs+`, `RADIUS protocol radius` and `LOCAL protocol local`.
// The model holds one entry per `host` line, with the tag's protocol; a tag with no host line has no entry.
BackendChoice from_server_tag(const config::Config& config, const std::string& tag, Worker* aaa_worker) {
  std::string protocol;
  bool found = false;
  for (const auto& s : config.aaa_servers)
    if (s.tag == tag) {
      found = true;
      if (protocol.empty()) protocol = s.protocol;
    }
  if (!found) {
    if (tag == "LOCAL") protocol = "local";
    else if (tag == "RADIUS") protocol = "radius";
    else if (tag == "TACACS+") protocol = "tacacs+";
    else return problem(fmt::format("no aaa-server {} host", tag));
  }
  if (protocol == "local") return {make_local_backend(config.users, UserNameMatch::Exact), "", {}};
  if (protocol == "radius" || protocol == "tacacs+")
    return server_backend(config, protocol, tag, "aaa-server " + tag, aaa_worker);
  return problem(fmt::format("aaa-server {} protocol {} is not supported", tag, protocol));
}

}  // namespace

BackendChoice make_backend(const config::Config& config, const std::string& list_or_tag, Worker* aaa_worker) {
  if (config.dialect == config::Dialect::Pix) return from_server_tag(config, list_or_tag, aaa_worker);
  // A native config may come from either dialect (ravpn-convert): a login list of that name if there is one, else
  // an aaa-server tag as on the PIX.
  if (config.dialect == config::Dialect::Native && !config.aaa_authentication_login.contains(list_or_tag))
    return from_server_tag(config, list_or_tag, aaa_worker);
  return from_login_list(config, list_or_tag, aaa_worker);
}

}  // namespace ravpn::xauth
