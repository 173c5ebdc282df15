// PIX lines ravpn reads past (cisco-config.md "Lines an importer meets that are not VPN"): management and platform
// lines are Kind::Ignored, features ravpn does not implement Kind::Partial, grouped by command; PIX 7.x / ASA syntax
// is an error, since half reading a 7.x config would leave out its VPN setup.
#include "daemon/config/pix_reader.hpp"

namespace ravpn::config::detail {
namespace {

void asa_syntax(PixState&, Args& a) {
  a.remaining();
  a.fail("PIX 7.x / ASA syntax; this reader reads PIX 6.x configurations");
}

}  // namespace

void add_pix_ignored_commands(CommandTable<PixState>& top) {
  constexpr std::string_view framing = "running-config framing, not configuration";
  constexpr std::string_view platform = "platform setting, not used by ravpn";
  constexpr std::string_view management = "management setting, not used by ravpn";
  constexpr std::string_view inspection = "protocol inspection, not used by ravpn";
  top.ignore(":", framing)
      .ignore(": saved", framing)
      .ignore(": end", framing)
      .ignore("cryptochecksum:", framing)
      .ignore("fixup", inspection)
      .ignore("mgcp", inspection)
      .ignore("ip audit", "intrusion detection not supported")
      .ignore("floodguard", platform)
      .ignore("failover", platform)
      .ignore("arp", platform)
      .ignore("timeout", platform)
      .ignore("fragment", platform)
      .ignore("domain-name", management)
      .ignore("pdm", management)
      .ignore("logging", management)
      .ignore("snmp-server", management)
      .ignore("telnet", management)
      .ignore("ssh", management)
      .ignore("http", management)
      .ignore("ntp", management)
      .ignore("clock", management)
      .ignore("passwd", management)
      .ignore("enable password", management)
      .ignore("console", management)
      .ignore("terminal", management)
      .ignore("pager", management)
      .ignore("banner", management)
      .ignore("privilege", management)
      .ignore("auth-prompt", management)
      .ignore("management-access", management)
      .ignore("tftp-server", management)
      .ignore("perfmon", management)
      .ignore("ftp", management)
      .ignore("dhcpd", "DHCP server not used by ravpn")
      .ignore("dhcprelay", "DHCP relay not used by ravpn")
      .ignore("icmp", "ICMP to the box itself, management")
      .ignore("url-server", "URL filtering not used by ravpn")
      .ignore("url-block", "URL filtering not used by ravpn")
      .ignore("url-cache", "URL filtering not used by ravpn")
      .ignore("filter", "URL and content filtering not used by ravpn")
      .ignore("shun", "intrusion response not used by ravpn")
      .ignore("mac-list", "MAC lists (cut-through AAA exemption) not used by ravpn")
      .ignore("prefix-list", "routing protocols are not used by ravpn")
      .ignore("rip", "routing protocols are not used by ravpn")
      .ignore_block("routing", "routing protocols are not used by ravpn")
      .ignore_block("router", "routing protocols are not used by ravpn")
      .ignore("mroute", "multicast routing not used by ravpn")
      .ignore_block("multicast", "multicast routing not used by ravpn")
      .ignore("igmp", "multicast routing not used by ravpn")
      .partial("ip verify reverse-path", "reverse-path (anti-spoofing) checks are not applied")
      .partial("alias", "DNS doctoring (alias) is not supported")
      .partial("virtual", "virtual servers for cut-through authentication are not supported")
      .partial("vpdn", "PPTP, L2TP and PPPoE (vpdn) are not supported")
      .partial("vpnclient", "Easy VPN Remote (vpnclient) is not supported")
      .partial("ca", "certificates are not supported")
      .partial("network-object", "object groups are not supported")
      .partial("port-object", "object groups are not supported")
      .partial("protocol-object", "object groups are not supported")
      .partial("icmp-object", "object groups are not supported")
      .partial("group-object", "object groups are not supported")
      .handle("tunnel-group", asa_syntax)
      .handle("group-policy", asa_syntax)
      .handle("webvpn", asa_syntax)
      .handle("same-security-traffic", asa_syntax)
      .handle("object", asa_syntax)
      .handle("class-map", asa_syntax)
      .handle("policy-map", asa_syntax)
      .handle("service-policy", asa_syntax)
      .handle("dynamic-access-policy-record", asa_syntax)
      .handle("ssl", asa_syntax);
}

}  // namespace ravpn::config::detail
