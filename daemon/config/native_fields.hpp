// Reading one TOML table of a native config. Each getter takes one key, marks it read and returns its value, or
// nullopt when the key is absent (no diagnostic) or holds the wrong type or a bad value (an error at the value's
// line). finish() reports every key nobody read as unknown. Messages name keys and quote values, never secrets.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "daemon/config/diagnostics.hpp"
#include "daemon/config/model.hpp"

namespace ravpn::config::native {

int line_of(const toml::node& node);

struct Secret {
  std::string value;  // the masked text when masked
  bool masked = false;
  int line = 0;
};

// `[section.NAME]` tables and `[[section.NAME]]` arrays: one per name.
struct Named {
  std::string name;
  int line = 0;
  std::vector<const toml::table*> tables;  // one for [section.NAME], each element for [[section.NAME]]
};

class Fields {
 public:
  // SECTION groups the diagnostics ("isakmp.policy"); PATH names the table in messages ("group.vpn3000").
  Fields(const toml::table& table, std::string section, std::string path, detail::Reporter& rep)
      : table_(table), section_(std::move(section)), path_(std::move(path)), rep_(rep) {}
  Fields(const Fields&) = delete;
  Fields& operator=(const Fields&) = delete;

  // Fields over a table inside this one, reporting through the same reporter.
  Fields sub(const toml::table& table, std::string section, std::string path) const {
    return Fields(table, std::move(section), std::move(path), rep_);
  }

  const std::string& path() const { return path_; }
  int line() const { return native::line_of(table_); }
  int line_of(std::string_view key) const;  // the key's line; the table's when it is absent
  bool has(std::string_view key) const { return table_.contains(key); }
  Origin origin() const { return rep_.origin(line()); }
  Origin origin_of(std::string_view key) const { return rep_.origin(line_of(key)); }
  Origin origin_at(int line) const { return rep_.origin(line); }

  std::optional<std::string> text(std::string_view key);  // any string
  std::optional<std::string> name(std::string_view key);  // non-empty, no blanks or control characters
  std::optional<std::string> one_of(std::string_view key, std::initializer_list<std::string_view> allowed);
  std::optional<bool> flag(std::string_view key);
  std::optional<int64_t> number(std::string_view key, int64_t min, int64_t max);
  std::optional<Ipv4> address(std::string_view key);
  std::optional<int> protocol(std::string_view key);  // "tcp" (native_values.hpp names) or 0..255; "ip" = -1
  std::optional<Ipv4Net> network(std::string_view key);  // "A/N", "A/M.M.M.M", "A"
  std::optional<std::vector<std::string>> texts(std::string_view key);
  std::optional<std::vector<std::string>> names(std::string_view key);
  std::optional<std::vector<Ipv4>> addresses(std::string_view key);
  std::optional<std::vector<Ipv4Range>> ranges(std::string_view key);  // "A-B" or "A" each
  std::optional<Secret> secret(std::string_view key);  // a non-empty string; "********" = masked
  const toml::table* table(std::string_view key);     // a sub-table [path.key]
  std::vector<const toml::table*> tables(std::string_view key);  // [[path.key]]
  std::vector<Named> named_tables(std::string_view key);  // [key.NAME] tables
  std::vector<Named> named_arrays(std::string_view key);  // [[key.NAME]] arrays

  // Assign when present and valid; OUT keeps its value otherwise.
  void read(std::string_view key, std::string& out);       // text
  void read_name(std::string_view key, std::string& out);  // name
  void read(std::string_view key, bool& out);
  void read(std::string_view key, std::vector<std::string>& out);  // names
  void read(std::string_view key, std::optional<uint32_t>& out, uint32_t min = 0, uint32_t max = UINT32_MAX);
  void read(std::string_view key, std::optional<int>& out, int min, int max);

  // Marks KEY read without looking at it (after reporting why it is not used).
  void skip(std::string_view key) { read_.emplace(key); }
  // An error when KEY is absent; returns whether it is present.
  bool require(std::string_view key);
  void error(int line, std::string message) { rep_.error(line, section_, std::move(message)); }
  void partial(int line, std::string message) { rep_.partial(line, section_, std::move(message)); }
  // Every key of the table that no getter read: "unknown key", followed by HINT when given.
  void finish(std::string_view hint = "");

 private:
  const toml::node* get(std::string_view key);
  std::string where(std::string_view key) const;  // "path.key"
  void bad(std::string_view key, const toml::node& node, std::string_view expected);
  template <class T, class Convert>
  std::optional<std::vector<T>> list(std::string_view key, std::string_view expected, Convert convert);

  const toml::table& table_;
  std::string section_;
  std::string path_;
  detail::Reporter& rep_;
  std::set<std::string, std::less<>> read_;
};

// A name for things other lines refer to (pools, ACLs, interfaces): not empty, no blanks, no control characters.
bool valid_name(std::string_view s);

}  // namespace ravpn::config::native
