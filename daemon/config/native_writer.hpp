// The native writer's sections (native_writer.cpp, native_write_network.cpp), in the order write_native calls them.
#pragma once
#include "daemon/config/model.hpp"
#include "daemon/config/native_toml_text.hpp"

namespace ravpn::config::native {

struct WriteOptions {
  bool include_secrets = false;
};

// The value to write for a secret: the value, or "********" when it is masked or secrets are left out.
std::string secret_text(const std::string& value, bool masked, const WriteOptions& options);

void write_isakmp(TomlText& out, const Config& c, const WriteOptions& options);  // [isakmp], policies, keys, groups
void write_aaa(TomlText& out, const Config& c, const WriteOptions& options);     // users, [aaa]
void write_ipsec(TomlText& out, const Config& c);    // [ipsec], transform sets, dynamic maps, crypto maps
void write_network(TomlText& out, const Config& c);  // interfaces, pools, routes, mtu, names
void write_filter(TomlText& out, const Config& c);   // access lists, access groups, sysopt
void write_nat(TomlText& out, const Config& c);      // [nat], route maps

}  // namespace ravpn::config::native
