// The event loop(s) that drive many Handshakes at once: each client from its own source address (a UDP socket
// bound to ADDRESS:500 per address slot; an address is reused only after its previous client finished), a
// concurrency limit, a target start rate, retransmits with doubling timeouts. One epoll loop per thread, each
// owning every T-th address slot and client; a progress line once a second on stderr.
#pragma once
#include <cstdint>
#include <string>

#include "handshake.hpp"
#include "report.hpp"

namespace ravpn::loadgen {

struct RunOptions {
  HandshakeSpec spec;                   // everything but self, user and password
  std::string user = "user{}";          // "{}" becomes the address slot number (one Xauth user per address)
  std::string password = "pass{}";
  Ipv4 first_source;                    // slot i binds first_source + i
  size_t addresses = 0;                 // address slots; 0: the concurrency (hold: the number of clients)
  uint16_t source_port = 500;
  size_t clients = 1, concurrency = 1, threads = 1;
  double rate = 0;                      // handshakes started per second, 0: as fast as the concurrency allows
  double rto = 1.0;                     // first retransmit timeout, seconds (doubles each time)
  int retries = 4;
  double max_seconds = 0;               // 0: no limit; at the limit the unfinished clients fail
  double hold_seconds = 0;              // hold mode: wait this long before deleting the tunnels
  double linger = 0.2;                  // without hold: seconds between QM3 and the deletes (a multi-threaded
                                        // responder may otherwise take the delete before QM3)
  uint64_t seed = 1;
  bool progress = true;
};

// "" when the options are consistent, else what is wrong.
std::string check(RunOptions& o);
// "{}" in `pattern` replaced by `n`.
std::string expand(const std::string& pattern, size_t n);

// Runs the clients; fills `seconds` of `info` (first start to last finish). Throws std::runtime_error when a
// socket cannot be made or bound.
Tally run(const RunOptions& o, RunInfo& info);

}  // namespace ravpn::loadgen
