// Where accounting records go, from the config (model: config::AaaAccounting): the servers of the PIX tag or IOS
// group, in configuration order, with the accounting port (RADIUS: `acct-port` / PIX `radius-acctport`, Cisco
// default 1646; TACACS+: the server's port, 49).
#pragma once
#include <optional>
#include <string>

#include "daemon/config/model.hpp"
#include "xauth/accounting_sender.hpp"

namespace ravpn::xauth::accounting {

inline constexpr uint16_t kCiscoRadiusAcctPort = 1646;

struct SettingsChoice {
  std::optional<Settings> settings;  // nullopt: no accounting configured, or `problem`
  std::string problem;               // configured but unusable: no such tag, no host, no key
};
SettingsChoice accounting_settings(const config::Config& config);

// `--check-config`: an Error at the accounting line when its servers cannot be used.
void check_accounting(config::Config& config);

}  // namespace ravpn::xauth::accounting
