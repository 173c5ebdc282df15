#include "daemon/config/native_fields.hpp"

#include "daemon/config/native_values.hpp"
#include "daemon/config/text.hpp"

namespace ravpn::config::native {
namespace {

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    default: return "a date or time";
  }
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

int line_of(const toml::node& node) { return int(node.source().begin.line); }

bool valid_name(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (c <= ' ' || c == 0x7f) return false;
  return true;
}

int Fields::line_of(std::string_view key) const {
  for (const auto& [k, v] : table_)
    if (k.str() == key) return int(k.source().begin.line);
  return line();
}

std::string Fields::where(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const toml::node* Fields::get(std::string_view key) {
  read_.emplace(key);
  return table_.get(key);
}

void Fields::bad(std::string_view key, const toml::node& node, std::string_view expected) {
  rep_.error(native::line_of(node), section_,
             where(key) + ": expected " + std::string(expected) + ", not " + type_name(node));
}

std::optional<std::string> Fields::text(std::string_view key) {
  const toml::node* n = get(key);
  if (!n) return std::nullopt;
  if (const auto* s = n->as_string()) return s->get();
  bad(key, *n, "a string");
  return std::nullopt;
}

std::optional<std::string> Fields::name(std::string_view key) {
  auto s = text(key);
  if (s && !valid_name(*s)) {
    error(native::line_of(*table_.get(key)),
          where(key) + ": " + quoted(*s) + " is not a name (empty, blanks or control characters)");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> Fields::one_of(std::string_view key, std::initializer_list<std::string_view> allowed) {
  auto s = text(key);
  if (!s) return std::nullopt;
  std::string list;
  for (auto a : allowed) {
    if (a == *s) return s;
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  error(native::line_of(*table_.get(key)), where(key) + ": " + quoted(*s) + " is not one of " + list);
  return std::nullopt;
}

std::optional<bool> Fields::flag(std::string_view key) {
  const toml::node* n = get(key);
  if (!n) return std::nullopt;
  if (const auto* b = n->as_boolean()) return b->get();
  bad(key, *n, "true or false");
  return std::nullopt;
}

std::optional<int64_t> Fields::number(std::string_view key, int64_t min, int64_t max) {
  const toml::node* n = get(key);
  if (!n) return std::nullopt;
  const auto* i = n->as_integer();
  if (!i) {
    bad(key, *n, "an integer");
    return std::nullopt;
  }
  if (i->get() < min || i->get() > max) {
    error(native::line_of(*n), where(key) + ": " + std::to_string(i->get()) + " is not in " +
                                   std::to_string(min) + ".." + std::to_string(max));
    return std::nullopt;
  }
  return i->get();
}

std::optional<Ipv4> Fields::address(std::string_view key) {
  auto s = text(key);
  if (!s) return std::nullopt;
  if (auto a = Ipv4::parse(*s)) return a;
  error(native::line_of(*table_.get(key)), where(key) + ": " + quoted(*s) + " is not an IPv4 address");
  return std::nullopt;
}

std::optional<int> Fields::protocol(std::string_view key) {
  const toml::node* n = table_.get(key);
  if (n && n->is_integer()) {
    if (auto v = number(key, 0, 255)) return int(*v);
    return std::nullopt;
  }
  auto s = text(key);
  if (!s) return std::nullopt;
  if (auto p = parse_protocol_name(*s)) return p;
  error(native::line_of(*n),
        where(key) + ": " + quoted(*s) + " is not a protocol (ip, icmp, tcp, udp, esp, ... or 0..255)");
  return std::nullopt;
}

std::optional<Ipv4Net> Fields::network(std::string_view key) {
  auto s = text(key);
  if (!s) return std::nullopt;
  if (auto n = parse_net(*s)) return n;
  error(native::line_of(*table_.get(key)),
        where(key) + ": " + quoted(*s) + " is not a network (A.B.C.D/N or A.B.C.D/M.M.M.M)");
  return std::nullopt;
}

template <class T, class Convert>
std::optional<std::vector<T>> Fields::list(std::string_view key, std::string_view expected, Convert convert) {
  const toml::node* n = get(key);
  if (!n) return std::nullopt;
  const auto* arr = n->as_array();
  if (!arr) {
    bad(key, *n, "an array of " + std::string(expected));
    return std::nullopt;
  }
  std::vector<T> out;
  bool ok = true;
  for (const auto& e : *arr) {
    const auto* s = e.as_string();
    std::optional<T> v = s ? convert(s->get()) : std::nullopt;
    if (!s) {
      bad(key, e, std::string(expected));
      ok = false;
    } else if (!v) {
      error(native::line_of(e), where(key) + ": " + quoted(s->get()) + " is not " + std::string(expected));
      ok = false;
    } else {
      out.push_back(std::move(*v));
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::vector<std::string>> Fields::texts(std::string_view key) {
  return list<std::string>(key, "strings", [](const std::string& s) { return std::optional<std::string>(s); });
}

std::optional<std::vector<std::string>> Fields::names(std::string_view key) {
  return list<std::string>(key, "a name", [](const std::string& s) {
    return valid_name(s) ? std::optional<std::string>(s) : std::nullopt;
  });
}

std::optional<std::vector<Ipv4>> Fields::addresses(std::string_view key) {
  return list<Ipv4>(key, "an IPv4 address", [](const std::string& s) { return Ipv4::parse(s); });
}

std::optional<std::vector<Ipv4Range>> Fields::ranges(std::string_view key) {
  return list<Ipv4Range>(key, "an address range (A-B or A)", [](const std::string& s) { return parse_range(s); });
}

std::optional<Secret> Fields::secret(std::string_view key) {
  const toml::node* n = get(key);
  if (!n) return std::nullopt;
  const auto* s = n->as_string();
  if (!s) {
    bad(key, *n, "a string");
    return std::nullopt;
  }
  if (s->get().empty()) {
    error(native::line_of(*n), where(key) + ": empty secret");
    return std::nullopt;
  }
  return Secret{s->get(), detail::is_masked(s->get()), native::line_of(*n)};
}

const toml::table* Fields::table(std::string_view key) {
  const toml::node* n = get(key);
  if (!n) return nullptr;
  if (const auto* t = n->as_table()) return t;
  bad(key, *n, "a table [" + where(key) + "]");
  return nullptr;
}

std::vector<const toml::table*> Fields::tables(std::string_view key) {
  std::vector<const toml::table*> out;
  const toml::node* n = get(key);
  if (!n) return out;
  const auto* arr = n->as_array();
  if (!arr) {
    bad(key, *n, "[[" + where(key) + "]] tables");
    return out;
  }
  for (const auto& e : *arr) {
    if (const auto* t = e.as_table()) out.push_back(t);
    else bad(key, e, "[[" + where(key) + "]] tables");
  }
  return out;
}

std::vector<Named> Fields::named_tables(std::string_view key) {
  std::vector<Named> out;
  const toml::table* section = table(key);
  if (!section) return out;
  for (const auto& [k, v] : *section) {
    int line = int(k.source().begin.line);
    if (!valid_name(k.str())) {
      error(line, where(key) + ": " + quoted(k.str()) + " is not a name");
    } else if (const auto* t = v.as_table()) {
      out.push_back({std::string(k.str()), line, {t}});
    } else {
      std::string at = where(key) + "." + std::string(k.str());
      error(line, at + ": expected a table [" + at + "], not " + type_name(v));
    }
  }
  return out;
}

std::vector<Named> Fields::named_arrays(std::string_view key) {
  std::vector<Named> out;
  const toml::table* section = table(key);
  if (!section) return out;
  for (const auto& [k, v] : *section) {
    int line = int(k.source().begin.line);
    std::string at = where(key) + "." + std::string(k.str());
    const auto* arr = v.as_array();
    if (!valid_name(k.str())) {
      error(line, where(key) + ": " + quoted(k.str()) + " is not a name");
      continue;
    }
    if (!arr) {
      error(line, at + ": expected [[" + at + "]] tables, not " + type_name(v));
      continue;
    }
    Named named{std::string(k.str()), line, {}};
    for (const auto& e : *arr) {
      if (const auto* t = e.as_table()) named.tables.push_back(t);
      else error(native::line_of(e), at + ": expected [[" + at + "]] tables, not " + type_name(e));
    }
    out.push_back(std::move(named));
  }
  return out;
}

void Fields::read(std::string_view key, std::string& out) {
  if (auto v = text(key)) out = std::move(*v);
}

void Fields::read_name(std::string_view key, std::string& out) {
  if (auto v = name(key)) out = std::move(*v);
}

void Fields::read(std::string_view key, bool& out) {
  if (auto v = flag(key)) out = *v;
}

void Fields::read(std::string_view key, std::vector<std::string>& out) {
  if (auto v = names(key)) out = std::move(*v);
}

void Fields::read(std::string_view key, std::optional<uint32_t>& out, uint32_t min, uint32_t max) {
  if (auto v = number(key, min, max)) out = uint32_t(*v);
}

void Fields::read(std::string_view key, std::optional<int>& out, int min, int max) {
  if (auto v = number(key, min, max)) out = int(*v);
}

bool Fields::require(std::string_view key) {
  if (has(key)) return true;
  error(line(), "missing " + quoted(key) + " in [" + path_ + "]");
  return false;
}

void Fields::finish(std::string_view hint) {
  for (const auto& [k, v] : table_)
    if (!read_.contains(k.str()))
      error(int(k.source().begin.line), "unknown key " + quoted(k.str()) +
                                            (path_.empty() ? " at the top level" : " in [" + path_ + "]") +
                                            (hint.empty() ? "" : " (" + std::string(hint) + ")"));
}

}  // namespace ravpn::config::native
