// RADIUS Xauth backend: the server order and verdicts, and the UDP exchange with one server.
#include "xauth/radius_backend.hpp"

#include <exception>
#include <utility>

#include <botan/system_rng.h>
#include <fmt/format.h>

#include "xauth/radius_packet.hpp"
#include "xauth/udp_client.hpp"
#include "xauth/worker_job.hpp"

namespace ravpn::xauth {

std::string RadiusServer::str() const { return fmt::format("{}:{}", address.str(), port); }

// ---- one exchange over UDP ---------------------------------------------------------------------------------------
namespace {
RadiusReply error(std::string detail) { return {RadiusAnswer::Error, std::move(detail)}; }
}  // namespace

RadiusReply udp_exchange(const RadiusServer& server, const Credentials& credentials) {
  auto client = UdpClient::open(server.address, server.port);
  if (!client) return error(client.error());

  radius::Request request;
  Botan::System_RNG rng;  // the Request Authenticator must be unpredictable (RFC 2865 3)
  rng.randomize(&request.identifier, 1);
  rng.randomize(request.authenticator.data(), request.authenticator.size());
  request.user = credentials.user;
  request.password = credentials.password;
  request.nas_address = client->source();
  request.calling_station = credentials.peer.str();
  auto packet = radius::build_access_request(request, server.key);
  if (!packet) return error(packet.error());

  std::optional<radius::Reply> reply;
  auto outcome = client->exchange(*packet, server.timeout_seconds, server.retransmits,
                                  [&](std::span<const uint8_t> answer, std::string& why_not) {
                                    auto r = radius::check_reply(answer, *packet, server.key);
                                    if (!r) why_not = r.error();
                                    else reply = std::move(*r);
                                    return r.has_value();
                                  });
  if (outcome.kind == UdpOutcome::Kind::Error) return error(outcome.detail);
  if (!reply) return {RadiusAnswer::Timeout, ""};
  switch (reply->code) {
    case radius::AccessAccept:
      return {RadiusAnswer::Accept, reply->reply_message, std::move(reply->authorization)};
    case radius::AccessReject:
      return {RadiusAnswer::Reject, reply->reply_message};
    default:
      return {RadiusAnswer::Challenge, reply->reply_message};
  }
}

// ---- the backend -------------------------------------------------------------------------------------------------
namespace {

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

// Runs on a worker thread: every server in order until one answers.
Result ask_servers(const RadiusSettings& settings, const RadiusExchange& exchange, const Credentials& credentials) {
  std::vector<std::string> silent;
  for (const auto& server : settings.servers) {
    RadiusReply reply = exchange(server, credentials);
    switch (reply.answer) {
      case RadiusAnswer::Accept: {
        Result accepted{Verdict::Accept, fmt::format("accepted by RADIUS server {}", server.address.str())};
        accepted.authorization = std::move(reply.authorization);
        accepted.authorization.reply_message = reply.detail;
        accepted.answered_by = "RADIUS " + server.str();
        return accepted;
      }
      case RadiusAnswer::Reject: {
        std::string reason = "rejected by RADIUS server " + server.address.str();
        if (!reply.detail.empty()) reason += " (" + reply.detail + ")";  // the server's Reply-Message
        return {Verdict::Reject, std::move(reason)};
      }
      case RadiusAnswer::Challenge:
        return {Verdict::Reject,
                fmt::format("RADIUS server {} sent an Access-Challenge, which is not relayed", server.address.str())};
      case RadiusAnswer::Timeout:
        silent.push_back(fmt::format("{} timed out ({} {} of {} s)", server.str(), server.retransmits + 1,
                                     server.retransmits ? "tries" : "try", server.timeout_seconds));
        break;
      case RadiusAnswer::Error:
        silent.push_back(fmt::format("{}: {}", server.str(), reply.detail));
        break;
    }
  }
  if (silent.empty()) return {Verdict::Unavailable, "no RADIUS server configured"};
  return {Verdict::Unavailable, "no RADIUS server answered: " + join(silent, "; ")};
}

class RadiusBackend final : public Backend {
 public:
  RadiusBackend(RadiusSettings settings, Worker& worker, RadiusExchange exchange)
      : settings_(std::make_shared<const RadiusSettings>(std::move(settings))), worker_(worker),
        exchange_(std::move(exchange)) {}

  void authenticate(const Credentials& credentials, std::function<void(Result)> done) override {
    if (credentials.password.size() > kRadiusMaxPasswordLength) {
      done({Verdict::Reject, fmt::format("password longer than RADIUS PAP carries ({} bytes)",
                                         kRadiusMaxPasswordLength)});
      return;
    }
    run_on_worker(
        worker_, credentials,
        [settings = settings_, exchange = exchange_](const Credentials& c) { return ask_servers(*settings, exchange, c); },
        "RADIUS", std::move(done));
  }

  std::string describe() const override {
    std::vector<std::string> servers;
    for (const auto& s : settings_->servers) servers.push_back(s.str());
    return fmt::format("RADIUS {} ({})", settings_->name, join(servers, ", "));
  }

 private:
  std::shared_ptr<const RadiusSettings> settings_;
  Worker& worker_;
  RadiusExchange exchange_;
};

// Asks methods in order while they answer Unavailable. The methods are shared with the requests in flight: a reload
// may replace this backend while a RADIUS request still waits on the pool, and its completion then asks the next
// method of the chain it started with.
class FallbackBackend final : public Backend {
 public:
  using Methods = std::vector<std::unique_ptr<Backend>>;
  explicit FallbackBackend(Methods methods) : methods_(std::make_shared<const Methods>(std::move(methods))) {}

  void authenticate(const Credentials& credentials, std::function<void(Result)> done) override {
    ask(std::make_shared<Attempt>(Attempt{methods_, credentials, std::move(done), {}}), 0);
  }

  std::string describe() const override {
    std::vector<std::string> parts;
    for (const auto& m : *methods_) parts.push_back(m->describe());
    return join(parts, ", then ");
  }

 private:
  struct Attempt {
    std::shared_ptr<const Methods> methods;
    Credentials credentials;
    std::function<void(Result)> done;
    std::vector<std::string> unavailable;  // reasons of the methods that did not answer
  };

  static void ask(std::shared_ptr<Attempt> attempt, size_t index) {
    Backend& method = *(*attempt->methods)[index];
    method.authenticate(attempt->credentials, [attempt, index](Result r) {
      if (r.verdict == Verdict::Unavailable && index + 1 < attempt->methods->size()) {
        attempt->unavailable.push_back(std::move(r.reason));
        ask(attempt, index + 1);
        return;
      }
      if (!attempt->unavailable.empty()) {
        attempt->unavailable.push_back(std::move(r.reason));
        r.reason = join(attempt->unavailable, "; then ");
      }
      attempt->credentials.password.clear();
      attempt->done(std::move(r));
    });
  }

  std::shared_ptr<const Methods> methods_;
};

}  // namespace

// ---- configuration -----------------------------------------------------------------------------------------------
RadiusSettingsChoice radius_settings(const config::Config& config, const std::string& tag, const std::string& what) {
  RadiusSettingsChoice out;
  out.settings.name = tag;
  for (const auto& s : config.aaa_servers) {
    if (s.tag != tag || s.protocol != "radius" || s.host.value == 0) continue;  // 0: the `protocol` line itself
    // IOS `auth-port 0`: the host is not used for authentication.
    if (s.auth_port && *s.auth_port == 0) continue;
    if (s.key_masked) {
      out.problem = fmt::format("{} host {}: the key is masked and no secrets file supplied it", what, s.host.str());
      return out;
    }
    if (s.key.empty()) {
      out.problem = fmt::format("{} host {} has no key: RADIUS needs the shared secret", what, s.host.str());
      return out;
    }
    RadiusServer r;
    r.address = s.host;
    r.port = s.auth_port.value_or(kCiscoRadiusAuthPort);
    r.key = s.key;
    r.timeout_seconds = s.timeout_seconds && *s.timeout_seconds > 0 ? *s.timeout_seconds : kCiscoRadiusTimeoutSeconds;
    // IOS `retransmit N` is not kept by the config reader yet; PIX has no such option (always 4 tries).
    r.retransmits = kCiscoRadiusRetransmits;
    out.settings.servers.push_back(std::move(r));
  }
  if (out.settings.servers.empty()) out.problem = fmt::format("{} has no RADIUS host to send users to", what);
  return out;
}

std::unique_ptr<Backend> make_radius_backend(RadiusSettings settings, Worker& worker) {
  return make_radius_backend(std::move(settings), worker, udp_exchange);
}

std::unique_ptr<Backend> make_radius_backend(RadiusSettings settings, Worker& worker, RadiusExchange exchange) {
  return std::make_unique<RadiusBackend>(std::move(settings), worker, std::move(exchange));
}

std::unique_ptr<Backend> make_fallback_backend(std::vector<std::unique_ptr<Backend>> methods) {
  if (methods.size() == 1) return std::move(methods.front());
  return std::make_unique<FallbackBackend>(std::move(methods));
}

}  // namespace ravpn::xauth
