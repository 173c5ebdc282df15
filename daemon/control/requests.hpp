// The control socket's requests: one JSON object per line in, one per line out (protocol version 1).
//   {"version":1,"request":"status"|"isakmp"|"sas"|"users"|"pools"|"disconnect"|"reload"|"debug", ...}
//   -> {"version":1,"ok":true,...} or {"version":1,"ok":false,"error":"..."}
// The views answer what `show crypto isakmp sa`, `show crypto ipsec sa` and `show uauth` answered on the PIX. They
// read the responder's state; no key, password or pre-shared key ever reaches a view. Strings that came from a
// peer (identities, user names) are made printable before they are put into JSON.
#pragma once
#include <expected>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "daemon/control/access.hpp"
#include "ike/clock.hpp"
#include "ike/phase1_sa.hpp"
#include "ike/responder.hpp"
#include "xauth/accounting_sender.hpp"
#include "xauth/throttle.hpp"

namespace ravpn::control {

inline constexpr int kProtocolVersion = 1;
inline constexpr size_t kMaxRequestLine = 64 * 1024;

struct KernelCapability;  // kernel_probe.hpp

// What the requests need from the daemon, passed by reference (no globals).
struct RequestContext {
  ike::Responder& responder;
  const TimeSource& time;
  TimePoint started;            // when the service started (uptime)
  std::string config_source;    // the configuration file
  // Turns on debug output of these categories ("isakmp,ipsec", "all"); false when a name is unknown. May be empty
  // (then `debug` answers an error).
  std::function<bool(const std::string&)> set_debug;
  // Re-reads the configuration (the same files) and applies it: the response's fields on success (what changed),
  // else the error text (the running configuration stays). May be empty (then `reload` answers an error).
  std::function<std::expected<nlohmann::json, std::string>()> reload;
  // What the kernel can do (kernel_probe.hpp), probed at start and on each reload; null = not probed.
  const KernelCapability* kernel_capability = nullptr;
  // Xauth failure counts and lockouts (`status` lists the lockouts in force); may be null.
  const xauth::Throttle* throttle = nullptr;
  // The accounting sender (`status` shows its queue and counters); null = no accounting. A function, because a
  // reload may create it.
  std::function<const xauth::accounting::Sender*()> accounting = {};
};

// The project version (meson's project version).
const char* version();

// Peer-supplied bytes for JSON: peer_text() (ike/log_text.hpp), the same escaping and bound as in the log.
std::string printable(std::string_view text);

// JSON views (also used by the tests on hand-made SAs).
nlohmann::json isakmp_view(const ike::Phase1Sa& sa, TimePoint now);
// One entry per ChildSa; with a kernel, "in"/"out" carry its byte and packet counters.
nlohmann::json child_views(const ike::Phase1Sa& sa, TimePoint now, kernel::Kernel* kernel);
// Empty (null) when the SA has no authenticated user and no pool address.
nlohmann::json user_view(const ike::Phase1Sa& sa, TimePoint now);
nlohmann::json pools_view(const ike::PoolSet* pools);
// The Xauth lockouts in force: [{"user"|"address": ..., "failures": N, "seconds_left": S}].
nlohmann::json lockouts_view(const xauth::Throttle* throttle, TimePoint now);
// {"protocol", "servers", "queued", "sent", "failed_rounds", "retransmits", "dropped", "last_server", "last_error"};
// null without accounting.
nlohmann::json accounting_view(const xauth::accounting::Sender* sender);

// Admission control (ike/admission.hpp): {"dropped": {rule: N, ...}, "under_pressure", "half_open", "dh_queued",
// "fragment_sets", "fragment_bytes", "limits": {...}}.
nlohmann::json admission_view(const ike::Responder& responder);

// One request object -> one response object (always has "version" and "ok"). A Monitor client gets an error for
// disconnect, reload and debug (access.hpp).
nlohmann::json handle_request(RequestContext& ctx, const nlohmann::json& request, Access access = Access::Admin);
// One line (without its newline) -> one response line (without newline). Invalid JSON gets an error response.
std::string handle_line(RequestContext& ctx, std::string_view line, Access access = Access::Admin);

nlohmann::json error_response(const std::string& message);
// Serialises without throwing on invalid UTF-8 (replaced by U+FFFD).
std::string dump_line(const nlohmann::json& j);

}  // namespace ravpn::control
