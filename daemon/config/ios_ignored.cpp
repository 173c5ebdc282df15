// IOS lines ravpn reads past: management, platform and routing commands (../shared/reference/cisco-config.md,
// "Lines an importer meets that are not VPN"). Reported as Kind::Ignored, grouped by command.
#include "daemon/config/ios_reader.hpp"

namespace ravpn::config::detail {

void add_ios_ignored_commands(CommandTable<IosState>& top) {
  constexpr std::string_view platform = "platform setting, not used by ravpn";
  constexpr std::string_view management = "management setting, not used by ravpn";
  top.ignore("service", platform)
      .ignore("version", platform)
      .ignore("boot", platform)
      .ignore("boot-start-marker", platform)
      .ignore("boot-end-marker", platform)
      .ignore("memory-size", platform)
      .ignore("cns", platform)
      .ignore("scheduler", platform)
      .ignore("ip subnet-zero", platform)
      .ignore("ip classless", platform)
      .ignore("ip cef", platform)
      .ignore("ip source-route", platform)
      .ignore("ip finger", platform)
      .ignore("ip bootp", platform)
      .ignore("ip forward-protocol", platform)
      .ignore("ip audit", "intrusion detection not supported")
      .ignore("ip http", management)
      .ignore("ip ssh", management)
      .ignore("ip domain-name", management)
      .ignore("ip domain-lookup", management)
      .ignore("ip domain", management)
      .ignore("ip name-server", management)
      .ignore("ip host", management)
      .ignore("ip ftp", management)
      .ignore("ip tftp", management)
      .ignore("ip rcmd", management)
      .ignore("cdp", management)
      .ignore("enable", management)
      .ignore("logging", management)
      .ignore("snmp-server", management)
      .ignore("ntp", management)
      .ignore("clock", management)
      .ignore("alias", management)
      .ignore("privilege", management)
      .ignore("exception", management)
      .ignore_delimited("banner", management)
      .ignore_block("line", management)
      .ignore_block("control-plane", platform)
      .ignore_block("ip dhcp pool", management)
      .ignore_block("router", "routing protocols are not used by ravpn")
      .ignore_block("controller", platform)
      .ignore_block("voice-port", platform)
      .ignore_block("dial-peer", platform)
      .ignore_block("gatekeeper", platform)
      .ignore_block("mgcp", platform);
}

}  // namespace ravpn::config::detail
