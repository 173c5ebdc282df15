// parse_pix: the PIX 6.3 running-config reader (commands in pix_*.cpp). Header lines, names, and the steps that
// need the whole file.
#include "daemon/config/pix_reader.hpp"

#include <algorithm>

#include "daemon/config/acl_match.hpp"
#include "daemon/config/nat_common.hpp"
#include "daemon/config/parse.hpp"

namespace ravpn::config {
namespace detail {
namespace {

// `PIX Version 6.3(3)`: this reader reads 6.x; 7.x and ASA changed most VPN commands (tunnel-group, group-policy,
// `crypto isakmp`), so their configs are refused up front rather than half read.
void version(PixState& st, Args& a) {
  std::string v = a.word("version");
  a.remaining();
  bool asa = a.line().lower[0] == "asa";
  int major = 0;
  for (char c : v) {
    if (c < '0' || c > '9') break;
    major = major * 10 + (c - '0');
    if (major > 100) break;
  }
  if (asa || major >= 7)
    a.fail(std::string(asa ? "ASA" : "PIX") + " version " + v.substr(0, 20) +
           ": PIX 7.x / ASA configurations are not supported (this reader reads PIX 6.x)");
  st.rep.ignored(a.number(), "pix version", "not used by ravpn", redact(a.line()));
}

void hostname(PixState& st, Args& a) {
  st.cfg.hostname = a.word("hostname");
  a.end();
}

void names(PixState&, Args& a) { a.end(); }  // `names` turns name substitution on; names are always read here

// name A NAME: NAME stands for A wherever the config expects an address.
void name(PixState& st, Args& a) {
  Ipv4 address = a.address("name address");
  std::string n = a.word("name");
  a.end();
  if (Ipv4::parse(n)) a.fail("bad name '" + n.substr(0, 40) + "': an address cannot be a name");
  st.cfg.names[n] = address;
}

const CommandTable<PixState>& top_commands() {
  static const CommandTable<PixState> table = [] {
    CommandTable<PixState> t;
    t.handle("pix version", version)
        .handle("asa version", version)
        .handle("hostname", hostname)
        .handle("names", names)
        .handle("name", name);
    add_pix_interface_commands(t);
    add_pix_isakmp_commands(t);
    add_pix_crypto_commands(t);
    add_pix_client_commands(t);
    add_pix_aaa_commands(t);
    add_pix_access_commands(t);
    add_pix_nat_commands(t);
    add_pix_ignored_commands(t);
    return t;
  }();
  return table;
}

// `Cryptochecksum:ba54...` is one word; split it so the command table sees `cryptochecksum:`.
void split_checksum_words(std::vector<Line>& lines) {
  constexpr std::string_view prefix = "cryptochecksum:";
  for (auto& l : lines) {
    if (l.lower.empty() || !l.lower[0].starts_with(prefix) || l.lower[0].size() == prefix.size()) continue;
    l.words.insert(l.words.begin() + 1, l.words[0].substr(prefix.size()));
    l.words[0].resize(prefix.size());
    l.lower.insert(l.lower.begin() + 1, l.lower[0].substr(prefix.size()));
    l.lower[0].resize(prefix.size());
    l.offsets.insert(l.offsets.begin() + 1, l.offsets[0] + prefix.size());
  }
}

void finish(PixState& st) {
  Config& c = st.cfg;
  for (auto& [priority, p] : st.policies) c.isakmp_policies.push_back(std::move(p));
  for (auto& [key, d] : st.dynamic_maps) c.dynamic_maps.push_back(std::move(d));
  for (auto& [name, m] : c.crypto_maps)
    std::sort(m.entries.begin(), m.entries.end(),
              [](const CryptoMapEntry& x, const CryptoMapEntry& y) { return x.sequence < y.sequence; });
  for (auto& i : c.interfaces)
    if (auto it = st.hardware_shutdown.find(to_lower(i.hardware)); it != st.hardware_shutdown.end())
      i.shutdown = it->second;
  resolve_pix_aaa(st);
  resolve_pix_nat(st);
  resolve_interface_statics(c, st.rep, st.statics_on_interface, "static");
}

std::optional<std::string> known_interface(const PixState& st, std::string_view name) {
  for (const auto& i : st.cfg.interfaces)
    if (i.name == name) return i.name;
  for (const auto& i : st.cfg.interfaces)
    if (iequals(i.name, name)) return i.name;
  return std::nullopt;
}

std::string checked_interface(PixState& st, Args& a, std::string_view name) {
  if (auto known = known_interface(st, name)) return *known;
  a.fail("no interface named '" + std::string(name.substr(0, 40)) + "' (no nameif line names it)");
}

}  // namespace

// A PIX takes "0" for 0.0.0.0 in nat, global, static and route lines.
Ipv4 pix_address(PixState& st, Args& a, std::string_view what) {
  if (a.accept("0")) return Ipv4{0};
  return read_address(a, what, &st.cfg.names);
}

Ipv4 pix_netmask(Args& a, std::string_view what) {
  if (a.accept("0")) return Ipv4{0};
  return a.netmask(what);
}

std::string pix_interface(PixState& st, Args& a, std::string_view what) {
  return checked_interface(st, a, a.word(what));
}

std::string parenthesized_name(Args& a) {
  std::string w = a.word("(interface)");
  if (w.size() < 3 || w.front() != '(' || w.back() != ')' || w.find(',') != std::string::npos)
    a.fail("expected (interface), got '" + w.substr(0, 40) + "'");
  return w.substr(1, w.size() - 2);
}

std::string parenthesized_interface(PixState& st, Args& a) { return checked_interface(st, a, parenthesized_name(a)); }

std::pair<std::string, std::string> interface_pair(PixState& st, Args& a) {
  std::string w = a.word("(real_interface,mapped_interface)");
  size_t comma = w.find(',');
  if (w.size() < 5 || w.front() != '(' || w.back() != ')' || comma == std::string::npos || comma == 1 ||
      comma + 2 == w.size())
    a.fail("expected (real_interface,mapped_interface), got '" + w.substr(0, 40) + "'");
  std::string_view inner = std::string_view(w).substr(1, w.size() - 2);
  size_t c = inner.find(',');
  return {checked_interface(st, a, inner.substr(0, c)), checked_interface(st, a, inner.substr(c + 1))};
}

}  // namespace detail

Config parse_pix(std::string_view text, const std::string& filename) {
  Config config;
  config.source = filename;
  config.dialect = Dialect::Pix;
  try {
    detail::PixState st(config, filename);
    auto lines = detail::split_lines(text);
    detail::split_checksum_words(lines);
    detail::Driver<detail::PixState>(st, detail::top_commands()).run(lines);
    detail::finish(st);
  } catch (const std::exception& e) {  // allocation failure or a bug: still a diagnostic, never an escape
    config.diagnostics.push_back({Diagnostic::Kind::Error, {filename, 0}, "", std::string("internal error: ") + e.what(), ""});
  }
  return config;
}

}  // namespace ravpn::config
