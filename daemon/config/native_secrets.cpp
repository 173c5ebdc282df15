// The native secrets file: TOML in the configuration's schema holding only the secrets and what names them. Its
// values replace the masked ("********") ones of the configuration; write_native_secrets gives the file for a model.
#include <algorithm>

#include "daemon/config/native_reader.hpp"
#include "daemon/config/native_toml_text.hpp"
#include "daemon/config/native_values.hpp"
#include "daemon/config/parse.hpp"

namespace ravpn::config {
namespace native {
namespace {

constexpr std::string_view kOnlySecrets =
    "a secrets file holds only isakmp.key peer/key, group.NAME.key, user.NAME passwords and aaa.server "
    "tag/protocol/host/key";

bool same_peer(const Ipv4Net& a, const Ipv4Net& b) {
  return a.mask == b.mask && (a.address.value & a.mask.value) == (b.address.value & b.mask.value);
}

// A clear secret from the secrets file; a masked one there is an error.
std::optional<std::string> clear_secret(Fields& f, std::string_view key) {
  auto s = f.secret(key);
  if (!s) return std::nullopt;
  if (s->masked) {
    f.error(s->line, f.path() + "." + std::string(key) + ": the secrets file must hold the clear value");
    return std::nullopt;
  }
  return s->value;
}

void apply_key(Fields f, Config& cfg) {
  f.require("peer");
  f.require("key");
  auto peer = f.network("peer");
  auto key = clear_secret(f, "key");
  f.finish(kOnlySecrets);
  if (!peer || !key) return;
  auto it = std::find_if(cfg.isakmp_keys.begin(), cfg.isakmp_keys.end(),
                         [&](const PresharedKey& k) { return same_peer(k.peer, *peer); });
  if (it == cfg.isakmp_keys.end()) {
    f.error(f.line(), "no isakmp key for " + net_text(*peer) + " in " + cfg.source);
    return;
  }
  it->key = *key;
  it->masked = false;
}

void apply_group(Fields f, const std::string& name, Config& cfg) {
  auto key = clear_secret(f, "key");
  f.finish(kOnlySecrets);
  auto it = cfg.client_groups.find(name);
  if (it == cfg.client_groups.end()) {
    f.error(f.line(), "no group " + name + " in " + cfg.source);
    return;
  }
  if (!key) return;
  it->second.key = *key;
  it->second.key_masked = false;
}

bool user_complete(const LocalUser& u) {
  return u.hash_kind == LocalUser::HashKind::None ? !u.password.empty() : !u.password_hash.empty();
}

void apply_user(Fields f, const std::string& name, Config& cfg) {
  auto password = clear_secret(f, "password");
  auto hash = clear_secret(f, "password_hash");
  std::optional<LocalUser::HashKind> kind;
  if (auto v = f.one_of("hash", {"md5-crypt", "pix-md5"})) kind = parse_hash_kind(*v);
  f.finish(kOnlySecrets);
  auto it = cfg.users.find(name);
  if (it == cfg.users.end()) {
    f.error(f.line(), "no user " + name + " in " + cfg.source);
    return;
  }
  LocalUser& u = it->second;
  if (password) u.password = *password;
  if (hash) {
    u.password_hash = *hash;
    if (kind) u.hash_kind = *kind;
    if (u.hash_kind == LocalUser::HashKind::None) f.error(f.line(), "user " + name + ": password_hash needs hash");
  }
  if (!user_complete(u)) return;
  // The masked-password error parse_native recorded for this user is answered.
  std::erase_if(cfg.diagnostics, [&](const Diagnostic& d) {
    return d.kind == Diagnostic::Kind::Error && d.command == kUserSection && d.origin.file == cfg.source &&
           d.message == masked_password_message(name);
  });
}

void apply_server(Fields f, Config& cfg) {
  f.require("host");
  f.require("key");
  std::optional<std::string> protocol, tag;
  if (auto v = f.one_of("protocol", {"radius", "tacacs+", "local"})) protocol = *v;
  if (auto v = f.name("tag")) tag = *v;
  auto host = f.address("host");
  auto key = clear_secret(f, "key");
  f.finish(kOnlySecrets);
  if (!host || !key) return;
  auto it = std::find_if(cfg.aaa_servers.begin(), cfg.aaa_servers.end(), [&](const AaaServer& s) {
    return s.host == *host && (!protocol || s.protocol == *protocol) && (!tag || s.tag == *tag);
  });
  if (it == cfg.aaa_servers.end()) {
    f.error(f.line(), "no " + protocol.value_or("aaa") + " server " + host->str() + " in " + cfg.source);
    return;
  }
  it->key = *key;
  it->key_masked = false;
}

void apply(const toml::table& doc, Config& cfg, detail::Reporter& rep) {
  Fields root(doc, "secrets", "", rep);
  if (const toml::table* t = root.table("isakmp")) {
    Fields isakmp = root.sub(*t, "isakmp", "isakmp");
    for (const toml::table* k : isakmp.tables("key")) apply_key(isakmp.sub(*k, "isakmp.key", "isakmp.key"), cfg);
    isakmp.finish(kOnlySecrets);
  }
  for (const auto& g : root.named_tables("group"))
    apply_group(root.sub(*g.tables.front(), "group", "group." + g.name), g.name, cfg);
  for (const auto& u : root.named_tables("user"))
    apply_user(root.sub(*u.tables.front(), "user", "user." + u.name), u.name, cfg);
  if (const toml::table* t = root.table("aaa")) {
    Fields aaa = root.sub(*t, "aaa", "aaa");
    for (const toml::table* s : aaa.tables("server")) apply_server(aaa.sub(*s, "aaa.server", "aaa.server"), cfg);
    aaa.finish(kOnlySecrets);
  }
  root.finish(kOnlySecrets);
}

}  // namespace
}  // namespace native

void apply_native_secrets(Config& config, std::string_view secrets_text, const std::string& filename) {
  detail::Reporter rep(config.diagnostics, filename);
  try {
    toml::table doc = toml::parse(secrets_text, std::string_view(filename));
    native::apply(doc, config, rep);
  } catch (const toml::parse_error& e) {
    rep.error(int(e.source().begin.line), "toml", native::syntax_error_message(e, secrets_text));
  } catch (const std::exception& e) {
    rep.error(0, "", std::string("internal error: ") + e.what());
  }
}

std::string write_native_secrets(const Config& c) {
  native::TomlText out;
  out.comment("ravpn native secrets for " + c.source + ": the clear values of the configuration's \"********\".");
  out.comment("Keep this file mode 0600 (or root:ravpn 0640).");
  out.blank();
  for (const auto& k : c.isakmp_keys) {
    if (k.masked || k.key.empty()) continue;
    out.array_table({"isakmp", "key"});
    out.string("peer", native::net_text(k.peer));
    out.string("key", k.key);
    out.blank();
  }
  for (const auto& [name, g] : c.client_groups) {
    if (!g.key || g.key_masked || g.key->empty()) continue;
    out.table({"group", name});
    out.string("key", *g.key);
    out.blank();
  }
  for (const auto& [name, u] : c.users) {
    if (u.password.empty() && u.password_hash.empty()) continue;
    out.table({"user", name});
    if (!u.password.empty()) out.string("password", u.password);
    if (!u.password_hash.empty()) out.string("password_hash", u.password_hash);
    if (u.hash_kind != LocalUser::HashKind::None) out.string("hash", native::hash_kind_text(u.hash_kind));
    out.blank();
  }
  for (const auto& s : c.aaa_servers) {
    if (s.key_masked || s.key.empty()) continue;
    out.array_table({"aaa", "server"});
    if (!s.tag.empty()) out.string("tag", s.tag);
    out.string("protocol", s.protocol);
    out.string("host", s.host.str());
    out.string("key", s.key);
    out.blank();
  }
  return out.take();
}

}  // namespace ravpn::config
