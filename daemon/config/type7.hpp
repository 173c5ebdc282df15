// Cisco "type 7" reversible password encoding (`username U password 7 ...`, `key 7 ...`): two decimal digits
// give the start offset into a fixed 53-character key, then each hex byte is XORed with the next key character.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace ravpn::config::detail {

std::optional<std::string> decode_type7(std::string_view encoded);
std::string encode_type7(std::string_view plain, unsigned offset);  // offset 0..52

}  // namespace ravpn::config::detail
