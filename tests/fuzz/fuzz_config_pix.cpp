// libFuzzer target for the PIX 6.x running-config reader: the input is read as a config and as its own secrets
// file, then validated (seeds: tests/config/fixtures). Properties: tests/fuzz/fuzz_config_checks.hpp.
#include <cstdint>
#include <string_view>

#include "tests/fuzz/fuzz_config_checks.hpp"

using namespace ravpn::config;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Config c = parse_pix(text, "fuzz.cfg");
  apply_secrets(c, text, "fuzz.secrets");
  validate(c);
  fuzz::check_model(c, text);
  return 0;
}
