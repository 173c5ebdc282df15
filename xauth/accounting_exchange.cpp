#include "xauth/accounting_exchange.hpp"

#include <botan/system_rng.h>
#include <fmt/format.h>

#include "xauth/radius_accounting.hpp"
#include "xauth/tacacs_accounting.hpp"
#include "xauth/udp_client.hpp"

namespace ravpn::xauth::accounting {

Delivery radius_accounting_exchange(const Server& server, const Record& record, uint32_t delay_seconds,
                                    const std::string& nas_identifier) {
  auto client = UdpClient::open(server.address, server.port);
  if (!client) return {Answer::Error, client.error()};
  radius::AccountingRequestData request;
  Botan::System_RNG rng;
  rng.randomize(&request.identifier, 1);
  request.record = record;
  request.nas_address = client->source();
  request.nas_identifier = nas_identifier;
  request.delay_seconds = delay_seconds;
  auto packet = radius::build_accounting_request(request, server.key);
  if (!packet) return {Answer::Error, packet.error()};
  auto outcome = client->exchange(*packet, server.timeout_seconds, server.retransmits,
                                  [&](std::span<const uint8_t> answer, std::string& why_not) {
                                    auto ok = radius::check_accounting_response(answer, *packet, server.key);
                                    if (!ok) why_not = ok.error();
                                    return ok.has_value();
                                  });
  Delivery d;
  d.retransmits = outcome.sent > 0 ? outcome.sent - 1 : 0;
  switch (outcome.kind) {
    case UdpOutcome::Kind::Answered: d.answer = Answer::Acknowledged; break;
    case UdpOutcome::Kind::Error: d.answer = Answer::Error; d.detail = outcome.detail; break;
    case UdpOutcome::Kind::Timeout:
      d.answer = Answer::Timeout;
      d.detail = fmt::format("timed out ({} tries of {} s)", outcome.sent, server.timeout_seconds);
      break;
  }
  return d;
}

Exchange exchange_for(const Settings& settings) {
  if (settings.protocol == Protocol::Tacacs) return tacacs_accounting_exchange;
  return [nas = settings.nas_identifier](const Server& s, const Record& r, uint32_t delay) {
    return radius_accounting_exchange(s, r, delay, nas);
  };
}

}  // namespace ravpn::xauth::accounting
