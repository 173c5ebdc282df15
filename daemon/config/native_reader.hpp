// The native (TOML) reader's sections, one function per group of top-level keys. Each reads its keys from ROOT (the
// document's top table) into the model; problems become diagnostics through ROOT's reporter.
//
// The schema (packaging/ravpn.toml.example is a complete example; ravpn-convert(8) documents every key):
//   hostname = "..."
//   [isakmp] identity, enable, keepalive_seconds, keepalive_retry_seconds, nat_traversal_seconds, client_pool
//   [[isakmp.policy]] priority, encryption, hash, authentication, group, lifetime
//   [[isakmp.key]] peer, key, no_xauth, no_config_mode
//   [group.NAME] key, pool, dns, wins, domain, split_tunnel_acl, split_dns, pfs, idle_time, max_time, banner,
//                backup_servers, authentication_server, max_users, max_logins, include_local_lan, save_password
//   [user.NAME] password, password_hash, hash
//   [aaa] new_model; [aaa.authentication_login] LIST = [methods]; [aaa.authorization_network] LIST = [methods]
//   [[aaa.server]] tag, protocol, interface, host, key, auth_port, acct_port, timeout_seconds
//   [ipsec] lifetime_seconds, lifetime_kilobytes
//   [transform_set.NAME] transforms, mode
//   [[dynamic_map.NAME]] sequence, transform_sets, match_acl, pfs_group, lifetime_seconds, lifetime_kilobytes
//   [crypto_map.NAME] client_authentication, isakmp_authorization, config_initiate, config_respond
//   [[crypto_map.NAME.entry]] sequence, dynamic_map
//   [[interface]] name, hardware, address, security_level, shutdown, nat_inside, nat_outside, crypto_maps
//   [pool.NAME] ranges;  [[route]] interface, destination, gateway;  [mtu] IF = N;  [names] NAME = "A"
//   [[access_list.NAME]] action, protocol, source, source_port, destination, destination_port, icmp_type | text
//   [[access_group]] acl, interface, direction
//   [nat] ios_lines;  [nat.pool.NAME] first, last, netmask
//   [[nat.exemption]] real_interface, acl
//   [[nat.dynamic]] id, real_interface, mapped_interface, network, acl, route_map, mapped, interface_pat, overload,
//                   pool
//   [[nat.static]] real_interface, mapped_interface, real, mapped, protocol, real_port, mapped_port
//   [[route_map.NAME]] action, sequence, match_acls, other_lines
//   [sysopt] connection_permit_ipsec, noproxyarp
// Secrets ("********" = masked: a secrets file must supply it): isakmp.key.key, group.NAME.key,
// user.NAME.password, user.NAME.password_hash, aaa.server.key.
#pragma once
#include "daemon/config/native_fields.hpp"

namespace ravpn::config::native {

void read_isakmp(Fields& root, Config& cfg);   // isakmp, group
void read_aaa(Fields& root, Config& cfg);      // user, aaa
void read_ipsec(Fields& root, Config& cfg);    // ipsec, transform_set, dynamic_map, crypto_map
void read_network(Fields& root, Config& cfg);  // interface, pool, route, mtu, names
void read_filter(Fields& root, Config& cfg);   // access_list, access_group, route_map, sysopt; then read_nat
void read_nat(Fields& root, Config& cfg);      // nat

// The error parse_native records for a user whose password (or hash) is masked; apply_native_secrets removes it
// when it supplies the value (LocalUser has no masked flag for validate to check).
std::string masked_password_message(const std::string& user);
inline constexpr std::string_view kUserSection = "user";

// The diagnostic for a TOML syntax error in TEXT; withholds toml++'s description on a line that assigns a secret.
std::string syntax_error_message(const toml::parse_error& e, std::string_view text);

}  // namespace ravpn::config::native
