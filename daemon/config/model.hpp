// The resolved configuration model: one model behind every config dialect (IOS 12.x now; PIX 6.3 and a native
// format later). ../shared/reference/cisco-config.md has the command semantics and defaults.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "pool/ipv4.hpp"

namespace ravpn::config {

enum class Cipher { Des, TripleDes, Aes128, Aes192, Aes256 };
enum class Hash { Md5, Sha1, Sha256, Sha384, Sha512 };
enum class AuthMethod { PreShare, RsaSig, RsaEncr };

// Where a setting came from, for diagnostics.
struct Origin {
  std::string file;
  int line = 0;
};

// `crypto isakmp policy N` / PIX `isakmp policy N ...`. Defaults of an absent line: DES, SHA, rsa-sig, group 1,
// 86400 s.
struct IsakmpPolicy {
  int priority = 0;
  Cipher cipher = Cipher::Des;
  Hash hash = Hash::Sha1;
  AuthMethod auth = AuthMethod::RsaSig;
  int dh_group = 1;
  uint32_t lifetime_seconds = 86400;
  Origin origin;
};

// `crypto isakmp key K address A [M] [no-xauth]` / PIX `isakmp key K address A netmask M [no-xauth]
// [no-config-mode]`. An absent mask means 255.255.255.255.
struct PresharedKey {
  std::string key;  // never logged; "********" until a secrets file supplies it (masked = true)
  bool masked = false;  // no usable value yet (printed masked, or type 6); apply_secrets sets key, clears this
  Ipv4Net peer;
  bool no_xauth = false;
  bool no_config_mode = false;
  Origin origin;
};

// `crypto isakmp client configuration group NAME` (IOS Easy VPN) / PIX `vpngroup NAME ...`.
struct ClientGroup {
  std::string name;
  std::optional<std::string> key;  // the group PSK (aggressive mode, ID_KEY_ID = name); never logged
  bool key_masked = false;
  std::string pool;                // address pool name, "" = the global one
  std::vector<Ipv4> dns;
  std::vector<Ipv4> wins;
  std::string domain;
  std::string split_tunnel_acl;    // IOS `acl`, PIX `split-tunnel`
  std::vector<std::string> split_dns;
  bool pfs = false;
  std::optional<uint32_t> idle_time;
  std::optional<uint32_t> max_time;
  std::string banner;
  std::vector<std::string> backup_servers;
  std::string authentication_server;  // PIX `vpngroup G authentication-server TAG`
  std::optional<uint32_t> max_users;   // IOS `max-users N`
  std::optional<uint32_t> max_logins;  // IOS `max-logins N` (per user)
  bool include_local_lan = false;      // IOS `include-local-lan`
  bool save_password = false;          // IOS `save-password`
  Origin origin;
  Origin key_origin;  // the line that set `key`
};

struct AddressPool {  // `ip local pool NAME A [B]` / PIX `ip local pool NAME A-B`
  std::string name;
  std::vector<Ipv4Range> ranges;  // IOS allows several lines per name
  Origin origin;
};

struct LocalUser {  // `username U password [0|7] P` / `secret 5 H` / PIX `username U password P [encrypted]`
  std::string name;
  std::string password;  // cleartext (type 0 or decoded type 7); never logged
  std::string password_hash;  // md5-crypt (IOS secret 5) or PIX-MD5 (PIX encrypted)
  enum class HashKind { None, Md5Crypt, PixMd5 } hash_kind = HashKind::None;
  Origin origin;
};

// `aaa authentication login LIST METHOD...` (IOS) / `aaa-server TAG protocol P` + hosts (PIX).
struct AaaList {
  std::string name;
  std::vector<std::string> methods;  // "local", "radius", "tacacs+", "line", "none", or a server group tag
  Origin origin;
};
struct AaaServer {
  std::string tag;       // PIX tag, or "radius"/"tacacs+" for IOS radius-server/tacacs-server
  std::string protocol;  // "radius", "tacacs+", "local"
  std::string interface_name;
  Ipv4 host;
  std::string key;       // never logged
  bool key_masked = false;
  std::optional<uint16_t> auth_port;
  std::optional<uint16_t> acct_port;
  std::optional<uint32_t> timeout_seconds;
  std::string tacacs_login;  // TACACS+ authen_type: "" (ASCII login, as a Cisco box) or "pap" (native config only)
  Origin origin;
};

// Accounting of VPN sessions (Start, Interim-Update, Stop per tunnel): PIX `aaa accounting include any inbound 0 0
// 0 0 TAG`, IOS `aaa accounting network LIST start-stop group G` (+ `aaa accounting update periodic MINUTES`),
// native [aaa.accounting]. `servers` empty: no accounting.
struct AaaAccounting {
  std::string servers;  // the PIX tag, IOS "radius" / "tacacs+" / a server group name
  std::optional<uint32_t> interim_seconds;  // Interim-Update interval; none: only Start and Stop
  Origin origin;
};

struct TransformSet {  // `crypto ipsec transform-set NAME T1 [T2 [T3]]`
  std::string name;
  std::vector<std::string> transforms;  // tokens as written: "esp-des", "esp-md5-hmac", "esp-aes 256", ...
  std::string mode = "tunnel";
  Origin origin;
};

struct DynamicMapEntry {  // `crypto dynamic-map NAME SEQ` and its `set` / `match` lines
  std::string name;
  int sequence = 0;
  std::vector<std::string> transform_sets;
  std::string match_acl;
  std::optional<int> pfs_group;
  std::optional<uint32_t> lifetime_seconds;
  std::optional<uint32_t> lifetime_kilobytes;
  Origin origin;
};

struct CryptoMapEntry {  // `crypto map NAME SEQ ipsec-isakmp dynamic DYN`
  int sequence = 0;
  std::string dynamic_map;
  Origin origin;
};

struct CryptoMap {
  std::string name;
  std::vector<CryptoMapEntry> entries;
  std::optional<std::string> client_authentication;  // Xauth on: the AAA list (IOS) or server tag (PIX)
  bool config_initiate = false;                       // `client configuration address initiate`
  bool config_respond = false;                        // `client configuration address respond`
  std::optional<std::string> isakmp_authorization;    // IOS `crypto map M isakmp authorization list L`
  std::vector<std::string> interfaces;                // where it is applied (config interface names)
  Origin origin;
};

struct Interface {  // IOS `interface X` block / PIX `nameif` + `ip address NAME A M`
  std::string name;  // IOS "FastEthernet0/1", PIX "outside"
  std::string hardware;  // PIX "ethernet0"
  std::optional<Ipv4Net> address;  // address + mask as configured
  std::optional<int> security_level;
  bool shutdown = false;
  bool nat_inside = false;
  bool nat_outside = false;
  std::vector<std::string> crypto_maps;
  Origin origin;
};

struct Route {  // `ip route N M GW` / PIX `route IF N M GW [metric]`
  std::string interface_name;
  Ipv4Net destination;
  Ipv4 gateway;
  Origin origin;
};

// What one ACL line matches. IOS writes wildcard masks, PIX netmasks; both become Ipv4Net (address + netmask).
struct PortMatch {
  enum class Op { Any, Eq, Neq, Lt, Gt, Range } op = Op::Any;
  uint16_t low = 0;   // Eq/Neq/Lt/Gt: the port; Range: the first
  uint16_t high = 0;  // Range: the last
  bool operator==(const PortMatch&) const = default;
};
struct AclMatch {
  int protocol = -1;  // -1 = any (`ip`); else the IP protocol number (icmp 1, tcp 6, udp 17, esp 50, ...)
  Ipv4Net source{Ipv4{0}, Ipv4{0}};       // `any` = 0.0.0.0 0.0.0.0
  Ipv4Net destination{Ipv4{0}, Ipv4{0}};
  PortMatch source_ports;       // tcp/udp only
  PortMatch destination_ports;  // tcp/udp only
  std::optional<int> icmp_type; // icmp only
};

struct AclEntry {  // one line of `access-list N permit|deny ...`
  bool permit = true;
  std::string text;  // the rest of the line after permit/deny, as written
  std::optional<AclMatch> match;  // nullopt: not understood (reported Partial); such a line never matches
  Origin origin;
};
struct AccessList {
  std::string name;
  std::vector<AclEntry> entries;
};

// A report line: what the importer did not take (or took only partly), and errors.
struct Diagnostic {
  enum class Kind { Ignored, Partial, Error } kind = Kind::Ignored;
  Origin origin;
  std::string command;  // the command word(s) it is grouped by, e.g. "fixup", "ip audit"
  std::string message;
  std::string text;     // Ignored / Partial: the line as written, secrets redacted
};

// IOS NAT lines as written (the lowered forms are DynamicNat / StaticNat below).
struct NatPool {  // IOS `ip nat pool NAME A B netmask M | prefix-length N`
  std::string name;
  Ipv4Range range;
  Ipv4 netmask;
  Origin origin;
};
struct NatStatement {  // IOS `ip nat inside|outside source ...`, words after `ip nat`
  std::vector<std::string> words;
  Origin origin;
};
struct RouteMapEntry {  // IOS `route-map NAME [permit|deny] [SEQ]` and its `match ip address ACL...`
  std::string name;
  bool permit = true;
  int sequence = 10;
  std::vector<std::string> match_acls;
  std::vector<std::string> other_lines;  // other sub-lines as written
  Origin origin;
};

// ---- NAT and filtering, one form for both dialects (cisco-config.md "NAT and filtering") ----------------------
// Interface names below are config names ("inside", "FastEthernet0/0"); "" means every interface of that role
// (IOS: the `ip nat inside` / `ip nat outside` interfaces).

struct NatExemption {  // PIX `nat (IF) 0 access-list ACL`: flows a permit line matches are never translated
  std::string real_interface;
  std::string acl;
  Origin origin;
};

// Dynamic NAT/PAT. PIX `nat (IF) N NET MASK` or `nat (IF) N access-list ACL` with every `global (IF2) N ...` of the
// same N (one DynamicNat per global interface); IOS `ip nat inside source list ACL|route-map RM pool P|interface IF
// [overload]`. Which flows: `network`, else `acl` (permit = translate, deny = leave untranslated, first match
// decides), else `route_map` (its entries in sequence order; a permit entry's ACLs select flows to translate).
struct DynamicNat {
  int id = 0;                       // PIX nat id; IOS 0
  std::string real_interface;       // PIX nat (IF); IOS ""
  std::string mapped_interface;     // PIX global (IF2); IOS "" (or the `interface IF` of interface overload)
  std::optional<Ipv4Net> network;   // PIX `nat (IF) N NET MASK` (0.0.0.0 0.0.0.0 = everything)
  std::string acl;
  std::string route_map;
  std::vector<Ipv4Range> mapped_ranges;  // PIX global ranges / single addresses; IOS `ip nat pool` range
  bool interface_pat = false;       // PIX `global (IF) N interface`; IOS `interface IF overload`
  bool overload = false;            // PAT: IOS `overload`; PIX: a single-address global
  std::string nat_pool;             // IOS: the `ip nat pool` name (resolved into mapped_ranges by validate)
  Origin origin;
};

// Static NAT. PIX `static (REAL_IF,MAPPED_IF) MAPPED REAL [netmask M]` and static PAT `static (R,M) tcp|udp MAPPED
// MPORT REAL RPORT`; IOS `ip nat inside source static [tcp|udp] REAL [RPORT] MAPPED [MPORT]`.
struct StaticNat {
  std::string real_interface;
  std::string mapped_interface;
  Ipv4Net real{Ipv4{0}, Ipv4{0xffffffff}};  // address + netmask (a host: 255.255.255.255)
  Ipv4 mapped;                              // first mapped address; the mask is the same as real's
  int protocol = -1;                        // static PAT: 6 or 17; -1 = every protocol
  uint16_t real_port = 0;
  uint16_t mapped_port = 0;
  Origin origin;
};

struct AccessGroup {  // PIX `access-group ACL in interface IF`; IOS `ip access-group ACL in` on an interface
  std::string acl;
  std::string interface;
  bool inbound = true;  // `out` is read and reported Partial
  Origin origin;
};

enum class Dialect { Ios, Pix, Native };

// Xauth brute-force throttle (native `[aaa.xauth_throttle]`; no Cisco command): after each failure the next answer
// for the same user or source address waits longer (1, 2, 4 ... max_delay_seconds); lockout_failures failures in a
// row lock that user or address out for lockout_seconds, during which Xauth fails without asking the backend.
struct XauthThrottle {
  bool enabled = true;
  uint32_t max_delay_seconds = 30;
  uint32_t lockout_failures = 10;
  uint32_t lockout_seconds = 300;
};

// Admission control before any Diffie-Hellman (native `[isakmp.admission]`; PIX 6.x / IOS 12.x had no equivalent,
// they only capped SAs per box). Checked per first message, cheapest first (ike/admission.hpp). 0 = the default
// sized from the DH worker threads.
struct AdmissionLimits {
  // Half-open SAs one source address may hold (strongSwan's block_threshold, default 5: a client behind a NAT
  // shares its address with a few others, a spoofed flood fills it at once).
  uint32_t half_open_per_source = 5;
  // Half-open SAs in all: default 4,000 per DH thread, what one core finishes (group 2, about 3,000 handshakes/s
  // with the event loop's share) within a client's first retransmit (Cisco VPN Client and vpnc: 2 s or less).
  uint32_t half_open_max = 0;
  // DH jobs of aggressive mode first messages waiting for a thread; more = under load and such first messages are
  // dropped unanswered (default 64 per DH thread: 20 ms of group 2 work).
  uint32_t dh_queue_new = 0;
  uint32_t dh_queue_proven = 4096;  // main mode message 3 and quick mode PFS: these run first
  // Cisco fragments (ike/fragments.hpp): messages in reassembly from one address, and their bytes.
  uint32_t fragment_sets_per_source = 4;
  uint32_t fragment_bytes_per_source = 131072;
  uint32_t fragment_sets_max = 1024;  // all sources; when full the oldest set makes room
  bool operator==(const AdmissionLimits&) const = default;
};

struct Config {
  std::string source;  // file path
  Dialect dialect = Dialect::Ios;
  std::string hostname;

  std::vector<IsakmpPolicy> isakmp_policies;  // sorted by priority, lowest first
  std::vector<PresharedKey> isakmp_keys;
  std::map<std::string, ClientGroup> client_groups;
  std::string isakmp_identity = "address";  // address | hostname | key-id
  std::vector<std::string> isakmp_enabled_interfaces;  // PIX `isakmp enable IF`; IOS: interfaces with a crypto map
  std::optional<uint32_t> dpd_keepalive_seconds;
  std::optional<uint32_t> dpd_retry_seconds;
  std::optional<uint32_t> natt_keepalive_seconds;
  std::string client_config_pool;  // `crypto isakmp client configuration address-pool local NAME`
  Origin client_config_pool_origin;
  // IOS 12.x `crypto isakmp aggressive-mode disable`, native `isakmp.aggressive_mode = false`: aggressive mode first
  // messages are dropped unanswered (sites whose clients all use main mode; RFC 9395 deprecates aggressive mode).
  bool aggressive_mode_disabled = false;
  XauthThrottle xauth_throttle;
  AdmissionLimits admission;

  std::map<std::string, AddressPool> pools;
  std::map<std::string, LocalUser> users;
  bool aaa_new_model = false;
  std::map<std::string, AaaList> aaa_authentication_login;
  std::map<std::string, AaaList> aaa_authorization_network;
  std::vector<AaaServer> aaa_servers;
  AaaAccounting aaa_accounting;

  std::map<std::string, TransformSet> transform_sets;
  std::optional<uint32_t> ipsec_lifetime_seconds;    // global `crypto ipsec security-association lifetime`
  std::optional<uint32_t> ipsec_lifetime_kilobytes;
  std::vector<DynamicMapEntry> dynamic_maps;          // sorted by (name, sequence)
  std::map<std::string, CryptoMap> crypto_maps;

  std::vector<Interface> interfaces;
  std::vector<Route> routes;
  std::map<std::string, AccessList> access_lists;
  std::map<std::string, NatPool> nat_pools;
  std::vector<NatStatement> nat_statements;
  std::vector<RouteMapEntry> route_maps;  // sorted by (name, sequence)
  std::vector<NatExemption> nat_exemptions;
  std::vector<DynamicNat> dynamic_nats;   // in the order written
  std::vector<StaticNat> static_nats;     // in the order written
  std::vector<AccessGroup> access_groups;
  bool sysopt_permit_ipsec = false;       // PIX `sysopt connection permit-ipsec`: decrypted traffic skips the ACLs
  std::vector<std::string> noproxyarp_interfaces;  // PIX `sysopt noproxyarp IF`
  std::map<std::string, Ipv4> names;      // PIX `names` + `name A NAME` (already substituted where used)
  std::map<std::string, uint32_t> mtus;   // PIX `mtu IF N`, IOS `ip mtu` / `mtu` (by config interface name)

  std::vector<Diagnostic> diagnostics;
  bool has_errors() const;

  // Helpers the IKE side uses.
  // Phase 1 key for a main-mode peer: the most specific (longest mask) matching `isakmp key` line.
  const PresharedKey* key_for_peer(Ipv4 peer) const;
  // Xauth is on when any crypto map has `client authentication`.
  bool xauth_enabled() const;
  // Addresses IKE should listen on: interfaces carrying a crypto map (IOS) or `isakmp enable` (PIX).
  std::vector<Ipv4> ike_addresses() const;
};

// The resolved model as JSON, with every secret replaced by "<set>" / "<masked, no value>" (never the value).
nlohmann::json to_json(const Config&);

}  // namespace ravpn::config
