// Peer-supplied text (identities, group and user names, RADIUS Reply-Messages, anything from the wire) made safe for
// one log line or a JSON string: a peer that has not authenticated must not be able to end a line, forge the next
// one, move the terminal's cursor or fill the disk with one string.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ravpn {

inline constexpr size_t kPeerTextMax = 128;  // bytes of the peer's text kept; the rest is counted, not shown

// Printable ASCII and well-formed UTF-8 stay as they are; control characters (newline, ESC, DEL), C1 controls,
// Unicode bidirectional overrides and bytes that are not UTF-8 become \xNN or \u{NNNN}; a backslash is doubled, so
// an escape the peer typed itself cannot pass for one of ours. Longer than `max` bytes: cut at a character
// boundary and marked "...(N bytes)".
std::string peer_text(std::string_view text, size_t max = kPeerTextMax);
std::string peer_text(std::span<const uint8_t> bytes, size_t max = kPeerTextMax);

// The last line of defence in the log sink: any control byte left in a finished line becomes \xNN (peer text is
// escaped where it is formatted; this catches what a log call forgot). Backslashes are left alone.
std::string one_line(std::string_view line);

}  // namespace ravpn
