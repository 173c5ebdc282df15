// Properties every config fuzz target checks on a model it read (header-only, fuzz builds only).
// Beyond "no exception escapes": no handler failed with something other than a line error (the dispatcher turns
// that into an "internal error" diagnostic), the JSON view and the address lookups work on any model, and a model
// read without errors converts to the native format and reads back without errors to the same model - what
// ravpn-convert promises for every config it accepts.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "daemon/config/model.hpp"
#include "daemon/config/native_toml_text.hpp"
#include "daemon/config/parse.hpp"

namespace ravpn::config::fuzz {

inline void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_config: property violated: %s\n", what);
    std::abort();
  }
}

inline void dump_diagnostics(const Config& c) {
  for (const auto& d : c.diagnostics) std::fprintf(stderr, "  %d: %s\n", d.origin.line, d.message.c_str());
}

// The model without where things came from (file, line, dialect, original text, diagnostics).
inline nlohmann::json comparable(const nlohmann::json& j) {
  if (j.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : j) out.push_back(comparable(e));
    return out;
  }
  if (!j.is_object()) return j;
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, v] : j.items())
    if (k != "origin" && k != "text" && k != "source" && k != "dialect" && k != "diagnostics") out[k] = comparable(v);
  return out;
}

// INPUT_UTF8: whether the whole input was UTF-8. Otherwise the writer reads a stray byte in shown text (a banner) as
// Latin-1, which the JSON view showed as '?': the models then differ by design, and only the read must succeed.
inline void check_native_round_trip(const Config& c, bool input_utf8) {
  // ravpn-convert refuses these (names and secrets compared byte for byte); nothing to round-trip.
  if (!byte_exact_values_not_utf8(c).empty()) return;
  Config back = parse_native(write_native(c, true), "converted.toml");
  validate(back);
  if (back.has_errors()) dump_diagnostics(back);
  check(!back.has_errors(), "a config read without errors converts to a native file that reads without errors");
  if (input_utf8 && comparable(to_json(back)) != comparable(to_json(c))) {
    std::fprintf(stderr, "before: %s\nafter:  %s\n", comparable(to_json(c)).dump().c_str(),
                 comparable(to_json(back)).dump().c_str());
    check(false, "the native file reads back to the same model");
  }
}

inline void check_model(const Config& c, std::string_view input) {
  for (const auto& d : c.diagnostics)
    if (d.message.find("internal error") != std::string::npos) {
      std::fprintf(stderr, "line %d: %s\n", d.origin.line, d.message.c_str());
      check(false, "no handler fails with an internal error");
    }
  (void)to_json(c).dump();  // strict UTF-8: throws (and so aborts here) if a peer string is not escaped
  (void)c.ike_addresses();
  (void)c.key_for_peer(Ipv4{0xc0000201});
  if (!c.has_errors()) check_native_round_trip(c, native::valid_utf8(input));
}

}  // namespace ravpn::config::fuzz
