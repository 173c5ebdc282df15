// libFuzzer target for the native (TOML) configuration reader: the input is read as a config and as its own native
// secrets file, then validated (seeds: packaging/ravpn.toml.example and tests/fuzz/seeds/native, the fixtures
// converted). Properties: tests/fuzz/fuzz_config_checks.hpp; also, writing any model it read never throws.
#include <cstdint>
#include <string_view>

#include "tests/fuzz/fuzz_config_checks.hpp"

using namespace ravpn::config;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Config c = parse_native(text, "fuzz.toml");
  apply_native_secrets(c, text, "fuzz-secrets.toml");
  validate(c);
  (void)write_native(c, false);
  (void)write_native_secrets(c);
  fuzz::check_model(c, text);
  return 0;
}
